// Rule: a column that can be NULL is read into an `Option`. `w.id` is
// nullable here because `w` is on the nullable side of the LEFT JOIN (an
// owner may have no widgets); `coalesce(w.id, 0)` would make it non-null.
use secure_pg::{secure_query_as, Error, Pool};

async fn owners(pool: &Pool) -> Result<Vec<(i64, i64)>, Error> {
    secure_query_as!(
        unscoped = "owners of every tenant: this case is about NULL",
        (i64, i64),
        "SELECT o.id, w.id FROM owners o LEFT JOIN widgets w ON w.owner_id = o.id"
    )
    .fetch_all(pool)
    .await
}

fn main() {
    let _ = owners;
}
