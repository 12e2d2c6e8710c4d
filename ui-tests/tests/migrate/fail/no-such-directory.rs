// The path is relative to the crate's Cargo.toml.
static MIGRATOR: secure_pg::migrate::Migrator = secure_pg::migrate!("db/migrations");

fn main() {
    let _ = &MIGRATOR;
}
