// Rule: a scoped `INSERT` adds the tenant column itself; do not list it.
// Write `INSERT INTO widgets (name) VALUES ($1)`.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn create(pool: &Pool, tenant: TenantId, name: &str) -> Result<u64, Error> {
    secure_query!(
        "INSERT INTO widgets (tenant_id, name) VALUES ($1, $2)",
        tenant,
        name
    )
    .execute(pool)
    .await
}

fn main() {
    let _ = create;
}
