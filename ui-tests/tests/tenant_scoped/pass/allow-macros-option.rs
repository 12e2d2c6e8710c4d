// Rule: a macro the attribute does not know is accepted once the function
// declares it query-free with `allow_macros = [name, path::name]` (the path
// as written at the call). Queries inside it are still refused.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

mod audit {
    macro_rules! note {
        ($($t:tt)*) => {
            eprintln!($($t)*)
        };
    }
    pub(crate) use note;
}

macro_rules! ensure {
    ($cond:expr) => {
        if !$cond {
            return Ok(0);
        }
    };
}

#[tenant_scoped(allow_macros = [ensure, audit::note, tokio::join])]
async fn counts(pool: &Pool, tenant: TenantId, min: usize) -> Result<usize, Error> {
    let widgets = secure_query!("SELECT id FROM widgets").fetch_all(pool);
    let owners = secure_query!("SELECT id FROM owners").fetch_all(pool);
    let (widgets, owners) = tokio::join!(widgets, owners);
    let n = widgets?.len() + owners?.len();
    ensure!(n >= min);
    audit::note!("{n} rows");
    Ok(n)
}

pub(crate) fn main() {
    let _ = counts;
}
