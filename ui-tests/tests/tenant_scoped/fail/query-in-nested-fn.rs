// Rule: a function nested in a #[tenant_scoped] function cannot reach its
// tenant, so its queries cannot be scoped: give it #[tenant_scoped] and its
// own tenant parameter (see pass/nested-scoped-fn.rs), or move the query.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn purge(pool: &Pool, tenant: TenantId) -> Result<u64, Error> {
    async fn helper(pool: &Pool) -> Result<u64, Error> {
        secure_query!("DELETE FROM widgets").execute(pool).await
    }
    helper(pool).await
}

fn main() {
    let _ = purge;
}
