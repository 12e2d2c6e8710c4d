// Rule: fragments are string literals, never runtime strings.
use secure_pg::{secure_query, Error, Pool};

async fn names(pool: &Pool, order: String) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT name FROM widgets WHERE true";
        if true => order;
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

fn main() {
    let _ = names;
}
