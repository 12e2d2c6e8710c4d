// Rule: every statement a dynamic query can send is checked; a variant that
// is not valid SQL is reported with the choices that produce it.
use secure_pg::{secure_query, Error, Pool};

pub enum Dir {
    Asc,
    Desc,
}

async fn names(pool: &Pool, dir: Dir) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT name FROM widgets ORDER BY name";
        match dir { Dir::Asc => "ASC", Dir::Desc => "DESCENDING" };
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

fn main() {
    let _ = names;
}
