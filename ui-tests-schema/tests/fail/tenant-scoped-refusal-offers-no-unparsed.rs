// Rule: inside #[tenant_scoped], where the `_unparsed` forms are refused, a
// query the schema checks cannot type is not sent to them: the help says
// what works there instead.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn keys(pool: &Pool, tenant: TenantId) -> Result<u64, Error> {
    secure_query!("SELECT o.id, m.m FROM owners o, string_to_table(o.name, $1::text) m", "a")
        .execute(pool)
        .await
}

fn main() {
    let _ = keys;
}
