// uuid, json, date and time parameters and columns, with the types of
// secure-pg's `uuid`, `json` and `time` features (and `SystemTime`).
use secure_pg::tokio_postgres::types::Json;
use secure_pg::{secure_query, secure_query_as, Error, FromRow, Pool};

#[derive(FromRow)]
struct Event {
    id: uuid::Uuid,
    at: time::OffsetDateTime,
    local_at: Option<time::PrimitiveDateTime>,
    day: time::Date,
    starts: Option<time::Time>,
    payload: serde_json::Value,
    raw_doc: Option<Json<Vec<i64>>>,
    related: Option<Vec<uuid::Uuid>>,
}

async fn types(pool: &Pool, id: uuid::Uuid, day: time::Date) -> Result<(), Error> {
    let payload = serde_json::json!({"k": 1});
    secure_query!(
        "INSERT INTO events (id, at, local_at, day, starts, payload, raw_doc, related) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        std::time::SystemTime::now(),
        None::<time::PrimitiveDateTime>,
        day,
        Some(time::Time::MIDNIGHT),
        &payload,
        Json(vec![1_i64, 2]),
        vec![id]
    )
    .execute(pool)
    .await?;
    let _: Vec<Event> = secure_query_as!(
        Event,
        "SELECT * FROM events WHERE id = ANY($1) AND day >= $2 AND at < $3",
        &[id][..],
        day,
        time::OffsetDateTime::now_utc()
    )
    .fetch_all(pool)
    .await?;
    let _: (std::time::SystemTime, Option<std::time::SystemTime>) = secure_query_as!(
        (std::time::SystemTime, Option<std::time::SystemTime>),
        "SELECT at, local_at FROM events WHERE id = $1",
        id
    )
    .fetch_one(pool)
    .await?;
    Ok(())
}

pub(crate) fn main() {
    let _ = types;
}
