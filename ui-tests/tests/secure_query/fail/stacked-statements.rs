// Rule: one statement per query. A single trailing `;` is fine; anything
// after it is refused as stacked statements. Run each statement with its
// own query (inside `pool.transaction(...)` if they belong together).
use secure_pg::{secure_query, Error, Pool};

async fn reset(pool: &Pool) -> Result<u64, Error> {
    secure_query!("SELECT 1; DROP TABLE users")
        .execute(pool)
        .await
}

fn main() {
    let _ = reset;
}
