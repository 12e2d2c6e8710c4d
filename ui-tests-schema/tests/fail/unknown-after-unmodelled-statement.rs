// Rule: a statement the schema loader cannot model (here `CREATE TABLE ... AS`
// with a computed column, in schema.sql) leaves what it names unknown. A query
// on it is refused with the statement's file and line and the fixes; the first
// such refusal of a crate also lists what the loader could not model.
use secure_pg::{secure_query, Error, Pool};

async fn count(pool: &Pool) -> Result<usize, Error> {
    Ok(secure_query!("SELECT id, body FROM archived_notes").fetch_all(pool).await?.len())
}

async fn insert(pool: &Pool, body: &str) -> Result<u64, Error> {
    secure_query!("INSERT INTO archived_notes (body) VALUES ($1)", body).execute(pool).await
}

fn main() {
    let _ = (count, insert);
}
