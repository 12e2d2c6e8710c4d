// Rule: the tenant parameter cannot be `mut`. The queries run for the tenant
// the function was called with; assigning another one to the parameter would
// read as if it changed their tenant, so it is refused.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn purge(pool: &Pool, mut tenant: TenantId, other: Option<TenantId>) -> Result<u64, Error> {
    tenant = other.unwrap_or(tenant);
    let _ = tenant;
    secure_query!("DELETE FROM widgets").execute(pool).await
}

fn main() {
    let _ = purge;
}
