// This crate's schema is one `schema.sql`: a snapshot, not a history of
// migrations to apply in order.
static MIGRATOR: secure_pg::migrate::Migrator = secure_pg::migrate!();

fn main() {
    let _ = &MIGRATOR;
}
