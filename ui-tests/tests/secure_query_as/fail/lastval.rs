// Rule: `lastval()` and `currval()` read the session's sequence state, which
// on a pooled connection may be another caller's (a `serial` default runs
// `nextval` unseen): they are refused. Read the generated value from the
// statement that made it, with `INSERT ... RETURNING`.
use secure_pg::{secure_query, secure_query_as, Error, Pool};

async fn add_widget(pool: &Pool, name: &str) -> Result<i64, Error> {
    secure_query!("INSERT INTO widgets (name) VALUES ($1)", name)
        .execute(pool)
        .await?;
    let (id,): (i64,) = secure_query_as!((i64,), "SELECT lastval()")
        .fetch_one(pool)
        .await?;
    Ok(id)
}

fn main() {
    let _ = add_widget;
}
