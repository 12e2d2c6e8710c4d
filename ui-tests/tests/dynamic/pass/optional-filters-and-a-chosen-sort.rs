// Rule: a search with optional filters and a sort the caller picks is one
// call: each `if value => "..."` fragment is included when the value is
// `Some` (its `$1` is what the `Some` holds) or `true`, and each `match`
// picks one literal. Every statement it can send is checked at compile time.
use secure_pg::{secure_query_as, Error, FromRow, Pool};

#[derive(FromRow)]
struct Order {
    id: i64,
    status: String,
}

pub enum Sort {
    Newest,
    Amount,
}

async fn search(
    pool: &Pool,
    customer: i64,
    status: Option<String>,
    since: Option<i64>,
    with_archived: bool,
    sort: Sort,
    limit: Option<i64>,
) -> Result<Vec<Order>, Error> {
    secure_query_as!(
        Order,
        "SELECT id, status FROM orders WHERE customer_id = $1", customer;
        if status => "AND status = $1";
        if since => "AND created_at >= to_timestamp($1)";
        if !with_archived => "AND NOT archived";
        match sort {
            Sort::Newest => "ORDER BY created_at DESC, id DESC",
            Sort::Amount => "ORDER BY amount DESC, id",
        };
        if limit => "LIMIT $1";
    )
    .fetch_all(pool)
    .await
}

pub(crate) fn main() {
    let _ = search;
}
