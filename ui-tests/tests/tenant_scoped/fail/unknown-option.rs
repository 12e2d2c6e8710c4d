// Rule: the options are `column = "..."`, `column_type = "..."`, `exempt = [table, ...]`
// and `trusted_functions = [function, ...]` with `reason = "..."`.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped(shared = [countries])]
async fn widgets(pool: &Pool, tenant: TenantId) -> Result<usize, Error> {
    let rows = secure_query!("SELECT id FROM widgets")
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

fn main() {
    let _ = widgets;
}
