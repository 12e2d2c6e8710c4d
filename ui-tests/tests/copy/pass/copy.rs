// Copies on every executor, rows of any IntoIterator, one value or several,
// quoted names; inside #[tenant_scoped] the tenant column is left out.
use secure_pg::{secure_copy_in, tenant_scoped, Error, Pool, TenantId};

struct Order {
    id: i64,
    note: Option<String>,
}

async fn load(pool: &Pool, orders: &[Order]) -> Result<u64, Error> {
    secure_copy_in!("orders (id, note)", orders, |o| (o.id, o.note.as_deref()))
        .execute(pool)
        .await
}

async fn load_ids(client: &secure_pg::tokio_postgres::Client) -> Result<u64, Error> {
    secure_copy_in!(r#"shop."Odd Table" ("Id")"#, 1..=100_i64, |i| i)
        .execute(client)
        .await
}

async fn load_in_tx(tx: &mut secure_pg::Transaction<'_>, names: Vec<String>) -> Result<u64, Error> {
    secure_copy_in!("tags (name)", names, |n| (n,))
        .execute(tx)
        .await
}

#[tenant_scoped]
async fn import(pool: &Pool, tenant: TenantId, orders: &[Order]) -> Result<u64, Error> {
    secure_copy_in!("orders (id, note)", orders, |o| (o.id, o.note.as_deref()))
        .execute(pool)
        .await
}

#[tenant_scoped]
async fn import_everyone(pool: &Pool, tenant: TenantId, rows: &[(i64, i64)]) -> Result<u64, Error> {
    let _ = tenant;
    secure_copy_in!(
        unscoped = "a migration job that moves rows between tenants",
        "orders (tenant_id, id)",
        rows,
        |r| (r.0, r.1),
    )
    .execute(pool)
    .await
}

pub(crate) fn main() {
    let _ = (load, load_ids, load_in_tx, import, import_everyone);
}
