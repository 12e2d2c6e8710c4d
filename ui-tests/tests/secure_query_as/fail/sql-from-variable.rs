// Rule: as with `secure_query!`, the SQL must be a literal written in the
// call, after the row type.
use secure_pg::{secure_query_as, Error, Pool};

async fn widget(pool: &Pool, id: i64) -> Result<(i64, String), Error> {
    let sql = "SELECT id, name FROM widgets WHERE id = $1";
    secure_query_as!((i64, String), sql, id)
        .fetch_one(pool)
        .await
}

fn main() {
    let _ = widget;
}
