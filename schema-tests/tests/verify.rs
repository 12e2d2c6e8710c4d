//! The statements this binary registers (`secure_pg::queries()`), held
//! against real databases: an up-to-date one reports nothing; a column
//! dropped (a migration not applied), made nullable or retyped by hand,
//! and a function replaced with another result type are each reported with
//! the statements that depend on them; and the grants
//! `secure_pg::required_grants` prints are enough for a role that owns
//! nothing to run the statements, and no more than they use.

mod common;

use common::database_with_schema;
use secure_pg::registry::{Privilege, Scoping};
use secure_pg::{
    queries, required_grants, secure_copy_out, secure_query, secure_query_as, tenant_scoped,
    Config, Error, ErrorKind, FindingCode, Pool, TenantId,
};

/// The line of the `INSERT INTO owners` literal in [`flow`].
const INSERT_OWNER_LINE: u32 = 25;

/// What the application does, one statement of each kind.
async fn flow(pool: &Pool) -> Result<(), Error> {
    let (owner,) = secure_query_as!(
        (i64,),
        "INSERT INTO owners (name) VALUES ($1) RETURNING id",
        "ada"
    )
    .fetch_one(pool)
    .await?;
    secure_query!(
        "INSERT INTO widgets (owner_id, name, label) VALUES ($1, $2, $3)",
        owner,
        "w",
        Some("l")
    )
    .execute(pool)
    .await?;
    secure_query!(
        "UPDATE widgets SET qty = qty + 1 WHERE owner_id = $1",
        owner
    )
    .execute(pool)
    .await?;
    let rows = secure_query_as!(
        (String, Option<String>),
        "SELECT name, label FROM widgets WHERE owner_id = $1",
        owner
    )
    .fetch_all(pool)
    .await?;
    assert_eq!(rows, [("w".to_owned(), Some("l".to_owned()))]);
    let (handle,) = secure_query_as!(
        (Option<String>,),
        "SELECT handle FROM owners WHERE id = $1",
        owner
    )
    .fetch_one(pool)
    .await?;
    assert_eq!(handle, None);
    let (canon,) = secure_query_as!((Option<String>,), "SELECT canon_name($1)", "A-b")
        .fetch_one(pool)
        .await?;
    assert_eq!(canon.as_deref(), Some("a_b"));
    let names = secure_query_as!((Option<String>,), "SELECT name FROM owner_names")
        .fetch_all(pool)
        .await?;
    assert!(names.contains(&(Some("ada".to_owned()),)));
    // A dynamic query: each of its variants is registered and verified.
    let min_qty: Option<i32> = Some(0);
    let named = secure_query_as!(
        (String,),
        "SELECT name FROM widgets WHERE owner_id = $1", owner;
        if min_qty => "AND qty >= $1";
    )
    .fetch_all(pool)
    .await?;
    assert_eq!(named, [("w".to_owned(),)]);
    let copied = secure_copy_out!((String,), "widgets (name)")
        .fetch_all(pool)
        .await?;
    assert!(copied.contains(&("w".to_owned(),)));
    secure_query!("DELETE FROM widgets WHERE owner_id = $1", owner)
        .execute(pool)
        .await?;
    Ok(())
}

/// A statement `#[tenant_scoped]` rewrites: registered as sent.
#[tenant_scoped]
async fn tenant_names(pool: &Pool, tenant: TenantId) -> Result<Vec<(String,)>, Error> {
    secure_query_as!((String,), "SELECT name FROM owners")
        .fetch_all(pool)
        .await
}

async fn pool(config: Config) -> Pool {
    Pool::builder().max_size(2).build(config).await.unwrap()
}

#[test]
fn every_statement_is_registered_where_it_is_written() {
    let ours: Vec<_> = queries()
        .iter()
        .filter(|q| q.file().ends_with("verify.rs"))
        .collect();
    // Eight statements, the copy, the scoped statement, and the dynamic
    // query's two variants.
    assert_eq!(ours.len(), 12, "{ours:#?}");
    let variants: Vec<&str> = ours
        .iter()
        .filter(|q| {
            q.sql()
                .starts_with("SELECT name FROM widgets WHERE owner_id")
        })
        .map(|q| q.sql())
        .collect();
    assert_eq!(variants.len(), 2, "{variants:?}");
    assert!(variants.contains(&"SELECT name FROM widgets WHERE owner_id = $1 AND qty >= $2"));
    let copy = ours
        .iter()
        .find(|q| q.is_copy())
        .expect("the copy is registered");
    assert!(copy.sql().starts_with("COPY"), "{}", copy.sql());
    let widgets = &copy.schema().unwrap().relations()[0];
    assert_eq!(widgets.name(), "widgets");
    assert_eq!(widgets.privileges(), [Privilege::Select]);
    let insert = ours
        .iter()
        .find(|q| q.sql() == "INSERT INTO owners (name) VALUES ($1) RETURNING id")
        .expect("the insert is registered");
    assert_eq!(insert.line(), INSERT_OWNER_LINE, "{insert:?}");
    assert_eq!(insert.macro_name(), "secure_query_as");
    let facts = insert.schema().expect("checked against the schema");
    assert_eq!(facts.params(), ["text"]);
    assert_eq!(facts.columns()[0].name(), "id");
    assert_eq!(facts.columns()[0].ty(), "bigint");
    let scoped = ours
        .iter()
        .find(|q| q.scoping() == Scoping::Tenant)
        .expect("the scoped statement is registered");
    assert!(scoped.sql().contains("tenant_id"), "{}", scoped.sql());
    // Its place is the literal's, inside the attributed function.
    let source = include_str!("verify.rs");
    let line = source
        .lines()
        .position(|l| l.contains("\"SELECT name FROM owners\")"))
        .unwrap() as u32
        + 1;
    assert_eq!(scoped.line(), line);
    assert_eq!(
        source
            .lines()
            .nth(INSERT_OWNER_LINE as usize - 1)
            .unwrap()
            .trim(),
        "\"INSERT INTO owners (name) VALUES ($1) RETURNING id\","
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_up_to_date_database_reports_nothing() {
    let (config, _client) = database_with_schema("verify_ok").await;
    let pool = Pool::builder()
        .max_size(2)
        .verify_schema_at_startup(true)
        .build(config)
        .await
        .unwrap();
    flow(&pool).await.unwrap();
    let report = pool.verify_schema().await.unwrap();
    assert!(report.is_ok(), "{report}");
    assert!(report.prepared());
    assert_eq!(report.statements(), queries().len());
    let health = pool.health_check().await;
    assert!(
        !health
            .findings
            .iter()
            .any(|f| f.code == FindingCode::SchemaDrift),
        "{health:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_is_reported_with_the_statements_that_depend_on_it() {
    let (config, client) = database_with_schema("verify_drift").await;
    client
        .batch_execute(
            "ALTER TABLE widgets DROP COLUMN label;
             ALTER TABLE widgets ALTER COLUMN name DROP NOT NULL;
             ALTER TABLE owners ALTER COLUMN handle TYPE text;
             DROP FUNCTION canon_name(text);
             CREATE FUNCTION canon_name(text) RETURNS varchar LANGUAGE sql
                 AS $$ SELECT lower($1) $$;",
        )
        .await
        .unwrap();
    // The builder's option refuses to start on it, and says why.
    let refused = Pool::builder()
        .max_size(2)
        .verify_schema_at_startup(true)
        .build(config.clone())
        .await
        .expect_err("a pool over a drifted database is refused");
    assert_eq!(refused.kind(), ErrorKind::Configuration);
    assert_eq!(
        refused.to_string(),
        "the database differs from what this binary's statements were checked against"
    );
    assert!(
        format!("{refused:#}").contains("column `widgets.label` does not exist"),
        "{refused:#}"
    );
    let pool = pool(config).await;
    let report = pool.verify_schema().await.unwrap();
    let text = report.to_string();
    let mut messages: Vec<&str> = report.differences().iter().map(|d| d.message()).collect();
    messages.sort();
    assert_eq!(
        messages,
        [
            "column `owners.handle` is `text` in the database; the statements were checked \
             with `character varying(50)`",
            "column `widgets.label` does not exist in the database",
            "column `widgets.name` may be NULL in the database; the statements were checked \
             with it NOT NULL, so a NULL would fail to read",
            "the server returns the columns (canon_name character varying); the statement \
             was checked with (canon_name text)",
        ],
        "{text}"
    );
    // Each names the statements that depend on it, by place.
    let label = report
        .differences()
        .iter()
        .find(|d| d.message().contains("widgets.label"))
        .unwrap();
    let sqls: Vec<&str> = label.queries().iter().map(|q| q.sql()).collect();
    assert_eq!(
        sqls.len(),
        2,
        "the insert and the select of label: {sqls:?}"
    );
    assert!(text.contains("verify.rs:"), "{text}");
    // The health check reports it until the next verification.
    let health = pool.health_check().await;
    let finding = health
        .findings
        .iter()
        .find(|f| f.code == FindingCode::SchemaDrift)
        .unwrap_or_else(|| panic!("{health:?}"));
    assert!(finding.message.contains("widgets.label"), "{finding}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printed_grants_are_enough_for_a_role_that_owns_nothing() {
    let (config, client) = database_with_schema("verify_grants").await;
    let grants = required_grants("verify_app");
    for expected in [
        "GRANT SELECT, INSERT ON TABLE owners TO verify_app;",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE widgets TO verify_app;",
        "GRANT SELECT ON TABLE owner_names TO verify_app;",
        "GRANT USAGE, SELECT ON SEQUENCE owners_id_seq TO verify_app;",
        "GRANT EXECUTE ON ROUTINE public.canon_name(text) TO verify_app;",
    ] {
        assert!(grants.contains(expected), "{expected}\n{grants}");
    }
    let cluster = secure_pg_tests::shared(secure_pg_tests::ClusterSpec::tls(
        secure_pg_tests::ServerCert::Valid,
    ));
    cluster.psql(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'verify_app') THEN \
         CREATE ROLE verify_app LOGIN PASSWORD 'verify-Pw-31'; END IF; END $$",
    );
    // Not even what PUBLIC gets by default: the printed EXECUTE is needed.
    client
        .batch_execute("REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC")
        .await
        .unwrap();
    client.batch_execute(&grants).await.unwrap();
    drop(config);
    let as_app =
        Config::parse_with_env(&url_as("verify_grants", "verify_app:verify-Pw-31"), |_| {
            None
        })
        .unwrap();
    let pool = pool(as_app.clone()).await;
    flow(&pool).await.unwrap();
    // The role holds what the statements use, and nothing more: a delete
    // of owners, which no statement does, is refused.
    let (raw, _) = secure_pg::connect(&as_app).await.unwrap();
    let err = raw.execute("DELETE FROM owners", &[]).await.unwrap_err();
    assert_eq!(
        err.code(),
        Some(&secure_pg::tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
    );
    // And the tenant-scoped statement runs too.
    let names = tenant_names(&pool, TenantId::from_authenticated(1))
        .await
        .unwrap();
    assert_eq!(names, [("ada".to_owned(),)]);

    // The health check holds the role's grants against the statements:
    // exact, nothing; one more or one less, a finding each.
    let grant_findings = |h: &secure_pg::Health| -> Vec<(FindingCode, String)> {
        h.findings
            .iter()
            .filter(|f| {
                matches!(
                    f.code,
                    FindingCode::GrantsExceedQueries | FindingCode::GrantsMissingForQueries
                )
            })
            .map(|f| (f.code, f.message.clone()))
            .collect()
    };
    let health = pool.health_check().await;
    assert!(health.ok, "{health:?}");
    assert_eq!(grant_findings(&health), []);
    client
        .batch_execute(
            "GRANT DELETE ON owners TO verify_app; REVOKE INSERT ON widgets FROM verify_app",
        )
        .await
        .unwrap();
    let found = grant_findings(&pool.health_check().await);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, FindingCode::GrantsMissingForQueries);
    assert!(
        found[0]
            .1
            .contains("INSERT on widgets (needed by schema-tests/tests/verify.rs:"),
        "{}",
        found[0].1
    );
    assert_eq!(found[1].0, FindingCode::GrantsExceedQueries);
    assert!(
        found[1]
            .1
            .contains("1 privilege(s) that no registered statement uses: DELETE on owners;"),
        "{}",
        found[1].1
    );
}

/// The verify-full URL of database `db` on the shared cluster for another
/// role (`user:password`).
fn url_as(db: &str, user: &str) -> String {
    let cluster = secure_pg_tests::shared(secure_pg_tests::ClusterSpec::tls(
        secure_pg_tests::ServerCert::Valid,
    ));
    let url = cluster.url().replacen("/app?", &format!("/{db}?"), 1);
    let rest = url.split_once('@').unwrap().1;
    format!("postgres://{user}@{rest}")
}
