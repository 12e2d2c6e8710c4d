// Each element reads its column's type.
use secure_pg::{secure_copy_out, Error, Pool};

async fn read(pool: &Pool) -> Result<Vec<(i64, String)>, Error> {
    secure_copy_out!((i64, String), "notes (id, body)")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = read;
}
