// Rule: a scoped `INSERT` must name its columns, so that the tenant column
// can be added: `INSERT INTO widgets (name, size) VALUES ($1, $2)`.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn create(pool: &Pool, tenant: TenantId, name: &str, size: i64) -> Result<u64, Error> {
    secure_query!("INSERT INTO widgets VALUES ($1, $2)", name, size)
        .execute(pool)
        .await
}

fn main() {
    let _ = create;
}
