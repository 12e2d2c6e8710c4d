// Rule: every placeholder needs an argument: `$1` and `$2` need two.
use secure_pg::{secure_query, Error, Pool};

async fn rename(pool: &Pool, id: i64) -> Result<u64, Error> {
    secure_query!("UPDATE widgets SET name = $1 WHERE id = $2", id)
        .execute(pool)
        .await
}

fn main() {
    let _ = rename;
}
