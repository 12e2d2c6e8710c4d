// Rule: `#[tenant_scoped]` on a function with a `TenantId` parameter rewrites
// every `secure_query!` / `secure_query_as!` inside it so that each table is
// filtered by `tenant_id = <tenant>`, including both sides of joins. The
// rewritten SQL is added to the function's docs (`cargo doc` shows it).
use secure_pg::{secure_query, secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn widgets_with_owner(
    pool: &Pool,
    tenant: TenantId,
    min_size: i64,
) -> Result<Vec<(i64, String, String)>, Error> {
    // Becomes `... WHERE (w.size >= $1) AND w.tenant_id = $2 AND o.tenant_id = $2`.
    secure_query_as!(
        (i64, String, String),
        "SELECT w.id, w.name, o.name FROM widgets w JOIN owners o ON o.id = w.owner_id WHERE w.size >= $1",
        min_size
    )
    .fetch_all(pool)
    .await
}

#[tenant_scoped]
async fn widgets_and_notes(pool: &Pool, tenant: TenantId) -> Result<usize, Error> {
    // The nullable side of an outer join is filtered in its `ON`.
    let rows =
        secure_query!("SELECT w.id, n.body FROM widgets w LEFT JOIN notes n ON n.widget_id = w.id")
            .fetch_all(pool)
            .await?;
    Ok(rows.len())
}

#[tenant_scoped]
async fn write(pool: &Pool, tenant: TenantId, name: &str, id: i64) -> Result<(), Error> {
    // INSERT gets the tenant column appended; UPDATE / DELETE get a filter.
    secure_query!("INSERT INTO widgets (name) VALUES ($1)", name)
        .execute(pool)
        .await?;
    secure_query!("UPDATE widgets SET name = $1 WHERE id = $2", name, id)
        .execute(pool)
        .await?;
    secure_query!("DELETE FROM widgets WHERE id = $1", id)
        .execute(pool)
        .await?;
    Ok(())
}

pub(crate) fn main() {
    let _ = widgets_with_owner;
    let _ = widgets_and_notes;
    let _ = write;
}
