// Rule: with a schema, the tenant column's type is the schema's; a
// `column_type` that says otherwise is refused rather than trusted.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped(column_type = "integer")]
async fn owner_names(pool: &Pool, tenant: TenantId) -> Result<Vec<(String,)>, Error> {
    secure_query_as!((String,), "SELECT name FROM owners")
        .fetch_all(pool)
        .await
}

// A second query in the same function: the error is on the attribute, once.
#[tenant_scoped(column_type = "integer")]
async fn owner_count(pool: &Pool, tenant: TenantId) -> Result<Vec<(i64,)>, Error> {
    secure_query_as!((i64,), "SELECT count(*) FROM owners")
        .fetch_all(pool)
        .await?;
    secure_query_as!((i64,), "SELECT count(*) FROM owners WHERE name <> ''")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = (owner_names, owner_count);
}
