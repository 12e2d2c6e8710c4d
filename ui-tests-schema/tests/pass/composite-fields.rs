// A column of a composite type is read through its fields (each can be
// NULL: a composite's fields have no NOT NULL) or converted in the SQL
// (`to_jsonb` of the NOT NULL array column is never NULL).
use secure_pg::{secure_query_as, Error, Pool};

type Row = (i64, Option<String>, Option<Vec<u8>>, serde_json::Value);

async fn headers(pool: &Pool, id: i64) -> Result<Vec<Row>, Error> {
    secure_query_as!(
        Row,
        "SELECT id, (first_header).name, (first_header).value, to_jsonb(headers) FROM responses WHERE id = $1",
        id
    )
    .fetch_all(pool)
    .await
}

pub(crate) fn main() {
    let _ = headers;
}
