// Rule: a column of a composite type (`CREATE TYPE header_pair AS (...)`)
// has no Rust type the checks can hold it against: the query is refused,
// with the ways to read it (its fields, or a conversion in the SQL).
use secure_pg::{secure_query_as, Error, Pool};

async fn first(pool: &Pool) -> Result<Vec<(i64, String)>, Error> {
    secure_query_as!((i64, String), "SELECT id, first_header FROM responses")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = first;
}
