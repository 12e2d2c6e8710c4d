// Rule: `FromRow` is derived for structs with named fields only (fields are
// matched to columns by name). For positional rows use a plain tuple such as
// `(i64, String)` as the row type.
use secure_pg::FromRow;

#[derive(FromRow)]
struct Widget(i64, String);

fn main() {}
