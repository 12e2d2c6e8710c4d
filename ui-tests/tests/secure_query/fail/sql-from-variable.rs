// Rule: the SQL must be a string literal written inside the macro call.
// A variable is refused even if it holds a literal: the macro can only check
// SQL it can see. Write the SQL inline and pass values as `$1`, `$2` ...
use secure_pg::{secure_query, Error, Pool};

async fn widget_name(pool: &Pool, id: i64) -> Result<String, Error> {
    let sql = "SELECT name FROM widgets WHERE id = $1";
    let row = secure_query!(sql, id).fetch_one(pool).await?;
    Ok(row.get(0))
}

fn main() {
    let _ = widget_name;
}
