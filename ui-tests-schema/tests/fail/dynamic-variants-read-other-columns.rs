// Rule: every variant is read into the same row type, so all of them must
// return the same columns.
use secure_pg::{secure_query_as, Error, Pool};

pub async fn column(pool: &Pool, qty: bool) -> Result<Vec<(i64, String)>, Error> {
    secure_query_as!(
        (i64, String),
        "SELECT id";
        match qty { false => ", name FROM widgets", true => ", qty FROM widgets" };
    )
    .fetch_all(pool)
    .await
}

fn main() {
    let _ = column;
}
