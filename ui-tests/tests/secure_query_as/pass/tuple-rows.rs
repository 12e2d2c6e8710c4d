// Rule: without a struct, use a tuple (up to 8 elements): columns are read
// by position. A one-column row is a 1-tuple `(T,)`.
use secure_pg::{secure_query_as, Error, Pool};

async fn names(pool: &Pool, owner: i64) -> Result<Vec<(i64, String)>, Error> {
    secure_query_as!(
        (i64, String),
        "SELECT id, name FROM widgets WHERE owner = $1",
        owner
    )
    .fetch_all(pool)
    .await
}

async fn count(pool: &Pool) -> Result<i64, Error> {
    let (n,) = secure_query_as!((i64,), "SELECT count(*) FROM widgets")
        .fetch_one(pool)
        .await?;
    Ok(n)
}

async fn nullable(pool: &Pool, id: i64) -> Result<Option<String>, Error> {
    let (note,) = secure_query_as!(
        (Option<String>,),
        "SELECT note FROM widgets WHERE id = $1",
        id
    )
    .fetch_one(pool)
    .await?;
    Ok(note)
}

pub(crate) fn main() {
    let _ = names;
    let _ = count;
    let _ = nullable;
}
