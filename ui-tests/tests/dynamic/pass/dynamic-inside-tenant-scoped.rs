// Inside #[tenant_scoped] every variant of a dynamic query is scoped to the
// tenant, each as the attribute scopes one statement (the tenant is bound
// after the values the variant includes).
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn names(
    pool: &Pool,
    tenant: TenantId,
    min_size: Option<i64>,
    descending: bool,
    limit: Option<i64>,
) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT name FROM widgets WHERE size > 0";
        if min_size => "AND size >= $1";
        match descending { true => "ORDER BY name DESC", false => "ORDER BY name" };
        if limit => "LIMIT $1";
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

pub(crate) fn main() {
    let _ = names;
}
