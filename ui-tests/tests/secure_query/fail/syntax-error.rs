// Rule: the SQL must parse as PostgreSQL. The error quotes the line of SQL
// with a caret under the problem (here `ORDER id` is missing `BY`).
use secure_pg::{secure_query, Error, Pool};

async fn widgets_of(pool: &Pool, owner: i64) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT id, name FROM widgets WHERE owner = $1 ORDER id",
        owner
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

fn main() {
    let _ = widgets_of;
}
