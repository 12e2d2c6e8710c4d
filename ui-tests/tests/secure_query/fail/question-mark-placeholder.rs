// Rule: `?` is the placeholder of MySQL and SQLite, not of PostgreSQL.
// Number the placeholders `$1`, `$2` ... in the order of the arguments.
// (`?` between two operands, the jsonb "key exists" operator, is allowed.)
use secure_pg::{secure_query, Error, Pool};

async fn widget(pool: &Pool, owner: i64) -> Result<usize, Error> {
    let rows = secure_query!("SELECT id FROM widgets WHERE owner = ?", owner)
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

fn main() {
    let _ = widget;
}
