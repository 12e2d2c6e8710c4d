// Inside #[tenant_scoped] each variant is scoped as one statement would be:
// a variant the rewrite refuses is reported with the choices that make it.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn names(pool: &Pool, tenant: TenantId, pattern: Option<String>) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT name FROM widgets WHERE size > 0";
        if pattern => "AND slugify(name) LIKE $1";
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

fn main() {
    let _ = names;
}
