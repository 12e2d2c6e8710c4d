// Rule: when the SQL parser rejects SQL that PostgreSQL accepts (here the
// `SEARCH DEPTH FIRST` clause of PostgreSQL 14), the error names the escape
// hatch `secure_query_unparsed!` (see pass/unparsed-escape-hatch.rs).
use secure_pg::{secure_query, Error, Pool};

async fn category_tree(pool: &Pool, root: i64) -> Result<usize, Error> {
    let rows = secure_query!(
        r#"
        WITH RECURSIVE tree(id, parent, name) AS (
            SELECT id, parent, name FROM categories WHERE id = $1
            UNION ALL
            SELECT c.id, c.parent, c.name FROM categories c JOIN tree t ON c.parent = t.id
        ) SEARCH DEPTH FIRST BY name SET path
        SELECT id, name FROM tree ORDER BY path
        "#,
        root
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

fn main() {
    let _ = category_tree;
}
