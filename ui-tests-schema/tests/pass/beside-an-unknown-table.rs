// The schema leaves `archived_notes` unknown (a statement the loader does
// not model): queries on the other tables are still checked and compile,
// and the `_unparsed` form, which skips the schema checks, reaches the
// unknown table.
use secure_pg::{secure_query_as, secure_query_unparsed, Error, Pool};

async fn notes(pool: &Pool, id: i32) -> Result<Vec<(i32, String)>, Error> {
    secure_query_as!(
        (i32, String),
        "SELECT id, body FROM notes WHERE id = $1",
        id
    )
    .fetch_all(pool)
    .await
}

async fn archived(pool: &Pool) -> Result<u64, Error> {
    secure_query_unparsed!("DELETE FROM archived_notes")
        .execute(pool)
        .await
}

pub(crate) fn main() {
    let _ = (notes, archived);
}
