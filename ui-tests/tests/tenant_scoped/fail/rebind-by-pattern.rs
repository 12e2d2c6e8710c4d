// Rule: destructuring a value into a binding named like the tenant parameter
// shadows it; the queries would still run for the caller's tenant, so the
// binding is refused: bind the field to another name.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

struct Order {
    tenant: TenantId,
    widget: i64,
}

#[tenant_scoped]
async fn widget_of(pool: &Pool, tenant: TenantId, order: Order) -> Result<Vec<(String,)>, Error> {
    let Order { tenant, widget } = order;
    let _ = tenant;
    secure_query_as!((String,), "SELECT name FROM widgets WHERE id = $1", widget)
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = widget_of;
}
