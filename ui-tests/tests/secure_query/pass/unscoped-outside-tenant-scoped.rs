// Rule: `unscoped = "reason"` may be written outside `#[tenant_scoped]`
// functions too (it is accepted and ignored), as long as the reason is a
// non-empty string literal.
use secure_pg::{secure_query, Error, Pool};

async fn invoice_total(pool: &Pool) -> Result<i64, Error> {
    let row = secure_query!(
        unscoped = "billing totals across every tenant",
        "SELECT sum(total)::bigint FROM invoices"
    )
    .fetch_one(pool)
    .await?;
    Ok(row.get(0))
}

pub(crate) fn main() {
    let _ = invoice_total;
}
