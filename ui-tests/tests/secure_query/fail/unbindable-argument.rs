// Rule: arguments must be SQL values (`tokio_postgres::types::ToSql + Sync`):
// integers, strings, bool, Option<T>, Vec<T> ... A struct of your own is not;
// pass its fields, or implement `ToSql` for it. The error points at the argument.
use secure_pg::{secure_query, Error, Pool};

struct Filter {
    owner: i64,
}

async fn widgets_for(pool: &Pool, filter: Filter) -> Result<usize, Error> {
    let rows = secure_query!("SELECT id FROM widgets WHERE owner = $1", filter)
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}

fn main() {
    let _ = widgets_for;
    let _ = Filter { owner: 1 }.owner;
}
