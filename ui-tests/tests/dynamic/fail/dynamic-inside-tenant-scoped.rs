// Rule: dynamic queries are not scoped by #[tenant_scoped] yet; the error
// says what to write instead.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn names(pool: &Pool, tenant: TenantId, descending: bool) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT name FROM widgets ORDER BY name";
        match descending { true => "DESC", false => "ASC" };
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

fn main() {
    let _ = names;
}
