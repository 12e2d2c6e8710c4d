// Rule: a `FromRow` field reading a column that can be NULL is an
// `Option`: `widgets.label` has no NOT NULL constraint.
use secure_pg::{secure_query_as, Error, FromRow, Pool};

#[derive(FromRow)]
struct Widget {
    id: i64,
    label: String,
}

async fn widgets(pool: &Pool) -> Result<Vec<Widget>, Error> {
    secure_query_as!(Widget, "SELECT id, label FROM widgets").fetch_all(pool).await
}

fn main() {
    let _ = widgets;
}
