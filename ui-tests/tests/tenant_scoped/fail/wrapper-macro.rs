// Rule: a project's shorthand macro that expands to `secure_query!` is
// invisible to the attribute (it sees `delete_all!`, not the query), so
// every macro it does not know is refused. Call `secure_query!` directly.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

macro_rules! delete_all {
    ($table:literal) => {
        secure_query!(concat!("DELETE FROM ", $table))
    };
    () => {
        secure_query!("DELETE FROM widgets")
    };
}

#[tenant_scoped]
async fn clear(pool: &Pool, tenant: TenantId) -> Result<u64, Error> {
    delete_all!().execute(pool).await
}

fn main() {
    let _ = clear;
}
