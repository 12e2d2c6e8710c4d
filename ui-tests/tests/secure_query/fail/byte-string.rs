// Rule: the SQL is a normal string literal, not a byte string `b"..."`.
// Remove the `b` prefix.
use secure_pg::{secure_query, Error, Pool};

async fn ping(pool: &Pool) -> Result<u64, Error> {
    secure_query!(b"SELECT 1").execute(pool).await
}

fn main() {
    let _ = ping;
}
