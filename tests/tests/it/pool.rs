//! The pool against real servers: fairness, timeouts, cancellation, broken
//! and expired connections, restarts, credential rotation, health and the
//! production startup lint.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use secure_pg::credentials::FilePassword;
use secure_pg::{
    secure_query, secure_query_as, Config, Environment, ErrorKind, FindingCode, Pool,
    TransactionOptions,
};
use secure_pg_tests::{free_port, shared, Cluster, ClusterSpec, ServerCert, APP_PASSWORD};

use crate::support::{checked, config, expect_err};

/// How the pool's reset of a returned connection starts (what
/// `pg_stat_activity` shows as its last statement once it is done).
const RESET: &str = "SET client_min_messages = error; ROLLBACK; CLOSE ALL;";

fn valid() -> Arc<Cluster> {
    shared(ClusterSpec::tls(ServerCert::Valid))
}

async fn backend_pid<'e, E: secure_pg::Executor<'e>>(e: E) -> i32 {
    secure_query_as!((i32,), "SELECT pg_backend_pid()")
        .fetch_one(e)
        .await
        .unwrap()
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_tasks_on_four_connections_all_make_progress() {
    let pool = Pool::builder()
        .max_size(4)
        .checkout_timeout(Duration::from_secs(10))
        .build(config(&valid().url()))
        .await
        .unwrap();
    let window = Duration::from_secs(3);
    let started = Instant::now();
    let worst_wait = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let pool = pool.clone();
        let worst = worst_wait.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = 0u32;
            while started.elapsed() < window {
                let t = Instant::now();
                let v = secure_query_as!((i32,), "SELECT 1")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                assert_eq!(v.0, 1);
                worst.fetch_max(t.elapsed().as_micros() as u64, Ordering::Relaxed);
                done += 1;
            }
            done
        }));
    }
    let mut counts = Vec::new();
    for t in tasks {
        counts.push(t.await.unwrap());
    }
    assert!(counts.iter().all(|&c| c > 0), "a task starved: {counts:?}");
    let worst = Duration::from_micros(worst_wait.load(Ordering::Relaxed));
    // Generous bound: with FIFO service a waiter queues behind at most 63
    // others; bb8 alone left tasks waiting the whole window.
    assert!(
        worst < Duration::from_secs(2),
        "worst wait {worst:?}, counts {counts:?}"
    );
    let state = pool.state();
    assert_eq!(state.in_use, 0);
    assert!(state.connections <= 4);
}

#[tokio::test]
async fn exhaustion_gives_a_pool_timeout_within_the_configured_time() {
    let pool = Pool::builder()
        .max_size(1)
        .checkout_timeout(Duration::from_millis(300))
        .build(config(&valid().url()))
        .await
        .unwrap();
    let held = pool.get().await.unwrap();
    let t = Instant::now();
    let e = expect_err(pool.get().await);
    let took = t.elapsed();
    assert_eq!(e.kind(), ErrorKind::PoolTimeout);
    assert_eq!(
        e.to_string(),
        "no database connection became available in time"
    );
    assert!(
        took >= Duration::from_millis(290) && took < Duration::from_secs(2),
        "{took:?}"
    );
    drop(held);
    pool.get().await.unwrap();
}

#[tokio::test]
async fn cancelled_checkouts_and_queries_leak_nothing() {
    let pool = Pool::builder()
        .max_size(1)
        .checkout_timeout(Duration::from_secs(5))
        .build(config(&valid().url()))
        .await
        .unwrap();
    // A checkout cancelled while waiting.
    let held = pool.get().await.unwrap();
    let waiting = tokio::time::timeout(Duration::from_millis(100), pool.get()).await;
    assert!(waiting.is_err(), "the checkout should still be waiting");
    drop(held);
    // A query cancelled mid-stream.
    {
        use futures_util::StreamExt;
        let mut stream = secure_query_as!((i32,), "SELECT g FROM generate_series(1, 200000) g")
            .fetch(&pool)
            .await
            .unwrap();
        for _ in 0..3 {
            stream.next().await.unwrap().unwrap();
        }
    }
    // A query future dropped before completion.
    let slow = secure_query!("SELECT pg_sleep(0.5)").execute(&pool);
    assert!(tokio::time::timeout(Duration::from_millis(50), slow)
        .await
        .is_err());
    let t = Instant::now();
    let v = secure_query_as!((i64,), "SELECT 42::bigint")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(v.0, 42);
    assert!(t.elapsed() < Duration::from_secs(3));
    let state = pool.state();
    assert_eq!(state.in_use, 0, "{state:?}");
    assert!(state.connections <= 1);
}

#[tokio::test]
async fn a_transaction_dropped_right_after_begin_is_not_handed_to_the_next_caller() {
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&valid().url()))
        .await
        .unwrap();
    {
        let conn = pool.get().await.unwrap();
        conn.client()
            .batch_execute("CREATE TABLE IF NOT EXISTS cancelled_tx (v int)")
            .await
            .unwrap();
    }
    let body = pool.transaction(|tx| {
        Box::pin(async move {
            secure_query!("INSERT INTO cancelled_tx (v) VALUES ($1)", 1_i32)
                .execute(&mut *tx)
                .await?;
            // Never finishes: the caller gives up.
            std::future::pending::<()>().await;
            Ok(())
        })
    });
    assert!(tokio::time::timeout(Duration::from_millis(300), body)
        .await
        .is_err());
    // The next caller is not inside that transaction, and its insert is gone.
    let conn = pool.get().await.unwrap();
    // Inside the abandoned transaction (which inserted a row) a transaction
    // id would be assigned already; a fresh implicit one has none.
    let xid: (Option<String>,) = secure_query_as!(
        (Option<String>,),
        "SELECT pg_current_xact_id_if_assigned()::text"
    )
    .fetch_one(&conn)
    .await
    .unwrap();
    assert_eq!(
        xid.0, None,
        "the connection was handed out inside an old transaction"
    );
    let n: (i64,) = secure_query_as!((i64,), "SELECT count(*) FROM cancelled_tx")
        .fetch_one(&conn)
        .await
        .unwrap();
    assert_eq!(n.0, 0);
}

#[tokio::test]
async fn session_changes_do_not_leak_into_the_next_checkout() {
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&valid().url()))
        .await
        .unwrap();
    {
        let conn = pool.get().await.unwrap();
        conn.client()
            .batch_execute(
                "SET search_path = pg_catalog; SELECT set_config('app.tenant_id', '7', false); \
                 CREATE TEMP TABLE scratch (v int)",
            )
            .await
            .unwrap();
    }
    let conn = pool.get().await.unwrap();
    let row = secure_query_as!(
        (String, Option<String>, i64),
        "SELECT current_setting('search_path'), current_setting('app.tenant_id', true), \
         (SELECT count(*) FROM pg_class WHERE relname = 'scratch' AND relpersistence = 't')"
    )
    .fetch_one(&conn)
    .await
    .unwrap();
    assert_eq!(row.0, "\"$user\", public");
    assert!(row.1.as_deref().unwrap_or("").is_empty(), "{row:?}");
    assert_eq!(row.2, 0);
}

#[tokio::test]
async fn max_lifetime_recycles_idle_connections_but_never_kills_one_in_use() {
    let pool = Pool::builder()
        .max_size(1)
        .max_lifetime(Duration::from_millis(800))
        .build(config(&valid().url()))
        .await
        .unwrap();
    let conn = pool.get().await.unwrap();
    let first = backend_pid(&conn).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    // Past its lifetime but in use: still works.
    assert_eq!(backend_pid(&conn).await, first);
    drop(conn);
    let second = backend_pid(&pool).await;
    assert_ne!(first, second, "an expired connection was handed out");
}

#[tokio::test]
async fn terminated_backends_are_replaced_and_the_busy_caller_gets_a_connection_error() {
    let cluster = valid();
    let pool = Pool::builder()
        .max_size(2)
        .idle_check_after(Duration::from_secs(60))
        .build(config(&cluster.url()))
        .await
        .unwrap();
    let admin = Pool::builder()
        .max_size(1)
        .build(config(&cluster.superuser_url()))
        .await
        .unwrap();
    // Busy: terminated while running.
    let (pid_tx, pid_rx) = tokio::sync::oneshot::channel();
    let busy_pool = pool.clone();
    let running = tokio::spawn(async move {
        let busy = busy_pool.get().await.unwrap();
        pid_tx.send(backend_pid(&busy).await).unwrap();
        secure_query!("SELECT pg_sleep(10)").execute(&busy).await
    });
    let pid = pid_rx.await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    secure_query!("SELECT pg_terminate_backend($1)", pid)
        .execute(&admin)
        .await
        .unwrap();
    let e = checked(running.await.unwrap().unwrap_err());
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:#}");
    // Idle: terminated between uses.
    let idle_pid = backend_pid(&pool).await;
    secure_query!("SELECT pg_terminate_backend($1)", idle_pid)
        .execute(&admin)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    for _ in 0..3 {
        let pid = backend_pid(&pool).await;
        assert_ne!(pid, idle_pid);
        assert_ne!(pid, 0);
    }
}

#[tokio::test]
async fn a_server_restart_mid_load_is_survived_without_restarting_the_application() {
    let cluster = Arc::new(Cluster::start(ClusterSpec::tls(ServerCert::Valid)));
    let pool = Pool::builder()
        .max_size(4)
        .checkout_timeout(Duration::from_secs(2))
        .build(config(&cluster.url()))
        .await
        .unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let mut load = Vec::new();
    for _ in 0..8 {
        let (pool, stop, ok, failed) = (pool.clone(), stop.clone(), ok.clone(), failed.clone());
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                match secure_query_as!((i32,), "SELECT 1").fetch_one(&pool).await {
                    Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                    Err(e) => {
                        let e = checked(e);
                        assert!(
                            matches!(e.kind(), ErrorKind::Connection | ErrorKind::PoolTimeout),
                            "{e:#}"
                        );
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        failed.fetch_add(1, Ordering::Relaxed)
                    }
                };
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let c2 = cluster.clone();
    tokio::task::spawn_blocking(move || {
        c2.stop();
        std::thread::sleep(Duration::from_millis(300));
        c2.restart();
    })
    .await
    .unwrap();
    let ok_at_restart = ok.load(Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(10);
    while ok.load(Ordering::Relaxed) < ok_at_restart + 50 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.await.unwrap();
    }
    assert!(
        failed.load(Ordering::Relaxed) > 0,
        "the restart was not noticed at all"
    );
    assert!(
        ok.load(Ordering::Relaxed) > ok_at_restart,
        "no query succeeded after the restart"
    );
    // And now everything works.
    for _ in 0..8 {
        secure_query!("SELECT 1").execute(&pool).await.unwrap();
    }
}

#[tokio::test]
async fn a_database_that_is_down_at_startup_reports_the_real_cause_in_time() {
    let dead = free_port();
    let t = Instant::now();
    let e = expect_err(
        Pool::builder()
            .checkout_timeout(Duration::from_secs(5))
            .build(config(&format!(
                "postgres://app:{APP_PASSWORD}@127.0.0.1:{dead}/app?connect_timeout=3&sslrootcert={}",
                secure_pg_tests::certs::certs().ca_file().display()
            )))
            .await,
    );
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:#}");
    assert!(format!("{e:#}").to_lowercase().contains("refused"), "{e:#}");
    assert!(t.elapsed() < Duration::from_secs(3));
    // Wrong password and wrong CA come out as themselves, not as a timeout.
    let url = valid().url().replace(APP_PASSWORD, "not-the-password");
    let e = expect_err(Pool::builder().build(config(&url)).await);
    assert_eq!(e.kind(), ErrorKind::Authentication);
    let other = shared(ClusterSpec::tls(ServerCert::OtherCa));
    let e = expect_err(Pool::builder().build(config(&other.url())).await);
    assert_eq!(e.kind(), ErrorKind::TlsVerification);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_rotation_through_a_secret_file_needs_no_restart() {
    let cluster = Arc::new(Cluster::start(ClusterSpec::tls(ServerCert::Valid)));
    let dir = secure_pg_tests::temp_dir("secret");
    let file = dir.join("db-password");
    std::fs::write(&file, format!("{APP_PASSWORD}\n")).unwrap();
    let mut cfg = config(&cluster.url());
    cfg.set_password(None);
    let pool = Pool::builder()
        .max_size(3)
        .credentials(FilePassword::new(&file))
        .build(cfg)
        .await
        .unwrap();
    for _ in 0..3 {
        secure_query!("SELECT 1").execute(&pool).await.unwrap();
    }
    // Rotate: database first, then the secret file, then kill every session.
    let new_password = "rotated-Secret-2";
    cluster.psql(&format!("ALTER ROLE app PASSWORD '{new_password}'"));
    std::fs::write(&file, format!("{new_password}\n")).unwrap();
    cluster.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app'");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut errors = 0;
    for _ in 0..20 {
        match secure_query!("SELECT 1").execute(&pool).await {
            Ok(_) => {}
            Err(e) => {
                let e = checked(e);
                assert!(!format!("{e:#}{e:?}").contains(new_password));
                errors += 1;
            }
        }
    }
    assert!(errors <= 1, "{errors} errors after rotation");
    // A stale file: authentication error that names no secret.
    std::fs::write(&file, "stale-password\n").unwrap();
    cluster.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app'");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut last = None;
    for _ in 0..3 {
        if let Err(e) = secure_query!("SELECT 1").execute(&pool).await {
            last = Some(checked(e));
        }
    }
    let e = last.expect("a stale password must fail");
    assert_eq!(e.kind(), ErrorKind::Authentication, "{e:#}");
    assert!(!format!("{e:#}{e:?}").contains("stale-password"));
}

#[tokio::test]
async fn health_check_reports_tls_and_posture() {
    let pool = Pool::builder().build(config(&valid().url())).await.unwrap();
    let h = pool.health_check().await;
    assert!(h.ok, "{h:?}");
    assert!(h.latency.is_some());
    assert!(
        h.server_version.as_deref().unwrap_or("").starts_with("15"),
        "{h:?}"
    );
    assert_eq!(h.tls.as_ref().unwrap().version, "TLSv1.3");
    assert!(h
        .findings
        .iter()
        .all(|f| f.code != FindingCode::RoleIsSuperuser));
    let admin = Pool::builder()
        .build(config(&valid().superuser_url()))
        .await
        .unwrap();
    let h = admin.health_check().await;
    assert!(
        h.findings
            .iter()
            .any(|f| f.code == FindingCode::RoleIsSuperuser),
        "{h:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_check_against_a_stopped_server_returns_within_its_timeout() {
    let cluster = Cluster::start(ClusterSpec::tls(ServerCert::Valid));
    let pool = Pool::builder()
        .checkout_timeout(Duration::from_secs(1))
        .build(config(&cluster.url()))
        .await
        .unwrap();
    tokio::task::block_in_place(|| cluster.stop());
    let t = Instant::now();
    let h = pool.health_check_within(Duration::from_secs(2)).await;
    assert!(!h.ok);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    let err = h.error.unwrap();
    assert!(
        !err.contains("localhost") && !err.contains(APP_PASSWORD),
        "{err}"
    );
}

#[tokio::test]
async fn production_refuses_a_superuser_and_weak_sslmode_at_startup() {
    let mut cfg = config(&valid().superuser_url());
    cfg.set_environment(Environment::Production);
    let e = expect_err(Pool::builder().build(cfg).await);
    assert_eq!(e.kind(), ErrorKind::Configuration);
    assert!(e.to_string().contains("role-is-superuser"), "{e}");
    assert!(e.detail().to_string().contains("dedicated role"), "{e:#}");
    // require in production: refused unless explicitly allowed.
    let url = valid().url() + "&sslmode=require";
    let mut cfg = config(&url);
    cfg.set_environment(Environment::Production);
    let e = expect_err(Pool::builder().build(cfg.clone()).await);
    assert!(e.to_string().contains("sslmode-not-verify-full"), "{e}");
    Pool::builder()
        .dangerous_allow_sslmode_below_verify_full()
        .build(cfg)
        .await
        .unwrap();
    // Outside production the same superuser pool starts (with warnings).
    let mut cfg: Config = config(&valid().superuser_url());
    cfg.set_environment(Environment::Development);
    Pool::builder().build(cfg).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serialization_failures_are_retried_to_the_right_total() {
    let pool = Pool::builder()
        .max_size(4)
        .build(config(&valid().url()))
        .await
        .unwrap();
    {
        let c = pool.get().await.unwrap();
        c.client()
            .batch_execute(
                "DROP TABLE IF EXISTS counter; CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); \
                 INSERT INTO counter VALUES (1, 0)",
            )
            .await
            .unwrap();
    }
    let retried = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let pool = pool.clone();
        let retried = retried.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                let retried = retried.clone();
                pool.transaction_with(
                    TransactionOptions::serializable().max_attempts(50),
                    move |tx| {
                        let retried = retried.clone();
                        Box::pin(async move {
                            let (n,): (i32,) =
                                secure_query_as!((i32,), "SELECT n FROM counter WHERE id = 1")
                                    .fetch_one(&*tx)
                                    .await?;
                            tokio::time::sleep(Duration::from_millis(2)).await;
                            let r = secure_query!("UPDATE counter SET n = $1 WHERE id = 1", n + 1)
                                .execute(&*tx)
                                .await;
                            if r.as_ref().is_err_and(|e| e.is_retryable()) {
                                retried.fetch_add(1, Ordering::Relaxed);
                            }
                            r.map(|_| ())
                        })
                    },
                )
                .await
                .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let (n,): (i32,) = secure_query_as!((i32,), "SELECT n FROM counter WHERE id = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 40, "every increment applied exactly once");
    assert!(
        retried.load(Ordering::Relaxed) > 0,
        "no serialization failure happened"
    );
}

#[tokio::test]
async fn session_changes_made_through_the_macros_are_reset_too() {
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&valid().url()))
        .await
        .unwrap();
    secure_query!(
        "SELECT set_config('application_name', $1, false)",
        "changed-by-caller"
    )
    .execute(&pool)
    .await
    .unwrap();
    secure_query!("SET work_mem = '7MB'")
        .execute(&pool)
        .await
        .unwrap();
    let (name, mem): (String, String) = secure_query_as!(
        (String, String),
        "SELECT current_setting('application_name'), current_setting('work_mem')"
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_ne!(name, "changed-by-caller");
    assert_ne!(mem, "7MB");
    // An ordinary query does not mark the connection.
    let conn = pool.get().await.unwrap();
    secure_query!("SELECT 1").execute(&conn).await.unwrap();
    let cached = conn.cached_statements();
    drop(conn);
    let conn = pool.get().await.unwrap();
    assert_eq!(conn.cached_statements(), cached);
}

// ----- session state is reset when a connection returns ----------------------

/// Waits until every connection of `pool` is idle: a connection being reset
/// on return is still checked out until its reset is done.
async fn until_idle(pool: &Pool) {
    let t = Instant::now();
    while pool.state().idle != pool.state().connections {
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", pool.state());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// What a separate superuser connection sees of backend `pid` while it is
/// idle in the pool: its state and last statement, the advisory locks it
/// holds, and the temporary tables named `name` (cursors cannot be seen
/// from outside; they are checked from inside at the next checkout).
async fn seen_from_outside(admin: &Pool, pid: i32, name: &str) -> (String, String, i64, i64) {
    secure_query_as!(
        (String, String, i64, i64),
        "SELECT a.state, a.query, \
         (SELECT count(*) FROM pg_locks l WHERE l.pid = $1 AND l.locktype = 'advisory'), \
         (SELECT count(*) FROM pg_class c WHERE c.relname = $2 AND c.relpersistence = 't') \
         FROM pg_stat_activity a WHERE a.pid = $1",
        pid,
        name
    )
    .fetch_one(admin)
    .await
    .unwrap()
}

/// The reset keeps the protocol-level statements: the pool's cached ones,
/// and tokio-postgres's own, with which it looks up user types. When the
/// reset was `DISCARD ALL`, the client kept using the latter after they
/// were gone, and the first enum type read after a reset failed with
/// `prepared statement "sN" does not exist`. Statements prepared with
/// SQL's `PREPARE` are still dropped.
#[tokio::test]
async fn a_reset_keeps_the_clients_statements_and_drops_sql_prepared_ones() {
    let cluster = valid();
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&cluster.url()))
        .await
        .unwrap();
    let conn = pool.get().await.unwrap();
    conn.client()
        .batch_execute(
            "DROP TYPE IF EXISTS reset_first, reset_later; \
             CREATE TYPE reset_first AS ENUM ('a'); CREATE TYPE reset_later AS ENUM ('b')",
        )
        .await
        .unwrap();
    drop(conn);
    until_idle(&pool).await;
    let conn = pool.get().await.unwrap();
    // A first user type looked up: tokio-postgres prepares its lookups.
    let (a,): (String,) = secure_query_as!((String,), "SELECT 'a'::reset_first")
        .fetch_one(&conn)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(a, "a");
    secure_query!("PREPARE by_sql AS SELECT 1")
        .execute(&conn)
        .await
        .unwrap();
    secure_query!("SELECT set_config('app.reset_probe', 'x', false)")
        .execute(&conn)
        .await
        .unwrap();
    let cached = conn.cached_statements();
    assert!(cached >= 2, "{cached}");
    drop(conn);
    until_idle(&pool).await;

    let conn = pool.get().await.unwrap();
    assert_eq!(conn.cached_statements(), cached);
    let (by_sql, probe): (i64, Option<String>) = secure_query_as!(
        (i64, Option<String>),
        "SELECT (SELECT count(*) FROM pg_prepared_statements WHERE from_sql), \
                current_setting('app.reset_probe', true)"
    )
    .fetch_one(&conn)
    .await
    .unwrap();
    assert_eq!(by_sql, 0, "a statement of SQL's PREPARE outlived the reset");
    assert!(probe.unwrap_or_default().is_empty());
    // Another user type, first looked up after the reset.
    let (b,): (String,) = secure_query_as!((String,), "SELECT 'b'::reset_later")
        .fetch_one(&conn)
        .await
        .unwrap_or_else(|e| panic!("a user type after a reset: {e:#}"));
    assert_eq!(b, "b");

    // A transaction left open through the raw client (a migration's run
    // dropped mid-way) is rolled back by the reset, which then runs
    // outside it: its write and its lock are gone, the connection stays.
    conn.client()
        .batch_execute("CREATE TABLE IF NOT EXISTS reset_left_open (v int)")
        .await
        .unwrap();
    conn.client()
        .batch_execute("BEGIN; INSERT INTO reset_left_open VALUES (1); SELECT pg_advisory_lock(77)")
        .await
        .unwrap();
    let pid = conn
        .client()
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get::<_, i32>(0);
    drop(conn);
    until_idle(&pool).await;
    let (same, rows, locks): (i32, i64, i64) = secure_query_as!(
        (i32, i64, i64),
        "SELECT pg_backend_pid(), (SELECT count(*) FROM reset_left_open), \
                (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory')"
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((same, rows, locks), (pid, 0, 0));
}

#[tokio::test]
async fn session_state_is_reset_when_the_connection_returns_not_at_the_next_checkout() {
    let cluster = valid();
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&cluster.url()))
        .await
        .unwrap();
    let admin = Pool::builder()
        .max_size(1)
        .build(config(&cluster.superuser_url()))
        .await
        .unwrap();
    let pid = backend_pid(&pool).await;
    // Each flagged statement, through the macros on one checkout, and then
    // all at once.
    for step in 0..5 {
        let conn = pool.get().await.unwrap();
        if step == 0 || step == 4 {
            secure_query!("SELECT set_config('app.tenant_id', $1, false)", "7")
                .execute(&conn)
                .await
                .unwrap();
        }
        if step == 1 || step == 4 {
            secure_query!("CREATE TEMP TABLE scratch_on_return (v int)")
                .execute(&conn)
                .await
                .unwrap();
        }
        if step == 2 || step == 4 {
            secure_query!("SELECT pg_advisory_lock($1)", 4242_i64)
                .execute(&conn)
                .await
                .unwrap();
        }
        if step == 3 || step == 4 {
            secure_query!("DECLARE held_cursor CURSOR WITH HOLD FOR SELECT 1")
                .execute(&conn)
                .await
                .unwrap();
        }
        let before = seen_from_outside(&admin, pid, "scratch_on_return").await;
        // Still checked out: the state is there to be reset.
        assert!(!before.1.starts_with(RESET), "{before:?}");
        let locks = if step == 2 || step == 4 { 1 } else { 0 };
        let temps = if step == 1 || step == 4 { 1 } else { 0 };
        assert_eq!(
            (before.2, before.3),
            (locks, temps),
            "step {step}: {before:?}"
        );
        drop(conn);
        // Idle in the pool, not yet checked out again: already clean, and
        // its last statement was the reset.
        until_idle(&pool).await;
        let after = seen_from_outside(&admin, pid, "scratch_on_return").await;
        assert_eq!(
            (
                after.0.as_str(),
                after.1.starts_with(RESET),
                after.2,
                after.3
            ),
            ("idle", true, 0, 0),
            "step {step}: {after:?}"
        );
        // Another session can take the lock while the pool is idle.
        let (free,): (bool,) = secure_query_as!(
            (bool,),
            "SELECT pg_try_advisory_lock($1) AND pg_advisory_unlock($1)",
            4242_i64
        )
        .fetch_one(&admin)
        .await
        .unwrap();
        assert!(free, "step {step}: the advisory lock outlived the return");
        // The next checkout of the one connection: nothing left, and no
        // reset was due any more (its statement cache fills again).
        let conn = pool.get().await.unwrap();
        let row = secure_query_as!(
            (i32, Option<String>, i64, i64),
            "SELECT pg_backend_pid(), current_setting('app.tenant_id', true), \
             (SELECT count(*) FROM pg_class WHERE relname = 'scratch_on_return' \
                 AND relpersistence = 't'), \
             (SELECT count(*) FROM pg_cursors WHERE name = 'held_cursor')"
        )
        .fetch_one(&conn)
        .await
        .unwrap();
        assert_eq!(row.0, pid, "max_size 1: the same connection");
        assert!(
            row.1.as_deref().unwrap_or("").is_empty(),
            "step {step}: {row:?}"
        );
        assert_eq!((row.2, row.3), (0, 0), "step {step}: {row:?}");
    }
}

#[tokio::test]
async fn a_waiter_never_gets_a_connection_mid_reset() {
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&valid().url()))
        .await
        .unwrap();
    for _ in 0..20 {
        let conn = pool.get().await.unwrap();
        secure_query!("SELECT set_config('app.tenant_id', $1, false)", "7")
            .execute(&conn)
            .await
            .unwrap();
        // Queued behind the checkout before it is returned.
        let waiter = {
            let pool = pool.clone();
            tokio::spawn(async move {
                let conn = pool.get().await.unwrap();
                secure_query_as!(
                    (Option<String>,),
                    "SELECT current_setting('app.tenant_id', true)"
                )
                .fetch_one(&conn)
                .await
                .unwrap()
                .0
            })
        };
        tokio::task::yield_now().await;
        drop(conn);
        let setting = waiter.await.unwrap();
        assert!(setting.as_deref().unwrap_or("").is_empty(), "{setting:?}");
    }
}

// ----- posture: tenant keys that leave the tenant column out -----------------

#[tokio::test]
async fn health_reports_unique_and_foreign_keys_that_leave_the_tenant_out() {
    let cluster = valid();
    cluster.psql("CREATE DATABASE posture_keys OWNER app");
    cluster.psql_db(
        "posture_keys",
        "SET ROLE app;
         CREATE TABLE currencies (code text PRIMARY KEY);
         CREATE TABLE owners (tenant_id bigint NOT NULL, id bigint NOT NULL,
             PRIMARY KEY (tenant_id, id));
         CREATE TABLE good_items (tenant_id bigint NOT NULL, id bigint NOT NULL,
             sku text NOT NULL, owner_id bigint, currency text REFERENCES currencies (code),
             PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, sku),
             FOREIGN KEY (tenant_id, owner_id) REFERENCES owners (tenant_id, id));
         CREATE UNIQUE INDEX good_items_lower_sku ON good_items (tenant_id, lower(sku));
         CREATE TABLE bad_owners (tenant_id bigint NOT NULL, id bigint PRIMARY KEY);
         CREATE TABLE bad_items (tenant_id bigint NOT NULL, id bigint PRIMARY KEY,
             sku text NOT NULL CONSTRAINT bad_items_sku_key UNIQUE,
             owner_id bigint CONSTRAINT bad_items_owner_fk REFERENCES bad_owners (id));
         CREATE UNIQUE INDEX bad_items_lower_sku ON bad_items (lower(sku));",
    );
    let url = cluster.url().replacen("/app?", "/posture_keys?", 1);
    let pool = Pool::builder().build(config(&url)).await.unwrap();
    let h = pool.health_check().await;
    assert!(h.ok, "{h:?}");
    let found: Vec<_> = h
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::TenantKeyOmitsTenant)
        .collect();
    assert_eq!(found.len(), 1, "{h:?}");
    let f = found[0];
    assert_eq!(f.severity, secure_pg::Severity::Warning);
    assert_eq!(f.code.as_str(), "tenant-key-omits-tenant-column");
    assert!(
        f.message.starts_with(
            "5 key(s) on tables with a tenant_id column leave tenant_id out: \
             foreign key bad_items_owner_fk on bad_items, \
             unique key bad_items_lower_sku on bad_items, \
             unique key bad_items_pkey on bad_items, \
             unique key bad_items_sku_key on bad_items, \
             unique key bad_owners_pkey on bad_owners. "
        ),
        "{f}"
    );
    assert!(f.message.contains("unique-violation errors"), "{f}");
    assert!(f.message.contains("put tenant_id in those keys"), "{f}");
    // Another tenant column: these tables have none, so nothing to report.
    let pool = Pool::builder()
        .tenant_column("org_id")
        .build(config(&url))
        .await
        .unwrap();
    let h = pool.health_check().await;
    assert!(h.ok, "{h:?}");
    assert!(
        h.findings
            .iter()
            .all(|f| f.code != FindingCode::TenantKeyOmitsTenant),
        "{h:?}"
    );
}

/// Session state made where the keyword classifier cannot see it: inside a
/// SQL function, and a temporary table named through `pg_temp.`. Both mark
/// the connection since `secure_pg_sql::session` flags calls of functions
/// not known to be session neutral and any `pg_temp` (merged from t12-sql).
#[tokio::test]
async fn session_state_made_through_a_function_or_pg_temp_does_not_survive_the_return() {
    let cluster = valid();
    cluster.psql_db(
        "app",
        "CREATE OR REPLACE FUNCTION public.remember_tenant(t text) RETURNS text \
         LANGUAGE sql AS $$ SELECT set_config('app.tenant_id', t, false) $$",
    );
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&cluster.url()))
        .await
        .unwrap();
    let admin = Pool::builder()
        .max_size(1)
        .build(config(&cluster.superuser_url()))
        .await
        .unwrap();
    let pid = backend_pid(&pool).await;
    secure_query!("SELECT public.remember_tenant($1)", "7")
        .execute(&pool)
        .await
        .unwrap();
    until_idle(&pool).await;
    let (setting,): (Option<String>,) = secure_query_as!(
        (Option<String>,),
        "SELECT current_setting('app.tenant_id', true)"
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(setting.as_deref().unwrap_or("").is_empty(), "{setting:?}");

    secure_query!("CREATE TABLE pg_temp.shadow_on_return (v int)")
        .execute(&pool)
        .await
        .unwrap();
    until_idle(&pool).await;
    let after = seen_from_outside(&admin, pid, "shadow_on_return").await;
    assert_eq!(
        (after.0.as_str(), after.1.starts_with(RESET), after.3),
        ("idle", true, 0),
        "{after:?}"
    );
}

/// A query future dropped mid-statement (a `pg_sleep(20)`, outside a
/// transaction): the statement is cancelled and the connection brought back
/// to rest before the next caller of a pool of one gets it, which then
/// neither waits for the sleep nor sees it running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_dropped_mid_statement_is_cancelled_before_the_next_checkout() {
    let cluster = valid();
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&format!(
            "{}&application_name=t14_dropped",
            cluster.url()
        )))
        .await
        .unwrap();
    let before = backend_pid(&pool).await;
    let p2 = pool.clone();
    let running =
        tokio::spawn(async move { secure_query!("SELECT pg_sleep(20)").execute(&p2).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    running.abort();
    let _ = running.await;
    let t = Instant::now();
    let r = tokio::time::timeout(
        Duration::from_secs(10),
        secure_query_as!(
            (i32, i64),
            "SELECT pg_backend_pid(), (SELECT count(*) FROM pg_stat_activity \
             WHERE application_name = 't14_dropped' AND state = 'active' \
             AND pid <> pg_backend_pid())"
        )
        .fetch_one(&pool),
    )
    .await;
    let took = t.elapsed();
    let (after, active) = r
        .expect("the next checkout waited for the dropped statement")
        .unwrap();
    assert_eq!(active, 0, "the dropped statement is still running");
    assert_eq!(after, before, "the cancelled connection is reusable");
    secure_pg_tests::note(&format!(
        "t14 dropped query: next checkout answered in {took:?}"
    ));
    assert!(took < Duration::from_secs(5), "{took:?}");
}

/// A credential provider that never answers cannot hang connects: the
/// fetch is inside connect_timeout, no lock is held across it, and the
/// next connect asks again.
#[tokio::test]
async fn a_hung_credential_provider_is_bounded_by_connect_timeout() {
    use secure_pg::credentials::{Credential, FnProvider};
    let cluster = valid();
    let calls = Arc::new(AtomicU64::new(0));
    let c2 = calls.clone();
    let pool = Pool::builder()
        .max_size(2)
        .lazy(true)
        .checkout_timeout(Duration::from_secs(10))
        .credentials(FnProvider::new(move || {
            let n = c2.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    std::future::pending::<()>().await;
                }
                Ok(Credential::new(APP_PASSWORD))
            }
        }))
        .build(config(&format!("{}&connect_timeout=1", cluster.url())))
        .await
        .unwrap();
    let t = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(20), pool.get()).await;
    let took = t.elapsed();
    let e = checked(r.expect("the checkout hung").unwrap_err());
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:#}");
    assert!(
        e.detail().to_string().contains("credential provider"),
        "{e:#}"
    );
    assert!(took < Duration::from_secs(6), "{took:?}");
    // A checkout within one connect timeout of that failure reports it
    // (the pool has no connection); after that, a new connect asks again.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let r = tokio::time::timeout(Duration::from_secs(20), backend_pid(&pool)).await;
    assert!(r.expect("the next connect hung behind the first fetch") != 0);
    assert!(calls.load(Ordering::SeqCst) >= 2);
}
