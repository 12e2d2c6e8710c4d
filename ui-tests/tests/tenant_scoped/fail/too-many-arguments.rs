// Rule: inside #[tenant_scoped], an argument no placeholder uses is an error
// on that argument, as outside the attribute.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn by_status(pool: &Pool, tenant: TenantId, status: &str, limit: i64) -> Result<Vec<(i64,)>, Error> {
    secure_query_as!((i64,), "SELECT id FROM orders WHERE status = $1", status, limit)
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = by_status;
}
