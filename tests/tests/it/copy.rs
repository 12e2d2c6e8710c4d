//! `secure_copy_in!` and `secure_copy_out!` against a real server: a
//! large load round-trips equal (read back by `SELECT` and by a copy out),
//! a bad row anywhere writes nothing, a dropped copy (in or out) leaves
//! the pool healthy, and a `#[tenant_scoped]` copy writes and reads only
//! the caller's tenant, through row-level security (`FORCE`, on a table
//! the role owns), which refuses a plain `COPY FROM` outright.
//!
//! The tests share the database `copying` and take a process-wide lock.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::StreamExt;
use secure_pg::{
    row_level_security_sql, secure_copy_in, secure_copy_out, secure_query, secure_query_as,
    tenant_scoped, Error, ErrorKind, Pool, TenantId, TransactionOptions,
};
use secure_pg_tests::{shared, Cluster, ClusterSpec, ServerCert};
use tokio::sync::{Mutex, MutexGuard};

use crate::support::{config, expect_err};

const DB: &str = "copying";

const SCHEMA: &str = "
SET ROLE app;
CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price double precision,
    active boolean NOT NULL, blob bytea, tags text[] NOT NULL, note text);
CREATE TABLE ledger (tenant_id bigint NOT NULL, id bigint NOT NULL, memo text NOT NULL,
    PRIMARY KEY (tenant_id, id));
CREATE TABLE journal (tenant_id bigint NOT NULL, id bigint NOT NULL, memo text NOT NULL);
";

fn cluster() -> Arc<Cluster> {
    shared(ClusterSpec::tls(ServerCert::Valid))
}

fn url() -> String {
    static READY: OnceLock<()> = OnceLock::new();
    let c = cluster();
    READY.get_or_init(|| {
        c.psql(&format!("CREATE DATABASE {DB} OWNER app"));
        c.psql_db(DB, SCHEMA);
        let rls = row_level_security_sql("ledger", "tenant_id").expect("valid names");
        c.psql_db(DB, &format!("SET ROLE app; {}", rls.join("; ")));
    });
    c.url().replacen("/app?", &format!("/{DB}?"), 1)
}

/// SQL as the superuser (bypasses row-level security): the referee.
fn su(sql: &str) -> Vec<String> {
    cluster()
        .psql_db(DB, sql)
        .lines()
        .map(str::to_owned)
        .collect()
}

static LOCK: Mutex<()> = Mutex::const_new(());

async fn env(max_size: u32) -> (Pool, MutexGuard<'static, ()>) {
    let guard = LOCK.lock().await;
    let url = url();
    su("TRUNCATE items, ledger, journal");
    let pool = Pool::builder()
        .max_size(max_size)
        .build(config(&url))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    (pool, guard)
}

#[derive(Debug, Clone, PartialEq)]
struct Item {
    id: i64,
    name: String,
    price: Option<f64>,
    active: bool,
    blob: Option<Vec<u8>>,
    tags: Vec<String>,
    note: Option<String>,
}

/// Rows with every shape of value: NULLs, empty strings and arrays,
/// non-ASCII text, bytes, and a string long enough to span a chunk.
fn items(n: i64) -> Vec<Item> {
    (1..=n)
        .map(|i| Item {
            id: i,
            name: match i % 5 {
                0 => String::new(),
                1 => format!("item {i} ünïcode ✓"),
                _ => format!("item-{i}"),
            },
            price: (i % 3 != 0).then(|| i as f64 / 7.0),
            active: i % 2 == 0,
            blob: (i % 4 == 0).then(|| vec![0, 255, (i % 251) as u8]),
            tags: (0..i % 3).map(|t| format!("t{t}")).collect(),
            note: match i {
                77 => Some("x".repeat(200_000)),
                _ if i % 6 == 0 => None,
                _ => Some(format!("n{i}")),
            },
        })
        .collect()
}

async fn load(db: &Pool, rows: &[Item]) -> Result<u64, Error> {
    secure_copy_in!(
        "items (id, name, price, active, blob, tags, note)",
        rows,
        |r| (
            r.id,
            r.name.as_str(),
            r.price,
            r.active,
            r.blob.as_deref(),
            &r.tags,
            r.note.as_deref()
        )
    )
    .execute(db)
    .await
}

async fn read_back(db: &Pool) -> Vec<Item> {
    secure_query_as!(
        (
            i64,
            String,
            Option<f64>,
            bool,
            Option<Vec<u8>>,
            Vec<String>,
            Option<String>
        ),
        "SELECT id, name, price, active, blob, tags, note FROM items ORDER BY id"
    )
    .fetch_all(db)
    .await
    .unwrap_or_else(|e| panic!("{e:#}"))
    .into_iter()
    .map(|(id, name, price, active, blob, tags, note)| Item {
        id,
        name,
        price,
        active,
        blob,
        tags,
        note,
    })
    .collect()
}

async fn count_items(db: &Pool) -> i64 {
    secure_query_as!((i64,), "SELECT count(*) FROM items")
        .fetch_one(db)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"))
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_rows_round_trip_equal() {
    let (pool, _g) = env(2).await;
    let rows = items(100_000);
    let written = load(&pool, &rows).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(written, 100_000);
    let back = read_back(&pool).await;
    assert_eq!(back.len(), rows.len());
    assert!(back == rows, "the rows read back differ from those copied");
    // The copy's connection went back to the pool at rest.
    assert_eq!(count_items(&pool).await, 100_000);
}

/// The row type of a copy out of `items`.
type ItemRow = (
    i64,
    String,
    Option<f64>,
    bool,
    Option<Vec<u8>>,
    Vec<String>,
    Option<String>,
);

fn item((id, name, price, active, blob, tags, note): ItemRow) -> Item {
    Item {
        id,
        name,
        price,
        active,
        blob,
        tags,
        note,
    }
}

/// A hundred thousand rows copied out equal those copied in, by
/// `fetch_all`, `for_each` and the stream, on a pool of one: each leaves
/// the connection at rest for the next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_rows_copy_out_equal() {
    let (pool, _g) = env(1).await;
    let rows = items(100_000);
    load(&pool, &rows).await.unwrap_or_else(|e| panic!("{e:#}"));
    let copy = || {
        secure_copy_out!(
            unscoped = "items has no tenant column",
            (
                i64,
                String,
                Option<f64>,
                bool,
                Option<Vec<u8>>,
                Vec<String>,
                Option<String>
            ),
            "items (id, name, price, active, blob, tags, note)"
        )
    };
    let mut back: Vec<Item> = copy()
        .fetch_all(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"))
        .into_iter()
        .map(item)
        .collect();
    back.sort_by_key(|i| i.id);
    assert!(
        back == rows,
        "the rows copied out differ from those copied in"
    );

    let mut seen = 0_i64;
    let mut sum = 0_i64;
    let n = copy()
        .for_each(&pool, |r| {
            seen += 1;
            sum += r.0;
        })
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!((n, seen, sum), (100_000, 100_000, 100_000 * 100_001 / 2));

    let mut stream = copy()
        .fetch(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let mut streamed = 0;
    while let Some(row) = stream.next().await {
        row.unwrap_or_else(|e| panic!("{e:#}"));
        streamed += 1;
    }
    drop(stream);
    assert_eq!(streamed, 100_000);
    assert_eq!(count_items(&pool).await, 100_000);
}

/// A stream dropped after a few rows of a large copy out, and a row type
/// that cannot read a column (an error at the first row, with the rest of
/// the copy still coming): the pool of one serves the next statements
/// right, and the error names the column, never a value.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_or_failed_copy_out_leaves_the_pool_healthy() {
    let (pool, _g) = env(1).await;
    load(&pool, &items(50_000)).await.unwrap();
    for _ in 0..3 {
        let mut stream = secure_copy_out!(
            unscoped = "items has no tenant column",
            (i64, String),
            "items (id, name)"
        )
        .fetch(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
        for _ in 0..10 {
            stream.next().await.expect("a row").expect("readable");
        }
        drop(stream);
        assert_eq!(count_items(&pool).await, 50_000);
    }
    let e = secure_copy_out!(
        unscoped = "items has no tenant column",
        (i64, i32),
        "items (id, name)"
    )
    .fetch_all(&pool)
    .await
    .expect_err("a text column read as i32");
    assert_eq!(e.kind(), ErrorKind::Decode, "{e:#}");
    let shown = format!("{e:#}");
    assert!(shown.contains("column `name`"), "{shown}");
    assert!(!shown.contains("item-"), "a value in the error: {shown}");
    assert_eq!(count_items(&pool).await, 50_000);
    let (one,) = secure_query_as!((i64,), "SELECT id FROM items WHERE id = $1", 7_i64)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_row_in_the_middle_writes_nothing() {
    let (pool, _g) = env(1).await;
    load(&pool, &items(10)).await.unwrap();
    // Row 50,000 breaks `NOT NULL` on the server, after 49,999 rows sent.
    let rows: Vec<(i64, Option<String>)> = (100..100_100)
        .map(|i| (i, (i != 50_099).then(|| format!("n{i}"))))
        .collect();
    let e = expect_err(
        secure_copy_in!("items (id, name, active, tags)", &rows, |r| (
            r.0,
            r.1.as_deref(),
            true,
            Vec::<String>::new()
        ))
        .execute(&pool)
        .await,
    );
    assert_eq!(e.kind(), ErrorKind::NotNullViolation, "{e:#}");
    assert_eq!(
        count_items(&pool).await,
        10,
        "no row of the failed copy stays"
    );

    // A value the column's type does not take is refused on this side,
    // before the copy ends (without a schema the macro cannot know the
    // column is `bigint`), and named by row and column, never by value.
    let rows: Vec<i32> = (1_000..1_010).collect();
    let e = expect_err(
        secure_copy_in!("items (id, name, active, tags)", &rows, |r| (
            *r,
            "secret-value",
            true,
            Vec::<String>::new()
        ))
        .execute(&pool)
        .await,
    );
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e:#}");
    let shown = format!("{e:#}");
    assert!(
        shown.contains("row 1 of the copy into `items`, column `id`")
            && shown.contains("`int8`")
            && shown.contains("nothing was written"),
        "{shown}"
    );
    assert!(
        !shown.contains("secret-value") && !shown.contains("1000"),
        "{shown}"
    );
    assert_eq!(count_items(&pool).await, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_copy_leaves_the_pool_healthy() {
    // One connection: the next statement must get the very connection the
    // dropped copy used.
    let (pool, _g) = env(1).await;
    let endless = (1_i64..).map(|i| (i, format!("row {i}")));
    let copy = secure_copy_in!("items (id, name, active, tags)", endless, |r| (
        r.0,
        r.1,
        false,
        Vec::<String>::new()
    ))
    .execute(&pool);
    let cut = tokio::time::timeout(Duration::from_millis(300), copy).await;
    assert!(cut.is_err(), "an endless copy ended: {cut:?}");
    // The copy is ended on the server before anyone else uses the
    // connection, and none of it was written.
    assert_eq!(count_items(&pool).await, 0);
    load(&pool, &items(3)).await.unwrap();
    assert_eq!(count_items(&pool).await, 3);
    let state = pool.state();
    assert!(state.connections <= 1, "{state:?}");

    // Inside a transaction: the transaction's connection is discarded, the
    // pool makes a new one.
    let r = tokio::time::timeout(
        Duration::from_millis(300),
        pool.transaction(|tx| {
            Box::pin(async move {
                let endless = (10_i64..).map(|i| (i, format!("row {i}")));
                secure_copy_in!("items (id, name, active, tags)", endless, |r| (
                    r.0,
                    r.1,
                    false,
                    Vec::<String>::new()
                ))
                .execute(&mut *tx)
                .await
            })
        }),
    )
    .await;
    assert!(r.is_err());
    assert_eq!(count_items(&pool).await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_runs_on_a_plain_client_and_in_a_transaction() {
    let (pool, _g) = env(2).await;
    let (client, _) = crate::support::try_connect(&url()).await.unwrap();
    let rows = items(500);
    let n = secure_copy_in!("items (id, name, active, tags)", &rows, |r| (
        r.id, &r.name, r.active, &r.tags
    ))
    .execute(&client)
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(n, 500);
    // In a transaction that rolls back, the copy is gone with it.
    let more = items(600);
    let r: Result<(), Error> = pool
        .transaction(|tx| {
            let more = more[500..].to_vec();
            Box::pin(async move {
                let n = secure_copy_in!("items (id, name, active, tags)", &more, |r| (
                    r.id, &r.name, r.active, &r.tags
                ))
                .execute(&mut *tx)
                .await?;
                assert_eq!(n, 100);
                let seen = secure_query_as!((i64,), "SELECT count(*) FROM items")
                    .fetch_one(&mut *tx)
                    .await?;
                assert_eq!(seen.0, 600, "the transaction sees its copy");
                Err(Error::from_kind(ErrorKind::InvalidInput).with_detail("roll back"))
            })
        })
        .await;
    assert!(r.is_err());
    assert_eq!(count_items(&pool).await, 500);
}

// ----- tenant-scoped copies --------------------------------------------------

const T1: TenantId = TenantId::from_authenticated(1);
const T2: TenantId = TenantId::from_authenticated(2);

#[tenant_scoped]
async fn import_ledger(db: &Pool, tenant: TenantId, rows: &[(i64, String)]) -> Result<u64, Error> {
    secure_copy_in!("ledger (id, memo)", rows, |r| (r.0, r.1.as_str()))
        .execute(db)
        .await
}

#[tenant_scoped]
async fn ledger_memos(db: &Pool, tenant: TenantId) -> Result<Vec<(i64, String)>, Error> {
    secure_query_as!((i64, String), "SELECT id, memo FROM ledger ORDER BY id")
        .fetch_all(db)
        .await
}

/// `(tenant, id, memo)` of every row, read by the superuser.
fn ledger() -> Vec<String> {
    su("SELECT tenant_id || ' ' || id || ' ' || memo FROM ledger ORDER BY 1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_scoped_copy_writes_only_the_callers_tenant() {
    let (pool, _g) = env(2).await;
    su("INSERT INTO ledger VALUES (2, 1, 'two-a'), (2, 7, 'two-b')");
    let before_t2: Vec<String> = ledger();
    let rows: Vec<(i64, String)> = (1..=2_000).map(|i| (i, format!("m{i}"))).collect();
    let n = import_ledger(&pool, T1, &rows)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(n, 2_000);
    let all = ledger();
    let t1: Vec<&String> = all.iter().filter(|r| r.starts_with("1 ")).collect();
    let t2: Vec<String> = all
        .iter()
        .filter(|r| r.starts_with("2 "))
        .cloned()
        .collect();
    assert_eq!(t1.len(), 2_000, "every row is the caller's tenant's");
    assert_eq!(t2, before_t2, "tenant 2's rows are untouched");
    assert_eq!(all.len(), 2_002);
    // Row-level security saw the rows too: tenant 1 reads its own.
    let mine = ledger_memos(&pool, T1).await.unwrap();
    assert_eq!(mine.len(), 2_000);
    assert_eq!(mine[0], (1, "m1".to_owned()));

    // A duplicate key in the middle: nothing is written, and the
    // connection is at rest again (the same pool serves the next call).
    let dup: Vec<(i64, String)> = (5_000..5_100)
        .chain([5_050])
        .map(|i| (i, format!("d{i}")))
        .collect();
    let e = expect_err(import_ledger(&pool, T2, &dup).await);
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e:#}");
    assert_eq!(ledger().len(), 2_002);
    assert_eq!(import_ledger(&pool, T2, &rows[100..105]).await.unwrap(), 5);
    assert_eq!(ledger_memos(&pool, T2).await.unwrap().len(), 5 + 2);

    // Inside a transaction for the same tenant, the copy joins it.
    let tx_rows: Vec<(i64, String)> = (9_000..9_010).map(|i| (i, format!("x{i}"))).collect();
    let n = pool
        .transaction_with(TransactionOptions::default().tenant(T1), |tx| {
            let tx_rows = tx_rows.clone();
            Box::pin(async move {
                let n = secure_copy_in!(
                    unscoped = "test: the rows carry the tenant",
                    "ledger (tenant_id, id, memo)",
                    &tx_rows,
                    |r| (1_i64, r.0, r.1.as_str())
                )
                .execute(&mut *tx)
                .await;
                // Row-level security refuses a plain COPY FROM into the
                // table, whatever the rows hold: the reason a scoped copy
                // goes through a staging table.
                let e = n.expect_err("COPY FROM under row-level security");
                assert_eq!(e.sqlstate().map(|c| c.code()), Some("0A000"), "{e:#}");
                // A COPY FROM refused before copy mode leaves tokio-postgres
                // one answer behind the server (it sent two `Sync`s); the
                // next statement would have taken the stray answer for its
                // own, so nothing more is sent on the connection.
                let next = secure_query!("SELECT 1").execute(&mut *tx).await;
                let e = next.expect_err("a statement after the refused copy");
                assert_eq!(e.kind(), ErrorKind::Connection, "{e:#}");
                Ok::<_, Error>(0_u64)
            })
        })
        .await;
    // The transaction cannot commit on that connection: it is discarded
    // and the server rolls the transaction back.
    let e = expect_err(n);
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:#}");
    assert_eq!(ledger().len(), 2_007);
    // The function's own scoped copy works inside a tenant transaction.
    let n = pool
        .transaction_with(TransactionOptions::default().tenant(T1), |tx| {
            let tx_rows = tx_rows.clone();
            Box::pin(async move { import_in_tx(tx, T1, &tx_rows).await })
        })
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(n, 10);
    assert_eq!(ledger_memos(&pool, T1).await.unwrap().len(), 2_010);
    let _ = secure_query!("SELECT 1").execute(&pool).await.unwrap();
}

#[tenant_scoped]
async fn export_ledger(db: &Pool, tenant: TenantId) -> Result<Vec<(i64, i64, String)>, Error> {
    secure_copy_out!((i64, i64, String), "ledger (tenant_id, id, memo)")
        .fetch_all(db)
        .await
}

/// `journal` has no row-level security: the copy's own filter is the
/// only wall.
#[tenant_scoped]
async fn export_journal(db: &Pool, tenant: TenantId) -> Result<Vec<(i64, i64)>, Error> {
    secure_copy_out!((i64, i64), "journal (tenant_id, id)")
        .fetch_all(db)
        .await
}

#[tenant_scoped]
async fn export_ledger_in_tx(
    tx: &mut secure_pg::Transaction<'_>,
    tenant: TenantId,
) -> Result<u64, Error> {
    secure_copy_out!((i64, String), "ledger (id, memo)")
        .for_each(tx, |_| {})
        .await
}

#[tenant_scoped]
async fn stream_ledger(db: &Pool, tenant: TenantId) -> Result<usize, Error> {
    let stream = secure_copy_out!((i64, String), "ledger (id, memo)")
        .fetch(db)
        .await?;
    Ok(stream.count().await)
}

/// A tenant-scoped copy out reads only the caller's rows (with row-level
/// security on, which shows an unscoped `COPY TO` no rows), in a
/// transaction of its own or the caller's; in a transaction for another
/// tenant it is refused, and it cannot be streamed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_scoped_copy_out_reads_only_the_callers_tenant() {
    let (pool, _g) = env(2).await;
    su(
        "INSERT INTO ledger SELECT t, i, 'm' || t || '-' || i FROM generate_series(1, 3) t, \
        generate_series(1, 1000) i",
    );
    for t in 1..=3_i64 {
        let mut rows = export_ledger(&pool, TenantId::from_authenticated(t))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        rows.sort();
        assert_eq!(rows.len(), 1_000, "tenant {t}");
        assert!(
            rows.iter().all(|r| r.0 == t),
            "tenant {t} read another's rows"
        );
        assert_eq!(rows[0], (t, 1, format!("m{t}-1")));
    }
    assert_eq!(
        export_ledger(&pool, TenantId::from_authenticated(9))
            .await
            .unwrap(),
        vec![]
    );
    // Row-level security filters a plain copy out of the table as it
    // filters a query: with no tenant set, it sees no rows.
    let unscoped = secure_copy_out!(
        unscoped = "test: what RLS does to a plain COPY TO",
        (i64,),
        "ledger (id)"
    )
    .fetch_all(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(unscoped, vec![], "an unscoped copy out saw a tenant's rows");
    // In the caller's transaction for the same tenant; refused for another.
    let n = pool
        .transaction_with(TransactionOptions::default().tenant(T2), |tx| {
            Box::pin(async move { export_ledger_in_tx(tx, T2).await })
        })
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(n, 1_000);
    let e = pool
        .transaction_with(TransactionOptions::default().tenant(T2), |tx| {
            Box::pin(async move { export_ledger_in_tx(tx, T1).await })
        })
        .await
        .expect_err("a copy for tenant 1 in tenant 2's transaction");
    assert_eq!(e.kind(), ErrorKind::TenantScope, "{e:#}");
    let e = stream_ledger(&pool, T1).await.expect_err("a scoped stream");
    assert_eq!(e.kind(), ErrorKind::TenantScope, "{e:#}");
    assert!(format!("{e:#}").contains("for_each"), "{e:#}");
    assert_eq!(ledger().len(), 3_000, "a copy out wrote nothing");

    // Without row-level security, the copy's own filter keeps the rows to
    // the caller's tenant.
    su(
        "INSERT INTO journal SELECT t, i, 'j' FROM generate_series(1, 3) t, \
        generate_series(1, 100) i",
    );
    for t in 1..=3_i64 {
        let rows = export_journal(&pool, TenantId::from_authenticated(t))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(rows.len(), 100, "tenant {t}");
        assert!(
            rows.iter().all(|r| r.0 == t),
            "tenant {t} read another's rows"
        );
    }
}

#[tenant_scoped]
async fn import_in_tx(
    tx: &mut secure_pg::Transaction<'_>,
    tenant: TenantId,
    rows: &[(i64, String)],
) -> Result<u64, Error> {
    secure_copy_in!("ledger (id, memo)", rows, |r| (r.0, r.1.as_str()))
        .execute(tx)
        .await
}
