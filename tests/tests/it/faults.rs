//! Faults injected between the client and a real server by the harness's
//! own TCP proxy: stalls, delays and cuts.

use std::time::{Duration, Instant};

use secure_pg::{secure_query, secure_query_as, Environment, ErrorKind, Pool};
use secure_pg_tests::proxy::Fault;
use secure_pg_tests::{shared, ClusterSpec, ServerCert};

use crate::support::{checked, config, expect_err, proxy_url, tls_proxy};

async fn pid(pool: &Pool) -> i32 {
    secure_query_as!((i32,), "SELECT pg_backend_pid()")
        .fetch_one(pool)
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn a_stalled_tls_handshake_is_bounded_by_connect_timeout() {
    let proxy = tls_proxy().await;
    // The server's `S` gets through; the TLS handshake then hangs.
    proxy.set(Fault::StallAfterServerBytes(1));
    let t = Instant::now();
    let e = expect_err(secure_pg::connect(&config(&proxy_url(&proxy, "&connect_timeout=1"))).await);
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
    let proxy = tls_proxy().await;
    let pool = Pool::builder()
        .max_size(1)
        .query_timeout(Duration::from_millis(300))
        .build(config(&proxy_url(&proxy, "")))
        .await
        .unwrap();
    let before = pid(&pool).await;
    proxy.set(Fault::Stall);
    let t = Instant::now();
    let e = checked(secure_query!("SELECT 1").execute(&pool).await.unwrap_err());
    assert_eq!(e.kind(), ErrorKind::QueryTimeout, "{e:#}");
    assert!(e.detail().to_string().contains("discarded"), "{e:#}");
    // query_timeout, then the cancel request, which cannot get through the
    // stalled proxy either (bounded by min(connect_timeout, 2 s)).
    assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
    proxy.set(Fault::Pass);
    let after = pid(&pool).await;
    assert_ne!(before, after, "the timed-out connection was reused");
}

#[tokio::test]
async fn a_server_statement_timeout_leaves_a_usable_connection() {
    let proxy = tls_proxy().await;
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&proxy_url(&proxy, "&statement_timeout=200")))
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
    let proxy = tls_proxy().await;
    let pool = Pool::builder()
        .max_size(2)
        .build(config(&proxy_url(&proxy, "")))
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
    let proxy = tls_proxy().await;
    proxy.set(Fault::Delay(Duration::from_millis(20)));
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&proxy_url(&proxy, "")))
        .await
        .unwrap();
    let (v,): (i32,) = secure_query_as!((i32,), "SELECT 41 + 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(v, 42);
    proxy.set(Fault::Refuse);
    let e = expect_err(secure_pg::connect(&config(&proxy_url(&proxy, "&connect_timeout=2"))).await);
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:#}");
}

/// Statements of backends whose `application_name` is `app`, as
/// (state, query) pairs, seen from another connection of the same role.
async fn activity(observer: &Pool, app: &str) -> Vec<(String, String)> {
    secure_query_as!(
        (String, String),
        "SELECT coalesce(state, ''), query FROM pg_stat_activity \
         WHERE application_name = $1 AND pid <> pg_backend_pid()",
        app
    )
    .fetch_all(observer)
    .await
    .unwrap()
}

/// Four statements time out on a pool of two: each is cancelled on the
/// server (over TLS under verify-full, and in plaintext under `disable` to
/// loopback), the connection comes back to rest and is reused (over TLS;
/// in plaintext it is replaced), and the server is left with no more than
/// the pool's two backends and no sleep running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_timeout_cancels_the_statement_on_the_server() {
    let tls = shared(ClusterSpec::tls(ServerCert::Valid));
    let plain = shared(ClusterSpec::plaintext());
    for (label, base) in [
        (
            "verify-full",
            format!("{}&application_name=t14_cancel_tls", tls.url()),
        ),
        (
            "disable",
            plain.url_with(
                "127.0.0.1",
                "sslmode=disable&application_name=t14_cancel_plain",
            ),
        ),
    ] {
        let app = base.split("application_name=").nth(1).unwrap().to_string();
        let mut cfg = config(&base);
        cfg.set_environment(Environment::Development);
        let pool = Pool::builder()
            .max_size(2)
            .query_timeout(Duration::from_millis(300))
            .build(cfg)
            .await
            .unwrap();
        let mut ocfg = config(&base.replace(&app, "t14_observer"));
        ocfg.set_environment(Environment::Development);
        let observer = Pool::builder().max_size(1).build(ocfg).await.unwrap();
        let t = Instant::now();
        let calls: Vec<_> = (0..4)
            .map(|_| {
                let pool = pool.clone();
                tokio::spawn(
                    async move { secure_query!("SELECT pg_sleep(20)").execute(&pool).await },
                )
            })
            .collect();
        for c in calls {
            let e = checked(c.await.unwrap().unwrap_err());
            assert_eq!(e.kind(), ErrorKind::QueryTimeout, "{label}: {e:#}");
            assert!(
                e.detail().to_string().contains("cancelled on the server"),
                "{label}: {e:#}"
            );
        }
        let took = t.elapsed();
        // Over TLS the cancelled connections are reused. In plaintext the
        // cancel's processing cannot be confirmed, so they are replaced:
        // give the old backends a moment to exit.
        let mut seen = activity(&observer, &app).await;
        let waiting = Instant::now();
        while seen.len() > 2 && waiting.elapsed() < Duration::from_secs(5) {
            tokio::time::sleep(Duration::from_millis(50)).await;
            seen = activity(&observer, &app).await;
        }
        assert!(
            seen.len() <= 2,
            "{label}: more backends than the pool: {seen:?}"
        );
        assert!(
            !seen
                .iter()
                .any(|(state, q)| state == "active" && q.contains("pg_sleep")),
            "{label}: a timed-out statement is still running: {seen:?}"
        );
        // The cancelled connections were reused, not replaced.
        assert!(pool.state().connections <= 2, "{:?}", pool.state());
        let (one,): (i32,) = secure_query_as!((i32,), "SELECT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(one, 1);
        secure_pg_tests::note(&format!(
            "t14 cancel ({label}): four 300 ms timeouts on a pool of 2 took {took:?}"
        ));
        assert!(took < Duration::from_secs(15), "{label}: {took:?}");
    }
}

/// A connection that goes quiet while it idles (the proxy stops forwarding):
/// the next checkout's ping is bounded by the checkout timeout, and the
/// connection is discarded rather than returned to the idle set.
#[tokio::test]
async fn a_ping_that_does_not_answer_is_bounded_by_the_checkout_timeout() {
    let proxy = tls_proxy().await;
    let pool = Pool::builder()
        .max_size(1)
        .checkout_timeout(Duration::from_secs(2))
        .idle_check_after(Duration::from_millis(100))
        .build(config(&proxy_url(&proxy, "")))
        .await
        .unwrap();
    let before = pid(&pool).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    proxy.set(Fault::Stall);
    let t = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(20), pool.get()).await;
    let took = t.elapsed();
    let e = checked(r.expect("the checkout hung past 20 s").unwrap_err());
    assert_eq!(e.kind(), ErrorKind::PoolTimeout, "{e:#}");
    secure_pg_tests::note(&format!(
        "t14 stalled ping: checkout gave up after {took:?}"
    ));
    assert!(took < Duration::from_secs(10), "{took:?}");
    // Forwarding resumes: the stalled connection would answer now, but it
    // was discarded.
    proxy.set(Fault::Pass);
    let after = pid(&pool).await;
    assert_ne!(
        before, after,
        "the connection whose ping timed out was reused"
    );
}

/// A connect a waiting checkout triggers (the pool is empty) through a TLS
/// handshake that hangs: the checkout gives up at its own timeout, not the
/// longer connect timeout.
#[tokio::test]
async fn a_connect_made_for_a_checkout_is_inside_the_checkout_timeout() {
    let proxy = tls_proxy().await;
    let pool = Pool::builder()
        .max_size(1)
        .lazy(true)
        .checkout_timeout(Duration::from_secs(1))
        .build(config(&proxy_url(&proxy, "&connect_timeout=30")))
        .await
        .unwrap();
    proxy.set(Fault::StallAfterServerBytes(1));
    let t = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(20), pool.get()).await;
    let took = t.elapsed();
    let e = checked(r.expect("the checkout hung past 20 s").unwrap_err());
    assert_eq!(e.kind(), ErrorKind::PoolTimeout, "{e:#}");
    assert!(took < Duration::from_secs(8), "{took:?}");
}

/// A reset on return that does not answer: the connection is discarded
/// after the checkout timeout, and the next checkout gets a new one.
#[tokio::test]
async fn a_reset_that_does_not_answer_is_bounded_and_discards_the_connection() {
    let proxy = tls_proxy().await;
    let pool = Pool::builder()
        .max_size(1)
        .checkout_timeout(Duration::from_secs(1))
        .build(config(&proxy_url(&proxy, "")))
        .await
        .unwrap();
    let conn = pool.get().await.unwrap();
    let before = conn.info().backend_pid;
    let _ = conn.client(); // marks it for reset
    proxy.set(Fault::Stall);
    drop(conn);
    let t = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(20), pool.get()).await;
    let took = t.elapsed();
    // The waiter is behind the reset, which gives up at the checkout
    // timeout; the waiter's own timeout is the same.
    assert!(r.is_ok(), "the checkout hung past 20 s");
    assert!(took < Duration::from_secs(8), "{took:?}");
    drop(r);
    proxy.set(Fault::Pass);
    assert_ne!(
        pid(&pool).await,
        before,
        "the unreset connection was reused"
    );
}

/// BEGIN, COMMIT and the ROLLBACK that settles a connection are under
/// query_timeout.
#[tokio::test]
async fn begin_commit_and_settle_are_bounded_by_query_timeout() {
    let bound = Duration::from_secs(20);
    // BEGIN
    let proxy = tls_proxy().await;
    let pool = Pool::builder()
        .max_size(1)
        .query_timeout(Duration::from_millis(300))
        .build(config(&proxy_url(&proxy, "")))
        .await
        .unwrap();
    let mut conn = pool.get().await.unwrap();
    proxy.set(Fault::Stall);
    let t = Instant::now();
    // `BEGIN` is sent with the transaction's first statement.
    let tx = conn.transaction().await.unwrap();
    let r = tokio::time::timeout(bound, secure_query!("SELECT 1").execute(&tx)).await;
    let e = checked(r.expect("BEGIN hung").unwrap_err());
    assert_eq!(e.kind(), ErrorKind::QueryTimeout, "{e:#}");
    assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
    drop(conn);
    proxy.set(Fault::Pass);

    // COMMIT
    let mut conn = pool.get().await.unwrap();
    let tx = conn.transaction().await.unwrap();
    secure_query!("SELECT 1").execute(&tx).await.unwrap();
    proxy.set(Fault::Stall);
    let t = Instant::now();
    let r = tokio::time::timeout(bound, tx.commit()).await;
    let e = checked(r.expect("COMMIT hung").unwrap_err());
    assert_eq!(e.kind(), ErrorKind::QueryTimeout, "{e:#}");
    assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
    drop(conn);
    proxy.set(Fault::Pass);

    // The ROLLBACK of a transaction dropped without an answer, run before
    // the connection is used again.
    let mut conn = pool.get().await.unwrap();
    let abandoned = conn.transaction().await.unwrap();
    // One statement, so that the server has a transaction to roll back
    // (one that sent nothing is ended without a word to the server).
    secure_query!("SELECT 1").execute(&abandoned).await.unwrap();
    #[allow(clippy::drop_non_drop)]
    drop(abandoned);
    proxy.set(Fault::Stall);
    let t = Instant::now();
    let r = tokio::time::timeout(bound, secure_query!("SELECT 1").execute(&conn)).await;
    let e = checked(r.expect("the settling ROLLBACK hung").unwrap_err());
    assert_eq!(e.kind(), ErrorKind::QueryTimeout, "{e:#}");
    assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
    drop(conn);
    proxy.set(Fault::Pass);
    pid(&pool).await;
}
