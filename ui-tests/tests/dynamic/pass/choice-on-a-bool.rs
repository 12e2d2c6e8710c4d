// Rule: a choice may match any value with a closed set of patterns; the
// compiler checks that the arms cover every value.
use secure_pg::{secure_query, Error, Pool};

async fn names(pool: &Pool, descending: bool) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT name FROM widgets ORDER BY name";
        match descending { true => "DESC", false => "ASC" };
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

pub(crate) fn main() {
    let _ = names;
}
