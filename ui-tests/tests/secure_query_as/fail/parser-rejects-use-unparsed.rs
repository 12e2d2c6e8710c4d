// Rule: when the SQL parser rejects SQL that PostgreSQL accepts (here
// `ROWS FROM (...)`, which zips set-returning functions side by side), the
// error names the escape hatch `secure_query_as_unparsed!`
// (see pass/unparsed.rs).
use secure_pg::{secure_query_as, Error, Pool};

async fn numbered(
    pool: &Pool,
    count: i32,
    labels: &[String],
) -> Result<Vec<(i32, Option<String>)>, Error> {
    secure_query_as!(
        (i32, Option<String>),
        "SELECT n, label FROM ROWS FROM (generate_series(1, $1), unnest($2::text[])) AS t(n, label)",
        count,
        labels
    )
    .fetch_all(pool)
    .await
}

fn main() {
    let _ = numbered;
}
