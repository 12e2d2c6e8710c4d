// Rule: a `FromRow` field must be a Rust type that the column's SQL type
// reads into: `widgets.qty` is an `integer` (`i32`), and the renamed field
// reads `widgets.name`, a `text` column.
use secure_pg::{secure_query_as, Error, FromRow, Pool};

#[derive(FromRow)]
struct Widget {
    id: i64,
    qty: i64,
    #[secure_pg(rename = "name")]
    title: Vec<u8>,
}

async fn widgets(pool: &Pool) -> Result<Vec<Widget>, Error> {
    secure_query_as!(Widget, "SELECT id, qty, name FROM widgets").fetch_all(pool).await
}

fn main() {
    let _ = widgets;
}
