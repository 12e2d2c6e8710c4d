// Rule: a user function returning `SETOF widgets`, called in the select
// list, reads the table inside the function, where the rewriter cannot add
// the tenant predicate. It is refused like any unknown function.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn names(pool: &Pool, tenant: TenantId) -> Result<Vec<(String,)>, Error> {
    secure_query_as!((String,), "SELECT (all_widgets()).name")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = names;
}
