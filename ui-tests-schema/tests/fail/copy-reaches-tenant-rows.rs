// Rule: the tenant rule holds for what a copy does, not for the table it
// names. A copy out of a view without the tenant column over a tenant
// table reads every tenant's rows, and a copy into a shared table whose
// trigger writes a tenant table writes them (a copy fires triggers):
// outside #[tenant_scoped] each says `unscoped = "why"`.
use secure_pg::{secure_copy_in, secure_copy_out, Error, Pool};

async fn export(pool: &Pool) -> Result<Vec<(String,)>, Error> {
    secure_copy_out!((String,), "owner_names (name)")
        .fetch_all(pool)
        .await
}

async fn import(pool: &Pool, names: Vec<String>) -> Result<u64, Error> {
    secure_copy_in!("signups (name)", names, |n| n).execute(pool).await
}

fn main() {
    let _ = (export, import);
}
