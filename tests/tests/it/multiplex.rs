//! Multiplexing against a real server: statements on `&Pool` share
//! pipelined connections within `max_size`; what needs a connection of its
//! own still gets one; cuts, timeouts, cancels and dropped futures on a
//! shared connection touch no other caller's statement.

use std::sync::Arc;
use std::time::{Duration, Instant};

use secure_pg::{secure_query, secure_query_as, ErrorKind, Pool, PoolBuilder};
use secure_pg_tests::{shared, ClusterSpec, ServerCert};
use tokio::sync::Barrier;

use crate::support::{checked, config, expect_err, proxy_url, tls_proxy};

fn url(app: &str) -> String {
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    format!("{}&application_name={app}", c.url())
}

/// A pool whose shared connections are never passed over as stalled, so
/// that a test decides which statements queue behind which.
fn patient() -> PoolBuilder {
    Pool::builder().multiplex_stall_after(Duration::from_secs(60))
}

/// Backends of `app` other than the observer's own, seen by `observer`.
async fn backends(observer: &Pool, app: &str) -> Vec<(i32, String, String)> {
    secure_query_as!(
        (i32, String, String),
        "SELECT pid, coalesce(state, ''), query FROM pg_stat_activity \
         WHERE application_name = $1 AND pid <> pg_backend_pid()",
        app
    )
    .fetch_all(observer)
    .await
    .unwrap()
}

async fn observer() -> Pool {
    Pool::builder()
        .max_size(1)
        .multiplex(false)
        .build(config(&url("mx_observer")))
        .await
        .unwrap()
}

/// 64 tasks on a pool of 8: every answer comes back to the task that asked
/// (each echoes its own value through a statement none has prepared
/// before, so the first round races the statement cache too), the
/// statements ran on at most the shared share of connections, and the
/// server never saw more than `max_size` backends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_tasks_share_connections_and_every_answer_reaches_its_caller() {
    let app = "mx_sixty_four";
    let pool = Pool::builder()
        .max_size(8)
        .build(config(&url(app)))
        .await
        .unwrap();
    let observer = observer().await;
    let start = Arc::new(Barrier::new(64));
    let mut tasks = Vec::new();
    for t in 0..64i64 {
        let (pool, start) = (pool.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            for i in 0..200i64 {
                let v = t * 1_000_000 + i;
                let (back, text): (i64, String) =
                    secure_query_as!((i64, String), "SELECT $1::int8, $1::int8::text", v)
                        .fetch_one(&pool)
                        .await
                        .unwrap();
                assert_eq!((back, text), (v, v.to_string()));
            }
        }));
    }
    let mut peak = 0;
    while !tasks.iter().all(|t| t.is_finished()) {
        peak = peak.max(backends(&observer, app).await.len());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for t in tasks {
        t.await.unwrap();
    }
    let s = pool.state();
    assert!(s.multiplexed > 0, "nothing was multiplexed: {s:?}");
    assert!(
        s.shared <= 2,
        "more shared connections than a quarter of 8: {s:?}"
    );
    assert!(s.connections <= 8, "{s:?}");
    assert!(peak <= 8, "the server saw {peak} backends for a pool of 8");
    secure_pg_tests::note(&format!(
        "multiplex: 12800 statements, {} multiplexed, {} exclusive checkouts, peak {peak} \
         backends, {} shared at the end",
        s.multiplexed, s.checkouts, s.shared
    ));
}

/// Transactions, `get()` and session-changing statements keep connections
/// of their own, and shared connections never make them wait: on a pool of
/// two, two checkouts succeed at once right after multiplexed statements.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exclusive_work_keeps_its_own_connections_and_never_waits_for_shared_ones() {
    let pool = Pool::builder()
        .max_size(2)
        .checkout_timeout(Duration::from_secs(2))
        .build(config(&url("mx_exclusive")))
        .await
        .unwrap();
    secure_query!("SELECT 1").execute(&pool).await.unwrap();
    let s = pool.state();
    assert_eq!((s.shared, s.multiplexed), (1, 1), "{s:?}");
    // Both connections, although one was shared a moment ago.
    let a = pool.get().await.unwrap();
    let b = pool.get().await.unwrap();
    let s = pool.state();
    assert_eq!((s.shared, s.in_use), (0, 2), "{s:?}");
    drop((a, b));
    // A session-changing statement is a checkout, reset on return.
    let before = pool.state();
    secure_query!("SET application_name = 'mx_changed'")
        .execute(&pool)
        .await
        .unwrap();
    let after = pool.state();
    assert_eq!(after.multiplexed, before.multiplexed, "{after:?}");
    assert_eq!(after.checkouts, before.checkouts + 1, "{after:?}");
    // A transaction runs while a shared connection is busy.
    let p2 = pool.clone();
    let long = tokio::spawn(async move {
        secure_query!("SELECT pg_sleep(1)")
            .execute(&p2)
            .await
            .map(|_| ())
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut conn = pool.get().await.unwrap();
    let mut tx = conn.transaction().await.unwrap();
    let (n,): (i64,) = secure_query_as!((i64,), "SELECT count(*) FROM pg_stat_activity")
        .fetch_one(&mut tx)
        .await
        .unwrap();
    assert!(n > 0);
    tx.commit().await.unwrap();
    drop(conn);
    assert!(
        !long.is_finished(),
        "the transaction waited for the shared statement"
    );
    long.await.unwrap().unwrap();
}

/// A long statement at the head of a shared connection's pipeline: the
/// statements that come after it do not queue behind it (the connection is
/// passed over once it has stalled) and all finish while it still runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_are_not_sent_behind_a_stalled_long_statement() {
    let pool = Pool::builder()
        .max_size(4)
        .multiplex_connections(1)
        .build(config(&url("mx_stall")))
        .await
        .unwrap();
    secure_query!("SELECT 1").execute(&pool).await.unwrap();
    let p2 = pool.clone();
    let long = tokio::spawn(async move {
        secure_query!("SELECT pg_sleep(3)")
            .execute(&p2)
            .await
            .map(|_| ())
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    for i in 0..50i32 {
        let (v,): (i32,) = secure_query_as!((i32,), "SELECT $1::int4", i)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(v, i);
    }
    assert!(
        !long.is_finished(),
        "the short statements waited behind the long one"
    );
    long.await.unwrap().unwrap();
}

/// A cut with several statements in flight on one shared connection: each
/// gets a Connection error at once (not when its sleep would have ended),
/// and the pool carries on with a new connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_with_statements_in_flight_fails_each_promptly_and_the_pool_recovers() {
    let proxy = tls_proxy().await;
    let url = proxy_url(&proxy, "");
    let pool = patient()
        .max_size(2)
        .multiplex_connections(1)
        .build(config(&url))
        .await
        .unwrap();
    let before: (i32,) = secure_query_as!((i32,), "SELECT pg_backend_pid()")
        .fetch_one(&pool)
        .await
        .unwrap();
    let base = pool.state().multiplexed;
    let start = Arc::new(Barrier::new(6));
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let (pool, start) = (pool.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                secure_query!("SELECT pg_sleep(20)").execute(&pool).await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(pool.state().multiplexed, base + 6, "{:?}", pool.state());
    let t = Instant::now();
    proxy.cut_all();
    for c in calls {
        let e = checked(c.await.unwrap().unwrap_err());
        assert_eq!(e.kind(), ErrorKind::Connection, "{e:#}");
    }
    let took = t.elapsed();
    secure_pg_tests::note(&format!(
        "multiplex cut: six statements in flight failed {took:?} after the cut"
    ));
    assert!(took < Duration::from_secs(10), "{took:?}");
    let after: (i32,) = secure_query_as!((i32,), "SELECT pg_backend_pid()")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_ne!(before, after, "the cut connection was reused");
}

/// A `query_timeout` on a shared connection cancels its own statement on
/// the server and nobody else's: five statements queued behind it on the
/// same connection all succeed, and over TLS the connection is reused (its
/// next checkout brings it to rest first) rather than replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_timeout_on_a_shared_connection_cancels_only_its_own_statement() {
    let app = "mx_timeout";
    let pool = patient()
        .max_size(2)
        .multiplex_connections(1)
        .query_timeout(Duration::from_secs(1))
        .build(config(&url(app)))
        .await
        .unwrap();
    let observer = observer().await;
    let (shared_pid,): (i32,) = secure_query_as!((i32,), "SELECT pg_backend_pid()")
        .fetch_one(&pool)
        .await
        .unwrap();
    let p2 = pool.clone();
    let long = tokio::spawn(async move { secure_query!("SELECT pg_sleep(30)").execute(&p2).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let base = pool.state().multiplexed;
    let queued: Vec<_> = (0..5i32)
        .map(|i| {
            let pool = pool.clone();
            tokio::spawn(async move {
                secure_query_as!((i32, i32), "SELECT pg_backend_pid(), $1::int4", i)
                    .fetch_one(&pool)
                    .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(pool.state().multiplexed, base + 5, "{:?}", pool.state());
    let e = checked(long.await.unwrap().unwrap_err());
    assert_eq!(e.kind(), ErrorKind::QueryTimeout, "{e:#}");
    assert!(
        e.detail().to_string().contains("cancelled on the server"),
        "{e:#}"
    );
    for (i, q) in queued.into_iter().enumerate() {
        let (_, v) = q.await.unwrap().unwrap();
        assert_eq!(v, i as i32);
    }
    let seen = backends(&observer, app).await;
    assert!(
        !seen
            .iter()
            .any(|(_, state, q)| state == "active" && q.contains("pg_sleep")),
        "the timed-out statement still runs: {seen:?}"
    );
    let (after,): (i32,) = secure_query_as!((i32,), "SELECT pg_backend_pid()")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        after, shared_pid,
        "the cancelled shared connection was replaced"
    );
}

/// A cancel that lands on the next statement in a shared connection's
/// pipeline (the race every cancel request has; here the same signal is
/// sent with `pg_cancel_backend` while that statement runs) does not reach
/// its caller: the statement rolled back, so it is sent once more (the
/// retired connection is brought to rest first, or another is used) and
/// succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_hit_by_a_cancel_meant_for_another_is_sent_again() {
    let app = "mx_stray";
    let pool = patient()
        .max_size(3)
        .multiplex_connections(1)
        .query_timeout(Duration::from_secs(2))
        .build(config(&url(app)))
        .await
        .unwrap();
    let observer = observer().await;
    let (shared_pid,): (i32,) = secure_query_as!((i32,), "SELECT pg_backend_pid()")
        .fetch_one(&pool)
        .await
        .unwrap();
    let p2 = pool.clone();
    let long = tokio::spawn(async move { secure_query!("SELECT pg_sleep(30)").execute(&p2).await });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Statements sent, shared or on a checkout of their own (the first
    // attempt, slow, makes the second take a checkout).
    let sent = |s: secure_pg::PoolState| s.multiplexed + s.checkouts;
    let base = sent(pool.state());
    let p3 = pool.clone();
    let next = tokio::spawn(async move {
        secure_query_as!((i32, i32), "SELECT pg_backend_pid(), 7 FROM pg_sleep(0.8)")
            .fetch_one(&p3)
            .await
    });
    // Once the long statement is cancelled, the next one runs on the same
    // backend: cancel it there too.
    let waiting = Instant::now();
    loop {
        let seen = backends(&observer, app).await;
        if seen
            .iter()
            .any(|(pid, state, q)| *pid == shared_pid && state == "active" && q.contains("0.8"))
        {
            break;
        }
        assert!(waiting.elapsed() < Duration::from_secs(10), "{seen:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (cancelled,): (bool,) =
        secure_query_as!((bool,), "SELECT pg_cancel_backend($1)", shared_pid)
            .fetch_one(&observer)
            .await
            .unwrap();
    assert!(cancelled);
    let e = checked(long.await.unwrap().unwrap_err());
    assert_eq!(e.kind(), ErrorKind::QueryTimeout, "{e:#}");
    let (_, seven) = next.await.unwrap().unwrap();
    assert_eq!(seven, 7);
    let s = pool.state();
    assert_eq!(sent(s), base + 2, "it was not sent a second time: {s:?}");
}

/// With the statement cache off (PgBouncer's transaction mode) nothing is
/// multiplexed, and asking for both is refused before connecting.
#[tokio::test]
async fn multiplexing_is_off_without_the_statement_cache_and_refused_if_asked_for() {
    let e = expect_err(
        Pool::builder()
            .statement_cache(false)
            .multiplex(true)
            .build(config(&url("mx_pgbouncer")))
            .await,
    );
    assert_eq!(e.kind(), ErrorKind::Configuration, "{e:#}");
    assert!(
        e.detail().to_string().contains("statement_cache(false)"),
        "{e:#}"
    );
    let pool = Pool::builder()
        .statement_cache(false)
        .build(config(&url("mx_pgbouncer")))
        .await
        .unwrap();
    secure_query!("SELECT 1").execute(&pool).await.unwrap();
    let s = pool.state();
    assert_eq!((s.multiplexed, s.shared), (0, 0), "{s:?}");
}

/// A statement seen to hold a shared connection for longer than the stall
/// threshold takes a checkout of its own from then on; others stay shared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_seen_to_be_slow_gets_a_connection_of_its_own() {
    let pool = Pool::builder()
        .max_size(4)
        .build(config(&url("mx_slow")))
        .await
        .unwrap();
    let slow = || secure_query!("SELECT pg_sleep(0.1)");
    slow().execute(&pool).await.unwrap();
    let s0 = pool.state();
    assert_eq!((s0.multiplexed, s0.checkouts), (1, 0), "{s0:?}");
    slow().execute(&pool).await.unwrap();
    let s1 = pool.state();
    assert_eq!((s1.multiplexed, s1.checkouts), (1, 1), "{s1:?}");
    secure_query!("SELECT 1").execute(&pool).await.unwrap();
    let s2 = pool.state();
    assert_eq!((s2.multiplexed, s2.checkouts), (2, 1), "{s2:?}");
}

/// Slow statements queued for a checkout do not take the shared connection
/// back (only exclusive work such as `get()` does): on a pool of two, with
/// one slow statement running and another waiting, a short statement
/// still runs on the shared connection at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_statements_waiting_for_a_checkout_leave_the_shared_connection_alone() {
    let pool = Pool::builder()
        .max_size(2)
        .checkout_timeout(Duration::from_secs(10))
        .build(config(&url("mx_slow_wait")))
        .await
        .unwrap();
    let slow = |p: Pool| async move {
        secure_query!("SELECT pg_sleep(0.5)")
            .execute(&p)
            .await
            .map(|_| ())
    };
    // Learned as slow; it ran on the shared connection, which stays.
    slow(pool.clone()).await.unwrap();
    let a = tokio::spawn(slow(pool.clone()));
    let b = tokio::spawn(slow(pool.clone()));
    tokio::time::sleep(Duration::from_millis(150)).await;
    let s = pool.state();
    assert_eq!((s.shared, s.in_use), (1, 1), "{s:?}");
    let before = s.multiplexed;
    secure_query!("SELECT 1").execute(&pool).await.unwrap();
    assert_eq!(pool.state().multiplexed, before + 1, "{:?}", pool.state());
    assert!(
        !(a.is_finished() && b.is_finished()),
        "the short statement waited for the slow ones"
    );
    a.await.unwrap().unwrap();
    b.await.unwrap().unwrap();
}
