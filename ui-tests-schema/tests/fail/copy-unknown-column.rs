// The copy's table and columns must exist.
use secure_pg::{secure_copy_in, Error, Pool};

async fn load(pool: &Pool, rows: &[(i32, String)]) -> Result<u64, Error> {
    secure_copy_in!("notes (id, bdy)", rows, |r| (r.0, &r.1))
        .execute(pool)
        .await
}

fn main() {
    let _ = load;
}
