// Rule: the tenant comes by value or by shared reference; through a mutable
// reference the body could change it.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn purge(pool: &Pool, tenant: &mut TenantId) -> Result<u64, Error> {
    secure_query!("DELETE FROM widgets").execute(pool).await
}

fn main() {
    let _ = purge;
}
