// `FromRow`'s field options with the schema checks: a `try_from` field is
// checked as the type it reads (`qty` is `integer`, read as `i32`, then
// converted to `u16`), a `default` field as any other when its column is
// returned, and a `flatten` field's struct reads the same row (its columns
// are checked when the query runs).
use secure_pg::{secure_query_as, Error, FromRow, Pool};

#[derive(Debug, FromRow)]
pub struct Widget {
    id: i64,
    #[secure_pg(try_from = "i32")]
    qty: u16,
    #[secure_pg(default)]
    label: Option<String>,
    #[secure_pg(flatten)]
    naming: Naming,
}

#[derive(Debug, FromRow)]
pub struct Naming {
    name: String,
}

pub async fn run(pool: &Pool) -> Result<Vec<Widget>, Error> {
    let mut all = secure_query_as!(Widget, "SELECT id, qty, label, name FROM widgets")
        .fetch_all(pool)
        .await?;
    // `label` left out: its default.
    all.extend(
        secure_query_as!(Widget, "SELECT id, qty, name FROM widgets")
            .fetch_all(pool)
            .await?,
    );
    Ok(all)
}

pub(crate) fn main() {}
