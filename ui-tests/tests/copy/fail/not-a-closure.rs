// The values come from a closure written in the call, so that each can
// be checked against its column.
use secure_pg::{secure_copy_in, Error, Pool};

fn values(r: &(i64, String)) -> (i64, &str) {
    (r.0, &r.1)
}

async fn load(pool: &Pool, rows: Vec<(i64, String)>) -> Result<u64, Error> {
    secure_copy_in!("orders (id, note)", &rows, values)
        .execute(pool)
        .await
}

fn main() {
    let _ = load;
}
