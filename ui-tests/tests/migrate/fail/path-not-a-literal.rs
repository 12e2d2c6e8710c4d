// The directory must be a string literal the macro can read at compile time.
const DIR: &str = "migrations";
static MIGRATOR: secure_pg::migrate::Migrator = secure_pg::migrate!(DIR);

fn main() {
    let _ = &MIGRATOR;
}
