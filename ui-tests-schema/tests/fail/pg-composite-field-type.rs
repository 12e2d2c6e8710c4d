// Each field's Rust type is held against its attribute's SQL type, as the
// query macros hold a column's reader: `value` is `bytea`, which does not
// read into a `String`.
use secure_pg::PgComposite;

#[derive(Debug, PgComposite)]
#[secure_pg(type = "header_pair")]
struct HeaderPair {
    name: Option<String>,
    value: Option<String>,
}

fn main() {}
