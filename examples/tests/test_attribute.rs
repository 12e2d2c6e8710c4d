//! `#[secure_pg::test]` as a user writes it: each test gets a pool on a
//! database of its own with this crate's migrations applied (on a
//! throwaway local server with TLS, since these tests do not set
//! `DATABASE_URL`), reached with `verify-full`; a passing test drops its
//! database and a failing one keeps it.

use secure_pg::{secure_query, secure_query_as, secure_query_as_unparsed, Error, ErrorKind, Pool};

#[secure_pg::test]
async fn each_test_has_its_own_migrated_database(pool: Pool) -> Result<(), Error> {
    secure_query!(
        "INSERT INTO quickstart_widgets (id, name) VALUES ($1, $2)",
        1_i64,
        "gear"
    )
    .execute(&pool)
    .await?;
    let (n,) = secure_query_as!((i64,), "SELECT count(*) FROM quickstart_widgets")
        .fetch_one(&pool)
        .await?;
    assert_eq!(n, 1);
    Ok(())
}

/// The same row again: no other test's rows are here.
#[secure_pg::test]
async fn another_test_starts_from_the_migrations_alone(pool: Pool) -> Result<(), Error> {
    secure_query!(
        "INSERT INTO quickstart_widgets (id, name) VALUES ($1, $2)",
        1_i64,
        "gear"
    )
    .execute(&pool)
    .await?;
    let (ledger,) = secure_query_as_unparsed!((i64,), "SELECT count(*) FROM secure_pg_migrations")
        .fetch_one(&pool)
        .await?;
    assert_eq!(ledger, 3, "the three migrations of examples/migrations");
    Ok(())
}

#[secure_pg::test]
async fn the_pool_connects_with_verify_full(pool: Pool) {
    let conn = pool.get().await.unwrap();
    assert_eq!(conn.info().sslmode.to_string(), "verify-full");
    assert!(conn.info().tls.is_some());
}

#[secure_pg::test(migrations = false)]
async fn an_empty_database_when_asked(pool: Pool) {
    let (found,) = secure_query_as!(
        (Option<String>,),
        "SELECT to_regclass('quickstart_widgets')::text"
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(found, None);
}

#[secure_pg::test]
#[should_panic(expected = "on purpose")]
async fn a_panic_fails_the_test(_pool: Pool) {
    panic!("on purpose");
}

#[secure_pg::test]
#[should_panic(expected = "the test returned an error")]
async fn an_err_fails_the_test(_pool: Pool) -> Result<(), Error> {
    Err(Error::new(ErrorKind::InvalidInput, "a failing check"))
}

/// What the attribute expands to, run by hand: a failing test's database
/// is still there afterwards, a passing test's is gone.
#[test]
fn a_passing_test_drops_its_database_and_a_failing_one_keeps_it() {
    let failed = std::panic::catch_unwind(|| {
        secure_pg::testing::__run(None, "probe::fails", |_pool: Pool| async {
            if true {
                panic!("on purpose")
            }
        })
    });
    assert!(failed.is_err());
    secure_pg::testing::__run(None, "probe::passes", |_pool: Pool| async {});
    secure_pg::testing::__run(None, "probe::looks", |pool: Pool| async move {
        let names = secure_query_as_unparsed!(
            (String,),
            "SELECT datname::text FROM pg_database WHERE datname LIKE 't\\_probe\\_\\_%'"
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        let names: Vec<String> = names.into_iter().map(|(n,)| n).collect();
        assert!(
            names.iter().any(|n| n.starts_with("t_probe__fails_")),
            "{names:?}"
        );
        assert!(
            !names.iter().any(|n| n.starts_with("t_probe__passes_")),
            "{names:?}"
        );
    });
}
