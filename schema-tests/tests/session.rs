//! Session state that a statement changes through the schema: a view it
//! reads, a trigger or a column default of a table it writes. The macros see
//! the view's definition, the trigger's function body and the default, so
//! such a statement is session-changing (an exclusive connection, reset
//! before anyone else uses it), as calling `set_config(.., false)` in the
//! statement itself would be.

use secure_pg::{secure_query, secure_query_as, Config, Pool};
use secure_pg_tests::{shared, ClusterSpec, ServerCert};

const SCHEMA: &str = include_str!("../../ui-tests-schema/schema.sql");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_that_sets_a_setting_does_not_leak_it_to_the_next_caller() {
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    let config = || Config::parse_with_env(&cluster.url(), |_| None).expect("test URL parses");
    let (client, _) = secure_pg::connect(&config()).await.unwrap();
    client.batch_execute(SCHEMA).await.unwrap();
    // One connection, multiplexing on: without the view's effect known, both
    // statements below would share it and the second would read the first's
    // setting.
    let pool = Pool::builder().max_size(1).build(config()).await.unwrap();
    for _ in 0..3 {
        let (v,) = secure_query_as!((Option<String>,), "SELECT v FROM session_marker")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(v.as_deref(), Some("set by a view"));
        let (seen,) = secure_query_as!(
            (Option<String>,),
            "SELECT current_setting('app.marker', true)"
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(
            seen.as_deref().unwrap_or("").is_empty(),
            "the view's setting leaked to the next statement: {seen:?}"
        );
    }
}

/// The same for a trigger and for a column default of a table the statement
/// writes: with only the statement's text judged, the `INSERT`s ran on the
/// shared connection and the next statement there read their setting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trigger_or_a_default_that_sets_a_setting_does_not_leak_it_to_the_next_caller() {
    // A database of its own: the test above applies the schema to the
    // default one.
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    cluster.psql("CREATE DATABASE session_writes OWNER app");
    assert!(
        cluster.url().contains("/app?"),
        "unexpected harness URL shape"
    );
    let url = cluster.url().replacen("/app?", "/session_writes?", 1);
    let config = || Config::parse_with_env(&url, |_| None).expect("test URL parses");
    let (client, _) = secure_pg::connect(&config()).await.unwrap();
    client.batch_execute(SCHEMA).await.unwrap();
    let pool = Pool::builder().max_size(1).build(config()).await.unwrap();
    let leaked = || async {
        let (seen,) = secure_query_as!(
            (Option<String>,),
            "SELECT current_setting('app.marker', true)"
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        seen.filter(|s| !s.is_empty())
    };
    for round in 0..3 {
        secure_query!("INSERT INTO trigger_marked (note) VALUES ($1)", "fires")
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(
            leaked().await,
            None,
            "round {round}: the trigger's setting leaked"
        );
        secure_query!("INSERT INTO default_marked (id) VALUES ($1)", round)
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(
            leaked().await,
            None,
            "round {round}: the default's setting leaked"
        );
    }
    let (marked,) = secure_query_as!(
        (i64,),
        "SELECT count(*) FROM default_marked WHERE note = 'set by a default'"
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(marked, 3, "the default ran");
}
