// Rule: a function can read any table, and the rewriter cannot see inside
// it, so inside #[tenant_scoped] only built-ins known to read no table
// (aggregates, string, math, date/time, JSON functions, `coalesce` ...) may
// be called. Declare a user function that reads no tenant data with
// `trusted_functions = [...]` and a reason.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn slugs(pool: &Pool, tenant: TenantId) -> Result<Vec<(i64, String)>, Error> {
    secure_query_as!((i64, String), "SELECT id, slugify(name) FROM widgets")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = slugs;
}
