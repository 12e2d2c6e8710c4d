//! A bounded soak: concurrent transfers through the pool while the harness
//! terminates backends, rotates the password and restarts the server. At
//! the end the money adds up, every acknowledged transfer is recorded
//! exactly once, and the pool holds nothing it should not.
//!
//! Its own binary and cluster: it restarts the server. Prints the error
//! counts per kind (`--nocapture`), which the guide's reliability chapter
//! quotes.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use secure_pg::credentials::FilePassword;
use secure_pg::{secure_query, secure_query_as, Config, Pool, TransactionOptions};
use secure_pg_tests::{Cluster, ClusterSpec, ServerCert, APP_PASSWORD};

const ACCOUNTS: i64 = 20;
const START_BALANCE: i64 = 1_000;
const TASKS: usize = 12;
const DURATION: Duration = Duration::from_secs(16);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_survive_restarts_terminations_and_rotation() {
    let cluster = Arc::new(Cluster::start(ClusterSpec::tls(ServerCert::Valid)));
    let dir = secure_pg_tests::temp_dir("soak-secret");
    let secret = dir.join("pw");
    std::fs::write(&secret, format!("{APP_PASSWORD}\n")).unwrap();
    let mut config = Config::parse_with_env(&cluster.url(), |_| None).unwrap();
    config.set_password(None);
    let pool = Pool::builder()
        .max_size(6)
        .checkout_timeout(Duration::from_secs(3))
        .credentials(FilePassword::new(&secret))
        .build(config)
        .await
        .unwrap();
    pool.get()
        .await
        .unwrap()
        .client()
        .batch_execute(&format!(
            "CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
             CREATE TABLE transfers (id bigint PRIMARY KEY, src bigint NOT NULL, dst bigint NOT NULL, amount bigint NOT NULL);
             INSERT INTO accounts SELECT g, {START_BALANCE} FROM generate_series(1, {ACCOUNTS}) g;"
        ))
        .await
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::<i64>::new()));
    let errors = Arc::new(Mutex::new(BTreeMap::<String, u64>::new()));
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let (pool, stop, acked, errors) = (
            pool.clone(),
            stop.clone(),
            acknowledged.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = 0_i64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let id = (task as i64) * 1_000_000 + n;
                let src = 1 + (id * 7) % ACCOUNTS;
                let dst = 1 + (id * 13 + 5) % ACCOUNTS;
                if src == dst {
                    continue;
                }
                let amount = 1 + id % 5;
                let result = pool
                    .transaction_with(TransactionOptions::serializable().max_attempts(10), move |tx| {
                        Box::pin(async move {
                            let moved = secure_query!(
                                "UPDATE accounts SET balance = balance - $1 WHERE id = $2 AND balance >= $1",
                                amount,
                                src
                            )
                            .execute(&*tx)
                            .await?;
                            if moved == 1 {
                                secure_query!("UPDATE accounts SET balance = balance + $1 WHERE id = $2", amount, dst)
                                    .execute(&*tx)
                                    .await?;
                                secure_query!(
                                    "INSERT INTO transfers (id, src, dst, amount) VALUES ($1, $2, $3, $4)",
                                    id,
                                    src,
                                    dst,
                                    amount
                                )
                                .execute(&*tx)
                                .await?;
                            }
                            Ok(moved == 1)
                        })
                    })
                    .await;
                match result {
                    Ok(true) => acked.lock().unwrap().push(id),
                    Ok(false) => {}
                    Err(e) => {
                        // Nothing of the error may carry the secrets.
                        let text = format!("{e:#} {e:?}");
                        assert!(!text.contains(APP_PASSWORD), "{text}");
                        *errors.lock().unwrap().entry(format!("{:?}", e.kind())).or_default() += 1;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
        }));
    }

    // The chaos, on a schedule.
    let started = Instant::now();
    let at = |s: u64| started + Duration::from_secs(s);
    let terminate = |c: &Cluster| {
        c.psql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'app'",
        );
    };
    tokio::time::sleep_until(at(3).into()).await;
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || terminate(&c))
        .await
        .unwrap();
    tokio::time::sleep_until(at(6).into()).await;
    let (c, s) = (cluster.clone(), secret.clone());
    tokio::task::spawn_blocking(move || {
        c.psql("ALTER ROLE app PASSWORD 'soak-rotated-pw'");
        std::fs::write(&s, "soak-rotated-pw\n").unwrap();
        terminate(&c);
    })
    .await
    .unwrap();
    tokio::time::sleep_until(at(9).into()).await;
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || {
        c.stop();
        std::thread::sleep(Duration::from_millis(500));
        c.restart();
    })
    .await
    .unwrap();
    tokio::time::sleep_until(at(13).into()).await;
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || terminate(&c))
        .await
        .unwrap();
    tokio::time::sleep_until((started + DURATION).into()).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }

    // The books balance.
    let (total,): (i64,) = secure_query_as!((i64,), "SELECT sum(balance)::bigint FROM accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        total,
        ACCOUNTS * START_BALANCE,
        "money was created or destroyed"
    );
    // Every acknowledged transfer is there, once (the id is the primary key,
    // so "once" is enforced; an unacknowledged one may have committed).
    let recorded: Vec<(i64,)> = secure_query_as!((i64,), "SELECT id FROM transfers")
        .fetch_all(&pool)
        .await
        .unwrap();
    let recorded: HashSet<i64> = recorded.into_iter().map(|r| r.0).collect();
    let acked = acknowledged.lock().unwrap().clone();
    let missing: Vec<_> = acked.iter().filter(|id| !recorded.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged transfers lost: {missing:?}"
    );
    assert_eq!(acked.len(), acked.iter().collect::<HashSet<_>>().len());
    // Balances agree with the ledger of recorded transfers.
    let (net,): (i64,) = secure_query_as!(
        (i64,),
        "SELECT (SELECT coalesce(sum(amount), 0) FROM transfers WHERE dst = 1)::bigint \
              - (SELECT coalesce(sum(amount), 0) FROM transfers WHERE src = 1)::bigint"
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let (b1,): (i64,) = secure_query_as!((i64,), "SELECT balance FROM accounts WHERE id = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(b1, START_BALANCE + net);
    // Nothing leaked from the pool.
    let state = pool.state();
    assert_eq!(state.in_use, 0, "{state:?}");
    assert!(state.connections <= state.max_size, "{state:?}");
    assert!(acked.len() > 100, "too little got through: {}", acked.len());
    eprintln!(
        "soak: {} acknowledged transfers in {:?}, {} recorded, errors by kind: {:?}",
        acked.len(),
        DURATION,
        recorded.len(),
        errors.lock().unwrap()
    );
}
