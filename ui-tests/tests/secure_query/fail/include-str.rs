// Rule: SQL read from a file with `include_str!` cannot be checked.
// Copy the SQL into the macro call (a raw string `r#"..."#` can span lines).
use secure_pg::{secure_query, Error, Pool};

async fn monthly_report(pool: &Pool, month: i32) -> Result<u64, Error> {
    secure_query!(include_str!("monthly_report.sql"), month)
        .execute(pool)
        .await
}

fn main() {
    let _ = monthly_report;
}
