// Rule: a query runs on any executor: `&Pool` (checks a connection out for
// the call), `&PooledConnection` / `&mut PooledConnection`, `&mut Transaction`
// / `&Transaction`, and a plain `&tokio_postgres::Client` or
// `&tokio_postgres::Transaction`.
use secure_pg::tokio_postgres;
use secure_pg::{secure_query, Error, Pool, PooledConnection, Transaction};

async fn on_pool(pool: &Pool) -> Result<u64, Error> {
    secure_query!("DELETE FROM sessions WHERE expires_at < now()")
        .execute(pool)
        .await
}

async fn on_connection(conn: &PooledConnection<'_>, id: i64) -> Result<u64, Error> {
    secure_query!("DELETE FROM sessions WHERE id = $1", id)
        .execute(conn)
        .await
}

async fn on_mut_connection(conn: &mut PooledConnection<'_>, id: i64) -> Result<u64, Error> {
    secure_query!("DELETE FROM sessions WHERE id = $1", id)
        .execute(&mut *conn)
        .await
}

async fn on_transaction(tx: &mut Transaction<'_>, id: i64) -> Result<u64, Error> {
    secure_query!("DELETE FROM sessions WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    // A shared borrow works as well.
    secure_query!("DELETE FROM tokens WHERE session = $1", id)
        .execute(&*tx)
        .await
}

async fn on_client(client: &tokio_postgres::Client, id: i64) -> Result<u64, Error> {
    secure_query!("DELETE FROM sessions WHERE id = $1", id)
        .execute(client)
        .await
}

async fn on_client_transaction(
    tx: &tokio_postgres::Transaction<'_>,
    id: i64,
) -> Result<u64, Error> {
    secure_query!("DELETE FROM sessions WHERE id = $1", id)
        .execute(tx)
        .await
}

// Our own transaction, opened from a pooled connection.
async fn open_transaction(pool: &Pool, id: i64) -> Result<(), Error> {
    let mut conn = pool.get().await?;
    let mut tx = conn.transaction().await?;
    secure_query!("DELETE FROM sessions WHERE id = $1", id)
        .execute(&mut tx)
        .await?;
    tx.commit().await
}

pub(crate) fn main() {
    let _ = on_pool;
    let _ = on_connection;
    let _ = on_mut_connection;
    let _ = on_transaction;
    let _ = on_client;
    let _ = on_client_transaction;
    let _ = open_transaction;
}
