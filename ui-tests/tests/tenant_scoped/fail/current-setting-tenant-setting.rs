// Rule: the tenant setting (`app.tenant_id`) belongs to the runtime; inside
// #[tenant_scoped] the tenant is the function's tenant argument.
// `current_setting` is allowed only with a literal naming another setting.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn mine(pool: &Pool, tenant: TenantId) -> Result<Vec<(i64,)>, Error> {
    secure_query_as!(
        (i64,),
        "SELECT id FROM widgets WHERE owner_tenant = current_setting('app.tenant_id')::bigint"
    )
    .fetch_all(pool)
    .await
}

fn main() {
    let _ = mine;
}
