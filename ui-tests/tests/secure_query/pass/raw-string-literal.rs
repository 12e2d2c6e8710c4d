// Rule: raw string literals `r"..."` / `r#"..."#` are string literals too;
// use them when the SQL contains double quotes (quoted identifiers).
use secure_pg::{secure_query, Error, Pool};

async fn widget_sizes(pool: &Pool, owner: i64) -> Result<usize, Error> {
    let rows = secure_query!(
        r#"SELECT "Size", "Name" FROM "Widgets" WHERE "Owner" = $1"#,
        owner
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

// `main` only names the function so that it is compiled; nothing here
// connects to a database.
pub(crate) fn main() {
    let _ = widget_sizes;
}
