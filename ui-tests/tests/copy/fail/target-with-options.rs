// The target is a table and its columns only: options, clauses and
// statements after it are refused, never passed on.
use secure_pg::{secure_copy_in, Error, Pool};

async fn load(pool: &Pool, ids: Vec<i64>) -> Result<u64, Error> {
    secure_copy_in!("orders (id) WITH (FORMAT csv)", ids, |i| i)
        .execute(pool)
        .await
}

fn main() {
    let _ = load;
}
