// Rule: placeholders can be cast (`$1::int`, `CAST($2 AS bigint)`) to tell
// PostgreSQL which type to expect; the cast does not change the numbering.
use secure_pg::{secure_query, Error, Pool};

async fn next_id(pool: &Pool, start: i32, step: i64) -> Result<i64, Error> {
    let row = secure_query!("SELECT $1::int + CAST($2 AS bigint)", start, step)
        .fetch_one(pool)
        .await?;
    Ok(row.get(0))
}

async fn created_after(pool: &Pool, since: &str) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT id FROM widgets WHERE created_at > $1::text::timestamptz",
        since
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

pub(crate) fn main() {
    let _ = next_id;
    let _ = created_after;
}
