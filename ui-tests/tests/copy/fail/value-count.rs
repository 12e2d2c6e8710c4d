// One value per listed column, in order.
use secure_pg::{secure_copy_in, Error, Pool};

async fn load(pool: &Pool, rows: Vec<(i64, String)>) -> Result<u64, Error> {
    secure_copy_in!("orders (id, note, amount)", rows, |r| (r.0, r.1))
        .execute(pool)
        .await
}

fn main() {
    let _ = load;
}
