// A fragment the checks refuse is in every variant that includes it; the
// refusal is reported once, at the first such variant, with the count of
// the others.
use secure_pg::{secure_query_as, Error, Pool};

pub async fn search(
    pool: &Pool,
    prefix: Option<String>,
    min_qty: Option<i32>,
    newest: bool,
) -> Result<Vec<(i64, String)>, Error> {
    secure_query_as!(
        (i64, String),
        "SELECT id, name FROM widgets WHERE qty >= 0";
        if prefix => "AND levenshtein(name, $1) < 3";
        if min_qty => "AND qty >= $1";
        match newest { true => "ORDER BY id DESC", false => "ORDER BY name" };
    )
    .fetch_all(pool)
    .await
}

fn main() {
    let _ = search;
}
