// sqlx's overrides port unchanged: `label!` is read as NOT NULL (the query
// promises it; a NULL at run time is a decode error naming the column),
// `id?` as nullable, `name: Type` leaves the Rust type to the row type
// (checked against the column as always), and a field named `label` reads
// the column `label!`.
use secure_pg::{secure_query_as, Error, FromRow, Pool};

#[derive(FromRow)]
struct Labelled {
    id: Option<i64>,
    label: String,
    name: String,
}

async fn labelled(pool: &Pool) -> Result<Vec<Labelled>, Error> {
    secure_query_as!(
        Labelled,
        r#"SELECT id AS "id?", label AS "label!", name AS "name: WidgetName"
           FROM widgets WHERE label IS NOT NULL"#
    )
    .fetch_all(pool)
    .await
}

async fn as_tuples(pool: &Pool) -> Result<Vec<(i64, String)>, Error> {
    secure_query_as!(
        (i64, String),
        r#"SELECT id, coalesce(label, name) AS "label!" FROM widgets"#
    )
    .fetch_all(pool)
    .await
}

pub(crate) fn main() {
    let _ = (labelled, as_tuples);
}
