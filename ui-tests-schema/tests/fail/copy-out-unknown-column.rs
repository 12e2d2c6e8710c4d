// The columns must exist.
use secure_pg::{secure_copy_out, Error, Pool};

async fn read(pool: &Pool) -> Result<Vec<(i32, String)>, Error> {
    secure_copy_out!((i32, String), "notes (id, bdy)").fetch_all(pool).await
}

fn main() {
    let _ = read;
}
