// Rule: an enum literal must be one of the enum's labels.
use secure_pg::{secure_query, Error, Pool};

async fn angry(pool: &Pool) -> Result<usize, Error> {
    Ok(secure_query!("SELECT id FROM widgets WHERE feeling = 'angry'")
        .fetch_all(pool)
        .await?
        .len())
}

fn main() {
    let _ = angry;
}
