// Rule: the unparsed forms skip the schema checks, not the tenant rule: a
// tenant table named in their SQL (found by name in the text) needs
// `unscoped = "reason"` (see pass/tenant-by-default.rs), since they cannot
// be used in a #[tenant_scoped] function.
use secure_pg::{secure_query_unparsed, Error, Pool};

async fn owner_count(pool: &Pool) -> Result<usize, Error> {
    Ok(secure_query_unparsed!("SELECT count(*) FROM owners")
        .fetch_all(pool)
        .await?
        .len())
}

fn main() {
    let _ = owner_count;
}
