// Rule: `secure_query_unparsed!` still checks the placeholders: `$1`, `$2` ...
// without gaps, one argument each.
use secure_pg::{secure_query_unparsed, Error, Pool};

async fn widgets_between(pool: &Pool, owner: i64, max: i64) -> Result<usize, Error> {
    let rows = secure_query_unparsed!(
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
