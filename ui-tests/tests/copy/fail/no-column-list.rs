// A copy lists its columns: without them it would depend on the table's
// column order.
use secure_pg::{secure_copy_in, Error, Pool};

async fn load(pool: &Pool, ids: Vec<i64>) -> Result<u64, Error> {
    secure_copy_in!("orders", ids, |i| i).execute(pool).await
}

fn main() {
    let _ = load;
}
