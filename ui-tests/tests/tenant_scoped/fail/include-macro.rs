// Rule: `include!` pulls in code the attribute cannot see (here a query),
// so it is refused in a `#[tenant_scoped]` function; write the code in the
// function instead.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn clear(pool: &Pool, tenant: TenantId) -> Result<u64, Error> {
    include!("include-macro.in").execute(pool).await
}

fn main() {
    let _ = clear;
}
