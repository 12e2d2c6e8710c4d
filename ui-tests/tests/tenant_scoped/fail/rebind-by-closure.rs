// Rule: a closure parameter named like the tenant parameter shadows it inside
// the closure; it is refused like any other rebinding.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn count(pool: &Pool, tenant: TenantId, others: Vec<TenantId>) -> Result<usize, Error> {
    let n = others.iter().filter(|tenant| **tenant != TenantId::from_authenticated(0)).count();
    let rows = secure_query!("SELECT id FROM widgets").fetch_all(pool).await?;
    Ok(rows.len() + n)
}

fn main() {
    let _ = count;
}
