//! Behind a real PgBouncer in transaction pooling mode: the default
//! statement cache breaks (and says what to change), the PgBouncer-safe
//! mode works for every method, transactions and retries, and the
//! `pg_stat_ssl` check sees a plaintext PgBouncer → PostgreSQL leg.

use futures_util::TryStreamExt;
use secure_pg::{secure_query, secure_query_as, ErrorKind, FromRow, Pool, TransactionOptions};
use secure_pg_tests::pgbouncer::PgBouncer;
use secure_pg_tests::{shared, ClusterSpec, ServerCert};

use crate::support::{checked, config, expect_err};

#[derive(Debug, FromRow, PartialEq)]
struct Item {
    id: i64,
    label: String,
    note: Option<String>,
}

async fn setup(bouncer: &PgBouncer, table: &str) {
    // Through PgBouncer, so the table is where the pooled sessions look.
    let (client, _) = secure_pg::connect(&config(&bouncer.url())).await.unwrap();
    client
        .batch_execute(&format!(
            "DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id bigint PRIMARY KEY, label text NOT NULL, note text)"
        ))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_statement_cache_breaks_behind_pgbouncer_and_says_what_to_change() {
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    let bouncer = tokio::task::block_in_place(|| PgBouncer::start(&cluster, true));
    // Several clients, two server connections behind PgBouncer: a statement
    // prepared in one transaction is executed in another, on whichever
    // server connection is free.
    let pool = Pool::builder()
        .max_size(4)
        .build(config(&bouncer.url()))
        .await
        .unwrap();
    // Which transactions meet on which server connection depends on timing:
    // repeat the burst until a clash shows (almost always the first round).
    let mut failure = None;
    for _round in 0..20 {
        let mut tasks = Vec::new();
        for t in 0..4_i64 {
            let pool = pool.clone();
            tasks.push(tokio::spawn(async move {
                let conn = pool.get().await.unwrap();
                let mut failure = None;
                for i in 0..25_i64 {
                    if let Err(e) = secure_query_as!((i64,), "SELECT $1::bigint + 1", t * 100 + i)
                        .fetch_one(&conn)
                        .await
                    {
                        failure = Some(e);
                    }
                }
                failure
            }));
        }
        for t in tasks {
            if let Some(e) = t.await.unwrap() {
                failure = Some(checked(e));
            }
        }
        if failure.is_some() {
            break;
        }
    }
    let e = failure.expect("named prepared statements must clash behind PgBouncer");
    assert!(
        e.detail().to_string().contains(".statement_cache(false)"),
        "{e:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pgbouncer_safe_mode_runs_every_method_transactions_and_retries() {
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    let bouncer = tokio::task::block_in_place(|| PgBouncer::start(&cluster, true));
    setup(&bouncer, "bounced_items").await;
    let pool = Pool::builder()
        .max_size(4)
        .statement_cache(false)
        .build(config(&bouncer.url()))
        .await
        .unwrap();
    // TLS on the client leg, and the server reports TLS on its leg.
    let conn = pool.get().await.unwrap();
    assert_eq!(conn.info().tls.as_ref().unwrap().version, "TLSv1.3");
    drop(conn);
    let mut tasks = Vec::new();
    for t in 0..4_i64 {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..10_i64 {
                let id = t * 100 + i;
                let note: Option<&str> = (i % 2 == 0).then_some("even");
                let n = secure_query!(
                    "INSERT INTO bounced_items (id, label, note) VALUES ($1, $2, $3)",
                    id,
                    format!("item {id}"),
                    note
                )
                .execute(&pool)
                .await
                .unwrap();
                assert_eq!(n, 1);
                let item = secure_query_as!(
                    Item,
                    "SELECT id, label, note FROM bounced_items WHERE id = $1",
                    id
                )
                .fetch_one(&pool)
                .await
                .unwrap();
                assert_eq!(item.label, format!("item {id}"));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let all: Vec<Item> = secure_query_as!(
        Item,
        "SELECT id, label, note FROM bounced_items ORDER BY id"
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(all.len(), 40);
    let none = secure_query_as!(
        Item,
        "SELECT id, label, note FROM bounced_items WHERE id = $1",
        -1_i64
    )
    .fetch_optional(&pool)
    .await
    .unwrap();
    assert!(none.is_none());
    let streamed: Vec<Item> = secure_query_as!(
        Item,
        "SELECT id, label, note FROM bounced_items WHERE id = ANY($1)",
        vec![1_i64, 2, 3]
    )
    .fetch(&pool)
    .await
    .unwrap()
    .try_collect()
    .await
    .unwrap();
    assert_eq!(streamed.len(), 3);
    // Transactions: rollback on Err, commit on Ok, serializable retries.
    let r: Result<(), secure_pg::Error> = pool
        .transaction(|tx| {
            Box::pin(async move {
                secure_query!("DELETE FROM bounced_items WHERE id < $1", 1000_i64)
                    .execute(&*tx)
                    .await?;
                Err(secure_pg::Error::from_kind(ErrorKind::Database))
            })
        })
        .await;
    assert!(r.is_err());
    let (n,): (i64,) = secure_query_as!((i64,), "SELECT count(*) FROM bounced_items")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 40, "the failed transaction was rolled back");
    pool.transaction_with(TransactionOptions::serializable(), |tx| {
        Box::pin(async move {
            secure_query!(
                "UPDATE bounced_items SET note = $1 WHERE id = $2",
                "tx",
                1_i64
            )
            .execute(&*tx)
            .await?;
            Ok(())
        })
    })
    .await
    .unwrap();
    let item = secure_query_as!(
        Item,
        "SELECT id, label, note FROM bounced_items WHERE id = $1",
        1_i64
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(item.note.as_deref(), Some("tx"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plaintext_leg_behind_the_pooler_is_seen_and_refused() {
    let plain = shared(ClusterSpec::plaintext());
    let bouncer = tokio::task::block_in_place(|| PgBouncer::start(&plain, false));
    // The client's TLS to PgBouncer is perfect; pg_stat_ssl of the server
    // session says the last leg is plaintext.
    let e = expect_err(secure_pg::connect(&config(&bouncer.url())).await);
    assert_eq!(e.kind(), ErrorKind::TlsRequired, "{e:#}");
    assert!(e.detail().to_string().contains("unencrypted"), "{e:#}");
}

/// Copies in and out behind PgBouncer in transaction mode, from several
/// pools at once over its two server connections: each copy's statements
/// (the types it prepares, the `COPY`, closing them) reach one server
/// connection, and every row arrives once. Before, they ran as separate
/// transactions and failed with `prepared statement "s4" does not exist`.
/// A copy out cannot be streamed on its own there (it would need a
/// transaction that outlives the call), and says what to use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_in_and_out_run_behind_pgbouncer() {
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    let bouncer = tokio::task::block_in_place(|| PgBouncer::start(&cluster, true));
    setup(&bouncer, "bounced_copies").await;
    let mut tasks = Vec::new();
    for t in 0..4_i64 {
        let url = bouncer.url();
        tasks.push(tokio::spawn(async move {
            let pool = Pool::builder()
                .max_size(2)
                .statement_cache(false)
                .build(config(&url))
                .await
                .unwrap();
            for round in 0..5_i64 {
                let base = t * 100_000 + round * 1_000;
                let rows: Vec<i64> = (base..base + 1_000).collect();
                let n = secure_pg::secure_copy_in!("bounced_copies (id, label)", &rows, |id| (
                    *id,
                    format!("copied {id}")
                ))
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("copy in, task {t} round {round}: {e:#}"));
                assert_eq!(n, 1_000);
                let out = secure_pg::secure_copy_out!(
                    (i64, String, Option<String>),
                    "bounced_copies (id, label, note)"
                )
                .fetch_all(&pool)
                .await
                .unwrap_or_else(|e| panic!("copy out, task {t} round {round}: {e:#}"));
                assert!(out.len() >= 1_000 * (round as usize + 1));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let pool = Pool::builder()
        .max_size(1)
        .statement_cache(false)
        .build(config(&bouncer.url()))
        .await
        .unwrap();
    let (n, distinct): (i64, i64) = secure_query_as!(
        (i64, i64),
        "SELECT count(*), count(DISTINCT id) FROM bounced_copies"
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((n, distinct), (20_000, 20_000));
    let e = expect_err(
        secure_pg::secure_copy_out!((i64,), "bounced_copies (id)")
            .fetch(&pool)
            .await,
    );
    assert_eq!(e.kind(), ErrorKind::Configuration, "{e:#}");
    assert!(format!("{e:#}").contains("for_each"), "{e:#}");
    // Inside a transaction the stream is fine.
    let streamed = pool
        .transaction(|tx| {
            Box::pin(async move {
                let stream = secure_pg::secure_copy_out!((i64,), "bounced_copies (id)")
                    .fetch(&*tx)
                    .await?;
                let rows: Vec<(i64,)> = stream.try_collect().await?;
                Ok(rows.len())
            })
        })
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(streamed, 20_000);
}
