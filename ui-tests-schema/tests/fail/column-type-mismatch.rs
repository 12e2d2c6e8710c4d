// Rule: a tuple element's type must be one tokio-postgres reads the
// column's SQL type into: `widgets.qty` is `integer`, read as `i32`.
use secure_pg::{secure_query_as, Error, Pool};

async fn quantities(pool: &Pool) -> Result<Vec<(i64, i64)>, Error> {
    secure_query_as!((i64, i64), "SELECT id, qty FROM widgets").fetch_all(pool).await
}

fn main() {
    let _ = quantities;
}
