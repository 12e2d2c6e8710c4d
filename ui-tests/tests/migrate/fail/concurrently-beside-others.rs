// `CREATE INDEX CONCURRENTLY` cannot run in a transaction, and this
// migration's two statements would run in one: refused at build time,
// not at deploy time.
static MIGRATOR: secure_pg::migrate::Migrator = secure_pg::migrate!("fixtures/concurrently");

fn main() {
    let _ = &MIGRATOR;
}
