// Rule: `unscoped = "..."` is only for `secure_query!` / `secure_query_as!`.
// The unparsed forms cannot be used in `#[tenant_scoped]` functions at all,
// so there is nothing to opt out of: remove `unscoped = ...`.
use secure_pg::{secure_query_unparsed, Error, Pool};

async fn invoice_total(pool: &Pool) -> Result<i64, Error> {
    let row = secure_query_unparsed!(
        unscoped = "billing totals across every tenant",
        "SELECT sum(total) FROM invoices"
    )
    .fetch_one(pool)
    .await?;
    Ok(row.get(0))
}

fn main() {
    let _ = invoice_total;
}
