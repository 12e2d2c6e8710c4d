// Rule: `pool.transaction(|tx| Box::pin(async move { ...; Ok(()) }))` runs
// the body in a transaction: commit on `Ok`, rollback on `Err`, retried on
// serialization failures. Run the queries on `&mut *tx`.
use secure_pg::{secure_query, Error, Pool};

async fn transfer(pool: &Pool, from: i64, to: i64, amount: i64) -> Result<(), Error> {
    pool.transaction(|tx| {
        Box::pin(async move {
            secure_query!(
                "UPDATE accounts SET balance = balance - $1 WHERE id = $2",
                amount,
                from
            )
            .execute(&mut *tx)
            .await?;
            secure_query!(
                "UPDATE accounts SET balance = balance + $1 WHERE id = $2",
                amount,
                to
            )
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    })
    .await
}

// The body can return a value too.
async fn create_account(pool: &Pool, owner: i64) -> Result<i64, Error> {
    pool.transaction(|tx| {
        Box::pin(async move {
            let row = secure_query!(
                "INSERT INTO accounts (owner, balance) VALUES ($1, 0) RETURNING id",
                owner
            )
            .fetch_one(&mut *tx)
            .await?;
            Ok(row.get(0))
        })
    })
    .await
}

pub(crate) fn main() {
    let _ = transfer;
    let _ = create_account;
}
