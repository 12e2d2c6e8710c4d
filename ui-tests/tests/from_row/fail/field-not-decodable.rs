// Rule: every field type must be readable from a column
// (`tokio_postgres::types::FromSql`): i64, String, bool, Option<T>, Vec<T> ...
// A struct of your own is not; read its parts as separate fields, or
// implement `FromSql` for it.
//
// The error points at the field's type and says which types work.
use secure_pg::FromRow;

struct Money {
    cents: i64,
}

#[derive(FromRow)]
struct Invoice {
    id: i64,
    total: Money,
}

fn main() {
    let _ = Money { cents: 1 }.cents;
}
