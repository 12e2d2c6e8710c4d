// Rule: `#[secure_pg(...)]` goes on fields; there are no struct-wide options
// (such as `rename_all`): rename the fields one by one.
use secure_pg::FromRow;

#[derive(FromRow)]
#[secure_pg(rename_all = "camelCase")]
struct Widget {
    id: i64,
    name: String,
}

fn main() {}
