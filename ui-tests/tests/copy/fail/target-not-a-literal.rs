// The target is a literal written in the call.
use secure_pg::{secure_copy_in, Error, Pool};

async fn load(pool: &Pool, table: &str, ids: Vec<i64>) -> Result<u64, Error> {
    secure_copy_in!(table, ids, |i| i).execute(pool).await
}

fn main() {
    let _ = load;
}
