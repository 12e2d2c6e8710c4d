// Rule: `rename` needs a column name: `#[secure_pg(rename = "column")]`.
use secure_pg::FromRow;

#[derive(FromRow)]
struct Widget {
    id: i64,
    #[secure_pg(rename = "")]
    name: String,
}

fn main() {}
