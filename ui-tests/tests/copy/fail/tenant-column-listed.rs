// Inside #[tenant_scoped] the library fills the tenant column; the rows
// must not.
use secure_pg::{secure_copy_in, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn import(pool: &Pool, tenant: TenantId, rows: &[(i64, i64)]) -> Result<u64, Error> {
    secure_copy_in!("orders (tenant_id, id)", rows, |r| (r.0, r.1))
        .execute(pool)
        .await
}

fn main() {
    let _ = import;
}
