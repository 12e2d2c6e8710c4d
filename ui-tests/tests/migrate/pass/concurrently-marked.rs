// The advice of `fail/concurrently-beside-others.rs` followed: the file
// starts with `-- secure-pg: no-transaction`, so its statements run one by
// one outside a transaction.
static MIGRATOR: secure_pg::migrate::Migrator =
    secure_pg::migrate!("tests/migrate/fixtures/concurrently_marked");

pub(crate) fn main() {
    let m = &MIGRATOR.migrations()[1];
    assert_eq!(m.transaction(), secure_pg::migrate::TransactionMode::None);
    assert_eq!(m.statement_count(), 2);
}
