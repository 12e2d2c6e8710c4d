// Rule: never build SQL with `format!`: that is how injection happens.
// Write the SQL as a literal and pass the value as a `$n` argument.
use secure_pg::{secure_query, Error, Pool};

async fn widgets_named(pool: &Pool, name: &str) -> Result<u64, Error> {
    secure_query!(format!("DELETE FROM widgets WHERE name = '{name}'"))
        .execute(pool)
        .await
}

fn main() {
    let _ = widgets_named;
}
