// Rule: `concat!` is expanded after `secure_query!` runs, so the macro
// cannot see the joined SQL. Write one literal; a raw string `r#"..."#`
// can span several lines.
use secure_pg::{secure_query, Error, Pool};

async fn widget_name(pool: &Pool, id: i64) -> Result<String, Error> {
    let row = secure_query!(concat!("SELECT name ", "FROM widgets WHERE id = $1"), id)
        .fetch_one(pool)
        .await?;
    Ok(row.get(0))
}

fn main() {
    let _ = widget_name;
}
