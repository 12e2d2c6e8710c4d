// Rule: `COPY ... FROM STDIN` and `COPY ... TO STDOUT` switch the connection
// into the COPY sub-protocol, which a query does not speak (the session
// would be lost, with every statement sharing it): they are refused. Use
// the raw client of a checked-out connection (`copy_in` / `copy_out`).
use secure_pg::{secure_query, Error, Pool};

async fn import(pool: &Pool) -> Result<u64, Error> {
    secure_query!("COPY widgets (id, name) FROM STDIN WITH (FORMAT csv)")
        .execute(pool)
        .await
}

fn main() {
    let _ = import;
}
