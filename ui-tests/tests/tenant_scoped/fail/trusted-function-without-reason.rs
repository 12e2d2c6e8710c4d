// Rule: a trusted function is called without the rewriter seeing what it
// reads, so `trusted_functions = [...]` needs `reason = "..."`, shown in the
// function's documentation.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped(trusted_functions = [slugify])]
async fn slugs(pool: &Pool, tenant: TenantId) -> Result<Vec<(i64, String)>, Error> {
    secure_query_as!((i64, String), "SELECT id, slugify(name) FROM widgets")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = slugs;
}
