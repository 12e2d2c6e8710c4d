// Rule: a user function that reads no tenant data can be declared trusted,
// with a reason; it is then accepted anywhere in the query (`public.slugify`
// too), and the reason is shown in the function's documentation.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped(
    trusted_functions = [slugify],
    reason = "slugify only transforms its text argument"
)]
async fn slugs(pool: &Pool, tenant: TenantId) -> Result<Vec<(i64, String)>, Error> {
    secure_query_as!(
        (i64, String),
        "SELECT id, slugify(name) FROM widgets WHERE public.slugify(name) <> '' ORDER BY lower(name)"
    )
    .fetch_all(pool)
    .await
}

pub(crate) fn main() {
    let _ = slugs;
}
