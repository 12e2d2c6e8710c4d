// The crate has no `migrations/` (and no `path` in its metadata): there is
// nothing to embed.
static MIGRATOR: secure_pg::migrate::Migrator = secure_pg::migrate!();

fn main() {
    let _ = &MIGRATOR;
}
