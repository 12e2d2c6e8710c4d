// The unparsed forms take `unscoped = "..."` too: with a schema, one that
// names a tenant table must say why it sees every tenant (they cannot be
// used in `#[tenant_scoped]` functions). Without a schema it changes nothing.
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

pub(crate) fn main() {
    let _ = invoice_total;
}
