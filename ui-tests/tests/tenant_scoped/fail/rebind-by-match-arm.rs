// Rule: a `match` arm (or `if let`) that binds the tenant parameter's name
// shadows it inside the arm; it is refused like any other rebinding.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn purge(pool: &Pool, tenant: TenantId, target: Option<TenantId>) -> Result<u64, Error> {
    match target {
        Some(tenant) => {
            let _ = tenant;
            secure_query!("DELETE FROM widgets").execute(pool).await
        }
        None => Ok(0),
    }
}

fn main() {
    let _ = purge;
}
