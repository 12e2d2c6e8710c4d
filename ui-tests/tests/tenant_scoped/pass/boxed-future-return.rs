// Rule: the attribute keeps the function's own types compiling: a body whose
// tail is coerced to the declared return type (here a boxed future) still is.
use std::future::Future;
use std::pin::Pin;

use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn deferred(
    pool: &'static Pool,
    tenant: TenantId,
) -> Pin<Box<dyn Future<Output = Result<u64, Error>> + Send>> {
    let n = secure_query!("DELETE FROM widgets").execute(pool).await;
    Box::pin(async move { n })
}

pub(crate) fn main() {
    let _ = deferred;
}
