// Rule: when PostgreSQL accepts SQL that the parser behind `secure_query!`
// rejects, use `secure_query_unparsed!`. Here: the `SEARCH DEPTH FIRST`
// clause of recursive queries (PostgreSQL 14). It is still literal-only,
// one statement, and placeholder-checked; only the full parse is skipped.
// Prefer `secure_query!` whenever it accepts the SQL.
use secure_pg::{secure_query_unparsed, Error, Pool};

async fn category_tree(pool: &Pool, root: i64) -> Result<usize, Error> {
    let rows = secure_query_unparsed!(
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

pub(crate) fn main() {
    let _ = category_tree;
}
