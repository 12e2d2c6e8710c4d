// Rule: `#[derive(FromRow)]` reads each field from the column of the same
// name; `#[secure_pg(rename = "column")]` reads it from another column, and
// `Option<T>` accepts NULL. Extra columns in the result are ignored.
use secure_pg::{secure_query_as, Error, FromRow, Pool};

#[derive(FromRow)]
struct Widget {
    id: i64,
    #[secure_pg(rename = "widget_name")]
    name: String,
    note: Option<String>,
    #[secure_pg(rename = "owner_id")]
    owner: Option<i64>,
}

async fn widget(pool: &Pool, id: i64) -> Result<Widget, Error> {
    secure_query_as!(
        Widget,
        "SELECT id, name AS widget_name, note, owner_id, created_at FROM widgets WHERE id = $1",
        id
    )
    .fetch_one(pool)
    .await
}

pub(crate) fn main() {
    let _ = widget;
    let _ = |w: Widget| (w.id, w.name, w.note, w.owner);
}
