// Rule: DDL (`CREATE`, `ALTER`, `DROP` ...) changes every tenant's data and is
// refused in a `#[tenant_scoped]` function; run migrations elsewhere.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn add_color(pool: &Pool, tenant: TenantId) -> Result<u64, Error> {
    secure_query!("ALTER TABLE widgets ADD COLUMN color text")
        .execute(pool)
        .await
}

fn main() {
    let _ = add_color;
}
