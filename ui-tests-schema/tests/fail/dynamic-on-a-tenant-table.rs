// Rule: the tenant rule holds for every statement a dynamic query can send.
use secure_pg::{secure_query_as, Error, Pool};

pub async fn owners(pool: &Pool, name: Option<String>) -> Result<Vec<(i64,)>, Error> {
    secure_query_as!(
        (i64,),
        "SELECT id FROM owners WHERE true";
        if name => "AND name = $1";
    )
    .fetch_all(pool)
    .await
}

fn main() {
    let _ = owners;
}
