// Rule: `secure_query_as!(Type, "SQL", args...)` maps each row into a type
// that derives `FromRow`; fields are read from the columns of the same name.
use secure_pg::{secure_query_as, Error, FromRow, Pool};

#[derive(FromRow)]
struct Widget {
    id: i64,
    name: String,
    note: Option<String>,
}

async fn widget(pool: &Pool, id: i64) -> Result<Widget, Error> {
    secure_query_as!(
        Widget,
        "SELECT id, name, note FROM widgets WHERE id = $1",
        id
    )
    .fetch_one(pool)
    .await
}

async fn maybe_widget(pool: &Pool, id: i64) -> Result<Option<Widget>, Error> {
    secure_query_as!(
        Widget,
        "SELECT id, name, note FROM widgets WHERE id = $1",
        id
    )
    .fetch_optional(pool)
    .await
}

async fn widgets_of(pool: &Pool, owner: i64) -> Result<Vec<Widget>, Error> {
    secure_query_as!(
        Widget,
        "SELECT id, name, note FROM widgets WHERE owner = $1 ORDER BY id",
        owner
    )
    .fetch_all(pool)
    .await
}

// Large results: `fetch` streams the rows (a `futures::Stream`) instead of
// collecting them.
async fn stream_widgets(pool: &Pool) -> Result<(), Error> {
    let rows = secure_query_as!(Widget, "SELECT id, name, note FROM widgets")
        .fetch(pool)
        .await?;
    drop(rows);
    Ok(())
}

pub(crate) fn main() {
    let _ = widget;
    let _ = maybe_widget;
    let _ = widgets_of;
    let _ = stream_widgets;
    let _ = |w: Widget| (w.id, w.name, w.note);
}
