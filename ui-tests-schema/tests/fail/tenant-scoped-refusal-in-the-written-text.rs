// Rule: a query inside #[tenant_scoped] that the schema checks refuse is
// shown as the user wrote it: in the literal's own lines, with the caret at
// the mistake, not in the rewrite that adds the tenant filter.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn names(pool: &Pool, tenant: TenantId, min: i64) -> Result<Vec<(String,)>, Error> {
    secure_query_as!(
        (String,),
        "SELECT o.name
           FROM owners o
          WHERE o.id >= $1
            AND o.nmae <> ''",
        min
    )
    .fetch_all(pool)
    .await
}

fn main() {
    let _ = names;
}
