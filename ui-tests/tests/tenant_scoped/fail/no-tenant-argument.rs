// Rule: `#[tenant_scoped]` needs the tenant: add a parameter of type
// `TenantId` (e.g. `tenant: TenantId`), or mark the parameter that holds it
// with `#[tenant]`.
use secure_pg::{secure_query, tenant_scoped, Error, Pool};

#[tenant_scoped]
async fn widgets(pool: &Pool, owner: i64) -> Result<usize, Error> {
    let rows = secure_query!("SELECT id FROM widgets WHERE owner = $1", owner)
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

fn main() {
    let _ = widgets;
}
