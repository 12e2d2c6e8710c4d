// Rule: placeholders are numbered `$1`, `$2` ... without gaps, one argument
// each. Using `$1` and `$3` (no `$2`) is refused: renumber them.
use secure_pg::{secure_query, Error, Pool};

async fn widgets_between(pool: &Pool, owner: i64, max: i64) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT id FROM widgets WHERE owner = $1 AND size < $3",
        owner,
        max
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

fn main() {
    let _ = widgets_between;
}
