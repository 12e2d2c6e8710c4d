//! A new file in `migrations/` (the schema the examples' queries are
//! checked against) must rebuild the crate: changes to existing files are
//! noticed without this, through the macros' `include_bytes!`.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
