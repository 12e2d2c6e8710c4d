// Rule: inside #[tenant_scoped], placeholders must run from $1 without gaps,
// as outside the attribute.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn by_status(pool: &Pool, tenant: TenantId, status: &str, limit: i64) -> Result<Vec<(i64,)>, Error> {
    secure_query_as!((i64,), "SELECT id FROM orders WHERE status = $1 LIMIT $3", status, limit)
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = by_status;
}
