// Rule: every argument needs a placeholder. An extra argument is reported on
// the argument itself: remove it or use it in the SQL as `$n`.
use secure_pg::{secure_query, Error, Pool};

async fn widget(pool: &Pool, id: i64, owner: i64) -> Result<usize, Error> {
    let rows = secure_query!("SELECT name FROM widgets WHERE id = $1", id, owner)
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

fn main() {
    let _ = widget;
}
