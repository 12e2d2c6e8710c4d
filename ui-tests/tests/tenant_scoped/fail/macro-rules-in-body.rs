// Rule: a macro defined inside a `#[tenant_scoped]` function is refused: the
// attribute cannot see what it expands to. Define query-free macros outside
// the function and list them in `allow_macros = [...]`.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn clear(pool: &Pool, tenant: TenantId) -> Result<u64, Error> {
    macro_rules! all {
        () => {
            secure_query!("DELETE FROM widgets")
        };
    }
    all!().execute(pool).await
}

fn main() {
    let _ = clear;
}
