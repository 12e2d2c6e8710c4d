// Rule: `$1` and `;` inside a string, a quoted identifier, a comment or a
// dollar-quoted string (`$$...$$`, `$tag$...$tag$`) are text, not
// placeholders or statement ends: this query has one placeholder.
use secure_pg::{secure_query, Error, Pool};

async fn price_label(pool: &Pool, id: i64) -> Result<String, Error> {
    let row = secure_query!(
        "SELECT $$costs $1; or more$$ || $tag$ (';' '$2') $tag$ || name, '$3;' FROM widgets WHERE id = $1",
        id
    )
    .fetch_one(pool)
    .await?;
    Ok(row.get(0))
}

pub(crate) fn main() {
    let _ = price_label;
}
