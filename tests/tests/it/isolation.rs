//! Session isolation on a multiplexing pool, for what statements do: a lock
//! wait on a shared connection never holds the statements behind it (one
//! of which may belong to the transaction it waits for), and exclusive work
//! gets a connection within a bound whatever the shared traffic.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use secure_pg::{secure_query, secure_query_as, Pool, PoolBuilder, SqlState};
use secure_pg_tests::{shared, ClusterSpec, ServerCert};

use crate::support::{checked, config};

fn url(app: &str) -> String {
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    format!("{}&application_name={app}", c.url())
}

/// A pool whose shared connections are never passed over as stalled, so
/// that a test decides which statements queue behind which.
fn patient() -> PoolBuilder {
    Pool::builder().multiplex_stall_after(Duration::from_secs(60))
}

async fn observer() -> Pool {
    Pool::builder()
        .max_size(1)
        .multiplex(false)
        .build(config(&url("iso_observer")))
        .await
        .unwrap()
}

/// Waits until backend `pid` waits for a heavyweight lock.
async fn wait_for_lock_wait(observer: &Pool, pid: i32) {
    let started = Instant::now();
    loop {
        let (waiting,): (bool,) = secure_query_as!(
            (bool,),
            "SELECT coalesce(bool_or(wait_event_type = 'Lock'), false) \
             FROM pg_stat_activity WHERE pid = $1",
            pid
        )
        .fetch_one(observer)
        .await
        .unwrap();
        if waiting {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "backend {pid} never waited for the lock"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A pool of one connection, multiplexing or not: whatever one caller
/// leaves on the session, the next one meets.
async fn pool_of_one(app: &str, multiplex: bool) -> Pool {
    Pool::builder()
        .max_size(1)
        .multiplex(multiplex)
        .build(config(&url(app)))
        .await
        .unwrap()
}

async fn setup(pool: &Pool, sql: &str) {
    let conn = pool.get().await.unwrap();
    conn.client().batch_execute(sql).await.unwrap();
}

/// What holds the lock in [`lock_wait_does_not_hold_the_statements_behind_it`].
#[derive(Debug, Clone, Copy)]
enum Holder {
    /// `UPDATE` of the row; the waiter updates the same row.
    RowLock,
    /// `ALTER TABLE` (ACCESS EXCLUSIVE); the waiter reads the table (its
    /// prepare already waits).
    Ddl,
    /// A transaction-level advisory lock (session-neutral, so the waiter's
    /// `pg_advisory_xact_lock` may run on a shared connection).
    Advisory,
}

/// Issue 22 (1): transaction T holds a lock and awaits a short `&Pool`
/// statement S, pipelined on the shared connection right behind another
/// caller's statement U that waits for T's lock. Before, S never got an
/// answer (T waits for S, S for U, U for T). Now U hits the shared
/// connections' `lock_timeout`, S runs, T commits, and U, sent again on a
/// connection of its own, runs after T: its effect is applied once.
async fn lock_wait_does_not_hold_the_statements_behind_it(holder: Holder, app: &str) {
    let pool = patient()
        .max_size(4)
        .multiplex_connections(1)
        .checkout_timeout(Duration::from_secs(20))
        .build(config(&url(app)))
        .await
        .unwrap();
    let observer = observer().await;
    let table = format!("iso_lock_{app}");
    setup(
        &pool,
        &format!(
            "DROP TABLE IF EXISTS {table}; \
             CREATE TABLE {table} (id int8 PRIMARY KEY, v int8 NOT NULL); \
             INSERT INTO {table} VALUES (1, 0)"
        ),
    )
    .await;
    let (shared_pid,): (i32,) = secure_query_as!((i32,), "SELECT pg_backend_pid()")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(pool.state().shared, 1, "{:?}", pool.state());

    let mut conn = pool.get().await.unwrap();
    let tx = conn.transaction().await.unwrap();
    match holder {
        Holder::RowLock => {
            secure_query!("UPDATE iso_lock_rows SET v = v + 1 WHERE id = 1")
                .execute(&tx)
                .await
                .unwrap();
        }
        Holder::Ddl => {
            secure_query!("ALTER TABLE iso_lock_ddl ADD COLUMN extra int4")
                .execute(&tx)
                .await
                .unwrap();
        }
        Holder::Advisory => {
            secure_query!("SELECT pg_advisory_xact_lock(22022)")
                .execute(&tx)
                .await
                .unwrap();
        }
    }
    let p2 = pool.clone();
    let waiter = tokio::spawn(async move {
        match holder {
            Holder::RowLock => {
                secure_query!("UPDATE iso_lock_rows SET v = v + 10 WHERE id = 1")
                    .execute(&p2)
                    .await
            }
            Holder::Ddl => secure_query_as!((i64,), "SELECT count(*) FROM iso_lock_ddl")
                .fetch_one(&p2)
                .await
                .map(|(n,)| n as u64),
            Holder::Advisory => {
                secure_query!("SELECT pg_advisory_xact_lock(22022)")
                    .execute(&p2)
                    .await
            }
        }
    });
    wait_for_lock_wait(&observer, shared_pid).await;

    // The transaction's own short statement on `&Pool`.
    let started = Instant::now();
    let s = tokio::time::timeout(
        Duration::from_secs(10),
        secure_query_as!((i32,), "SELECT 7").fetch_one(&pool),
    )
    .await;
    let took = started.elapsed();
    let (seven,) = s
        .expect("the statement behind the lock wait had no answer after 10 s: deadlock")
        .unwrap();
    assert_eq!(seven, 7);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    tx.commit().await.unwrap();
    drop(conn);
    let n = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("the lock waiter never finished")
        .unwrap()
        .unwrap();
    assert_eq!(n, 1);
    if let Holder::RowLock = holder {
        let (v,): (i64,) = secure_query_as!((i64,), "SELECT v FROM iso_lock_rows WHERE id = 1")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(v, 11, "the waiter's update was not applied exactly once");
    }
    secure_pg_tests::note(&format!(
        "isolation: {holder:?}: the statement behind the lock wait answered in {took:?}"
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_lock_wait_on_a_shared_connection_cannot_deadlock_the_transaction_behind_it() {
    lock_wait_does_not_hold_the_statements_behind_it(Holder::RowLock, "rows").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ddl_lock_wait_on_a_shared_connection_cannot_deadlock_the_transaction_behind_it() {
    lock_wait_does_not_hold_the_statements_behind_it(Holder::Ddl, "ddl").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advisory_lock_wait_on_a_shared_connection_cannot_deadlock_the_transaction_behind_it() {
    lock_wait_does_not_hold_the_statements_behind_it(Holder::Advisory, "advisory").await;
}

/// A `lock_timeout` of the session's own (here from the startup options,
/// shorter than the pool's) still gives its error on `&Pool`, and an
/// exclusive checkout of a connection that was shared has the session's
/// `lock_timeout` back, not the shared one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sessions_own_lock_timeout_still_applies() {
    let app = "iso_own_lock_timeout";
    let own = format!("{}&options=-c%20lock_timeout%3D20", url(app));
    let pool = patient()
        .max_size(3)
        .multiplex_connections(1)
        .multiplex_lock_timeout(Duration::from_millis(200))
        .build(config(&own))
        .await
        .unwrap();
    setup(
        &pool,
        "DROP TABLE IF EXISTS iso_own_lock; \
         CREATE TABLE iso_own_lock (id int8 PRIMARY KEY, v int8 NOT NULL); \
         INSERT INTO iso_own_lock VALUES (1, 0)",
    )
    .await;
    secure_query!("SELECT 1").execute(&pool).await.unwrap();
    let mut conn = pool.get().await.unwrap();
    let tx = conn.transaction().await.unwrap();
    secure_query!("UPDATE iso_own_lock SET v = 1 WHERE id = 1")
        .execute(&tx)
        .await
        .unwrap();
    let started = Instant::now();
    let e = checked(
        secure_query!("UPDATE iso_own_lock SET v = 2 WHERE id = 1")
            .execute(&pool)
            .await
            .unwrap_err(),
    );
    assert_eq!(e.sqlstate(), Some(&SqlState::LOCK_NOT_AVAILABLE), "{e:#}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    tx.rollback().await.unwrap();
    drop(conn);

    // A pool without a lock_timeout of its own: a checkout of the
    // connection that was shared has no lock_timeout.
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&url(app)))
        .await
        .unwrap();
    secure_query!("SELECT 1").execute(&pool).await.unwrap();
    assert_eq!(pool.state().shared, 1, "{:?}", pool.state());
    let conn = pool.get().await.unwrap();
    let (shown,): (String,) = secure_query_as!((String,), "SELECT current_setting('lock_timeout')")
        .fetch_one(&conn)
        .await
        .unwrap();
    assert_eq!(shown, "0");
}

/// Issue 22 (2): on a small pool with sustained shared traffic (16 tasks
/// sending statements on `&Pool` back to back), and every connection but
/// the shared one held by exclusive work for the whole time, every one of
/// 10 concurrent transactions gets a connection within the checkout
/// timeout, and the shared traffic carries on without errors. (Without
/// the held connections, a pool of two lets the transactions take turns on
/// the connection that is not shared, which does not test the rule.)
async fn transactions_are_not_starved_by_shared_traffic(max_size: u32, app: &str) {
    let pool = Pool::builder()
        .max_size(max_size)
        .checkout_timeout(Duration::from_secs(3))
        .build(config(&url(app)))
        .await
        .unwrap();
    // Every connection but the one the traffic will share, held by
    // exclusive work from before the traffic starts to the end.
    let mut held = Vec::new();
    for _ in 1..max_size {
        held.push(pool.get().await.unwrap());
    }
    let stop = Arc::new(AtomicBool::new(false));
    let statements = Arc::new(AtomicU64::new(0));
    let mut traffic = Vec::new();
    for t in 0..16i64 {
        let (pool, stop, statements) = (pool.clone(), stop.clone(), statements.clone());
        traffic.push(tokio::spawn(async move {
            let mut i = 0i64;
            while !stop.load(Ordering::Relaxed) {
                let (v,): (i64,) = secure_query_as!((i64,), "SELECT $1::int8", t * 1_000_000 + i)
                    .fetch_one(&pool)
                    .await
                    .map_err(checked)
                    .unwrap();
                assert_eq!(v, t * 1_000_000 + i);
                i += 1;
                statements.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(pool.state().multiplexed > 0, "{:?}", pool.state());
    assert_eq!(pool.state().shared, 1, "{:?}", pool.state());
    let started = Instant::now();
    let mut txs = Vec::new();
    for k in 0..10i64 {
        let pool = pool.clone();
        txs.push(tokio::spawn(async move {
            let began = Instant::now();
            pool.transaction(|tx| {
                Box::pin(async move {
                    let (v,): (i64,) = secure_query_as!((i64,), "SELECT $1::int8 + 1", k)
                        .fetch_one(&mut *tx)
                        .await?;
                    Ok(v)
                })
            })
            .await
            .map(|v| (v, began.elapsed()))
        }));
    }
    let mut committed = 0;
    let mut failures = Vec::new();
    let mut slowest = Duration::ZERO;
    for (k, t) in txs.into_iter().enumerate() {
        match t.await.unwrap() {
            Ok((v, took)) => {
                assert_eq!(v, k as i64 + 1);
                committed += 1;
                slowest = slowest.max(took);
            }
            Err(e) => failures.push(format!("{:?}: {e:#}", e.kind())),
        }
    }
    let elapsed = started.elapsed();
    drop(held);
    let during = statements.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    for t in traffic {
        t.await.unwrap();
    }
    assert_eq!(
        committed, 10,
        "only {committed} of 10 transactions committed: {failures:?}"
    );
    assert!(
        during > 100,
        "the shared traffic stalled: {during} statements"
    );
    secure_pg_tests::note(&format!(
        "isolation: pool of {max_size}: 10 of 10 transactions committed in {elapsed:?} \
         (slowest {slowest:?}) beside {during} shared-traffic statements; {:?}",
        pool.state()
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_are_not_starved_by_shared_traffic_on_a_pool_of_one() {
    transactions_are_not_starved_by_shared_traffic(1, "iso_starve_1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_are_not_starved_by_shared_traffic_on_a_pool_of_two() {
    transactions_are_not_starved_by_shared_traffic(2, "iso_starve_2").await;
}

/// Issue 22 (3): `setseed` survives `DISCARD ALL`, so after one caller's
/// `setseed(0.25)` the next caller's `random()` was always the same
/// number. The reset gives the session a fresh seed: on a pool of one
/// connection (shared or not), the next caller's `random()` is not the
/// value that follows the seed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_set_by_one_caller_does_not_make_the_next_callers_random_predictable() {
    let app = "iso_seed";
    let predicted: f64 = {
        let other = Pool::builder()
            .max_size(1)
            .multiplex(false)
            .build(config(&url(app)))
            .await
            .unwrap();
        let conn = other.get().await.unwrap();
        conn.client()
            .batch_execute("SELECT setseed(0.25)")
            .await
            .unwrap();
        crate::support::scalar(conn.client(), "SELECT random()")
            .await
            .parse()
            .unwrap()
    };
    for multiplex in [true, false] {
        let pool = pool_of_one(app, multiplex).await;
        for round in 0..3 {
            secure_query!("SELECT setseed(0.25)")
                .execute(&pool)
                .await
                .unwrap();
            let (next,): (f64,) = secure_query_as!((f64,), "SELECT random()")
                .fetch_one(&pool)
                .await
                .unwrap();
            assert_ne!(
                next, predicted,
                "multiplex({multiplex}), round {round}: the next caller's random() followed \
                 another caller's seed"
            );
        }
    }
}

/// Issue 22 (3): an `INSERT` whose `serial` default calls `nextval` leaves
/// the session's `lastval()` behind without marking the connection for a
/// reset (it changes no other session state). The macros refuse
/// `lastval()`, but the raw client of the next checkout could read it:
/// before, on a pool of one connection (shared or not), it returned the id
/// the previous caller's insert generated. Now the raw client's first use in
/// a checkout comes after `DISCARD SEQUENCES`, and its own `nextval` calls
/// still show in `lastval()`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_raw_client_never_reads_the_sequence_values_of_an_earlier_caller() {
    let app = "iso_lastval";
    for multiplex in [true, false] {
        let pool = pool_of_one(app, multiplex).await;
        setup(
            &pool,
            "CREATE TABLE IF NOT EXISTS iso_lastval (id bigserial PRIMARY KEY, note text)",
        )
        .await;
        for round in 0..3 {
            secure_query!("INSERT INTO iso_lastval (note) VALUES ($1)", "theirs")
                .execute(&pool)
                .await
                .unwrap();
            let conn = pool.get().await.unwrap();
            let e = conn
                .client()
                .query_one("SELECT lastval()", &[])
                .await
                .expect_err("lastval() read another caller's sequence value");
            assert_eq!(
                e.code(),
                Some(&SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE),
                "multiplex({multiplex}), round {round}: {e}"
            );
            let mine: i64 = conn
                .client()
                .query_one(
                    "INSERT INTO iso_lastval (note) VALUES ('mine') RETURNING id",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            let last: i64 = conn
                .client()
                .query_one("SELECT lastval()", &[])
                .await
                .unwrap()
                .get(0);
            assert_eq!(last, mine, "the checkout's own nextval shows in lastval()");
        }
    }
}

/// Issue 22 (5): inside a transaction, the first run of a cached statement
/// after an `ALTER TABLE` that changes its result fails with `0A000`
/// (`cached plan must not change result type`), which aborts the
/// transaction. Before, the pool prepared it again there and the caller
/// saw only `25P02` (transaction aborted), hiding the cause. Now the
/// caller of a hand-made transaction sees the `0A000`, and
/// `Pool::transaction` runs the transaction again, which succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_plan_in_a_transaction_reports_its_cause_and_pool_transaction_retries() {
    let app = "iso_stale_plan";
    let pool = Pool::builder()
        .max_size(1)
        .multiplex(false)
        .build(config(&url(app)))
        .await
        .unwrap();
    let ddl = observer().await;
    let alter = |sql: &'static str| {
        let ddl = ddl.clone();
        async move {
            let conn = ddl.get().await.unwrap();
            conn.client().batch_execute(sql).await.unwrap();
        }
    };
    alter("DROP TABLE IF EXISTS iso_plan; CREATE TABLE iso_plan (a int4); INSERT INTO iso_plan VALUES (1)")
        .await;
    let select = || secure_query!("SELECT * FROM iso_plan");
    // Prepared and cached on the pool's one connection.
    assert_eq!(select().execute(&pool).await.unwrap(), 1);
    alter("ALTER TABLE iso_plan ADD COLUMN b int4").await;
    {
        let mut conn = pool.get().await.unwrap();
        let tx = conn.transaction().await.unwrap();
        let e = checked(select().execute(&tx).await.unwrap_err());
        assert_eq!(
            e.sqlstate(),
            Some(&SqlState::FEATURE_NOT_SUPPORTED),
            "the cause was hidden: {e:#}"
        );
        tx.rollback().await.unwrap();
    }
    // Cached again in its new shape, then made stale once more.
    assert_eq!(select().execute(&pool).await.unwrap(), 1);
    alter("ALTER TABLE iso_plan ADD COLUMN c int4").await;
    let n = pool
        .transaction(|tx| Box::pin(async move { select().execute(&mut *tx).await }))
        .await
        .map_err(checked)
        .unwrap();
    assert_eq!(n, 1);
}

/// A statement that finds the only shared connection stalled for a moment
/// (a longer statement at its head) falls back to a checkout; on a pool
/// whose one permit the shared connection holds, that checkout could only
/// time out (`PoolTimeout`, "0 of 1 in use"), since the shared connection
/// keeps its permit once the long statement ends. Now the statement takes
/// the shared connection as soon as it can take statements again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_behind_a_momentary_stall_does_not_wait_for_a_permit_the_shared_connection_holds(
) {
    let pool = Pool::builder()
        .max_size(1)
        .checkout_timeout(Duration::from_secs(2))
        .multiplex_stall_after(Duration::from_millis(20))
        .build(config(&url("iso_stall_fallback")))
        .await
        .unwrap();
    secure_query!("SELECT 1").execute(&pool).await.unwrap();
    assert_eq!(pool.state().shared, 1, "{:?}", pool.state());
    let p2 = pool.clone();
    let long = tokio::spawn(async move {
        secure_query!("SELECT pg_sleep(0.3)")
            .execute(&p2)
            .await
            .map(|_| ())
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let (two,): (i32,) = secure_query_as!((i32,), "SELECT 2")
        .fetch_one(&pool)
        .await
        .map_err(checked)
        .unwrap();
    assert_eq!(two, 2);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    long.await.unwrap().unwrap();
}

/// A statement remembered as slow takes an exclusive checkout. On a pool of
/// one whose only permit an idle shared connection held, that checkout used
/// to wait out its timeout every time ("0 of 1 in use"), and the statement,
/// never running, stayed slow: the pool was wedged for good. It happened
/// under CPU load with one statement run in sequence (load makes a fast
/// statement look slow); here one statement is made slow on purpose.
#[tokio::test]
async fn a_slow_statement_on_a_pool_of_one_gets_the_idle_shared_connection() {
    let pool = Pool::builder()
        .max_size(1)
        .checkout_timeout(Duration::from_secs(3))
        .build(config(&url("iso_slow_one")))
        .await
        .unwrap();
    // Shared: the pool's one connection is now held for sharing.
    for _ in 0..3 {
        secure_query!("SELECT 1").fetch_all(&pool).await.unwrap();
    }
    assert_eq!(pool.state().shared, 1, "{:?}", pool.state());
    // 50 ms on the shared connection: far over the slow threshold (10 ms).
    secure_query!("SELECT pg_sleep($1)", 0.05_f64)
        .fetch_all(&pool)
        .await
        .unwrap();
    // The same statement again goes to an exclusive checkout, which must
    // get the permit of the shared connection that nothing uses.
    let started = Instant::now();
    for _ in 0..3 {
        secure_query!("SELECT pg_sleep($1)", 0.0_f64)
            .fetch_all(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e:#} {:?}", pool.state()));
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert!(pool.state().checkouts >= 1, "{:?}", pool.state());
}
