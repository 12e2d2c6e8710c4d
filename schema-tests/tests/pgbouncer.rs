//! Schema-checked queries behind a real PgBouncer in transaction mode
//! (`statement_cache(false)`): the parameter types the checks inferred are
//! declared on the unnamed statements, so an enum or a domain parameter
//! needs no cast there. The same SQL through `secure_query_unparsed!`
//! (which skips the schema checks, so its types are guessed from the Rust
//! values) is refused by the server: that is what the declared types fix.

use secure_pg::{secure_query, secure_query_as, secure_query_unparsed, Config, Pool};
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
    let pool = Pool::builder()
        .statement_cache(false)
        .max_size(4)
        .build(config(&bouncer.url()))
        .await
        .unwrap();
    enum_and_domain_parameters(&pool, "behind PgBouncer").await;
    dynamic_query_variants(&pool, "behind PgBouncer").await;
    // The same statements on a direct pool with the statement cache, where
    // the server's `PREPARE` gives the types.
    let direct = Pool::builder()
        .max_size(2)
        .build(config(&cluster.url()))
        .await
        .unwrap();
    enum_and_domain_parameters(&direct, "direct").await;
    dynamic_query_variants(&direct, "direct").await;

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
