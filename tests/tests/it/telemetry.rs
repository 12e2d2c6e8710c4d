//! Query spans in the OpenTelemetry database shape, and the pool's
//! counters, against a real server.

use std::time::Duration;

use secure_pg::{secure_query, secure_query_as, ErrorKind, Pool};
use secure_pg_tests::capture::Capture;
use secure_pg_tests::{shared, ClusterSpec, ServerCert};

use crate::support::{config, expect_err};

const PARAM: &str = "param-value-7f3a9c-never-recorded";

#[tokio::test]
async fn query_spans_carry_the_otel_database_fields_and_never_a_parameter() {
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    let capture = Capture::new();
    // Current-thread runtime: the thread's default subscriber sees the
    // whole test, pool tasks included.
    let _guard = tracing::subscriber::set_default(capture.clone());
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&cluster.url()))
        .await
        .unwrap();
    let port = cluster
        .url()
        .split(':')
        .nth(3)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    capture.clear();

    let (n,): (i64,) = secure_query_as!(
        (i64,),
        "SELECT count(*) FROM pg_catalog.pg_class WHERE relname = $1",
        PARAM
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(n, 0);
    let spans = capture.spans_named("secure_pg.query");
    assert_eq!(spans.len(), 1, "{spans:?}");
    let f = &spans[0].fields;
    assert_eq!(f["db.system.name"], "postgresql");
    assert_eq!(f["db.operation.name"], "SELECT");
    assert_eq!(f["db.collection.name"], "pg_catalog.pg_class");
    assert_eq!(
        f["db.query.text"],
        "SELECT count(*) FROM pg_catalog.pg_class WHERE relname = $1"
    );
    assert_eq!(f["server.address"], "localhost");
    assert_eq!(f["server.port"], port);
    assert_eq!(f["otel.name"], "SELECT pg_catalog.pg_class");
    assert_eq!(f["otel.kind"], "client");
    for absent in ["db.response.status_code", "error.type", "otel.status_code"] {
        assert!(
            !f.contains_key(absent),
            "{absent} recorded on success: {f:?}"
        );
    }

    // A failure records the SQLSTATE as both fields.
    capture.clear();
    let e = expect_err(
        secure_query!("SELECT 1 / $1::int4 FROM pg_catalog.pg_database", 0_i32)
            .execute(&pool)
            .await,
    );
    assert_eq!(e.sqlstate().map(|s| s.code()), Some("22012"));
    let spans = capture.spans_named("secure_pg.query");
    let f = &spans[0].fields;
    assert_eq!(f["db.response.status_code"], "22012");
    assert_eq!(f["error.type"], "22012");
    assert_eq!(f["otel.status_code"], "ERROR");

    // On a pooled connection and inside a transaction the server is
    // known too.
    {
        let mut conn = pool.get().await.unwrap();
        capture.clear();
        secure_query!("SELECT $1::text", PARAM)
            .execute(&conn)
            .await
            .unwrap();
        let mut tx = conn.transaction().await.unwrap();
        secure_query!("SELECT $1::text", PARAM)
            .execute(&mut tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let spans = capture.spans_named("secure_pg.query");
        assert_eq!(spans.len(), 2, "{spans:?}");
        for span in &spans {
            assert_eq!(span.fields["server.address"], "localhost", "{span:?}");
            assert_eq!(span.fields["server.port"], port, "{span:?}");
        }
    }

    // A streamed query has its span too (covering the statement's start).
    capture.clear();
    {
        use futures_util::TryStreamExt;
        let rows: Vec<(String,)> = secure_query_as!((String,), "SELECT $1::text", PARAM)
            .fetch(&pool)
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        let spans = capture.spans_named("secure_pg.query");
        assert_eq!(spans.len(), 1, "{spans:?}");
        assert_eq!(spans[0].fields["db.query.text"], "SELECT $1::text");
        assert_eq!(spans[0].fields["server.address"], "localhost");
    }

    // Without a SQLSTATE, error.type is the error kind.
    capture.clear();
    let quick = Pool::builder()
        .max_size(1)
        .checkout_timeout(Duration::from_millis(200))
        .build(config(&cluster.url()))
        .await
        .unwrap();
    let _held_quick = quick.get().await.unwrap();
    let e = expect_err(
        secure_query!("SELECT $1::text", PARAM)
            .execute(&quick)
            .await,
    );
    assert_eq!(e.kind(), ErrorKind::PoolTimeout);
    let spans = capture.spans_named("secure_pg.query");
    let f = &spans.last().unwrap().fields;
    assert_eq!(f["error.type"], "PoolTimeout");
    assert!(!f.contains_key("db.response.status_code"), "{f:?}");
    assert!(!f.contains_key("db.collection.name"), "{f:?}");

    // The bound value appears in no span and no event, ever.
    let everything = capture.everything();
    assert!(
        !everything.contains(PARAM),
        "a parameter value was recorded: {everything}"
    );
}

#[tokio::test]
async fn no_span_is_built_when_debug_is_off() {
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&cluster.url()))
        .await
        .unwrap();
    // No subscriber on this thread: the span is disabled, the query runs.
    let (one,): (i32,) = secure_query_as!((i32,), "SELECT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
}

#[tokio::test]
async fn pool_state_counts_opens_closes_checkouts_timeouts_and_credentials() {
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    let pool = Pool::builder()
        .max_size(1)
        .checkout_timeout(Duration::from_millis(200))
        .max_lifetime(Duration::from_millis(300))
        .build(config(&cluster.url()))
        .await
        .unwrap();
    let s = pool.state();
    assert_eq!(s.connections_opened, 1, "{s:?}");
    assert_eq!(s.credential_fetches, 1, "{s:?}");
    assert_eq!(s.credential_failures, 0);
    let before = s.checkouts;

    let held = pool.get().await.unwrap();
    assert_eq!(expect_err(pool.get().await).kind(), ErrorKind::PoolTimeout);
    drop(held);
    let s = pool.state();
    assert_eq!(s.checkouts, before + 1, "{s:?}");
    assert_eq!(s.checkout_timeouts, 1, "{s:?}");

    // Broken: the connection is returned inside a failed transaction,
    // which the reset cannot run in. (An open one that has not failed is
    // rolled back by the reset and kept: `pool::a_reset_keeps_...`.)
    {
        let conn = pool.get().await.unwrap();
        conn.client().batch_execute("BEGIN").await.unwrap();
        let _ = conn.client().batch_execute("SELECT 1/0").await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (one,): (i32,) = secure_query_as!((i32,), "SELECT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
    let s = pool.state();
    assert!(s.connections_closed.broken >= 1, "{s:?}");
    assert_eq!(s.connections_opened, 2, "{s:?}");

    // Lifetime: the next checkout after max_lifetime replaces it.
    tokio::time::sleep(Duration::from_millis(400)).await;
    pool.get().await.unwrap();
    let s = pool.state();
    assert!(s.connections_closed.lifetime >= 1, "{s:?}");
    assert_eq!(
        s.connections_opened,
        s.connections as u64
            + s.connections_closed.lifetime
            + s.connections_closed.broken
            + s.connections_closed.idle
            + s.connections_closed.failed_check,
        "every connection opened is open or closed for a reason: {s:?}"
    );
}
