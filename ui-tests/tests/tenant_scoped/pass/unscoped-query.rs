// Rule: a query that must see every tenant opts out with
// `unscoped = "reason"`; the reason is listed in the function's docs.
// Every other query in the function is still scoped.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn invoice_share(pool: &Pool, tenant: TenantId) -> Result<(i64, i64), Error> {
    let mine = secure_query!("SELECT sum(total)::bigint FROM invoices")
        .fetch_one(pool)
        .await?;
    let all = secure_query!(
        unscoped = "the share is computed against the total of every tenant",
        "SELECT sum(total)::bigint FROM invoices"
    )
    .fetch_one(pool)
    .await?;
    Ok((mine.get(0), all.get(0)))
}

pub(crate) fn main() {
    let _ = invoice_share;
}
