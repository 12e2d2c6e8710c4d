// Rule: `COPY` cannot be scoped and is refused in a `#[tenant_scoped]`
// function; select the rows instead (`SELECT ... FROM widgets`).
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn export(pool: &Pool, tenant: TenantId) -> Result<u64, Error> {
    secure_query!("COPY widgets TO '/tmp/widgets.csv'").execute(pool).await
}

fn main() {
    let _ = export;
}
