// Rule: an INSERT must give every NOT NULL column that has no default.
use secure_pg::{secure_query, Error, Pool};

async fn add(pool: &Pool, id: i32) -> Result<u64, Error> {
    secure_query!("INSERT INTO notes (id) VALUES ($1)", id).execute(pool).await
}

fn main() {
    let _ = add;
}
