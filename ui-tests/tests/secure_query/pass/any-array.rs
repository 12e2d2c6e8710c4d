// Rule: a list of values is ONE argument: bind a `Vec<T>` (or `&[T]`) and
// compare with `= ANY($1)`. Never build `IN (1, 2, 3)` into the SQL text.
use secure_pg::{secure_query, Error, Pool};

async fn widgets_with_ids(pool: &Pool, ids: Vec<i64>) -> Result<usize, Error> {
    let rows = secure_query!("SELECT id, name FROM widgets WHERE id = ANY($1)", ids)
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

async fn widgets_named(pool: &Pool, names: &[String]) -> Result<usize, Error> {
    let rows = secure_query!("SELECT id FROM widgets WHERE name = ANY($1)", names)
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

pub(crate) fn main() {
    let _ = widgets_with_ids;
    let _ = widgets_named;
}
