// What real applications write: bulk writes through UNNEST of several
// arrays (with column aliases and WITH ORDINALITY), named arguments, a
// parameter typed by WHERE before SET, keyset pagination by a row
// comparison, json rows in FROM, system catalogs and sequences.
use secure_pg::{secure_query, secure_query_as, Error, Pool};

async fn bulk(
    pool: &Pool,
    owner: i64,
    names: Vec<String>,
    qtys: Vec<i32>,
    secs: f64,
    schema: &str,
) -> Result<(), Error> {
    secure_query!(
        "INSERT INTO widgets (owner_id, name, qty) SELECT $1, * FROM UNNEST($2::text[], $3::int[])",
        owner,
        &names,
        &qtys
    )
    .execute(pool)
    .await?;
    secure_query!(
        "UPDATE widgets SET qty = u.qty FROM UNNEST($1::text[], $2::int[]) AS u(name, qty) \
         WHERE widgets.name = u.name AND widgets.owner_id = $3",
        &names,
        &qtys,
        owner
    )
    .execute(pool)
    .await?;
    let _: Vec<(Option<String>, i64)> = secure_query_as!(
        (Option<String>, i64),
        "SELECT t.name, t.n FROM unnest($1::text[]) WITH ORDINALITY AS t(name, n)",
        &names
    )
    .fetch_all(pool)
    .await?;
    let _: Vec<(i64,)> = secure_query_as!(
        (i64,),
        "SELECT count(*) FROM events WHERE at < now() - make_interval(secs => $1)",
        secs
    )
    .fetch_all(pool)
    .await?;
    secure_query!(
        "UPDATE widgets SET label = $1 WHERE $1 LIKE 'a%' AND id = $2",
        schema,
        owner
    )
    .execute(pool)
    .await?;
    let _: Vec<(String,)> = secure_query_as!(
        (String,),
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON c.relnamespace = n.oid \
         WHERE c.relkind = 'r' AND n.nspname = $1",
        schema
    )
    .fetch_all(pool)
    .await?;
    let _: Vec<(i64,)> = secure_query_as!(
        (i64,),
        "SELECT id FROM widgets WHERE (qty, id) > ($1, $2) ORDER BY qty, id LIMIT 10",
        qtys[0],
        owner
    )
    .fetch_all(pool)
    .await?;
    let _: Vec<(String, Option<String>)> = secure_query_as!(
        (String, Option<String>),
        "SELECT e.key, e.value FROM events, jsonb_each_text(events.payload) AS e"
    )
    .fetch_all(pool)
    .await?;
    let _: Vec<(i64,)> = secure_query_as!((i64,), "SELECT last_value FROM notes_id_seq")
        .fetch_all(pool)
        .await?;
    Ok(())
}

pub(crate) fn main() {
    let _ = bulk;
}
