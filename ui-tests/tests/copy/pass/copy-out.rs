// Copies out on every executor, as a Vec, one row at a time and as a
// stream; inside #[tenant_scoped] only the tenant's rows are copied.
use secure_pg::StreamExt;
use secure_pg::{secure_copy_out, tenant_scoped, Error, Pool, TenantId};

async fn all(pool: &Pool) -> Result<Vec<(i64, Option<String>)>, Error> {
    secure_copy_out!((i64, Option<String>), "orders (id, note)")
        .fetch_all(pool)
        .await
}

async fn count(client: &secure_pg::tokio_postgres::Client) -> Result<u64, Error> {
    secure_copy_out!((i64,), r#"shop."Odd Table" ("Id")"#)
        .for_each(client, |_| {})
        .await
}

async fn streamed(pool: &Pool) -> Result<usize, Error> {
    let stream = secure_copy_out!((String,), "tags (name)")
        .fetch(pool)
        .await?;
    Ok(stream.count().await)
}

#[tenant_scoped]
async fn export(pool: &Pool, tenant: TenantId) -> Result<Vec<(i64, i64)>, Error> {
    secure_copy_out!((i64, i64), "orders (tenant_id, id)")
        .fetch_all(pool)
        .await
}

#[tenant_scoped]
async fn export_in_tx(tx: &mut secure_pg::Transaction<'_>, tenant: TenantId) -> Result<u64, Error> {
    secure_copy_out!((i64,), "orders (id)")
        .for_each(tx, |_| {})
        .await
}

pub(crate) fn main() {
    let _ = (all, count, streamed, export, export_in_tx);
}
