// Each value must convert to its column's type: `notes.id` is `integer`.
use secure_pg::{secure_copy_in, Error, Pool};

async fn load(pool: &Pool, rows: &[(i64, String)]) -> Result<u64, Error> {
    secure_copy_in!("notes (id, body)", rows, |r| (r.0, &r.1))
        .execute(pool)
        .await
}

fn main() {
    let _ = load;
}
