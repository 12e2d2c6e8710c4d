// Rule: a function in `FROM` may read any table, so it cannot be scoped; only
// a few row generators (`generate_series`, `unnest`, `jsonb_array_elements`
// ...) are allowed. Query the tables directly.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn report(pool: &Pool, tenant: TenantId, month: i32) -> Result<usize, Error> {
    let rows = secure_query!("SELECT * FROM monthly_report($1)", month)
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

fn main() {
    let _ = report;
}
