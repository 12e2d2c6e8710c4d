// Rule: an ON CONFLICT target must be a primary key, unique constraint or
// unique index: `owners.name` is unique only together with `tenant_id`.
use secure_pg::{secure_query, Error, Pool};

async fn add(pool: &Pool, name: &str) -> Result<u64, Error> {
    secure_query!("INSERT INTO owners (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", name)
        .execute(pool)
        .await
}

fn main() {
    let _ = add;
}
