//! The guide's code that queries, run against a real server: each block
//! of `secure-pg/src/guide/*.md` whose first line names this file is a
//! doctest there (so it compiles as written) and stands here line for line
//! (`examples/tests/examples.rs` checks it), with the tables it needs made
//! first. This module is not formatted by rustfmt (`main.rs`), so that its
//! lines stay the ones the guide shows.

use secure_pg::{Error, ErrorKind, Pool};
use secure_pg_tests::{shared, ClusterSpec, ServerCert};

use crate::support::config;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// A fresh database `name` owned by the app role, with `setup` run in it,
/// and a pool on it.
async fn database(name: &str, setup: &str) -> Pool {
    Pool::builder()
        .max_size(4)
        .build(config(&url(name, setup)))
        .await
        .expect("pool")
}

/// [`database`]'s URL.
fn url(name: &str, setup: &str) -> String {
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    c.psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    c.psql(&format!("CREATE DATABASE {name} OWNER app"));
    c.psql_db(name, &format!("SET ROLE app; {setup}"));
    let url = c.url();
    let (base, options) = url.split_once('?').expect("options");
    let (base, _) = base.rsplit_once('/').expect("a database");
    format!("{base}/{name}?{options}")
}

async fn balances(pool: &Pool) -> Vec<(i64, i64)> {
    secure_pg::secure_query_as!((i64, i64), "SELECT id, balance FROM accounts ORDER BY id")
        .fetch_all(pool)
        .await
        .expect("balances")
}

#[tokio::test]
async fn transactions() -> Result {
    let pool = database(
        "guide_transactions",
        "CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0)); \
         INSERT INTO accounts VALUES (1, 100), (2, 0);",
    )
    .await;
    {
use secure_pg::secure_query;
let (from, to, amount) = (1_i64, 2_i64, 10_i64);
pool.transaction(|tx| Box::pin(async move {
    secure_query!("UPDATE accounts SET balance = balance - $1 WHERE id = $2", amount, from)
        .execute(&mut *tx).await?;
    secure_query!("UPDATE accounts SET balance = balance + $1 WHERE id = $2", amount, to)
        .execute(&mut *tx).await?;
    Ok(())
})).await?;
    }
    assert_eq!(balances(&pool).await, [(1, 90), (2, 10)]);
    {
use secure_pg::{secure_query, TransactionOptions};
pool.transaction_with(TransactionOptions::serializable().max_attempts(50), |tx| {
    Box::pin(async move {
        secure_query!("UPDATE accounts SET balance = balance - 1 WHERE id = $1", 1_i64)
            .execute(&mut *tx)
            .await?;
        Ok(())
    })
})
.await?;
    }
    assert_eq!(balances(&pool).await, [(1, 89), (2, 10)]);
    // A failing statement rolls the whole transaction back.
    let e = pool
        .transaction(|tx| {
            Box::pin(async move {
                secure_pg::secure_query!("UPDATE accounts SET balance = balance + 1 WHERE id = 2")
                    .execute(&mut *tx)
                    .await?;
                secure_pg::secure_query!("UPDATE accounts SET balance = balance - 1000 WHERE id = 1")
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            })
        })
        .await
        .expect_err("the CHECK refuses an overdraft");
    assert_eq!(e.kind(), ErrorKind::CheckViolation);
    assert_eq!(balances(&pool).await, [(1, 89), (2, 10)]);
    Ok(())
}

/// The errors chapter's handler: `Ok` (201), the duplicate (409), and any
/// other error returned as the sentence a client may see.
async fn insert_user(pool: Pool, email: String) -> std::result::Result<u16, String> {
    use secure_pg::secure_query;
let status = match secure_query!("INSERT INTO users (email) VALUES ($1)", email).execute(&pool).await {
    Ok(_) => 201,
    Err(e) if e.kind() == ErrorKind::UniqueViolation => 409,
    Err(e) => {
        tracing::error!(error = %format!("{e:#}"), "insert failed"); // full detail for logs
        return Err(e.to_string());                                  // safe for the client, e.g.
        // "the database rejected an input value (SQLSTATE 22001)"
    }
};
    Ok(status)
}

#[tokio::test]
async fn errors() -> Result {
    let pool = database(
        "guide_errors",
        "CREATE TABLE users (email varchar(20) PRIMARY KEY);",
    )
    .await;
    assert_eq!(insert_user(pool.clone(), "a@example.com".into()).await, Ok(201));
    assert_eq!(insert_user(pool.clone(), "a@example.com".into()).await, Ok(409));
    let long = "a-very-long-address@example.com".to_string();
    assert_eq!(
        insert_user(pool.clone(), long).await,
        Err("the database rejected an input value (SQLSTATE 22001)".to_string())
    );
    Ok(())
}

#[tokio::test]
async fn types() -> Result {
    use std::str::FromStr;
    use secure_pg::{secure_query, secure_query_as};
    let pool = database(
        "guide_types",
        "CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric(14, 2) NOT NULL); \
         INSERT INTO accounts VALUES (1, 100.00); \
         CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); \
         CREATE TYPE header_pair AS (name text, value bytea); \
         CREATE TABLE widgets (id bigint PRIMARY KEY, feeling mood NOT NULL); \
         INSERT INTO widgets VALUES (1, 'happy'), (2, 'sad');",
    )
    .await;
    let mut conn = pool.get().await?;
    let mut t = conn.transaction().await?;
    let (tx, from) = (&mut t, 1_i64);
use secure_pg::Decimal; // feature "rust_decimal"

let amount = Decimal::from_str("0.10")?;
secure_query!("UPDATE accounts SET balance = balance - $1 WHERE id = $2", amount, from)
    .execute(&mut *tx).await?;
let (balance,): (Decimal,) = secure_query_as!((Decimal,), "SELECT balance FROM accounts WHERE id = $1", from)
    .fetch_one(&mut *tx).await?;
    assert_eq!(balance.to_string(), "99.90");
    t.commit().await?;
    drop(conn);

use secure_pg::{PgComposite, PgEnum};

#[derive(Debug, Clone, Copy, PartialEq, PgEnum)]
#[secure_pg(rename_all = "lowercase")] // the type: `mood` (the name in snake case)
enum Mood { Sad, Ok, Happy }

#[derive(Debug, Clone, PartialEq, PgComposite)]
#[secure_pg(type = "header_pair")]
struct Header {
    name: Option<String>,
    #[secure_pg(rename = "value")]
    bytes: Option<Vec<u8>>,
}

let rows: Vec<(i64, Mood)> = secure_query_as!(
    (i64, Mood), "SELECT id, feeling FROM widgets WHERE feeling = ANY($1)", vec![Mood::Happy]
).fetch_all(&pool).await?;
let (header,): (Header,) = secure_query_as!((Header,), "SELECT ROW('accept', NULL)::header_pair")
    .fetch_one(&pool).await?;
    assert_eq!(rows, [(1, Mood::Happy)]);
    assert_eq!(header, Header { name: Some("accept".into()), bytes: None });
    let sad: Vec<(i64, Mood)> = secure_query_as!((i64, Mood), "SELECT id, feeling FROM widgets WHERE feeling <> ALL($1)", vec![Mood::Happy, Mood::Ok])
        .fetch_all(&pool).await?;
    assert_eq!(sad, [(2, Mood::Sad)]);
    Ok(())
}

enum Sort { Newest, Amount }

#[derive(Debug, PartialEq, secure_pg::FromRow)]
struct Order { id: i64, status: String, amount: i64 }

async fn search(pool: Pool, customer: i64, status: Option<String>, with_archived: bool, sort: Sort, limit: Option<i64>) -> std::result::Result<Vec<Order>, Error> {
    use secure_pg::secure_query_as;
let orders = secure_query_as!(Order,
    "SELECT id, status, amount FROM orders WHERE customer_id = $1", customer;
    if status => "AND status = $1";          // status: Option<String>: included when Some
    if !with_archived => "AND NOT archived"; // a bool (or an Option) includes it
    match sort {                             // one literal per arm; rustc checks the arms cover every value
        Sort::Newest => "ORDER BY created_at DESC, id DESC",
        Sort::Amount => "ORDER BY amount DESC, id",
    };
    if limit => "LIMIT $1";                  // limit: Option<i64>
).fetch_all(&pool).await?;
    Ok(orders)
}

#[tokio::test]
async fn dynamic_queries() -> Result {
    let pool = database(
        "guide_dynamic",
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL, \
         amount bigint NOT NULL, archived boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL); \
         INSERT INTO orders VALUES (1, 7, 'paid', 30, false, '2026-01-01'), (2, 7, 'open', 50, false, '2026-01-02'), \
         (3, 7, 'paid', 20, true, '2026-01-03'), (4, 8, 'paid', 90, false, '2026-01-04');",
    )
    .await;
    let ids = |orders: Vec<Order>| orders.into_iter().map(|o| (o.id, o.status, o.amount)).collect::<Vec<_>>();
    let all = search(pool.clone(), 7, None, true, Sort::Newest, None).await?;
    assert_eq!(ids(all), [(3, "paid".into(), 20), (2, "open".into(), 50), (1, "paid".into(), 30)]);
    let paid = search(pool.clone(), 7, Some("paid".into()), false, Sort::Amount, Some(5)).await?;
    assert_eq!(ids(paid), [(1, "paid".into(), 30)]);
    let top = search(pool.clone(), 7, None, false, Sort::Amount, Some(1)).await?;
    assert_eq!(ids(top), [(2, "open".into(), 50)]);
    Ok(())
}

#[tokio::test]
async fn copy_in_and_out() -> Result {
    use secure_pg::{secure_copy_in, secure_copy_out, Decimal};
    let pool = database(
        "guide_copy",
        "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL, \
         amount numeric(14, 2) NOT NULL, note text);",
    )
    .await;
    struct NewOrder { customer_id: i64, amount: Decimal, note: Option<String> }
    let orders: Vec<NewOrder> = (1..=3)
        .map(|i| NewOrder { customer_id: i, amount: Decimal::new(i * 150, 2), note: (i == 2).then(|| "gift".to_string()) })
        .collect();
let written: u64 = secure_copy_in!(
    "orders (customer_id, amount, note)",   // the table and the columns each row fills
    &orders,                                // any IntoIterator
    |o| (o.customer_id, o.amount, o.note.as_deref()),  // one value per column, in order
)
.execute(&pool)
.await?;
    assert_eq!(written, 3);
    let mut seen = Vec::new();
let orders: Vec<(i64, Decimal, Option<String>)> =
    secure_copy_out!((i64, Decimal, Option<String>), "orders (id, amount, note)")
        .fetch_all(&pool)
        .await?;
// Or one row at a time, in constant memory, or as a stream:
let n = secure_copy_out!((i64,), "orders (id)").for_each(&pool, |(id,)| seen.push(id)).await?;
let stream = secure_copy_out!((i64,), "orders (id)").fetch(&pool).await?;
    use secure_pg::TryStreamExt;
    let streamed: Vec<(i64,)> = stream.try_collect().await?;
    assert_eq!(
        orders,
        [
            (1, Decimal::new(150, 2), None),
            (2, Decimal::new(300, 2), Some("gift".into())),
            (3, Decimal::new(450, 2), None)
        ]
    );
    assert_eq!((n, seen), (3, vec![1, 2, 3]));
    assert_eq!(streamed, [(1,), (2,), (3,)]);
    Ok(())
}

#[tokio::test]
async fn porting_a_raw_client_call() -> Result {
    use secure_pg::secure_query_as;
    let url = url(
        "guide_porting",
        "CREATE TABLE widgets (id bigint PRIMARY KEY, name text NOT NULL, owner bigint NOT NULL); \
         INSERT INTO widgets VALUES (1, 'gear', 5), (2, 'cog', 6), (3, 'nut', 5);",
    );
    let (client, _) = secure_pg::connect(&config(&url)).await?;
    let owner = 5_i64;
// before
let before = client.query("SELECT id, name FROM widgets WHERE owner = $1", &[&owner]).await?;
// after: same SQL, now checked; rows typed
let after: Vec<(i64, String)> = secure_query_as!((i64, String), "SELECT id, name FROM widgets WHERE owner = $1", owner)
    .fetch_all(&client).await?;
    let before: Vec<(i64, String)> = before.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(before, after);
    assert_eq!(after.len(), 2);
    Ok(())
}
