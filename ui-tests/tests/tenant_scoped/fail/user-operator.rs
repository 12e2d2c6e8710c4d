// Rule: a user-defined operator calls a function, which can read any table;
// `OPERATOR(schema.op)` outside pg_catalog is refused.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn similar(pool: &Pool, tenant: TenantId, name: String) -> Result<Vec<(i64,)>, Error> {
    secure_query_as!(
        (i64,),
        "SELECT id FROM widgets WHERE name OPERATOR(public.%%) $1",
        name
    )
    .fetch_all(pool)
    .await
}

fn main() {
    let _ = similar;
}
