// Rule: with two `TenantId` parameters the macro cannot guess which one
// scopes the queries: mark it with `#[tenant]`.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn copy_widget(
    pool: &Pool,
    target: TenantId,
    source: TenantId,
    name: &str,
) -> Result<u64, Error> {
    let _ = (target, source);
    secure_query!("INSERT INTO widgets (name) VALUES ($1)", name)
        .execute(pool)
        .await
}

fn main() {
    let _ = copy_widget;
}
