//! sqlx's column overrides on a real server: a field named `label` reads
//! the column `label!` (and `name` the column `name: WidgetName`), and a
//! NULL where the alias promised none is a decode error that names the
//! column (never a panic, never the value).

use secure_pg::{secure_query, secure_query_as, ErrorKind, FromRow, Pool};

mod common;
use common::database_with_schema;

#[derive(Debug, FromRow)]
struct Labelled {
    id: i64,
    label: String,
    name: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promised_not_null_column_that_is_null_is_an_error_not_a_panic() {
    let (config, client) = database_with_schema("sqlx_port").await;
    client
        .batch_execute(
            "INSERT INTO owners (id, name) VALUES (1, 'o'); \
             INSERT INTO widgets (id, owner_id, name, label) VALUES (1, 1, 'a', 'labelled'), \
             (2, 1, 'b', NULL)",
        )
        .await
        .unwrap();
    let pool = Pool::builder().max_size(1).build(config).await.unwrap();
    let read = |id: i64| {
        let pool = &pool;
        async move {
            secure_query_as!(
                Labelled,
                r#"SELECT id, label AS "label!", name AS "name: WidgetName" FROM widgets WHERE id = $1"#,
                id
            )
            .fetch_one(pool)
            .await
        }
    };
    let w = read(1).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        (w.id, w.label.as_str(), w.name.as_str()),
        (1, "labelled", "a")
    );
    let e = read(2)
        .await
        .expect_err("a NULL where the alias promised none");
    assert_eq!(e.kind(), ErrorKind::Decode, "{e:#}");
    let shown = format!("{e:#}");
    assert!(
        shown.contains("label"),
        "the error names the column: {shown}"
    );
    // The connection is fine afterwards.
    let n = secure_query!("SELECT 1").execute(&pool).await.unwrap();
    assert_eq!(n, 1);
}
