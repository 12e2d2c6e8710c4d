// Rule: a literal joined with something else (`"..." + x`, `"...".replace(..)`)
// is SQL built at run time. Keep the literal, move the value into an argument.
use secure_pg::{secure_query, Error, Pool};

async fn sorted_widgets(pool: &Pool, order: &str) -> Result<usize, Error> {
    let rows = secure_query!("SELECT id, name FROM widgets ORDER BY " + order)
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

fn main() {
    let _ = sorted_widgets;
}
