// Both fixes for a query on a tenant table, followed: in a #[tenant_scoped]
// function (scoped to the caller's tenant), or marked `unscoped = "reason"`.
// Tables without the tenant column (`widgets`, `currencies`) need neither.
use secure_pg::{
    secure_query, secure_query_as, secure_query_unparsed, tenant_scoped, Error, Pool, TenantId,
};

#[tenant_scoped]
async fn owner_names(pool: &Pool, tenant: TenantId) -> Result<Vec<(String,)>, Error> {
    secure_query_as!((String,), "SELECT name FROM owners ORDER BY name")
        .fetch_all(pool)
        .await
}

async fn owner_count_for_billing(pool: &Pool) -> Result<Vec<(i64,)>, Error> {
    secure_query_as!(
        unscoped = "billing counts owners across tenants",
        (i64,),
        "SELECT count(*) FROM owners"
    )
    .fetch_all(pool)
    .await
}

async fn owner_count_unparsed(pool: &Pool) -> Result<usize, Error> {
    Ok(secure_query_unparsed!(
        unscoped = "billing counts owners across tenants",
        "SELECT count(*) FROM owners"
    )
    .fetch_all(pool)
    .await?
    .len())
}

async fn shared_tables(pool: &Pool) -> Result<u64, Error> {
    secure_query!("SELECT code FROM currencies")
        .fetch_all(pool)
        .await?;
    secure_query!("DELETE FROM widgets WHERE qty = 0")
        .execute(pool)
        .await
}

pub(crate) fn main() {
    let _ = (
        owner_names,
        owner_count_for_billing,
        owner_count_unparsed,
        shared_tables,
    );
}
