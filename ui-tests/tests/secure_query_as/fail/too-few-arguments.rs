// Rule: as with `secure_query!`, one argument per placeholder.
use secure_pg::{secure_query_as, Error, Pool};

async fn widget(pool: &Pool, owner: i64) -> Result<Vec<(i64, String)>, Error> {
    secure_query_as!(
        (i64, String),
        "SELECT id, name FROM widgets WHERE owner = $1 AND size < $2",
        owner
    )
    .fetch_all(pool)
    .await
}

fn main() {
    let _ = widget;
}
