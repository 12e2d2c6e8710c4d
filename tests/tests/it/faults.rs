//! Faults injected between the client and a real server by the harness's
//! own TCP proxy: stalls, delays and cuts.

use std::time::{Duration, Instant};

use secure_pg::{secure_query, secure_query_as, ErrorKind, Pool};
use secure_pg_tests::proxy::{Fault, FaultProxy};
use secure_pg_tests::{
    certs::certs, shared, ClusterSpec, ServerCert, APP_DB, APP_PASSWORD, APP_USER,
};

use crate::support::{checked, config, expect_err};

async fn proxy() -> FaultProxy {
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    FaultProxy::start(format!("127.0.0.1:{}", c.port).parse().unwrap()).await
}

fn url(proxy: &FaultProxy, extra: &str) -> String {
    format!(
        "postgres://{APP_USER}:{APP_PASSWORD}@localhost:{}/{APP_DB}?sslrootcert={}{extra}",
        proxy.addr().port(),
        certs().ca_file().display()
    )
}

async fn pid(pool: &Pool) -> i32 {
    secure_query_as!((i32,), "SELECT pg_backend_pid()")
        .fetch_one(pool)
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn a_stalled_tls_handshake_is_bounded_by_connect_timeout() {
    let proxy = proxy().await;
    // The server's `S` gets through; the TLS handshake then hangs.
    proxy.set(Fault::StallAfterServerBytes(1));
    let t = Instant::now();
    let e = expect_err(secure_pg::connect(&config(&url(&proxy, "&connect_timeout=1"))).await);
    let took = t.elapsed();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:#}");
    assert!(
        e.detail().to_string().contains("during the TLS handshake"),
        "{e:#}"
    );
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_client_side_query_timeout_discards_the_connection() {
    let proxy = proxy().await;
    let pool = Pool::builder()
        .max_size(1)
        .query_timeout(Duration::from_millis(300))
        .build(config(&url(&proxy, "")))
        .await
        .unwrap();
    let before = pid(&pool).await;
    proxy.set(Fault::Stall);
    let t = Instant::now();
    let e = checked(secure_query!("SELECT 1").execute(&pool).await.unwrap_err());
    assert_eq!(e.kind(), ErrorKind::QueryTimeout, "{e:#}");
    assert!(e.detail().to_string().contains("discarded"), "{e:#}");
    assert!(t.elapsed() < Duration::from_secs(3));
    proxy.set(Fault::Pass);
    let after = pid(&pool).await;
    assert_ne!(before, after, "the timed-out connection was reused");
}

#[tokio::test]
async fn a_server_statement_timeout_leaves_a_usable_connection() {
    let proxy = proxy().await;
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&url(&proxy, "&statement_timeout=200")))
        .await
        .unwrap();
    let e = checked(
        secure_query!("SELECT pg_sleep(2)")
            .execute(&pool)
            .await
            .unwrap_err(),
    );
    assert_eq!(e.kind(), ErrorKind::QueryTimeout);
    // The server cancelled the statement cleanly: the session is known-good.
    let (one,): (i32,) = secure_query_as!((i32,), "SELECT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
}

#[tokio::test]
async fn a_cut_mid_query_is_a_connection_error_and_the_next_checkout_is_healthy() {
    let proxy = proxy().await;
    let pool = Pool::builder()
        .max_size(2)
        .build(config(&url(&proxy, "")))
        .await
        .unwrap();
    let before = pid(&pool).await;
    let p2 = pool.clone();
    let running =
        tokio::spawn(async move { secure_query!("SELECT pg_sleep(3)").execute(&p2).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    proxy.cut_all();
    let e = checked(running.await.unwrap().unwrap_err());
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:#}");
    let after = pid(&pool).await;
    assert_ne!(after, 0);
    assert_ne!(before, after);
}

#[tokio::test]
async fn delayed_traffic_still_works_and_refused_connections_report_the_cause() {
    let proxy = proxy().await;
    proxy.set(Fault::Delay(Duration::from_millis(20)));
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&url(&proxy, "")))
        .await
        .unwrap();
    let (v,): (i32,) = secure_query_as!((i32,), "SELECT 41 + 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(v, 42);
    proxy.set(Fault::Refuse);
    let e = expect_err(secure_pg::connect(&config(&url(&proxy, "&connect_timeout=2"))).await);
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:#}");
}
