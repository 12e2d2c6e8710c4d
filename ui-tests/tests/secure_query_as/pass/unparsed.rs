// Rule: `secure_query_as_unparsed!(Type, "SQL", args...)` is the row-typed
// escape hatch for SQL that PostgreSQL accepts but the parser does not (here
// `ROWS FROM (...)`, which zips set-returning functions side by side).
// Only literal, one-statement and placeholder checks remain.
use secure_pg::{secure_query_as_unparsed, Error, Pool};

async fn numbered(
    pool: &Pool,
    count: i32,
    labels: &[String],
) -> Result<Vec<(i32, Option<String>)>, Error> {
    secure_query_as_unparsed!(
        (i32, Option<String>),
        "SELECT n, label FROM ROWS FROM (generate_series(1, $1), unnest($2::text[])) AS t(n, label)",
        count,
        labels
    )
    .fetch_all(pool)
    .await
}

pub(crate) fn main() {
    let _ = numbered;
}
