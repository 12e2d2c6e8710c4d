// Rule: a query runs on `&pool`, `&conn`, `&mut tx` (or a
// `&tokio_postgres::Client`). Passing the pool by value is refused: borrow it.
use secure_pg::{secure_query, Error, Pool};

async fn ping(pool: Pool) -> Result<u64, Error> {
    secure_query!("SELECT 1").execute(pool).await
}

fn main() {
    let _ = ping;
}
