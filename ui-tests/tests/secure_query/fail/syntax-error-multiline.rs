// Rule: in multi-line SQL the syntax error names the line and column inside
// the SQL text and quotes that line (here: a stray `,` before `FROM`).
use secure_pg::{secure_query, Error, Pool};

async fn widgets_of(pool: &Pool, owner: i64) -> Result<usize, Error> {
    let rows = secure_query!(
        r#"
        SELECT id,
               name,
        FROM widgets
        WHERE owner = $1
        "#,
        owner
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

fn main() {
    let _ = widgets_of;
}
