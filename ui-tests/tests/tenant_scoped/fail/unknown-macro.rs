// Rule: a macro is accepted in a `#[tenant_scoped]` function only if the
// attribute knows it runs no query: the query macros (which it rewrites),
// the standard library's (except `include!`), tracing's, and those listed
// in `allow_macros = [...]`. Anything else is refused, also inside an
// allowed macro. Here `tokio::join!` is not listed.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

macro_rules! shout {
    ($n:expr) => {
        format!("{}!", $n)
    };
}

#[tenant_scoped]
async fn counts(pool: &Pool, tenant: TenantId) -> Result<usize, Error> {
    let widgets = secure_query!("SELECT id FROM widgets").fetch_all(pool);
    let owners = secure_query!("SELECT id FROM owners").fetch_all(pool);
    let (widgets, owners) = tokio::join!(widgets, owners);
    let n = widgets?.len() + owners?.len();
    assert!(n < 100, "{}", shout!(n));
    Ok(n)
}

fn main() {
    let _ = counts;
}
