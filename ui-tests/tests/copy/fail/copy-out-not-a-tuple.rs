// The row type is a tuple written out, so that it can be checked against
// the columns.
use secure_pg::{secure_copy_out, Error, Pool};

type Order = (i64, String);

async fn read(pool: &Pool) -> Result<Vec<Order>, Error> {
    secure_copy_out!(Order, "orders (id, note)").fetch_all(pool).await
}

fn main() {
    let _ = read;
}
