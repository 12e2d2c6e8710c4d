// Rule: with a schema, #[tenant_scoped] checks its tables against it: tenant
// tables carry the tenant column (`owners.tenant_id`, whose type, bigint,
// comes from the schema), shared ones are exempt (`currencies`). The
// rewritten queries are then type-checked like any other, the tenant
// argument included.
use secure_pg::{secure_query, secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped(exempt = [currencies])]
async fn owners_and_symbols(
    pool: &Pool,
    tenant: TenantId,
    code: &str,
) -> Result<Vec<(String, String)>, Error> {
    secure_query_as!(
        (String, String),
        "SELECT o.name, c.symbol FROM owners o JOIN currencies c ON c.code = $1",
        code
    )
    .fetch_all(pool)
    .await
}

#[tenant_scoped]
async fn add_owner(pool: &Pool, tenant: TenantId, name: &str) -> Result<u64, Error> {
    secure_query!("INSERT INTO owners (name) VALUES ($1)", name)
        .execute(pool)
        .await
}

#[tenant_scoped]
async fn copy_owners(pool: &Pool, tenant: TenantId) -> Result<u64, Error> {
    // `INSERT ... SELECT` casts the tenant value in the select list, with
    // the schema's type.
    secure_query!("INSERT INTO owners (name) SELECT name || ' copy' FROM owners")
        .execute(pool)
        .await
}

pub(crate) fn main() {
    let _ = (owners_and_symbols, add_owner, copy_owners);
}
