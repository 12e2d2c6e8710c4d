// A copy into a tenant table outside #[tenant_scoped] could write rows
// for any tenant: it is scoped, or says why not.
use secure_pg::{secure_copy_in, Error, Pool};

async fn load(pool: &Pool, names: Vec<String>) -> Result<u64, Error> {
    secure_copy_in!("owners (name)", names, |n| n).execute(pool).await
}

fn main() {
    let _ = load;
}
