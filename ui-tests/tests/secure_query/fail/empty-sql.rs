// Rule: the SQL cannot be empty (or only whitespace, comments and `;`).
use secure_pg::{secure_query, Error, Pool};

async fn nothing(pool: &Pool) -> Result<u64, Error> {
    secure_query!("").execute(pool).await
}

fn main() {
    let _ = nothing;
}
