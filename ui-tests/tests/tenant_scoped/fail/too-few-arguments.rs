// Rule: inside #[tenant_scoped], placeholders and arguments are checked on the
// SQL as written, with the same message as outside the attribute (the tenant's
// own placeholder comes after them and is never one of the user's).
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn first_by_status(pool: &Pool, tenant: TenantId, status: &str) -> Result<Vec<(i64,)>, Error> {
    secure_query_as!((i64,), "SELECT id FROM orders WHERE status = $1 ORDER BY id LIMIT $2", status)
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = first_by_status;
}
