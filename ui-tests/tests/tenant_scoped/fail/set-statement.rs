// Rule: `SET` changes the session, not rows of one tenant, and is refused in
// a `#[tenant_scoped]` function. (For row-level security, open the
// transaction with `TransactionOptions::tenant(...)`.)
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn use_schema(pool: &Pool, tenant: TenantId) -> Result<u64, Error> {
    secure_query!("SET search_path TO shop").execute(pool).await
}

fn main() {
    let _ = use_schema;
}
