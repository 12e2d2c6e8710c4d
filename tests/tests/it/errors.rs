//! Every error kind triggered on a real server: `Display` is the fixed,
//! user-safe sentence (plus SQLSTATE), and nothing of the schema, the
//! values or the SQL leaks into it; the detail for logs keeps it all.

use std::time::Duration;

use secure_pg::{secure_query, secure_query_as, ErrorKind, Pool, SqlState, TransactionOptions};
use secure_pg_tests::{shared, ClusterSpec, ServerCert};

use crate::support::{checked, config};

const SECRET_VALUE: &str = "alice.private@example.org";

/// Each test gets its own schema (tests run in parallel on one server).
async fn setup(schema: &str, statement_timeout_ms: u32) -> Pool {
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    c.psql_db(
        "app",
        &format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema} AUTHORIZATION app"
        ),
    );
    let url = c.url()
        + &format!("&statement_timeout={statement_timeout_ms}&options=-c%20search_path%3D{schema}");
    let pool = Pool::builder()
        .max_size(4)
        .build(config(&url))
        .await
        .unwrap();
    let conn = pool.get().await.unwrap();
    conn.client()
        .batch_execute(
            "DROP TABLE IF EXISTS customer_orders, customer_accounts;
             CREATE TABLE customer_accounts (
                id bigint PRIMARY KEY,
                email text NOT NULL CONSTRAINT customer_accounts_email_key UNIQUE,
                age int CONSTRAINT customer_accounts_age_check CHECK (age >= 0));
             CREATE TABLE customer_orders (
                id bigint PRIMARY KEY,
                account_id bigint NOT NULL REFERENCES customer_accounts (id));
             REVOKE ALL ON customer_orders FROM PUBLIC;",
        )
        .await
        .unwrap();
    drop(conn);
    secure_query!(
        "INSERT INTO customer_accounts (id, email, age) VALUES ($1, $2, $3)",
        1_i64,
        SECRET_VALUE,
        30_i32
    )
    .execute(&pool)
    .await
    .unwrap();
    pool
}

/// No rendering of `e` for logs (`{:#}`, `Debug`, `detail()`) holds
/// `value`, which the server's report does.
fn assert_redacted(e: &secure_pg::Error, value: &str) {
    for shown in [format!("{e:#}"), format!("{e:?}"), e.detail().to_string()] {
        assert!(!shown.contains(value), "`{value}` in {shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
    let db = e.as_db_error().expect("the server's report");
    let raw = format!("{} {}", db.message(), db.detail().unwrap_or(""));
    assert!(raw.contains(value), "the report itself keeps it: {raw}");
}

/// Display must be exactly `expected`, and must not contain any of the
/// schema names or values involved.
fn assert_safe(e: &secure_pg::Error, kind: ErrorKind, expected: &str) {
    assert_eq!(e.kind(), kind, "{e:#}");
    let shown = e.to_string();
    assert_eq!(shown, expected);
    for leak in [
        "customer_accounts",
        "customer_orders",
        "email",
        "age",
        "account_id",
        SECRET_VALUE,
        "INSERT",
        "SELECT",
        "errors_",
    ] {
        assert!(!shown.contains(leak), "`{leak}` leaked into {shown}");
    }
}

#[tokio::test]
async fn constraint_violations() {
    let pool = setup("errors_constraints", 5000).await;
    let e = checked(
        secure_query!(
            "INSERT INTO customer_accounts (id, email, age) VALUES ($1, $2, $3)",
            2_i64,
            SECRET_VALUE,
            40_i32
        )
        .execute(&pool)
        .await
        .unwrap_err(),
    );
    assert_safe(
        &e,
        ErrorKind::UniqueViolation,
        "a record with the same unique value already exists (SQLSTATE 23505)",
    );
    // The operator sees the constraint, the table and the column; the
    // duplicate value is redacted in every rendering, and reachable only
    // through the server's report, for code that decides to handle it.
    let detail = e.detail().to_string();
    assert!(
        detail.contains("customer_accounts_email_key")
            && detail.contains("Key (email)=(<redacted>) already exists.")
            && !detail.contains(SECRET_VALUE),
        "{detail}"
    );
    assert_redacted(&e, SECRET_VALUE);

    let e = checked(
        secure_query!(
            "INSERT INTO customer_orders (id, account_id) VALUES ($1, $2)",
            1_i64,
            987_654_321_i64
        )
        .execute(&pool)
        .await
        .unwrap_err(),
    );
    assert_safe(
        &e,
        ErrorKind::ForeignKeyViolation,
        "the operation refers to a record that does not exist or is still in use (SQLSTATE 23503)",
    );
    assert_redacted(&e, "987654321");
    let e = checked(
        secure_query!(
            "INSERT INTO customer_accounts (id, email, age) VALUES ($1, $2, $3)",
            3_i64,
            "check.secret@example.org",
            -1_i32
        )
        .execute(&pool)
        .await
        .unwrap_err(),
    );
    assert_safe(
        &e,
        ErrorKind::CheckViolation,
        "a value was rejected by a validation rule (SQLSTATE 23514)",
    );
    assert_redacted(&e, "check.secret@example.org");
    let e = checked(
        secure_query!(
            "INSERT INTO customer_accounts (id, email) VALUES ($1, NULL)",
            4_i64
        )
        .execute(&pool)
        .await
        .unwrap_err(),
    );
    assert_safe(
        &e,
        ErrorKind::NotNullViolation,
        "a required value is missing (SQLSTATE 23502)",
    );
}

/// Two unique constraints on one table: the program tells them apart by
/// `constraint()`, the server's report is the `source()`, and `Display`
/// names neither.
#[tokio::test]
async fn constraint_names_tell_unique_constraints_apart() {
    use std::error::Error as _;
    use tokio_postgres::error::DbError;

    let pool = setup("errors_names", 5000).await;
    pool.get()
        .await
        .unwrap()
        .client()
        .batch_execute(
            "CREATE TABLE customer_handles (
                id bigint PRIMARY KEY,
                email text NOT NULL CONSTRAINT customer_handles_email_key UNIQUE,
                handle text NOT NULL CONSTRAINT customer_handles_handle_key UNIQUE)",
        )
        .await
        .unwrap();
    secure_query!(
        "INSERT INTO customer_handles (id, email, handle) VALUES ($1, $2, $3)",
        1_i64,
        SECRET_VALUE,
        "alice"
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut seen = Vec::new();
    for (id, email, handle, constraint) in [
        (2_i64, SECRET_VALUE, "bob", "customer_handles_email_key"),
        (
            3_i64,
            "bob@example.org",
            "alice",
            "customer_handles_handle_key",
        ),
    ] {
        let e = checked(
            secure_query!(
                "INSERT INTO customer_handles (id, email, handle) VALUES ($1, $2, $3)",
                id,
                email,
                handle
            )
            .execute(&pool)
            .await
            .unwrap_err(),
        );
        assert_safe(
            &e,
            ErrorKind::UniqueViolation,
            "a record with the same unique value already exists (SQLSTATE 23505)",
        );
        assert!(!e.to_string().contains("customer_handles"), "{e}");
        assert_eq!(e.sqlstate(), Some(&SqlState::UNIQUE_VIOLATION));
        assert_eq!(e.constraint(), Some(constraint), "{e:#}");
        assert_eq!(e.table(), Some("customer_handles"));
        assert_eq!(e.schema(), Some("errors_names"));
        let db = e
            .source()
            .and_then(|s| s.downcast_ref::<DbError>())
            .expect("the source is the server's DbError");
        assert_eq!(db.constraint(), Some(constraint));
        assert_eq!(db.code(), &SqlState::UNIQUE_VIOLATION);
        assert!(std::ptr::eq(db, e.as_db_error().unwrap()));
        // The log rendering still carries the names.
        assert!(format!("{e:#}").contains(constraint), "{e:#}");
        seen.push(e.constraint().map(str::to_owned));
    }
    assert_ne!(seen[0], seen[1]);

    // A NOT NULL violation names its column.
    let e = checked(
        secure_query!(
            "INSERT INTO customer_handles (id, email, handle) VALUES ($1, $2, NULL)",
            4_i64,
            "c@example.org"
        )
        .execute(&pool)
        .await
        .unwrap_err(),
    );
    assert_eq!(e.kind(), ErrorKind::NotNullViolation);
    assert_eq!(e.column(), Some("handle"));
    assert!(!e.to_string().contains("handle"), "{e}");

    // An error the server did not report has no server fields and no
    // invented source.
    let e = checked(
        secure_query_as!(
            (i64,),
            "SELECT id FROM customer_handles WHERE id = $1",
            404_i64
        )
        .fetch_one(&pool)
        .await
        .unwrap_err(),
    );
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.source().is_none() && e.as_db_error().is_none() && e.constraint().is_none());
}

#[tokio::test]
async fn invalid_input_permission_timeout_and_not_found() {
    let pool = setup("errors_input", 500).await;
    let e = checked(
        secure_query_as!((i64,), "SELECT $1::text::bigint", "not-a-number")
            .fetch_one(&pool)
            .await
            .unwrap_err(),
    );
    assert_safe(
        &e,
        ErrorKind::InvalidInput,
        "the database rejected an input value (SQLSTATE 22P02)",
    );
    assert_redacted(&e, "not-a-number");
    let e = checked(
        secure_query!("SELECT pg_read_file($1)", "/etc/passwd")
            .execute(&pool)
            .await
            .unwrap_err(),
    );
    assert_safe(
        &e,
        ErrorKind::PermissionDenied,
        "permission denied for this database operation (SQLSTATE 42501)",
    );
    let e = checked(
        secure_query!("SELECT pg_sleep(5)")
            .execute(&pool)
            .await
            .unwrap_err(),
    );
    assert_safe(
        &e,
        ErrorKind::QueryTimeout,
        "the database operation timed out (SQLSTATE 57014)",
    );
    // The connection survives a statement timeout.
    secure_query!("SELECT 1").execute(&pool).await.unwrap();
    let e = checked(
        secure_query_as!(
            (i64,),
            "SELECT id FROM customer_accounts WHERE id = $1",
            404_i64
        )
        .fetch_one(&pool)
        .await
        .unwrap_err(),
    );
    assert_safe(&e, ErrorKind::NotFound, "no matching record was found");
    let e = checked(
        secure_query!("SELECT * FROM no_such_table_here")
            .execute(&pool)
            .await
            .unwrap_err(),
    );
    assert_safe(
        &e,
        ErrorKind::Database,
        "the database could not complete the operation (SQLSTATE 42P01)",
    );
    assert!(e.detail().to_string().contains("no_such_table_here"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadlocks_are_reported_as_retryable() {
    let pool = setup("errors_deadlock", 10000).await;
    secure_query!(
        "INSERT INTO customer_accounts (id, email, age) VALUES ($1, $2, $3)",
        10_i64,
        "a@x",
        1_i32
    )
    .execute(&pool)
    .await
    .unwrap();
    secure_query!(
        "INSERT INTO customer_accounts (id, email, age) VALUES ($1, $2, $3)",
        11_i64,
        "b@x",
        1_i32
    )
    .execute(&pool)
    .await
    .unwrap();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    let mut tasks = Vec::new();
    for (first, second) in [(10_i64, 11_i64), (11, 10)] {
        let pool = pool.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            pool.transaction_with(TransactionOptions::default().max_attempts(1), move |tx| {
                let barrier = barrier.clone();
                Box::pin(async move {
                    secure_query!(
                        "UPDATE customer_accounts SET age = age + 1 WHERE id = $1",
                        first
                    )
                    .execute(&*tx)
                    .await?;
                    barrier.wait().await;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    secure_query!(
                        "UPDATE customer_accounts SET age = age + 1 WHERE id = $1",
                        second
                    )
                    .execute(&*tx)
                    .await?;
                    Ok(())
                })
            })
            .await
        }));
    }
    let mut deadlocks = 0;
    for t in tasks {
        if let Err(e) = t.await.unwrap() {
            let e = checked(e);
            assert_safe(
                &e,
                ErrorKind::Deadlock,
                "the operation was aborted to resolve a deadlock; try again (SQLSTATE 40P01)",
            );
            assert!(e.is_retryable());
            deadlocks += 1;
        }
    }
    assert_eq!(deadlocks, 1);
}
