// Rule: the tenant rule holds for what a query does, not for how it is
// spelled. A view without the tenant column over a tenant table, and a
// function of the migrations whose body reads one, reach every tenant's
// rows: outside #[tenant_scoped] they need `unscoped = "why"` like the
// table itself. (Inside #[tenant_scoped], select from the tables.)
use secure_pg::{secure_query_as, Error, Pool};

async fn names(pool: &Pool) -> Result<Vec<(Option<String>,)>, Error> {
    secure_query_as!((Option<String>,), "SELECT name FROM owner_names")
        .fetch_all(pool)
        .await
}

async fn count(pool: &Pool) -> Result<Vec<(Option<i64>,)>, Error> {
    secure_query_as!((Option<i64>,), "SELECT owner_count()")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = (names, count);
}
