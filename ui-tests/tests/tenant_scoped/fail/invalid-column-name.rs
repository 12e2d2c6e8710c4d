// Rule: the tenant column is a plain lowercase SQL identifier, e.g.
// `column = "org_id"`.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped(column = "Org-Id")]
async fn widgets(pool: &Pool, tenant: TenantId) -> Result<usize, Error> {
    let rows = secure_query!("SELECT id FROM widgets")
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

fn main() {
    let _ = widgets;
}
