// Rule: a `const` is refused like a variable: the macro only sees the
// name, not the text. Write the SQL inline in the macro call.
use secure_pg::{secure_query, Error, Pool};

const WIDGET_NAME: &str = "SELECT name FROM widgets WHERE id = $1";

async fn widget_name(pool: &Pool, id: i64) -> Result<String, Error> {
    let row = secure_query!(WIDGET_NAME, id).fetch_one(pool).await?;
    Ok(row.get(0))
}

fn main() {
    let _ = widget_name;
}
