// Rule: every column must exist in the tables in scope; the error suggests
// the closest name and lists the tables.
use secure_pg::{secure_query, Error, Pool};

async fn names(pool: &Pool) -> Result<usize, Error> {
    Ok(secure_query!("SELECT w.id, nmae FROM widgets w").fetch_all(pool).await?.len())
}

fn main() {
    let _ = names;
}
