//! Money in NUMERIC: accounts whose balances are `numeric(14, 2)`, read and
//! written as `secure_pg::Decimal` (the `rust_decimal` feature), moved by
//! serializable transactions that the pool retries on conflict. No amount
//! ever passes through a float, so a thousand transfers of 0.10 move
//! exactly 100.00.

use std::io::Write;
use std::str::FromStr;
use std::sync::Arc;

use secure_pg::{
    secure_query, secure_query_as, Decimal, Error, ErrorKind, Pool, Transaction, TransactionOptions,
};

use tokio::sync::Semaphore;

use crate::Database;

/// Moves `amount` from account `from` to account `to`; refuses to overdraw.
pub async fn transfer(
    tx: &mut Transaction<'_>,
    from: i64,
    to: i64,
    amount: Decimal,
) -> Result<(), Error> {
    // The CHECK constraint is the real guard; this gives a clearer error.
    let (balance,): (Decimal,) = secure_query_as!(
        (Decimal,),
        "SELECT balance FROM transfer_accounts WHERE id = $1",
        from
    )
    .fetch_one(&mut *tx)
    .await?;
    if balance < amount {
        return Err(Error::new(ErrorKind::InvalidInput, "insufficient funds"));
    }
    secure_query!(
        "UPDATE transfer_accounts SET balance = balance - $1 WHERE id = $2",
        amount,
        from
    )
    .execute(&mut *tx)
    .await?;
    secure_query!(
        "UPDATE transfer_accounts SET balance = balance + $1 WHERE id = $2",
        amount,
        to
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The balances of accounts 1..=3, in order.
pub async fn balances(pool: &Pool) -> Result<Vec<Decimal>, Error> {
    let rows: Vec<(Decimal,)> = secure_query_as!(
        (Decimal,),
        "SELECT balance FROM transfer_accounts ORDER BY id"
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(b,)| b).collect())
}

/// The example: three accounts, `rounds` concurrent transfers of 0.10 in a
/// ring and one that would overdraw; prints the balances and returns them.
pub async fn run(out: &mut impl Write, rounds: usize) -> Result<Vec<Decimal>, Error> {
    let db = Database::from_env_or_throwaway(out)?;
    // Two roles: the owner applies the crate's migrations (the schema the
    // queries here are checked against at compile time), empties the
    // accounts of an earlier run and grants what the binary's statements
    // use; the transfers run as a role that owns nothing.
    crate::MIGRATOR.run_with_config(db.config()).await?;
    let (owner, _) = secure_pg::connect(db.config()).await?;
    owner.batch_execute("DELETE FROM transfer_accounts").await?;
    let app = db.app_config(out)?;
    owner
        .batch_execute(&secure_pg::required_grants(app.get_user().unwrap_or("app")))
        .await?;
    let pool = Pool::builder().max_size(4).build(app).await?;
    let start = Decimal::from_str("100.00").expect("literal");
    for id in 1..=3_i64 {
        secure_query!(
            "INSERT INTO transfer_accounts (id, balance) VALUES ($1, $2)",
            id,
            start
        )
        .execute(&pool)
        .await?;
    }
    let dime = Decimal::from_str("0.10").expect("literal");
    // Eight in flight at a time, as a service's request concurrency would
    // be; serialization conflicts on the three hot rows are retried.
    let gate = Arc::new(Semaphore::new(8));
    let mut tasks = Vec::new();
    for i in 0..rounds {
        let (pool, gate) = (pool.clone(), gate.clone());
        let (from, to) = (i as i64 % 3 + 1, (i as i64 + 1) % 3 + 1);
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.expect("gate open");
            pool.transaction_with(TransactionOptions::serializable().max_attempts(50), |tx| {
                Box::pin(transfer(tx, from, to, dime))
            })
            .await
        }));
    }
    for t in tasks {
        t.await.expect("transfer task")?;
    }
    let too_much = Decimal::from_str("1000.00").expect("literal");
    let refused = pool
        .transaction(|tx| Box::pin(transfer(tx, 1, 2, too_much)))
        .await
        .expect_err("overdraft");
    writeln!(out, "overdraft refused: {refused}").ok();
    let balances = balances(&pool).await?;
    let total: Decimal = balances.iter().sum();
    writeln!(out, "balances: {balances:?}, total {total}").ok();
    let findings: Vec<&str> = pool
        .health_check()
        .await
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .collect();
    writeln!(out, "health findings: {findings:?}").ok();
    Ok(balances)
}
