// Rule: a call of a function of the migrations must fit one of its
// declared signatures; the error lists them.
use secure_pg::{secure_query_as, Error, Pool};

async fn canon(pool: &Pool) -> Result<Vec<(Option<String>,)>, Error> {
    secure_query_as!((Option<String>,), "SELECT canon_name(id) FROM notes")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = canon;
}
