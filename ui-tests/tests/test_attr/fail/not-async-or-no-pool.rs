// #[secure_pg::test] runs an async fn that takes the pool of its fresh
// database: a plain fn, or one without the pool, is refused with the
// signature to write.
#[secure_pg::test]
fn not_async(pool: secure_pg::Pool) {
    let _ = pool;
}

#[secure_pg::test]
async fn no_pool() {}

#[secure_pg::test(migration = false)]
async fn misspelled_option(pool: secure_pg::Pool) {
    let _ = pool;
}

fn main() {}
