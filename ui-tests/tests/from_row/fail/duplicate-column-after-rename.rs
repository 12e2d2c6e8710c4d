// Rule: two fields cannot read the same column. Here `name` is renamed to
// `title`, which another field already reads; rename one of them.
use secure_pg::FromRow;

#[derive(FromRow)]
struct Widget {
    id: i64,
    title: String,
    #[secure_pg(rename = "title")]
    name: String,
}

fn main() {}
