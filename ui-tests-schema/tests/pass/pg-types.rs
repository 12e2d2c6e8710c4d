// `PgEnum` and `PgComposite` on the schema's `mood` and `header_pair`: the
// labels and attributes agree, so both derive, and the types are used
// where the schema's columns and parameters are of those types (as values,
// arrays and `Option`s). `unchecked = "why"` skips the check for a type
// the schema does not create.
use secure_pg::{secure_query, secure_query_as, Error, PgComposite, PgEnum, Pool};

#[derive(Debug, Clone, Copy, PartialEq, PgEnum)]
#[secure_pg(rename_all = "lowercase")]
enum Mood {
    Sad,
    Ok,
    Happy,
}

#[derive(Debug, Clone, PartialEq, PgComposite)]
#[secure_pg(type = "header_pair")]
struct HeaderPair {
    #[secure_pg(rename = "name")]
    key: Option<String>,
    value: Option<Vec<u8>>,
}

#[derive(Debug, PgEnum)]
#[secure_pg(
    type = "ltree_kind",
    unchecked = "created by an extension the schema does not list"
)]
enum External {
    A,
}

pub async fn run(pool: &Pool) -> Result<(), Error> {
    let moods: Vec<(Mood,)> = secure_query_as!(
        (Mood,),
        "SELECT feeling FROM widgets WHERE feeling = $1",
        Mood::Happy
    )
    .fetch_all(pool)
    .await?;
    let headers = vec![HeaderPair {
        key: Some("a".into()),
        value: None,
    }];
    secure_query!(
        "INSERT INTO responses (headers, first_header) VALUES ($1, $2)",
        headers,
        None::<HeaderPair>
    )
    .execute(pool)
    .await?;
    let _: Vec<(Vec<HeaderPair>, Option<HeaderPair>)> = secure_query_as!(
        (Vec<HeaderPair>, Option<HeaderPair>),
        "SELECT headers, first_header FROM responses"
    )
    .fetch_all(pool)
    .await?;
    let _ = (moods, External::A);
    Ok(())
}

pub(crate) fn main() {}
