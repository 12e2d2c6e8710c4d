// Rule: a nested function with its own #[tenant_scoped] is scoped by it, to
// the tenant it is passed.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn purge(pool: &Pool, tenant: TenantId) -> Result<u64, Error> {
    #[tenant_scoped]
    async fn helper(pool: &Pool, tenant: TenantId) -> Result<u64, Error> {
        secure_query!("DELETE FROM widgets").execute(pool).await
    }
    helper(pool, tenant).await
}

pub(crate) fn main() {
    let _ = purge;
}
