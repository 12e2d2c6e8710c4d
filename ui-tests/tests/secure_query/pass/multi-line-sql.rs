// Rule: SQL may span several lines, with `--` and `/* */` comments and one
// trailing `;`.
use secure_pg::{secure_query, Error, Pool};

async fn top_owners(pool: &Pool, min_widgets: i64, limit: i64) -> Result<usize, Error> {
    let rows = secure_query!(
        "
        SELECT owner, count(*) AS widgets -- one row per owner
        FROM widgets
        /* only owners with enough widgets */
        GROUP BY owner
        HAVING count(*) >= $1
        ORDER BY widgets DESC
        LIMIT $2;
        ",
        min_widgets,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

pub(crate) fn main() {
    let _ = top_owners;
}
