// Rule: when the tenant column is not called `tenant_id`, name it with
// `column = "..."` (a plain lowercase SQL identifier).
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped(column = "org_id")]
async fn projects(pool: &Pool, org: TenantId) -> Result<usize, Error> {
    // Becomes `SELECT id, name FROM projects WHERE projects.org_id = $1`.
    let rows = secure_query!("SELECT id, name FROM projects")
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

pub(crate) fn main() {
    let _ = projects;
}
