// Rule: the first argument is the SQL string literal.
use secure_pg::{secure_query, Error, Pool};

async fn ping(pool: &Pool) -> Result<u64, Error> {
    secure_query!().execute(pool).await
}

fn main() {
    let _ = ping;
}
