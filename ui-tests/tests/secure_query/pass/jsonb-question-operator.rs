// Rule: `?` between two operands is PostgreSQL's jsonb "key exists" operator
// and is accepted; only a `?` where a value belongs is refused as a placeholder.
use secure_pg::{secure_query, Error, Pool};

async fn with_status(pool: &Pool, key: &str) -> Result<usize, Error> {
    let rows = secure_query!("SELECT id FROM events WHERE payload ? $1", key)
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

pub(crate) fn main() {
    let _ = with_status;
}
