// A struct mapped to the schema's composite `header_pair (name text, value
// bytea)` is held against its attributes: a field the type has no
// attribute for, and an attribute no field holds, are errors that name
// them.
use secure_pg::PgComposite;

#[derive(Debug, PgComposite)]
#[secure_pg(type = "header_pair")]
struct HeaderPair {
    name: Option<String>,
    bytes: Option<Vec<u8>>,
}

fn main() {}
