// Rule: the tenant parameter is found by its type `TenantId` (or
// `&TenantId`). If the tenant comes in another type, or two parameters are
// `TenantId`, mark the one that scopes the queries with `#[tenant]`.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn copy_widget(
    pool: &Pool,
    #[tenant] target: TenantId,
    source: TenantId,
    name: &str,
) -> Result<u64, Error> {
    let _ = source;
    secure_query!("INSERT INTO widgets (name) VALUES ($1)", name)
        .execute(pool)
        .await
}

#[tenant_scoped]
async fn by_reference(pool: &Pool, tenant: &TenantId) -> Result<usize, Error> {
    let rows = secure_query!("SELECT id FROM widgets")
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

pub(crate) fn main() {
    let _ = copy_widget;
    let _ = by_reference;
}
