// Rule: a field named with a Rust keyword (`r#type`) reads the column
// without the `r#` (`type`).
use secure_pg::{secure_query_as, Error, FromRow, Pool};

#[derive(FromRow)]
struct Event {
    id: i64,
    r#type: String,
}

async fn events(pool: &Pool) -> Result<Vec<Event>, Error> {
    secure_query_as!(Event, r#"SELECT id, "type" FROM events"#)
        .fetch_all(pool)
        .await
}

pub(crate) fn main() {
    let _ = events;
    let _ = |e: Event| (e.id, e.r#type);
}
