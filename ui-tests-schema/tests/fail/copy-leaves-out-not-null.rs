// A copy must fill every NOT NULL column that has no default.
use secure_pg::{secure_copy_in, Error, Pool};

async fn load(pool: &Pool, ids: Vec<i32>) -> Result<u64, Error> {
    secure_copy_in!("notes (id)", ids, |i| i).execute(pool).await
}

fn main() {
    let _ = load;
}
