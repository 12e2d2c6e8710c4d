// Rule: the advice for a refused rebinding, followed: the other tenant gets
// another name, and work for it goes through a #[tenant_scoped] function
// called with it. The tenant parameter itself stays readable in the body.
use secure_pg::{secure_query, tenant_scoped, Error, Pool, TenantId};

struct Order {
    tenant: TenantId,
    widget: i64,
}

#[tenant_scoped]
async fn delete_for(pool: &Pool, tenant: TenantId, id: i64) -> Result<u64, Error> {
    secure_query!("DELETE FROM widgets WHERE id = $1", id)
        .execute(pool)
        .await
}

#[tenant_scoped]
async fn delete_order_widget(pool: &Pool, tenant: TenantId, order: Order) -> Result<u64, Error> {
    let Order {
        tenant: order_tenant,
        widget,
    } = order;
    if order_tenant != tenant {
        return Ok(0);
    }
    let n = |other_tenant: TenantId| other_tenant.get();
    let _ = n(tenant);
    delete_for(pool, order_tenant, widget).await
}

pub(crate) fn main() {
    let _ = delete_order_widget;
}
