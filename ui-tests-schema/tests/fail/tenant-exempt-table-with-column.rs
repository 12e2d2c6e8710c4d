// Rule: a table declared exempt must not carry the tenant column: its rows
// belong to tenants, and exempt tables are read unfiltered.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped(exempt = [owners])]
async fn owner_names(pool: &Pool, tenant: TenantId) -> Result<Vec<(String,)>, Error> {
    secure_query_as!((String,), "SELECT name FROM owners")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = owner_names;
}
