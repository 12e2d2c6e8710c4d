// Rule: ON CONFLICT DO UPDATE needs a conflict target (the server refuses
// it without one; DO NOTHING needs none).
use secure_pg::{secure_query, Error, Pool};

async fn upsert(pool: &Pool, code: &str, symbol: &str) -> Result<u64, Error> {
    secure_query!(
        "INSERT INTO currencies (code, symbol) VALUES ($1, $2) ON CONFLICT DO UPDATE SET symbol = $2",
        code,
        symbol
    )
    .execute(pool)
    .await
}

fn main() {
    let _ = upsert;
}
