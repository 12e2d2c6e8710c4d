// Rule: a scoped `UPDATE` cannot change the tenant column: a row never moves
// to another tenant from tenant-scoped code.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn move_widget(pool: &Pool, tenant: TenantId, to: i64, id: i64) -> Result<u64, Error> {
    secure_query!("UPDATE widgets SET tenant_id = $1 WHERE id = $2", to, id)
        .execute(pool)
        .await
}

fn main() {
    let _ = move_widget;
}
