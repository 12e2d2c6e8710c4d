// Rule: `secure_query_as!` takes the row type first:
// `secure_query_as!(Widget, "SELECT ...", args...)`. Without a row type,
// use `secure_query!`.
use secure_pg::{secure_query_as, Error, Pool};

async fn widget(pool: &Pool, id: i64) -> Result<usize, Error> {
    let rows = secure_query_as!("SELECT id, name FROM widgets WHERE id = $1", id)
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

fn main() {
    let _ = widget;
}
