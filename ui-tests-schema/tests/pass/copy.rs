// Copies checked against the schema: each value has a type its column
// takes (an enum and a domain are bound as tokio-postgres binds them),
// and a copy into the tenant table `owners` is scoped or says why not.
use secure_pg::{secure_copy_in, tenant_scoped, Error, Pool, TenantId};

async fn notes(pool: &Pool, bodies: &[String]) -> Result<u64, Error> {
    secure_copy_in!("notes (id, body)", bodies.iter().enumerate(), |(i, b)| (
        i as i32,
        b.as_str()
    ))
    .execute(pool)
    .await
}

async fn widgets(pool: &Pool, rows: &[(i64, String, Option<String>, i32)]) -> Result<u64, Error> {
    secure_copy_in!("widgets (owner_id, name, label, qty)", rows, |r| (
        r.0,
        &r.1,
        r.2.as_deref(),
        r.3
    ))
    .execute(pool)
    .await
}

#[tenant_scoped]
async fn owners(pool: &Pool, tenant: TenantId, names: &[&str]) -> Result<u64, Error> {
    secure_copy_in!("owners (name, handle)", names, |n| (*n, None::<&str>))
        .execute(pool)
        .await
}

async fn owners_of_every_tenant(pool: &Pool, rows: &[(i64, String)]) -> Result<u64, Error> {
    secure_copy_in!(
        unscoped = "the nightly import writes for every tenant",
        "owners (tenant_id, name)",
        rows,
        |r| (r.0, &r.1)
    )
    .execute(pool)
    .await
}

pub(crate) fn main() {
    let _ = (notes, widgets, owners, owners_of_every_tenant);
}
