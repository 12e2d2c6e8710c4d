//! Session state that a statement changes through a view of the schema: the
//! macros see the view's definition, so reading it is session-changing (an
//! exclusive connection, reset before anyone else uses it), as calling
//! `set_config(.., false)` in the statement itself would be.

use secure_pg::{secure_query_as, Config, Pool};
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
