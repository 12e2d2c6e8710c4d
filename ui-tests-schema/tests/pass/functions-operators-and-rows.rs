// More of what real applications write, typed as the server types it:
// functions with several forms (width_bucket), text search and jsonpath
// matches, jsonb concatenation, whole rows as JSON, ordered-set
// aggregates, and CALL of a procedure of the migrations.
use secure_pg::{secure_query, secure_query_as, Error, Pool};

async fn reads(pool: &Pool, id: i64, buckets: i32, words: &str) -> Result<(), Error> {
    let _: Vec<(Option<i32>,)> = secure_query_as!(
        (Option<i32>,),
        "SELECT width_bucket(qty, 0, 100, $1) FROM widgets",
        buckets
    )
    .fetch_all(pool)
    .await?;
    let _: Vec<(i64,)> = secure_query_as!(
        (i64,),
        "SELECT id FROM widgets WHERE to_tsvector('english', name) @@ websearch_to_tsquery($1)",
        words
    )
    .fetch_all(pool)
    .await?;
    let _: Vec<(serde_json::Value,)> = secure_query_as!(
        (serde_json::Value,),
        "SELECT to_jsonb(w) FROM widgets w WHERE w.id = $1",
        id
    )
    .fetch_all(pool)
    .await?;
    let _: Vec<(bool, Option<serde_json::Value>)> = secure_query_as!(
        (bool, Option<serde_json::Value>),
        "SELECT payload @? '$.a', payload || $1 FROM events",
        serde_json::json!({"b": 1})
    )
    .fetch_all(pool)
    .await?;
    let _: Vec<(Option<f64>,)> = secure_query_as!(
        (Option<f64>,),
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY qty) FROM widgets"
    )
    .fetch_all(pool)
    .await?;
    Ok(())
}

async fn bump(pool: &Pool, id: i64) -> Result<u64, Error> {
    secure_query!("CALL bump_qty(w => $1)", id)
        .execute(pool)
        .await
}

pub(crate) fn main() {
    let _ = (reads, bump);
}
