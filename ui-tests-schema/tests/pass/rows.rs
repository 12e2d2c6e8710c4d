// Result rows written correctly: `Option` where a column can be NULL (or
// a `coalesce` that makes it non-null), exact types, and `FromRow` fields
// that match.
use secure_pg::{secure_query_as, Error, FromRow, Pool};

#[derive(FromRow)]
struct Widget {
    id: i64,
    label: Option<String>,
    qty: i32,
}

// A renamed field, a `Box<str>`, a generic field, and a column (`seq`) that
// no field reads: each field is held against the column it reads.
#[derive(FromRow)]
struct Named<Q: for<'r> secure_pg::tokio_postgres::types::FromSql<'r>> {
    #[secure_pg(rename = "id")]
    widget: i64,
    name: Box<str>,
    qty: Q,
}

async fn rows(pool: &Pool) -> Result<(), Error> {
    let _: Vec<(i64, Option<i64>)> = secure_query_as!(
        unscoped = "owners of every tenant: this case is about types",
        (i64, Option<i64>),
        "SELECT o.id, w.id FROM owners o LEFT JOIN widgets w ON w.owner_id = o.id"
    )
    .fetch_all(pool)
    .await?;
    let _: Vec<(i64, i64)> = secure_query_as!(
        unscoped = "owners of every tenant: this case is about types",
        (i64, i64),
        "SELECT o.id, coalesce(w.id, 0) FROM owners o LEFT JOIN widgets w ON w.owner_id = o.id"
    )
    .fetch_all(pool)
    .await?;
    let _: Vec<Widget> = secure_query_as!(
        Widget,
        "SELECT id, label, qty FROM widgets WHERE id = $1",
        1_i64
    )
    .fetch_all(pool)
    .await?;
    let _: Vec<Named<i32>> = secure_query_as!(Named<i32>, "SELECT id, name, qty, seq FROM widgets")
        .fetch_all(pool)
        .await?;
    let _: Vec<(i64, String, Option<i64>)> = secure_query_as!(
        unscoped = "an owner of the default tenant: this case is about types",
        (i64, String, Option<i64>),
        "INSERT INTO owners (name) VALUES ($1) RETURNING id, name, (SELECT max(id) FROM widgets)",
        "n"
    )
    .fetch_all(pool)
    .await?;
    Ok(())
}

pub(crate) fn main() {
    let _ = rows;
}
