// Rule: a fragment's value is typed by the schema: `qty` is an integer, so
// a `String` cannot be its value.
use secure_pg::{secure_query_as, Error, Pool};

pub async fn search(pool: &Pool, min_qty: Option<String>) -> Result<Vec<(i64,)>, Error> {
    secure_query_as!(
        (i64,),
        "SELECT id FROM widgets WHERE true";
        if min_qty => "AND qty >= $1";
    )
    .fetch_all(pool)
    .await
}

fn main() {
    let _ = search;
}
