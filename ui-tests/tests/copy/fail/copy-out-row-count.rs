// One element of the row type per listed column, in order.
use secure_pg::{secure_copy_out, Error, Pool};

async fn read(pool: &Pool) -> Result<Vec<(i64, String)>, Error> {
    secure_copy_out!((i64, String), "orders (id, note, amount)")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = read;
}
