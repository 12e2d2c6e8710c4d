// Rule: `secure_query_unparsed!` cannot be used in a `#[tenant_scoped]`
// function: its SQL is not parsed, so it cannot be scoped. Write SQL that
// `secure_query!` accepts, or move the query out of the function and filter
// by tenant by hand.
use secure_pg::{secure_query_unparsed, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn numbered(pool: &Pool, tenant: TenantId, labels: &[String]) -> Result<usize, Error> {
    let rows = secure_query_unparsed!(
        "SELECT n, label FROM ROWS FROM (generate_series(1, 10), unnest($1::text[])) AS t(n, label)",
        labels
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

fn main() {
    let _ = numbered;
}
