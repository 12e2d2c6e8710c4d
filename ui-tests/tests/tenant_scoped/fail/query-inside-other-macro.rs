// Rule: `#[tenant_scoped]` cannot see inside other macros (`tokio::join!`,
// `vec![...]`, `println!` ...), so a query there would run unscoped and is
// refused, even in a macro the function allows. Bind the query to a
// variable first, then pass that to the macro.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped(allow_macros = [tokio::join])]
async fn counts(pool: &Pool, tenant: TenantId) -> Result<usize, Error> {
    let (widgets, owners) = tokio::join!(
        secure_query!("SELECT id FROM widgets").fetch_all(pool),
        secure_query!("SELECT id FROM owners").fetch_all(pool),
    );
    Ok(widgets?.len() + owners?.len())
}

fn main() {
    let _ = counts;
}
