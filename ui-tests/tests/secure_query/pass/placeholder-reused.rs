// Rule: a placeholder may appear more than once; it still takes one argument.
use secure_pg::{secure_query, Error, Pool};

async fn visible_to(pool: &Pool, user: i64) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT id FROM widgets WHERE owner = $1 OR created_by = $1",
        user
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

pub(crate) fn main() {
    let _ = visible_to;
}
