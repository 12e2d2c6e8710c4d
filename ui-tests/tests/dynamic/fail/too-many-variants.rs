// Rule: a dynamic query describes at most 64 statements (each is checked and
// prepared on its own).
use secure_pg::{secure_query, Error, Pool};

async fn flags(pool: &Pool, f: [bool; 7]) -> Result<usize, Error> {
    let rows = secure_query!(
        "SELECT id FROM widgets WHERE true";
        if f[0] => "AND a"; if f[1] => "AND b"; if f[2] => "AND c"; if f[3] => "AND d";
        if f[4] => "AND e"; if f[5] => "AND f"; if f[6] => "AND g";
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

fn main() {
    let _ = flags;
}
