// Rule: the only field option is `#[secure_pg(rename = "column")]`.
use secure_pg::FromRow;

#[derive(FromRow)]
struct Widget {
    id: i64,
    #[secure_pg(column = "widget_name")]
    name: String,
}

fn main() {}
