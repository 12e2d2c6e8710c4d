// Rule: with a schema, a query that names a tenant table (one with the
// `tenant_id` column: `owners` here) must be in a #[tenant_scoped] function,
// which scopes it to the caller's tenant, or say why it must see every
// tenant with `unscoped = "reason"` (see pass/tenant-by-default.rs for both).
use secure_pg::{secure_query_as, Error, Pool};

async fn owner_names(pool: &Pool) -> Result<Vec<(String,)>, Error> {
    secure_query_as!((String,), "SELECT name FROM owners ORDER BY name")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = owner_names;
}
