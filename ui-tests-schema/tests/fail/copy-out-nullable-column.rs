// A column that can be NULL is read into an Option.
use secure_pg::{secure_copy_out, Error, Pool};

async fn read(pool: &Pool) -> Result<Vec<(String, String)>, Error> {
    secure_copy_out!((String, String), "widgets (name, label)")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = read;
}
