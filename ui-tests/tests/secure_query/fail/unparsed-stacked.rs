// Rule: the escape hatch `secure_query_unparsed!` skips the full SQL parse,
// but still refuses stacked statements: one statement per query.
use secure_pg::{secure_query_unparsed, Error, Pool};

async fn reset(pool: &Pool) -> Result<u64, Error> {
    secure_query_unparsed!("SELECT 1; DROP TABLE users")
        .execute(pool)
        .await
}

fn main() {
    let _ = reset;
}
