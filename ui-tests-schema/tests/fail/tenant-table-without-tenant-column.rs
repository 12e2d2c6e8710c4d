// Rule: with a schema, every table a #[tenant_scoped] query names must
// carry the tenant column; a table every tenant shares is declared
// `exempt = [...]`. `notes` has no `tenant_id`.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn note_bodies(pool: &Pool, tenant: TenantId) -> Result<Vec<(String,)>, Error> {
    secure_query_as!((String,), "SELECT body FROM notes")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = note_bodies;
}
