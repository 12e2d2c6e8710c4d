// Rule: the SQL cannot be the result of a method call such as
// `.to_string()`: it would only exist at run time. Write the literal itself.
use secure_pg::{secure_query, Error, Pool};

async fn widget_name(pool: &Pool, id: i64) -> Result<String, Error> {
    let sql = "SELECT name FROM widgets WHERE id = $1";
    let row = secure_query!(sql.to_string(), id).fetch_one(pool).await?;
    Ok(row.get(0))
}

fn main() {
    let _ = widget_name;
}
