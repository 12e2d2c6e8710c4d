// Rule: a column two tables in scope have must be qualified.
use secure_pg::{secure_query, Error, Pool};

async fn ids(pool: &Pool) -> Result<usize, Error> {
    Ok(secure_query!("SELECT id FROM widgets w JOIN owners o ON o.id = w.owner_id")
        .fetch_all(pool)
        .await?
        .len())
}

fn main() {
    let _ = ids;
}
