// A copy out of a tenant table outside #[tenant_scoped] would read every
// tenant's rows: it is scoped, or says why not.
use secure_pg::{secure_copy_out, Error, Pool};

async fn read(pool: &Pool) -> Result<Vec<(String,)>, Error> {
    secure_copy_out!((String,), "owners (name)").fetch_all(pool).await
}

fn main() {
    let _ = read;
}
