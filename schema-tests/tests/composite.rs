//! Composite values on a real server: a column of a composite type (and an
//! array of them) reads into the user's type deriving `FromSql`, a
//! parameter binds from one deriving `ToSql`, and reading the composite
//! into a type that does not take it is a decode error naming the column,
//! never a wrong value.

use postgres_types::{FromSql, ToSql};
use secure_pg::{secure_query, secure_query_as, ErrorKind, Pool};

mod common;
use common::database_with_schema;

#[derive(Debug, Clone, PartialEq, FromSql, ToSql)]
#[postgres(name = "header_pair")]
struct HeaderPair {
    name: Option<String>,
    value: Option<Vec<u8>>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn composite_columns_read_into_the_users_type_and_parameters_bind_from_it() {
    let (config, _) = database_with_schema("composite").await;
    let pool = Pool::builder().max_size(1).build(config).await.unwrap();

    let first = HeaderPair {
        name: Some("content-type".into()),
        value: Some(b"text/plain".to_vec()),
    };
    let second = HeaderPair {
        name: Some("x-empty".into()),
        value: None,
    };
    // Bound from the user's type, as a composite and as an array of them.
    let headers = vec![first.clone(), second.clone()];
    let written = secure_query!(
        "INSERT INTO responses (headers, first_header) VALUES ($1, $2)",
        headers,
        first
    )
    .execute(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(written, 1);
    // Built from fields in the SQL, and NULL.
    secure_query!(
        "INSERT INTO responses (headers, first_header) VALUES ('{}', ROW($1, $2)::header_pair), ('{}', NULL)",
        "x-built",
        b"v".to_vec()
    )
    .execute(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));

    let rows = secure_query_as!(
        (i64, Vec<HeaderPair>, Option<HeaderPair>),
        "SELECT id, headers, first_header FROM responses ORDER BY id"
    )
    .fetch_all(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    let built = HeaderPair {
        name: Some("x-built".into()),
        value: Some(b"v".to_vec()),
    };
    assert_eq!(
        rows.into_iter().map(|(_, h, f)| (h, f)).collect::<Vec<_>>(),
        [
            (vec![first.clone(), second], Some(first.clone())),
            (vec![], Some(built)),
            (vec![], None),
        ]
    );
    // Compared with a bound composite.
    let found = secure_query_as!(
        (i64,),
        "SELECT id FROM responses WHERE first_header = $1::header_pair",
        first
    )
    .fetch_all(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(found.len(), 1);

    // Read into a type that does not take it: a decode error naming the
    // column's place and type, and neither its value nor the row's.
    let e = secure_query_as!(
        (Option<String>,),
        "SELECT first_header FROM responses WHERE first_header IS NOT NULL ORDER BY id LIMIT 1"
    )
    .fetch_one(&pool)
    .await
    .expect_err("a composite read into a String");
    assert_eq!(e.kind(), ErrorKind::Decode, "{e:#}");
    let shown = format!("{e:#} {e:?}");
    assert!(
        shown.contains("column 0") && shown.contains("header_pair"),
        "{shown}"
    );
    assert!(
        !shown.contains("content-type") && !shown.contains("text/plain"),
        "{shown}"
    );
}
