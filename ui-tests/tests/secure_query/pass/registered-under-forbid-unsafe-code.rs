// Every query registers itself in `secure_pg::queries()` through a
// link-time list; a crate that forbids unsafe code still compiles, and the
// queries are listed at run time with their place. (The catalogue compiles
// its pass cases into one test, so this case picks its own by file.)
#![forbid(unsafe_code)]

use secure_pg::{queries, secure_query, secure_query_unparsed, Error, Pool};

async fn touch(pool: &Pool, id: i64) -> Result<u64, Error> {
    secure_query!("UPDATE widgets SET qty = qty + 1 WHERE id = $1", id)
        .execute(pool)
        .await?;
    secure_query_unparsed!("LISTEN widget_changes")
        .execute(pool)
        .await
}

pub(crate) fn main() {
    let _ = touch;
    let ours: Vec<_> = queries()
        .iter()
        .filter(|q| q.file().ends_with("registered-under-forbid-unsafe-code.rs"))
        .collect();
    assert_eq!(ours.len(), 2);
    assert!(ours.iter().all(|q| q.schema().is_none() && q.line() > 8));
}
