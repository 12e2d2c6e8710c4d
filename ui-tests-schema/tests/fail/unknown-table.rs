// Rule: with a schema, every table a query names must exist in it; the
// error suggests the closest name.
use secure_pg::{secure_query, Error, Pool};

async fn count(pool: &Pool) -> Result<usize, Error> {
    Ok(secure_query!("SELECT id FROM widgts").fetch_all(pool).await?.len())
}

fn main() {
    let _ = count;
}
