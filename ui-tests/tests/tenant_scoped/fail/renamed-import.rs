// Rule: the attribute recognises the query macros by their name, under any
// path. A renamed import (`as q`, at module level or in the function) hides
// the query from it, so it would run unscoped: refused. Call
// `secure_query!` / `secure_query_as!` under their own names.
use secure_pg::secure_query as q;
use secure_pg::{tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn delete_everything(pool: &Pool, tenant: TenantId) -> Result<u64, Error> {
    q!("DELETE FROM widgets").execute(pool).await
}

#[tenant_scoped]
async fn read_everything(pool: &Pool, tenant: TenantId) -> Result<Vec<(i64,)>, Error> {
    use secure_pg::secure_query_as as qa;
    qa!((i64,), "SELECT id FROM widgets").fetch_all(pool).await
}

fn main() {
    let _ = (delete_everything, read_everything);
}
