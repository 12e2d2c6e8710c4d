// A `try_from` field is checked as the type it reads: `qty` is `integer`,
// which does not read into a `String` (write `try_from = "i32"`).
use secure_pg::{secure_query_as, Error, FromRow, Pool};

#[derive(Debug, FromRow)]
struct Widget {
    id: i64,
    #[secure_pg(try_from = "String")]
    qty: u16,
}

pub async fn run(pool: &Pool) -> Result<Vec<Widget>, Error> {
    secure_query_as!(Widget, "SELECT id, qty FROM widgets")
        .fetch_all(pool)
        .await
}

fn main() {}
