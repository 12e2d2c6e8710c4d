// Rule: the tenant is captured when the function is entered, and the queries
// always run for it. A `let` that shadows the tenant parameter would read as
// if later queries used the new value, so it is refused: name it otherwise.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn delete_widget(pool: &Pool, tenant: TenantId, other: Option<TenantId>, id: i64) -> Result<u64, Error> {
    let tenant = other.unwrap_or(tenant);
    let _ = tenant;
    secure_query!("DELETE FROM widgets WHERE id = $1", id)
        .execute(pool)
        .await
}

fn main() {
    let _ = delete_widget;
}
