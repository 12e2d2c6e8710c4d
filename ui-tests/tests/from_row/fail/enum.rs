// Rule: `FromRow` cannot be derived for an enum: a row maps to a struct with
// named fields. (To read a text column into an enum, implement
// `tokio_postgres::types::FromSql` for it and use it as a field type.)
use secure_pg::FromRow;

#[derive(FromRow)]
enum Status {
    Active,
    Archived,
}

fn main() {}
