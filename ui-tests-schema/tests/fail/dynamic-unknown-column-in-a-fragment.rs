// Rule: a fragment is checked against the schema in every statement that
// includes it; the error names the choices that produce that statement.
use secure_pg::{secure_query_as, Error, Pool};

pub async fn search(pool: &Pool, name: Option<String>) -> Result<Vec<(i64,)>, Error> {
    secure_query_as!(
        (i64,),
        "SELECT id FROM widgets WHERE true";
        if name => "AND nmae = $1";
    )
    .fetch_all(pool)
    .await
}

fn main() {
    let _ = search;
}
