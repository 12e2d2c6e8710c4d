// Rule: the row type must implement `FromRow`: add
// `#[derive(secure_pg::FromRow)]` to the struct, or use a tuple.
//
// The error is the `FromRow` trait's own message, on `Widget`, with the
// hint to derive it. (rustc then repeats the missing bound on the method.)
use secure_pg::{secure_query_as, Error, Pool};

struct Widget {
    id: i64,
    name: String,
}

async fn widget(pool: &Pool, id: i64) -> Result<Widget, Error> {
    secure_query_as!(Widget, "SELECT id, name FROM widgets WHERE id = $1", id)
        .fetch_one(pool)
        .await
}

fn main() {
    let _ = widget;
    let _ = |w: Widget| (w.id, w.name);
}
