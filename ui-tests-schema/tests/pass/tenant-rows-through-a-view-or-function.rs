// The fixes the tenant rule offers for a query reaching tenant rows
// through a view or a function: say why it must see every tenant, or
// select from the tables in a #[tenant_scoped] function.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

async fn all_names(pool: &Pool) -> Result<Vec<(Option<String>,)>, Error> {
    secure_query_as!(
        unscoped = "the admin page lists every tenant's owners",
        (Option<String>,),
        "SELECT name FROM owner_names"
    )
    .fetch_all(pool)
    .await
}

#[tenant_scoped]
async fn count(pool: &Pool, tenant: TenantId) -> Result<Vec<(i64,)>, Error> {
    secure_query_as!((i64,), "SELECT count(*) FROM owners")
        .fetch_all(pool)
        .await
}

pub(crate) fn main() {
    let _ = (all_names, count);
}
