// Rule: an argument's Rust type must be one tokio-postgres binds to the
// parameter's SQL type: `widgets.id` is `bigint`, so `$1` takes an `i64`,
// not an `i32`.
use secure_pg::{secure_query, Error, Pool};

async fn by_id(pool: &Pool, id: i32) -> Result<usize, Error> {
    Ok(secure_query!("SELECT name FROM widgets WHERE id = $1", id)
        .fetch_all(pool)
        .await?
        .len())
}

fn main() {
    let _ = by_id;
}
