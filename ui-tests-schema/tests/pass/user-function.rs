// A function the migrations create (`canon_name(text) RETURNS text`) is
// typed like a built-in: `$1` takes its parameter's type, and its result
// is nullable (the checks cannot tell when such a function returns NULL).
use secure_pg::{secure_query_as, Error, Pool};

async fn find(pool: &Pool, name: &str) -> Result<Vec<(i32, Option<String>)>, Error> {
    secure_query_as!(
        (i32, Option<String>),
        "SELECT id, canon_name(body) FROM notes WHERE canon_name(body) = canon_name($1)",
        name
    )
    .fetch_all(pool)
    .await
}

pub(crate) fn main() {
    let _ = find;
}
