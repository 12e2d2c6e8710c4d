// The row type comes first, as in secure_query_as!.
use secure_pg::{secure_copy_out, Error, Pool};

async fn read(pool: &Pool) -> Result<Vec<(i64, String)>, Error> {
    secure_copy_out!("orders (id, note)", (i64, String))
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = read;
}
