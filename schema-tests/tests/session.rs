//! Session state that a statement changes through the schema: a view it
//! reads, a trigger or a column default of a table it writes. The macros see
//! the view's definition, the trigger's function body and the default, so
//! such a statement is session-changing (an exclusive connection, reset
//! before anyone else uses it), as calling `set_config(.., false)` in the
//! statement itself would be.

use secure_pg::{secure_query, secure_query_as, Pool};

mod common;
use common::database_with_schema;

/// A pool of one connection (multiplexing on) to a new database `db` with
/// the schema applied: a statement whose effect on the session is not known
/// shares that connection with the next one, which then reads its setting.
async fn pool_of_one(db: &str) -> Pool {
    let (config, _) = database_with_schema(db).await;
    Pool::builder().max_size(1).build(config).await.unwrap()
}

/// The session's `app.marker`, if a statement left one.
async fn marker(pool: &Pool) -> Option<String> {
    let (seen,) = secure_query_as!(
        (Option<String>,),
        "SELECT current_setting('app.marker', true)"
    )
    .fetch_one(pool)
    .await
    .unwrap();
    seen.filter(|s| !s.is_empty())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_that_sets_a_setting_does_not_leak_it_to_the_next_caller() {
    let pool = pool_of_one("session_views").await;
    for round in 0..3 {
        let (v,) = secure_query_as!((Option<String>,), "SELECT v FROM session_marker")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(v.as_deref(), Some("set by a view"));
        assert_eq!(
            marker(&pool).await,
            None,
            "round {round}: the view's setting leaked to the next statement"
        );
    }
}

/// The same for a trigger and for a column default of a table the statement
/// writes: with only the statement's text judged, the `INSERT`s ran on the
/// shared connection and the next statement there read their setting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trigger_or_a_default_that_sets_a_setting_does_not_leak_it_to_the_next_caller() {
    let pool = pool_of_one("session_writes").await;
    for round in 0..3 {
        secure_query!("INSERT INTO trigger_marked (note) VALUES ($1)", "fires")
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(
            marker(&pool).await,
            None,
            "round {round}: the trigger's setting leaked"
        );
        secure_query!("INSERT INTO default_marked (id) VALUES ($1)", round)
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(
            marker(&pool).await,
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
