// Every query registers what it was checked against in
// `secure_pg::queries()` through a link-time list; a crate that forbids
// unsafe code still compiles, and the facts are there at run time. (The
// catalogue compiles its pass cases into one test, so this case picks its
// own by file.)
#![forbid(unsafe_code)]

use secure_pg::{queries, secure_query, secure_query_as, Error, Pool};

async fn touch(pool: &Pool, id: i64) -> Result<Vec<(String,)>, Error> {
    secure_query!("UPDATE widgets SET qty = qty + 1 WHERE id = $1", id)
        .execute(pool)
        .await?;
    secure_query_as!(
        unscoped = "the admin page lists every tenant",
        (String,),
        "SELECT name FROM owners"
    )
    .fetch_all(pool)
    .await
}

pub(crate) fn main() {
    let _ = touch;
    let update = queries()
        .iter()
        .find(|q| {
            q.file().ends_with("registered-under-forbid-unsafe-code.rs")
                && q.sql().starts_with("UPDATE")
        })
        .unwrap();
    let facts = update.schema().unwrap();
    assert_eq!(facts.params(), ["bigint"]);
    let widgets = &facts.relations()[0];
    assert_eq!(widgets.name(), "widgets");
    assert_eq!(
        widgets.privileges(),
        [
            secure_pg::registry::Privilege::Select,
            secure_pg::registry::Privilege::Update
        ]
    );
    // Other cases of the catalogue write to `owners` too, so its line may
    // list more privileges than this case's `SELECT`.
    let grants = secure_pg::required_grants("app");
    let owners = grants
        .lines()
        .find(|l| l.ends_with(" ON TABLE owners TO app;"))
        .unwrap_or_else(|| panic!("no grant on owners: {grants}"));
    assert!(owners.starts_with("GRANT SELECT"), "{grants}");
}
