// Rule: a choice's arms must cover every value of what it matches (the
// compiler checks it), so every statement it can send is known.
use secure_pg::{secure_query, Error, Pool};

async fn names(pool: &Pool, column: &str) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT name FROM widgets ORDER BY";
        match column { "name" => "name", "id" => "id" };
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

fn main() {
    let _ = names;
}
