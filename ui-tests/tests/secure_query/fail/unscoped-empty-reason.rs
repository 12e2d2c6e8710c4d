// Rule: `unscoped = "..."` must say why the query may cross tenants; an
// empty (or blank) reason is refused, even outside `#[tenant_scoped]`.
use secure_pg::{secure_query, Error, Pool};

async fn invoice_total(pool: &Pool) -> Result<i64, Error> {
    let row = secure_query!(unscoped = "", "SELECT sum(total) FROM invoices")
        .fetch_one(pool)
        .await?;
    Ok(row.get(0))
}

fn main() {
    let _ = invoice_total;
}
