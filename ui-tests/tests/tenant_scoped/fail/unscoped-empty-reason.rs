// Rule: `unscoped = "..."` must say why the query may see every tenant; a
// blank reason is refused.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn invoice_total(pool: &Pool, tenant: TenantId) -> Result<i64, Error> {
    let row = secure_query!(unscoped = " ", "SELECT sum(total)::bigint FROM invoices")
        .fetch_one(pool)
        .await?;
    Ok(row.get(0))
}

fn main() {
    let _ = invoice_total;
}
