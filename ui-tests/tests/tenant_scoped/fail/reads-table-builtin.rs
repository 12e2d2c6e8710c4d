// Rule: built-ins that run SQL text or dump a table (`query_to_xml`,
// `table_to_xml` and their relatives, `pg_read_file`, `dblink` ...) read
// what the rewriter cannot scope; they are refused and cannot be declared
// trusted.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn export(pool: &Pool, tenant: TenantId) -> Result<Vec<(String,)>, Error> {
    secure_query_as!(
        (String,),
        "SELECT query_to_xml('SELECT * FROM widgets', true, false, '')::text"
    )
    .fetch_all(pool)
    .await
}

fn main() {
    let _ = export;
}
