// Rule: a GENERATED ALWAYS column is never written.
use secure_pg::{secure_query, Error, Pool};

async fn add(pool: &Pool, owner: i64, name: &str) -> Result<u64, Error> {
    secure_query!("INSERT INTO widgets (owner_id, name, doubled) VALUES ($1, $2, 4)", owner, name)
        .execute(pool)
        .await
}

fn main() {
    let _ = add;
}
