// Rule: a comparison needs an operator for both sides' types, as the
// server's PREPARE does: `bigint = boolean` has none.
use secure_pg::{secure_query, Error, Pool};

async fn find(pool: &Pool) -> Result<u64, Error> {
    secure_query!("SELECT id FROM widgets WHERE owner_id = (qty > 1)")
        .execute(pool)
        .await
}

fn main() {
    let _ = find;
}
