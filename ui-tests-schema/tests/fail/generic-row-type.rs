// A known limit, not a rule: with a schema, the row type of
// `secure_query_as!` must be a concrete type, because the checks of its
// fields against the columns are constant expressions, which cannot name a
// type parameter of the function (rustc's error below). Write the concrete
// row type, or use `secure_query_as_unparsed!` for such a function.
use secure_pg::{secure_query_as, Error, FromRow, Pool};

async fn rows<T: FromRow + Send>(pool: &Pool) -> Result<Vec<T>, Error> {
    secure_query_as!(T, "SELECT id, label FROM widgets").fetch_all(pool).await
}

fn main() {
    let _ = rows::<(i64, Option<String>)>;
}
