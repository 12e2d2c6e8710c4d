// Rule: a parameter whose type cannot be inferred from where it is used
// needs a cast that says it: `$1::bigint`.
use secure_pg::{secure_query, Error, Pool};

async fn echo(pool: &Pool, x: i64) -> Result<usize, Error> {
    Ok(secure_query!("SELECT $1 AS x", x).fetch_all(pool).await?.len())
}

fn main() {
    let _ = echo;
}
