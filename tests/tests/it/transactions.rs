//! A transaction's `BEGIN` is written with its first statement and answered
//! in the same round trip; a transaction that runs nothing sends nothing.
//! Round trips are counted on a link with a known latency (the harness's
//! proxy), against the time of one plain statement on the same link.

use std::time::{Duration, Instant};

use secure_pg::{secure_query, secure_query_as, Error, ErrorKind, Pool, TransactionOptions};
use secure_pg_tests::proxy::{Fault, FaultProxy};
use secure_pg_tests::{shared, ClusterSpec, ServerCert};
use tokio_postgres::IsolationLevel;

use crate::support::{checked, config, expect_err, proxy_url, tls_proxy};

/// One-way latency of the link: a round trip costs twice this.
const LATENCY: Duration = Duration::from_millis(200);

async fn slow_link() -> (FaultProxy, Pool) {
    let proxy = tls_proxy().await;
    let url = proxy_url(&proxy, "");
    // One connection, checked out per statement (no multiplexing), and no
    // idle ping within the test: every round trip is a statement's.
    let pool = Pool::builder()
        .max_size(1)
        .multiplex(false)
        .idle_check_after(Duration::from_secs(600))
        .build(config(&url))
        .await
        .unwrap();
    let conn = pool.get().await.unwrap();
    conn.client()
        .batch_execute("CREATE TABLE IF NOT EXISTS deferred_begin (v int PRIMARY KEY)")
        .await
        .unwrap();
    drop(conn);
    // Every statement the tests time is prepared (cached) on the
    // connection before the link slows down.
    pool.transaction(|tx| {
        Box::pin(async move {
            secure_query_as!((i64,), "SELECT 1::bigint")
                .fetch_one(&mut *tx)
                .await?;
            secure_query_as!((String,), "SHOW transaction_isolation")
                .fetch_one(&mut *tx)
                .await?;
            secure_query!("INSERT INTO deferred_begin (v) VALUES ($1)", -1_i32)
                .execute(&mut *tx)
                .await?;
            Err::<(), _>(Error::from_kind(ErrorKind::InvalidInput).with_detail("warm-up"))
        })
    })
    .await
    .unwrap_err();
    proxy.set(Fault::Latency(LATENCY));
    (proxy, pool)
}

/// Round trips `f` took on the slow link: its time over one round trip.
async fn round_trips<F: std::future::Future<Output = ()>>(f: F) -> f64 {
    let started = Instant::now();
    f.await;
    started.elapsed().as_secs_f64() / (2.0 * LATENCY.as_secs_f64())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transactions_begin_goes_with_its_first_statement() {
    let (_proxy, pool) = slow_link().await;
    // One plain statement: one round trip (the checkout costs none).
    let one = round_trips(async {
        secure_query_as!((i64,), "SELECT 1::bigint")
            .fetch_one(&pool)
            .await
            .unwrap();
    })
    .await;
    assert!(
        (1.0..1.5).contains(&one),
        "one statement took {one:.2} round trips"
    );
    // `BEGIN` with the statement, then `COMMIT`: two, where sending `BEGIN`
    // on its own took three.
    let tx = round_trips(async {
        pool.transaction(|tx| {
            Box::pin(async move {
                secure_query_as!((i64,), "SELECT 1::bigint")
                    .fetch_one(&mut *tx)
                    .await
            })
        })
        .await
        .unwrap();
    })
    .await;
    assert!(
        (2.0..2.5).contains(&tx),
        "a one-statement transaction took {tx:.2} round trips"
    );
    // With an isolation level: the same two, and the first statement runs
    // under it.
    let mut seen = String::new();
    let serializable = round_trips(async {
        seen = pool
            .transaction_with(TransactionOptions::serializable(), |tx| {
                Box::pin(async move {
                    Ok(secure_query_as!((String,), "SHOW transaction_isolation")
                        .fetch_one(&mut *tx)
                        .await?
                        .0)
                })
            })
            .await
            .unwrap();
    })
    .await;
    assert_eq!(seen, "serializable");
    assert!(
        (2.0..2.5).contains(&serializable),
        "a serializable one-statement transaction took {serializable:.2} round trips"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_that_runs_nothing_sends_nothing() {
    let (_proxy, pool) = slow_link().await;
    let nothing = round_trips(async {
        // Committed, rolled back by the body's error, and dropped.
        pool.transaction(|_| Box::pin(async { Ok(()) }))
            .await
            .unwrap();
        let e = pool
            .transaction(|_| {
                Box::pin(async {
                    Err::<(), _>(Error::from_kind(ErrorKind::InvalidInput).with_detail("no"))
                })
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let mut conn = pool.get().await.unwrap();
        let unused = conn.transaction().await.unwrap();
        let _ = unused;
        drop(conn);
    })
    .await;
    assert!(
        nothing < 0.5,
        "transactions that ran nothing took {nothing:.2} round trips"
    );
    // And the connection is in no transaction: after a failed statement the
    // next one runs (inside an aborted transaction it would fail with 25P02).
    let conn = pool.get().await.unwrap();
    let e = expect_err(
        secure_query_as!((i32,), "SELECT 1 / (random() * 0)::int")
            .fetch_one(&conn)
            .await,
    );
    assert_eq!(e.sqlstate().map(|c| c.code()), Some("22012"), "{e:#}");
    let v = secure_query_as!((i64,), "SELECT 1::bigint")
        .fetch_one(&conn)
        .await
        .map_err(checked)
        .unwrap();
    assert_eq!(v.0, 1);
}

/// Inserts `a`, then `b`, in one transaction.
async fn insert_pair(pool: &Pool, a: i32, b: i32) -> Result<(), Error> {
    pool.transaction(|tx| {
        Box::pin(async move {
            secure_query!("INSERT INTO deferred_begin (v) VALUES ($1)", a)
                .execute(&mut *tx)
                .await?;
            secure_query!("INSERT INTO deferred_begin (v) VALUES ($1)", b)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_first_statement_fails_the_transaction_with_its_own_error() {
    let (_proxy, pool) = slow_link().await;
    // The first statement violates the primary key: the caller sees that
    // error, not one of `BEGIN`, and nothing of the transaction stays.
    let conn = pool.get().await.unwrap();
    conn.client()
        .batch_execute("INSERT INTO deferred_begin (v) VALUES (7) ON CONFLICT DO NOTHING")
        .await
        .unwrap();
    drop(conn);
    let e = expect_err(insert_pair(&pool, 7, 8).await);
    assert_eq!(e.sqlstate().map(|c| c.code()), Some("23505"), "{e:#}");
    // A later statement fails in the same transaction: the first one's
    // row goes with it.
    let e = expect_err(insert_pair(&pool, 9, 7).await);
    assert_eq!(e.sqlstate().map(|c| c.code()), Some("23505"), "{e:#}");
    let rows: Vec<(i32,)> = secure_query_as!(
        (i32,),
        "SELECT v FROM deferred_begin WHERE v IN (8, 9) ORDER BY v"
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        rows.is_empty(),
        "rows of failed transactions stayed: {rows:?}"
    );
    // Isolation levels other than serializable reach the first statement.
    let level = pool
        .transaction_with(
            TransactionOptions::default().isolation(IsolationLevel::RepeatableRead),
            |tx| {
                Box::pin(async move {
                    Ok(secure_query_as!((String,), "SHOW transaction_isolation")
                        .fetch_one(&mut *tx)
                        .await?
                        .0)
                })
            },
        )
        .await
        .unwrap();
    assert_eq!(level, "repeatable read");
}

/// What makes sending `BEGIN` ahead of a statement safe, shown on the
/// server itself: when something after `BEGIN` in the same message fails
/// (as an isolation level a standby refuses, or the tenant setting,
/// would), the transaction block stays open and aborted, so the statement
/// queued behind it fails with 25P02 instead of running on its own.
#[tokio::test]
async fn a_failure_right_after_begin_stops_the_statement_queued_behind_it() {
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    let (client, _) = crate::support::try_connect(&c.url()).await.unwrap();
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS begin_then_fail (v int)")
        .await
        .unwrap();
    let (begun, inserted) = futures_util::future::join(
        client.batch_execute("BEGIN; SELECT 1 / 0"),
        client.execute("INSERT INTO begin_then_fail (v) VALUES (1)", &[]),
    )
    .await;
    let begun = begun.unwrap_err();
    assert_eq!(begun.code().map(|c| c.code()), Some("22012"));
    let inserted = inserted.unwrap_err();
    assert_eq!(
        inserted.code().map(|c| c.code()),
        Some("25P02"),
        "{inserted}"
    );
    client.batch_execute("ROLLBACK").await.unwrap();
    let n = client
        .query_one("SELECT count(*) FROM begin_then_fail", &[])
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(n, 0);
}
