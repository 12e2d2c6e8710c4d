// Rule: queries in closures and async blocks of the function are scoped too,
// e.g. inside `pool.transaction(...)`. The tenant (a `Copy` value) moves
// into the `async move` block.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn archive(pool: &Pool, tenant: TenantId, id: i64) -> Result<(), Error> {
    pool.transaction(|tx| {
        Box::pin(async move {
            secure_query!(
                "INSERT INTO archived_widgets (widget_id, name) SELECT id, name FROM widgets WHERE id = $1",
                id
            )
            .execute(&mut *tx)
            .await?;
            secure_query!("DELETE FROM widgets WHERE id = $1", id)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    })
    .await
}

fn assert_send<T: Send>(_: T) {}

pub(crate) fn main() {
    let _ = archive;
    // The scoped function's future is still `Send`.
    let _ = |pool: &Pool| assert_send(archive(pool, TenantId::from_authenticated(1), 7));
}
