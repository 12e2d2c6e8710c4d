// Copies out checked against the schema: each element reads its column's
// type, nullable columns as `Option`, and a copy of the tenant table
// `owners` is scoped or says why not.
use secure_pg::{secure_copy_out, tenant_scoped, Error, Pool, TenantId};

async fn widgets(pool: &Pool) -> Result<Vec<(i64, String, Option<String>, i32)>, Error> {
    secure_copy_out!(
        (i64, String, Option<String>, i32),
        "widgets (owner_id, name, label, qty)"
    )
    .fetch_all(pool)
    .await
}

#[tenant_scoped]
async fn owners(pool: &Pool, tenant: TenantId) -> Result<Vec<(i64, String)>, Error> {
    secure_copy_out!((i64, String), "owners (id, name)")
        .fetch_all(pool)
        .await
}

async fn owners_of_every_tenant(pool: &Pool) -> Result<u64, Error> {
    secure_copy_out!(
        unscoped = "the nightly export reads every tenant",
        (i64, String),
        "owners (tenant_id, name)"
    )
    .for_each(pool, |_| {})
    .await
}

pub(crate) fn main() {
    let _ = (widgets, owners, owners_of_every_tenant);
}
