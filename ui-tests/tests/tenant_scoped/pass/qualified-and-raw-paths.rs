// Rule: the query macros are recognised under any path and in raw spelling
// (`::secure_pg::secure_query!`, `secure_pg::r#secure_query_as!`), and
// rewritten like the plain ones. Scoped functions may call each other, be
// methods, use `?`, and return `impl Trait`.
use secure_pg::{tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn delete_widget(pool: &Pool, tenant: TenantId, id: i64) -> Result<u64, Error> {
    ::secure_pg::secure_query!("DELETE FROM widgets WHERE id = $1", id)
        .execute(pool)
        .await
}

#[tenant_scoped]
async fn names(pool: &Pool, tenant: TenantId) -> Result<Vec<(String,)>, Error> {
    secure_pg::secure_query_as!((String,), "SELECT name FROM widgets")
        .fetch_all(pool)
        .await
}

struct Repo {
    pool: Pool,
}

impl Repo {
    #[tenant_scoped]
    async fn clear_and_count(&self, tenant: TenantId, id: i64) -> Result<usize, Error> {
        delete_widget(&self.pool, tenant, id).await?;
        Ok(names(&self.pool, tenant).await?.len())
    }

    #[tenant_scoped]
    async fn name_iter(&self, tenant: TenantId) -> impl Iterator<Item = String> {
        let rows = secure_pg::secure_query_as!((String,), "SELECT name FROM widgets")
            .fetch_all(&self.pool)
            .await
            .unwrap_or_default();
        rows.into_iter().map(|(n,)| n)
    }
}

pub(crate) fn main() {
    let _ = (Repo::clear_and_count, Repo::name_iter);
}
