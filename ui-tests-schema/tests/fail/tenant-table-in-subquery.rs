// Rule: the tenant-table rule holds for every table a query names, wherever
// it appears: here `owners` is only in a subquery of an UPDATE of `widgets`,
// which has no tenant column itself.
use secure_pg::{secure_query, Error, Pool};

async fn rename_widgets_of(pool: &Pool, owner: &str) -> Result<u64, Error> {
    secure_query!(
        "UPDATE widgets SET label = 'x' WHERE owner_id IN (SELECT id FROM owners WHERE name = $1)",
        owner
    )
    .execute(pool)
    .await
}

fn main() {
    let _ = rename_widgets_of;
}
