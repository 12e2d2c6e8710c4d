// Rule: `set_config` could switch the tenant setting that row-level security
// reads (like `SET app.tenant_id`, which is refused too); it is never
// allowed inside #[tenant_scoped].
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn impersonate(pool: &Pool, tenant: TenantId, other: String) -> Result<(), Error> {
    secure_query!("SELECT set_config('app.tenant_id', $1, false)", other)
        .execute(pool)
        .await?;
    Ok(())
}

fn main() {
    let _ = impersonate;
}
