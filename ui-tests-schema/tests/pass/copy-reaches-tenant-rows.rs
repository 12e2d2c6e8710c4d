// The fixes the tenant rule offers for a copy reaching tenant rows through
// a view or a trigger: say why it must reach every tenant, or copy the
// tenant table itself in a #[tenant_scoped] function.
use secure_pg::{secure_copy_in, secure_copy_out, tenant_scoped, Error, Pool, TenantId};

async fn export_all(pool: &Pool) -> Result<Vec<(Option<String>,)>, Error> {
    secure_copy_out!(
        unscoped = "the nightly export holds every tenant's names",
        (Option<String>,),
        "owner_names (name)"
    )
    .fetch_all(pool)
    .await
}

async fn import_all(pool: &Pool, names: Vec<String>) -> Result<u64, Error> {
    secure_copy_in!(
        unscoped = "sign-ups arrive before a tenant exists",
        "signups (name)",
        names,
        |n| n
    )
    .execute(pool)
    .await
}

#[tenant_scoped]
async fn export(pool: &Pool, tenant: TenantId) -> Result<Vec<(String,)>, Error> {
    secure_copy_out!((String,), "owners (name)")
        .fetch_all(pool)
        .await
}

#[tenant_scoped]
async fn import(pool: &Pool, tenant: TenantId, names: Vec<String>) -> Result<u64, Error> {
    secure_copy_in!("owners (name)", names, |n| n)
        .execute(pool)
        .await
}

pub(crate) fn main() {
    let _ = (export_all, import_all, export, import);
}
