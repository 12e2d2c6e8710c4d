// Rule: every statement a dynamic query can send is typed against the
// schema like a handwritten query: the values of the fragments get the
// column's type (`min_qty` binds as `integer`), and every variant reads the
// same columns into the row type.
use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

pub enum Sort {
    Name,
    Qty,
}

pub async fn search(
    pool: &Pool,
    owner: i64,
    name: Option<String>,
    min_qty: Option<i32>,
    sort: Sort,
    limit: Option<i64>,
) -> Result<Vec<(i64, String, Option<String>)>, Error> {
    secure_query_as!(
        (i64, String, Option<String>),
        "SELECT id, name, label FROM widgets WHERE owner_id = $1", owner;
        if name => "AND name = $1";
        if min_qty => "AND qty >= $1";
        match sort { Sort::Name => "ORDER BY name, id", Sort::Qty => "ORDER BY qty DESC, id" };
        if limit => "LIMIT $1";
    )
    .fetch_all(pool)
    .await
}

/// On the tenant table `owners`, inside #[tenant_scoped]: every variant is
/// scoped and typed, the tenant bound after the values it includes.
#[tenant_scoped]
pub async fn owners(
    pool: &Pool,
    tenant: TenantId,
    handle: Option<String>,
    by_name: bool,
    limit: Option<i64>,
) -> Result<Vec<(i64, String)>, Error> {
    secure_query_as!(
        (i64, String),
        "SELECT id, name FROM owners WHERE id > $1", 0_i64;
        if handle => "AND handle = $1";
        match by_name { true => "ORDER BY name, id", false => "ORDER BY id" };
        if limit => "LIMIT $1";
    )
    .fetch_all(pool)
    .await
}

pub(crate) fn main() {
    let _ = (search, owners);
}
