// Rule: every statement a dynamic query can send is typed against the
// schema like a handwritten query: the values of the fragments get the
// column's type (`min_qty` binds as `integer`), and every variant reads the
// same columns into the row type.
use secure_pg::{secure_query_as, Error, Pool};

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

fn main() {
    let _ = search;
}
