// Every error in the select list and in WHERE is reported in one build,
// each pointing at its own place in the SQL: two misspelt columns and a
// comparison whose sides cannot meet.
use secure_pg::{secure_query_as, Error, Pool};

async fn widgets(pool: &Pool) -> Result<Vec<(i64, String)>, Error> {
    secure_query_as!(
        (i64, String),
        "SELECT idd, nmae FROM widgets WHERE qty = 'many'"
    )
    .fetch_all(pool)
    .await
}

fn main() {
    let _ = widgets;
}
