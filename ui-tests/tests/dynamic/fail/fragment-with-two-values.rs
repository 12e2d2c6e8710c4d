// Rule: an optional fragment binds one value, its own `$1`.
use secure_pg::{secure_query, Error, Pool};

async fn between(pool: &Pool, range: Option<(i64, i64)>) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT id FROM widgets WHERE true";
        if range => "AND id BETWEEN $1 AND $2";
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

fn main() {
    let _ = between;
}
