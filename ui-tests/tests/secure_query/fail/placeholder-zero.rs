// Rule: placeholders start at `$1`; `$0` does not exist in PostgreSQL.
use secure_pg::{secure_query, Error, Pool};

async fn widget(pool: &Pool, id: i64) -> Result<usize, Error> {
    let rows = secure_query!("SELECT name FROM widgets WHERE id = $0", id)
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

fn main() {
    let _ = widget;
}
