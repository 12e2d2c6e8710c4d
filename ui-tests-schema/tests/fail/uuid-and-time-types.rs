// Rule: uuid and date/time parameters and columns take the Rust types of
// secure-pg's `uuid` and `time` (or `chrono`) features: not a string for a
// `uuid`, not a zone-less `PrimitiveDateTime` for a `timestamptz`.
use secure_pg::{secure_query_as, Error, Pool};

async fn events(pool: &Pool, id: String) -> Result<Vec<(time::PrimitiveDateTime,)>, Error> {
    secure_query_as!((time::PrimitiveDateTime,), "SELECT at FROM events WHERE id = $1", id)
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = events;
}
