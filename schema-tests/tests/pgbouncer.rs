//! Schema-checked queries behind a real PgBouncer in transaction mode
//! (`statement_cache(false)`): the parameter types the checks inferred are
//! declared on the unnamed statements, so an enum or a domain parameter
//! needs no cast there. The same SQL through `secure_query_unparsed!`
//! (which skips the schema checks, so its types are guessed from the Rust
//! values) is refused by the server: that is what the declared types fix.

use secure_pg::{
    secure_query, secure_query_as, secure_query_as_unparsed, secure_query_unparsed, Config,
    ErrorKind, FromRow, PgComposite, PgEnum, Pool,
};
use secure_pg_tests::pgbouncer::PgBouncer;
use secure_pg_tests::{shared, ClusterSpec, ServerCert};

const SCHEMA: &str = include_str!("../../ui-tests-schema/schema.sql");

fn config(url: &str) -> Config {
    Config::parse_with_env(url, |_| None).expect("test URL parses")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inferred_parameter_types_are_declared_behind_pgbouncer() {
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    let bouncer = tokio::task::block_in_place(|| PgBouncer::start(&cluster, true));
    let (client, _) = secure_pg::connect(&config(&bouncer.url())).await.unwrap();
    client.batch_execute(SCHEMA).await.unwrap();
    // An enum type outside the schema the macros check against, with the
    // same labels as `mood` and one more (`derived_types_on_a_client`).
    client
        .batch_execute("CREATE TYPE mood_later AS ENUM ('sad', 'ok', 'happy', 'secret-label')")
        .await
        .unwrap();
    let pool = Pool::builder()
        .statement_cache(false)
        .max_size(4)
        .build(config(&bouncer.url()))
        .await
        .unwrap();
    enum_and_domain_parameters(&pool, "behind PgBouncer").await;
    dynamic_query_variants(&pool, "behind PgBouncer").await;
    derived_types(&pool, "behind PgBouncer").await;
    // The same statements on a direct pool with the statement cache, where
    // the server's `PREPARE` gives the types.
    let direct = Pool::builder()
        .max_size(2)
        .build(config(&cluster.url()))
        .await
        .unwrap();
    enum_and_domain_parameters(&direct, "direct").await;
    dynamic_query_variants(&direct, "direct").await;
    derived_types(&direct, "direct").await;

    // Without the schema checks' types the `&str` is declared `text`, and
    // `mood = text` has no operator: the cast the types make unnecessary.
    let e = secure_query_unparsed!("SELECT id FROM widgets WHERE feeling = $1", "happy")
        .fetch_all(&pool)
        .await
        .unwrap_err();
    assert_eq!(e.sqlstate().map(|c| c.code()), Some("42883"), "{e:#}");

    // The live schema verified through PgBouncer in transaction mode: the
    // catalog only (a named statement may not outlive its transaction
    // there), and directly, with every statement prepared too.
    let behind = pool.verify_schema().await.unwrap();
    assert!(behind.is_ok(), "{behind}");
    assert!(!behind.prepared());
    let direct = direct.verify_schema().await.unwrap();
    assert!(direct.is_ok(), "{direct}");
    assert!(direct.prepared());
    assert_eq!(direct.statements(), secure_pg::queries().len());

    // Last, as it adds a label to `mood`: the derives on a plain
    // tokio-postgres client.
    let (plain, _) = secure_pg::connect(&config(&cluster.url())).await.unwrap();
    derived_types_on_a_client(&plain).await;
}

/// Enum and domain parameters bound from plain Rust values, on `pool`.
async fn enum_and_domain_parameters(pool: &Pool, owner_name: &str) {
    // An enum parameter in INSERT, SET and WHERE, bound from a `&str`.
    let (owner,): (i64,) = secure_query_as!(
        unscoped = "a fixture row for the default tenant",
        (i64,),
        "INSERT INTO owners (name) VALUES ($1) RETURNING id",
        owner_name
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let (widget,): (i64,) = secure_query_as!(
        (i64,),
        "INSERT INTO widgets (owner_id, name, feeling) VALUES ($1, $2, $3) RETURNING id",
        owner,
        "w",
        "sad"
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let changed = secure_query!(
        "UPDATE widgets SET feeling = $1 WHERE id = $2",
        "happy",
        widget
    )
    .execute(pool)
    .await
    .unwrap();
    assert_eq!(changed, 1);
    let happy: Vec<(i64, String)> = secure_query_as!(
        (i64, String),
        "SELECT id, feeling::text FROM widgets WHERE feeling = $1 AND owner_id = $2",
        String::from("happy"),
        owner
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(happy, [(widget, "happy".to_owned())]);
    // A label that is not one of the enum's is the server's error, as
    // without PgBouncer.
    let e = secure_query!(
        "UPDATE widgets SET feeling = $1 WHERE id = $2",
        "glad",
        widget
    )
    .execute(pool)
    .await
    .unwrap_err();
    assert_eq!(e.sqlstate().map(|c| c.code()), Some("22P02"), "{e:#}");

    // A domain parameter (`stars` over `integer`), bound from an `i32`;
    // its CHECK is the server's.
    let rated = secure_query!(
        "INSERT INTO ratings (widget_id, stars) VALUES ($1, $2)",
        widget,
        4_i32
    )
    .execute(pool)
    .await
    .unwrap();
    assert_eq!(rated, 1);
    let e = secure_query!(
        "INSERT INTO ratings (widget_id, stars) VALUES ($1, $2)",
        widget,
        9_i32
    )
    .execute(pool)
    .await
    .unwrap_err();
    assert_eq!(e.sqlstate().map(|c| c.code()), Some("23514"), "{e:#}");
    let stars: Vec<(i32,)> = secure_query_as!(
        (i32,),
        "SELECT stars::integer FROM ratings WHERE widget_id = $1 AND stars >= $2",
        widget,
        1_i32
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(stars, [(4,)]);
}

/// Every variant of a dynamic query declares its own parameter types: an
/// enum value bound from a `&str` in an optional fragment works behind
/// PgBouncer (where nothing else would type it) and on a direct pool, in
/// each statement the query can send.
async fn dynamic_query_variants(pool: &Pool, owner_name: &str) {
    let (owner,): (i64,) = secure_query_as!(
        unscoped = "a fixture row for the default tenant",
        (i64,),
        "INSERT INTO owners (name) VALUES ($1) RETURNING id",
        format!("{owner_name} (dynamic)")
    )
    .fetch_one(pool)
    .await
    .unwrap();
    for (name, qty, feeling) in [("a", 1, "sad"), ("b", 5, "happy")] {
        secure_query!(
            "INSERT INTO widgets (owner_id, name, qty, feeling) VALUES ($1, $2, $3, $4)",
            owner,
            name,
            qty,
            feeling
        )
        .execute(pool)
        .await
        .unwrap();
    }
    for feeling in [None, Some("happy")] {
        for min_qty in [None, Some(3_i32)] {
            for newest in [false, true] {
                let names: Vec<(String,)> = secure_query_as!(
                    (String,),
                    "SELECT name FROM widgets WHERE owner_id = $1", owner;
                    if feeling => "AND feeling = $1";
                    if min_qty => "AND qty >= $1";
                    match newest { true => "ORDER BY id DESC", false => "ORDER BY id" };
                )
                .fetch_all(pool)
                .await
                .unwrap_or_else(|e| panic!("{feeling:?} {min_qty:?} {newest}: {e:#}"));
                let mut want: Vec<&str> = [("a", 1, "sad"), ("b", 5, "happy")]
                    .iter()
                    .filter(|(_, q, f)| {
                        feeling.is_none_or(|w| w == *f) && min_qty.is_none_or(|m| *q >= m)
                    })
                    .map(|(n, _, _)| *n)
                    .collect();
                if newest {
                    want.reverse();
                }
                let got: Vec<&str> = names.iter().map(|(n,)| n.as_str()).collect();
                assert_eq!(got, want, "{owner_name}: {feeling:?} {min_qty:?} {newest}");
            }
        }
    }
}

/// The schema's `mood`, checked against its labels when this compiles.
#[derive(Debug, Clone, Copy, PartialEq, PgEnum)]
#[secure_pg(rename_all = "lowercase")]
enum Mood {
    Sad,
    Ok,
    Happy,
}

/// The schema's `header_pair (name text, value bytea)`, one field renamed.
#[derive(Debug, Clone, PartialEq, PgComposite)]
#[secure_pg(type = "header_pair")]
struct Header {
    name: Option<String>,
    #[secure_pg(rename = "value")]
    bytes: Option<Vec<u8>>,
}

#[derive(Debug, PartialEq, FromRow)]
struct Feeling {
    id: i64,
    feeling: Mood,
}

/// `PgEnum` and `PgComposite` values bound and read on `pool`: an enum in
/// INSERT, WHERE and RETURNING, as a `FromRow` field, in an array and
/// `Option`; a composite and an array of them; and a label the Rust enum
/// lacks, which is a decode error that does not show it.
async fn derived_types(pool: &Pool, owner_name: &str) {
    let behind_pgbouncer = owner_name == "behind PgBouncer";
    let (owner,): (i64,) = secure_query_as!(
        unscoped = "a fixture row for the default tenant",
        (i64,),
        "INSERT INTO owners (name) VALUES ($1) RETURNING id",
        format!("{owner_name} (derived)")
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let (widget, feeling): (i64, Mood) = secure_query_as!(
        (i64, Mood),
        "INSERT INTO widgets (owner_id, name, feeling) VALUES ($1, $2, $3) RETURNING id, feeling",
        owner,
        "derived",
        Mood::Happy
    )
    .fetch_one(pool)
    .await
    .unwrap_or_else(|e| panic!("{owner_name}: {e:#}"));
    assert_eq!(feeling, Mood::Happy, "{owner_name}");
    let rows: Vec<Feeling> = secure_query_as!(
        Feeling,
        "SELECT id, feeling FROM widgets WHERE owner_id = $1 AND feeling = $2",
        owner,
        Mood::Happy
    )
    .fetch_all(pool)
    .await
    .unwrap_or_else(|e| panic!("{owner_name}: {e:#}"));
    assert_eq!(
        rows,
        [Feeling {
            id: widget,
            feeling: Mood::Happy
        }],
        "{owner_name}"
    );
    // Arrays of the enum, both ways, and NULL.
    let (all, none): (Vec<Mood>, Option<Mood>) = secure_query_as!(
        (Vec<Mood>, Option<Mood>),
        "SELECT enum_range(NULL::mood)::mood[] AS \"all!\", NULL::mood AS none"
    )
    .fetch_one(pool)
    .await
    .unwrap_or_else(|e| panic!("{owner_name}: {e:#}"));
    assert_eq!(all, [Mood::Sad, Mood::Ok, Mood::Happy], "{owner_name}");
    assert_eq!(none, None);
    let (count,): (i64,) = secure_query_as!(
        (i64,),
        "SELECT count(*) FROM widgets WHERE owner_id = $1 AND feeling = ANY($2)",
        owner,
        vec![Mood::Happy, Mood::Sad]
    )
    .fetch_one(pool)
    .await
    .unwrap_or_else(|e| panic!("{owner_name}: {e:#}"));
    assert_eq!(count, 1, "{owner_name}");

    // A composite and an array of them, bound and read back.
    let first = Header {
        name: Some("content-type".into()),
        bytes: Some(b"text/plain".to_vec()),
    };
    let second = Header {
        name: None,
        bytes: Some(Vec::new()),
    };
    let id = if behind_pgbouncer {
        // Without the statement cache the client never learns the
        // composite's attributes, so it cannot write one: a clear error
        // before anything is sent. Built in SQL, it is read back as below.
        let e = secure_query!(
            "INSERT INTO responses (headers, first_header) VALUES ('{}', $1)",
            first.clone()
        )
        .execute(pool)
        .await
        .unwrap_err();
        assert!(
            e.detail()
                .to_string()
                .contains("cannot be sent without the statement cache"),
            "{e:#}"
        );
        let (id,): (i64,) = secure_query_as!(
            (i64,),
            "INSERT INTO responses (headers, first_header) \
             VALUES (ARRAY[ROW($1, $2), ROW(NULL, ''::bytea)]::header_pair[], ROW($1, $2)::header_pair) \
             RETURNING id",
            "content-type",
            b"text/plain".to_vec()
        )
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{owner_name}: {e:#}"));
        id
    } else {
        let (id,): (i64,) = secure_query_as!(
            (i64,),
            "INSERT INTO responses (headers, first_header) VALUES ($1, $2) RETURNING id",
            vec![first.clone(), second.clone()],
            first.clone()
        )
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{owner_name}: {e:#}"));
        id
    };
    let (headers, head): (Vec<Header>, Option<Header>) = secure_query_as!(
        (Vec<Header>, Option<Header>),
        "SELECT headers, first_header FROM responses WHERE id = $1",
        id
    )
    .fetch_one(pool)
    .await
    .unwrap_or_else(|e| panic!("{owner_name}: {e:#}"));
    assert_eq!(headers, [first.clone(), second], "{owner_name}");
    assert_eq!(head, Some(first), "{owner_name}");
}

/// The derives on a plain tokio-postgres client, and what a mismatch
/// looks like there: a label the Rust enum lacks is a decode error naming
/// the types, never the label.
async fn derived_types_on_a_client(client: &secure_pg::tokio_postgres::Client) {
    let row = client
        .query_one("SELECT 'ok'::mood, ROW('n', NULL)::header_pair", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, Mood>(0), Mood::Ok);
    assert_eq!(
        row.get::<_, Header>(1),
        Header {
            name: Some("n".into()),
            bytes: None
        }
    );
    // `Mood` names `mood`: another enum type is refused by name.
    let e = client
        .query_one("SELECT 'ok'::mood_later", &[])
        .await
        .unwrap()
        .try_get::<_, Mood>(0)
        .unwrap_err();
    assert!(format!("{e:?}").contains("mood_later"), "{e:?}");
    // The same through the macros, whose reads take an enum column as text
    // for a type that reads text: `Mood` does not, so another enum type's
    // labels are refused even where they match.
    let e = secure_query_as_unparsed!((Mood,), "SELECT 'ok'::mood_later")
        .fetch_one(client)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e:#}");
    // A label added to `mood` after the code was built.
    client
        .batch_execute("ALTER TYPE mood ADD VALUE 'secret-label'")
        .await
        .unwrap();
    let e = secure_query_as!((Mood,), "SELECT $1::text::mood AS \"m!\"", "secret-label")
        .fetch_one(client)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e:#}");
    let shown = format!("{e:#} {e:?}");
    assert!(
        shown.contains("has a label that `Mood` has no variant for"),
        "{shown}"
    );
    assert!(!shown.contains("secret-label"), "{shown}");
}
