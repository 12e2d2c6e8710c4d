// Rule: tables shared by every tenant (reference data) are listed in
// `exempt = [...]` and are not filtered; the other tables still are.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped(exempt = [countries, "currencies"])]
async fn widgets_with_country(
    pool: &Pool,
    tenant: TenantId,
) -> Result<Vec<(String, String, String)>, Error> {
    secure_query_as!(
        (String, String, String),
        "SELECT w.name, c.name, cur.symbol
         FROM widgets w
         JOIN countries c ON c.code = w.country_code
         JOIN currencies cur ON cur.code = c.currency_code"
    )
    .fetch_all(pool)
    .await
}

pub(crate) fn main() {
    let _ = widgets_with_country;
}
