//! Several hosts: a real primary and a streaming standby made with
//! `pg_basebackup`, `target_session_attrs` routing, and failover by
//! promotion without restarting the application.

use std::time::{Duration, Instant};

use secure_pg::{secure_query, secure_query_as, ErrorKind, Pool};
use secure_pg_tests::{
    certs::certs, Cluster, ClusterSpec, ServerCert, APP_DB, APP_PASSWORD, APP_USER,
};

use crate::support::{checked, config};

fn url(primary: &Cluster, standby: &Cluster, attrs: &str) -> String {
    format!(
        "postgres://{APP_USER}:{APP_PASSWORD}@localhost:{},localhost:{}/{APP_DB}?sslrootcert={}&target_session_attrs={attrs}&connect_timeout=3",
        primary.port,
        standby.port,
        certs().ca_file().display()
    )
}

async fn server_port(pool: &Pool) -> Result<i32, secure_pg::Error> {
    secure_query_as!((i32,), "SELECT inet_server_port()")
        .fetch_one(pool)
        .await
        .map(|r| r.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_go_where_asked_and_writes_survive_a_promotion() {
    let primary = Cluster::start(
        ClusterSpec::tls(ServerCert::Valid)
            .setting("synchronous_commit", "remote_apply")
            .setting("wal_level", "replica"),
    );
    let standby = tokio::task::block_in_place(|| primary.start_standby());
    // Every acknowledged commit is applied on the standby first.
    primary.psql("ALTER SYSTEM SET synchronous_standby_names = '*'");
    primary.reload();
    let deadline = Instant::now() + Duration::from_secs(30);
    while primary
        .psql("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'")
        .trim()
        != "1"
    {
        assert!(
            Instant::now() < deadline,
            "the standby never became synchronous"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let writer = Pool::builder()
        .max_size(2)
        .checkout_timeout(Duration::from_secs(5))
        .build(config(&url(&primary, &standby, "read-write")))
        .await
        .unwrap();
    let reader = Pool::builder()
        .max_size(2)
        .build(config(&url(&primary, &standby, "standby")))
        .await
        .unwrap();
    let preferring = Pool::builder()
        .max_size(1)
        .build(config(&url(&primary, &standby, "prefer-standby")))
        .await
        .unwrap();
    assert_eq!(server_port(&writer).await.unwrap(), primary.port as i32);
    assert_eq!(server_port(&reader).await.unwrap(), standby.port as i32);
    assert_eq!(server_port(&preferring).await.unwrap(), standby.port as i32);

    secure_query!("CREATE TABLE ledger (id bigint PRIMARY KEY, note text NOT NULL)")
        .execute(&writer)
        .await
        .unwrap();
    let mut acknowledged = Vec::new();
    for id in 0..20_i64 {
        secure_query!(
            "INSERT INTO ledger (id, note) VALUES ($1, $2)",
            id,
            "before failover"
        )
        .execute(&writer)
        .await
        .unwrap();
        acknowledged.push(id);
    }
    // The standby serves the reads, and already has every acknowledged row.
    let (n,): (i64,) = secure_query_as!((i64,), "SELECT count(*) FROM ledger")
        .fetch_one(&reader)
        .await
        .unwrap();
    assert_eq!(n, 20);
    // A write through the read pool is refused by the standby, not lost.
    let e = checked(
        secure_query!(
            "INSERT INTO ledger (id, note) VALUES ($1, $2)",
            999_i64,
            "wrong pool"
        )
        .execute(&reader)
        .await
        .unwrap_err(),
    );
    assert_eq!(
        e.sqlstate(),
        Some(&secure_pg::SqlState::READ_ONLY_SQL_TRANSACTION),
        "{e:#}"
    );

    // Failover: the primary goes away; the standby is promoted.
    tokio::task::block_in_place(|| primary.stop());
    // Before promotion there is no read-write server: writes fail, they are
    // never sent to the read-only standby.
    let e = checked(
        secure_query!(
            "INSERT INTO ledger (id, note) VALUES ($1, $2)",
            1000_i64,
            "nowhere"
        )
        .execute(&writer)
        .await
        .unwrap_err(),
    );
    assert!(
        matches!(e.kind(), ErrorKind::Connection | ErrorKind::PoolTimeout),
        "{e:#}"
    );
    tokio::task::block_in_place(|| standby.promote());

    // The same pool, no restart: writes reach the new primary.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut id = 20_i64;
    while id < 30 {
        match secure_query!(
            "INSERT INTO ledger (id, note) VALUES ($1, $2)",
            id,
            "after failover"
        )
        .execute(&writer)
        .await
        {
            Ok(_) => {
                acknowledged.push(id);
                id += 1;
            }
            Err(e) => {
                let e = checked(e);
                assert!(
                    Instant::now() < deadline,
                    "no write succeeded after promotion: {e:#}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    assert_eq!(server_port(&writer).await.unwrap(), standby.port as i32);
    let ids: Vec<(i64,)> = secure_query_as!((i64,), "SELECT id FROM ledger ORDER BY id")
        .fetch_all(&writer)
        .await
        .unwrap();
    let ids: Vec<i64> = ids.into_iter().map(|r| r.0).collect();
    assert_eq!(
        ids, acknowledged,
        "an acknowledged write was lost or duplicated"
    );
}
