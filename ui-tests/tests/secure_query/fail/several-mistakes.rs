// Rule: every problem in one query is reported, not only the first. Here
// both `?` must become `$1` and `$2`.
//
// Every mistake is reported, each once, with nothing added by rustc.
use secure_pg::{secure_query, Error, Pool};

async fn widget(pool: &Pool, owner: i64, name: &str) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT id FROM widgets WHERE owner = ? AND name = ?",
        owner,
        name
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

fn main() {
    let _ = widget;
}
