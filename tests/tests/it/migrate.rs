//! `migrate!()` and `Migrator` against a real server: concurrent runners,
//! a failing migration, edited comments and statements, a no-transaction
//! migration, and sqlx and diesel ledgers taken over. Each test works in a
//! database of its own on the shared cluster.

use std::sync::Arc;
use std::time::{Duration, Instant};

use secure_pg::migrate::{Migrator, State, Tool, TransactionMode, LOCK_KEY};
use secure_pg::{ErrorKind, Pool};
use secure_pg_tests::{note, shared, Cluster, ClusterSpec, ServerCert};

use crate::support::{config, expect_err};

static BASE: Migrator = secure_pg::migrate!("fixtures/migrate/base");
static COMMENT_EDIT: Migrator = secure_pg::migrate!("fixtures/migrate/comment_edit");
static STATEMENT_EDIT: Migrator = secure_pg::migrate!("fixtures/migrate/statement_edit");
static FAILING: Migrator = secure_pg::migrate!("fixtures/migrate/failing");
static DIESEL: Migrator = secure_pg::migrate!("fixtures/migrate/diesel");
static PRISMA: Migrator = secure_pg::migrate!("fixtures/migrate/prisma");
static SLOW: Migrator = secure_pg::migrate!("fixtures/migrate/slow");
static OWN_TX: Migrator = secure_pg::migrate!("fixtures/migrate/own_tx");
static OWN_TX_FAILING: Migrator = secure_pg::migrate!("fixtures/migrate/own_tx_failing");
static BLOCK_FAILING: Migrator = secure_pg::migrate!("fixtures/migrate/block_failing");

fn cluster() -> Arc<Cluster> {
    shared(ClusterSpec::tls(ServerCert::Valid))
}

/// A fresh database `name` owned by the app role, and its URL.
fn database(c: &Cluster, name: &str) -> String {
    c.psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    c.psql(&format!("CREATE DATABASE {name} OWNER app"));
    let url = c.url();
    let (base, options) = url.split_once('?').unwrap();
    let (base, _) = base.rsplit_once('/').unwrap();
    format!("{base}/{name}?{options}")
}

async fn pool(url: &str) -> Pool {
    Pool::builder()
        .max_size(2)
        .build(config(url))
        .await
        .expect("pool")
}

/// The ledger's versions, as `1,2,3`.
fn ledger(c: &Cluster, db: &str) -> String {
    c.psql_db(
        db,
        "SELECT coalesce(string_agg(version::text, ',' ORDER BY version), '') \
         FROM secure_pg_migrations",
    )
    .trim()
    .to_string()
}

fn advisory_locks(c: &Cluster, db: &str) -> String {
    c.psql_db(
        db,
        &format!(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database \
             WHERE l.locktype = 'advisory' AND d.datname = '{db}' AND l.granted"
        ),
    )
    .trim()
    .to_string()
}

#[tokio::test]
async fn applies_in_order_records_and_is_idempotent() {
    let c = cluster();
    let url = database(&c, "mig_basic");
    let pool = pool(&url).await;
    let report = BASE.run(&pool).await.expect("run");
    assert_eq!(report.applied, [1, 2, 3]);
    assert!(report.adopted.is_empty());
    assert_eq!(ledger(&c, "mig_basic"), "1,2,3");
    assert_eq!(
        c.psql_db("mig_basic", "SELECT name FROM mig_users").trim(),
        "first; not a statement end"
    );
    // The ledger row: name, a checksum per statement, a duration.
    assert_eq!(
        c.psql_db(
            "mig_basic",
            "SELECT name || ' ' || cardinality(statement_checksums) || ' ' || \
             (duration IS NOT NULL) || ' ' || (adopted_from IS NULL) \
             FROM secure_pg_migrations WHERE version = 2"
        )
        .trim(),
        "posts 2 true true"
    );
    let again = BASE.run(&pool).await.expect("second run");
    assert!(again.applied.is_empty(), "{again:?}");
    assert_eq!(advisory_locks(&c, "mig_basic"), "0");
    let info = BASE.info(&pool).await.unwrap();
    assert!(
        info.iter()
            .all(|m| m.state == State::Applied { adopted_from: None }),
        "{info:?}"
    );
}

/// Prisma Migrate's layout (a team moving a Prisma-managed schema over):
/// each directory's `migration.sql`, in order, the lock file beside them
/// not run.
#[tokio::test]
async fn a_prisma_layout_is_applied_in_order() {
    let c = cluster();
    let url = database(&c, "mig_prisma");
    let pool = pool(&url).await;
    let report = PRISMA.run(&pool).await.expect("run");
    assert_eq!(report.applied, [20240101000000, 20240102000000]);
    assert_eq!(
        c.psql_db(
            "mig_prisma",
            "SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint \
             WHERE conrelid = '\"PrismaItem\"'::regclass"
        )
        .trim(),
        "PrismaItem_ownerId_fkey,PrismaItem_pkey"
    );
    let names: Vec<String> = PRISMA
        .info(&pool)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, ["init", "items"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_runners_apply_each_migration_once() {
    let c = cluster();
    let url = database(&c, "mig_concurrent");
    // Hold the lock so that all four runners are waiting at once (3_indexes
    // is CREATE INDEX CONCURRENTLY, which waits for open transactions: a
    // runner waiting inside pg_advisory_lock would deadlock with it).
    let holder = pool(&url).await;
    let held = holder.get().await.unwrap();
    held.client()
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .unwrap();
    let mut runners = Vec::new();
    for _ in 0..4 {
        let url = url.clone();
        runners.push(tokio::spawn(async move {
            let pool = pool(&url).await;
            BASE.run(&pool).await
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let waiting = c.psql_db(
            "mig_concurrent",
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'mig_concurrent' \
             AND query LIKE '%pg_try_advisory_lock%' AND pid <> pg_backend_pid()",
        );
        if waiting.trim() == "4" {
            break;
        }
        assert!(Instant::now() < deadline, "runners waiting: {waiting}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    held.client()
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await
        .unwrap();
    let mut applied = Vec::new();
    for r in runners {
        applied.extend(r.await.unwrap().expect("run").applied);
    }
    applied.sort();
    assert_eq!(applied, [1, 2, 3], "each migration applied exactly once");
    assert_eq!(ledger(&c, "mig_concurrent"), "1,2,3");
}

#[tokio::test]
async fn a_failing_migration_is_rolled_back_and_named() {
    let c = cluster();
    let url = database(&c, "mig_failing");
    let pool = pool(&url).await;
    let e = expect_err(FAILING.run(&pool).await);
    assert_eq!(e.kind(), ErrorKind::UniqueViolation);
    assert_eq!(
        e.to_string(),
        "migration `tests/fixtures/migrate/failing/4_fails.sql` failed at line 3: a record \
         with the same unique value already exists (SQLSTATE 23505)"
    );
    assert!(!e.to_string().contains("mig_tags"), "{e}");
    assert!(format!("{e:#}").contains("mig_tags_pkey"), "{e:#}");
    // The three before it are applied; the failing one left nothing.
    assert_eq!(ledger(&c, "mig_failing"), "1,2,3");
    assert_eq!(
        c.psql_db("mig_failing", "SELECT to_regclass('mig_tags') IS NULL")
            .trim(),
        "t"
    );
    assert_eq!(advisory_locks(&c, "mig_failing"), "0");
    let info = FAILING.info(&pool).await.unwrap();
    assert_eq!(info[3].state, State::Pending);
}

#[tokio::test]
async fn edited_comments_pass_and_edited_statements_are_refused() {
    let c = cluster();
    let url = database(&c, "mig_edits");
    let pool = pool(&url).await;
    BASE.run(&pool).await.expect("base");
    // Comments and layout changed in 1_users.sql; 4_tags.sql is new.
    let report = COMMENT_EDIT.run(&pool).await.expect("comment edit");
    assert_eq!(report.applied, [4]);
    // The function body of 2_posts.sql (statement 2, line 2) does
    // something else now.
    let e = expect_err(STATEMENT_EDIT.run(&pool).await);
    assert_eq!(e.kind(), ErrorKind::Migration);
    assert_eq!(
        e.to_string(),
        "migration `tests/fixtures/migrate/statement_edit/2_posts.sql` was changed after it \
         was applied: statement 2 (line 2) is not the one applied"
    );
    assert!(
        format!("{e:#}").contains("statement 2 now reads: CREATE FUNCTION mig_post_count()"),
        "{e:#}"
    );
    let info = STATEMENT_EDIT.info(&pool).await.unwrap();
    let states: Vec<&State> = info.iter().map(|m| &m.state).collect();
    assert_eq!(
        states,
        [
            &State::Applied { adopted_from: None },
            &State::Changed {
                statement: 2,
                line: Some(2)
            },
            &State::Applied { adopted_from: None },
            &State::Unknown,
        ]
    );
    assert_eq!(ledger(&c, "mig_edits"), "1,2,3,4");
    assert_eq!(advisory_locks(&c, "mig_edits"), "0");
}

#[tokio::test]
async fn a_dropped_run_gives_the_lock_up() {
    let c = cluster();
    let url = database(&c, "mig_dropped");
    let first = pool(&url).await;
    let cut = tokio::time::timeout(Duration::from_secs(1), SLOW.run(&first)).await;
    assert!(cut.is_err(), "the run was dropped while applying");
    // It had the lock: the ledger is created under it.
    assert_eq!(
        c.psql_db(
            "mig_dropped",
            "SELECT to_regclass('secure_pg_migrations') IS NOT NULL"
        )
        .trim(),
        "t"
    );
    // Its session gives the lock up (the connection is reset or closed),
    // and its transaction left nothing behind: another runner applies it.
    let second = pool(&url).await;
    let report = tokio::time::timeout(Duration::from_secs(20), SLOW.run(&second))
        .await
        .expect("the lock was given up")
        .expect("run");
    assert_eq!(report.applied, [1]);
    assert_eq!(ledger(&c, "mig_dropped"), "1");
}

#[tokio::test]
async fn a_no_transaction_migration_runs_statement_by_statement() {
    let m = &BASE.migrations()[2];
    assert!(m.transaction() == TransactionMode::None && m.statement_count() == 2);
    let c = cluster();
    let url = database(&c, "mig_notx");
    // On a connection of its own, as an owner role would run it.
    let report = BASE.run_with_config(&config(&url)).await.expect("run");
    assert_eq!(report.applied, [1, 2, 3]);
    // CREATE INDEX CONCURRENTLY fails in a transaction block; these exist
    // and are valid.
    assert_eq!(
        c.psql_db(
            "mig_notx",
            "SELECT string_agg(c.relname || ':' || i.indisvalid, ',' ORDER BY c.relname) \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE c.relname IN ('mig_posts_author', 'mig_users_name')"
        )
        .trim(),
        "mig_posts_author:true,mig_users_name:true"
    );
}

#[tokio::test]
async fn migrations_that_control_their_own_transactions() {
    let modes: Vec<TransactionMode> = OWN_TX
        .migrations()
        .iter()
        .map(|m| m.transaction())
        .collect();
    assert_eq!(
        modes,
        [
            TransactionMode::Block,
            TransactionMode::AsWritten,
            TransactionMode::None,
            TransactionMode::Block,
            TransactionMode::None
        ]
    );
    let c = cluster();
    let url = database(&c, "mig_own_tx");
    let pool = pool(&url).await;
    let report = OWN_TX.run(&pool).await.expect("run");
    assert_eq!(report.applied, [1, 2, 3, 4, 5]);
    assert_eq!(ledger(&c, "mig_own_tx"), "1,2,3,4,5");
    // The block's body and its ledger row are one transaction (one xmin);
    // the file that controls its own transactions committed its work
    // before the ledger row was written (two).
    assert_eq!(
        c.psql_db(
            "mig_own_tx",
            "SELECT (SELECT xmin FROM otx_subs WHERE id = 1) = \
                    (SELECT xmin FROM secure_pg_migrations WHERE version = 1), \
                    (SELECT xmin FROM pg_type WHERE typname = 'otx_state') = \
                    (SELECT xmin FROM secure_pg_migrations WHERE version = 2)"
        )
        .trim(),
        "t|f"
    );
    // Both function bodies arrived whole.
    assert_eq!(
        c.psql_db("mig_own_tx", "SELECT otx_one() + otx_two()")
            .trim(),
        "3"
    );
    assert_eq!(
        c.psql_db(
            "mig_own_tx",
            "SELECT status || ',' || (SELECT count(*) FROM pg_index i JOIN pg_class x \
             ON x.oid = i.indexrelid WHERE x.relname IN ('otx_subs_state', 'otx_subs_status') \
             AND i.indisvalid) FROM otx_subs"
        )
        .trim(),
        "confirmed,2"
    );
    // No transaction is left open on the connection, and no lock held.
    assert_eq!(advisory_locks(&c, "mig_own_tx"), "0");
    let again = OWN_TX.run(&pool).await.expect("second run");
    assert!(again.applied.is_empty());
}

#[tokio::test]
async fn a_failing_block_leaves_nothing_and_a_failing_file_its_own_commits() {
    let c = cluster();
    // A `BEGIN; ... COMMIT;` file runs in the runner's transaction with its
    // ledger row: its failure leaves neither.
    let url = database(&c, "mig_block_fail");
    let block = pool(&url).await;
    let e = expect_err(BLOCK_FAILING.run(&block).await);
    assert_eq!(e.kind(), ErrorKind::UniqueViolation);
    // No position from the server: the line is the statement after the
    // ones that completed, counted from the file's (not the body's) start.
    assert_eq!(
        e.to_string(),
        "migration `tests/fixtures/migrate/block_failing/1_block.sql` failed at line 5: a \
         record with the same unique value already exists (SQLSTATE 23505)"
    );
    assert_eq!(ledger(&c, "mig_block_fail"), "");
    assert_eq!(
        c.psql_db("mig_block_fail", "SELECT to_regclass('blk_t') IS NULL")
            .trim(),
        "t"
    );
    // A file with its own COMMIT in the middle: what it committed stays,
    // what came after is rolled back, it is not recorded, and the error
    // says so.
    let url = database(&c, "mig_own_fail");
    let own = pool(&url).await;
    let e = expect_err(OWN_TX_FAILING.run(&own).await);
    assert_eq!(
        e.to_string(),
        "migration `tests/fixtures/migrate/own_tx_failing/4_fails_after_commit.sql` failed at \
         line 5: the database rejected an input value (SQLSTATE 22P02)"
    );
    let full = format!("{e:#}");
    assert!(
        full.contains("what its own COMMIT committed before the failure stays applied"),
        "{full}"
    );
    assert!(
        !full.contains("not a number"),
        "no value in the error: {full}"
    );
    assert_eq!(ledger(&c, "mig_own_fail"), "1,2,3");
    assert_eq!(
        c.psql_db(
            "mig_own_fail",
            "SELECT (to_regclass('otx_kept') IS NOT NULL) || ',' || \
             (to_regclass('otx_lost') IS NULL)"
        )
        .trim(),
        "true,true"
    );
    assert_eq!(advisory_locks(&c, "mig_own_fail"), "0");
}

/// Sets up a database as sqlx would have left it after applying the first
/// `n` migrations of `BASE`, with `checksum` deciding each recorded hash.
fn as_sqlx_left_it(
    c: &Cluster,
    db: &str,
    n: usize,
    checksum: impl Fn(&str) -> Vec<u8>,
    success: bool,
) {
    c.psql_db(
        db,
        "SET ROLE app; CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, \
         description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), \
         success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)",
    );
    for m in &BASE.migrations()[..n] {
        c.psql_db(db, &format!("SET ROLE app; {}", m.sql()));
        let hex: String = checksum(m.sql())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        c.psql_db(
            db,
            &format!(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
                 execution_time) VALUES ({}, '{}', {success}, '\\x{hex}', 1500000)",
                m.version(),
                m.name().replace('_', " ")
            ),
        );
    }
}

fn sha384(sql: &str) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA384, sql.as_bytes())
        .as_ref()
        .to_vec()
}

#[tokio::test]
async fn a_sqlx_ledger_is_taken_over() {
    let c = cluster();
    let url = database(&c, "mig_sqlx");
    as_sqlx_left_it(&c, "mig_sqlx", 2, sha384, true);
    let pool = pool(&url).await;
    let info = BASE.info(&pool).await.unwrap();
    assert_eq!(info[0].state, State::Adoptable(Tool::Sqlx));
    assert_eq!(info[2].state, State::Pending);
    let report = BASE.run(&pool).await.expect("run");
    assert_eq!(report.adopted, [(1, Tool::Sqlx), (2, Tool::Sqlx)]);
    assert_eq!(report.applied, [3], "history is not run again");
    assert_eq!(ledger(&c, "mig_sqlx"), "1,2,3");
    assert_eq!(
        c.psql_db(
            "mig_sqlx",
            "SELECT adopted_from || ' ' || (applied_at = (SELECT installed_on FROM \
             _sqlx_migrations WHERE version = 1)) || ' ' || (duration = interval '1.5 ms') \
             FROM secure_pg_migrations WHERE version = 1"
        )
        .trim(),
        "sqlx true true"
    );
    assert_eq!(
        BASE.info(&pool).await.unwrap()[1].state,
        State::Applied {
            adopted_from: Some(Tool::Sqlx)
        }
    );
}

#[tokio::test]
async fn a_sqlx_ledger_that_does_not_match_is_refused() {
    let c = cluster();
    for (db, checksum, success, expected) in [
        (
            "mig_sqlx_sum",
            (|_: &str| vec![0u8; 48]) as fn(&str) -> Vec<u8>,
            true,
            "migration `tests/fixtures/migrate/base/1_users.sql` is not the file sqlx applied \
             (its SHA-384 differs)",
        ),
        (
            "mig_sqlx_failed",
            sha384 as fn(&str) -> Vec<u8>,
            false,
            "sqlx recorded migration `tests/fixtures/migrate/base/1_users.sql` as failed; \
             repair the database before taking it over",
        ),
    ] {
        let url = database(&c, db);
        as_sqlx_left_it(&c, db, 1, checksum, success);
        let pool = pool(&url).await;
        let e = expect_err(BASE.run(&pool).await);
        assert_eq!(e.kind(), ErrorKind::Migration);
        assert_eq!(e.to_string(), expected);
        assert_eq!(ledger(&c, db), "", "nothing recorded or applied");
        assert_eq!(advisory_locks(&c, db), "0");
    }
}

#[tokio::test]
async fn a_diesel_ledger_is_taken_over() {
    let c = cluster();
    let url = database(&c, "mig_diesel");
    c.psql_db(
        "mig_diesel",
        "SET ROLE app; CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY \
         KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    );
    // diesel records each directory's version string: the part of its
    // name before `_` without dashes, the whole name without one.
    for (m, version) in DIESEL.migrations()[..3].iter().zip([
        "00000000000000",
        "20240101000000",
        "202401011200addnick",
    ]) {
        c.psql_db("mig_diesel", &format!("SET ROLE app; {}", m.sql()));
        c.psql_db(
            "mig_diesel",
            &format!("INSERT INTO __diesel_schema_migrations (version) VALUES ('{version}')"),
        );
    }
    let pool = pool(&url).await;
    let info: Vec<State> = DIESEL
        .info(&pool)
        .await
        .expect("info")
        .into_iter()
        .map(|i| i.state)
        .collect();
    assert_eq!(
        info,
        [
            State::Adoptable(Tool::Diesel),
            State::Adoptable(Tool::Diesel),
            State::Adoptable(Tool::Diesel),
            State::Pending,
            State::Pending
        ]
    );
    let report = DIESEL.run(&pool).await.expect("run");
    // In diesel's order (of strings), which is not the numbers' order:
    // 202401011200 comes after 20240101000000 and before 20240102000000.
    assert_eq!(
        report.adopted,
        [
            (0, Tool::Diesel),
            (20240101000000, Tool::Diesel),
            (202401011200, Tool::Diesel)
        ]
    );
    assert_eq!(report.applied, [20240102000000, 20240103000000]);
    assert_eq!(
        DIESEL.migrations()[0].name(),
        "diesel_initial_setup",
        "named after the directory"
    );
    assert_eq!(DIESEL.migrations()[2].name(), "add-nick");
    // metadata.toml's `run_in_transaction = false`: its two statements
    // ran one by one (each fails in a transaction block).
    assert_eq!(DIESEL.migrations()[4].transaction(), TransactionMode::None);
    assert_eq!(
        c.psql_db(
            "mig_diesel",
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'dsl_posts_author'::regclass"
        )
        .trim(),
        "t"
    );
    assert_eq!(
        c.psql_db(
            "mig_diesel",
            "SELECT string_agg(coalesce(adopted_from, '-'), ',' ORDER BY applied_at, version) \
             FROM secure_pg_migrations"
        )
        .trim(),
        "diesel,diesel,diesel,-,-"
    );
    // A second run finds nothing to do, although the largest number in
    // the ledger (20240103000000) is not the last migration's by number.
    let again = DIESEL.run(&pool).await.expect("second run");
    assert!(
        again.applied.is_empty() && again.adopted.is_empty(),
        "{again:?}"
    );
    assert_eq!(
        c.psql_db("mig_diesel", "SELECT count(*) FROM dsl_posts")
            .trim(),
        "0"
    );
}

/// A history of `n` generated migrations, built as `migrate!()` builds one
/// (the same statement splitting and checksum texts).
fn generated(n: usize) -> Migrator {
    let mut migrations = Vec::new();
    for i in 1..=n {
        let sql: &'static str = Box::leak(
            format!(
                "-- generated migration {i}\nCREATE TABLE gen_{i} (id bigint PRIMARY KEY, v text);\n\
                 INSERT INTO gen_{i} VALUES (1, 'row {i}');\n"
            )
            .into_boxed_str(),
        );
        let statements: Vec<_> = secure_pg_sql::migrate::statements(sql)
            .unwrap()
            .into_iter()
            .map(|s| {
                secure_pg::__private::migration_statement(
                    s.line as u32,
                    s.start,
                    s.end,
                    Box::leak(s.normalized.into_boxed_str()),
                )
            })
            .collect();
        let file: &'static str = Box::leak(format!("generated/{i}_gen.sql").into_boxed_str());
        migrations.push(secure_pg::__private::migration_from_macro(
            i as i64,
            "gen",
            file,
            sql,
            secure_pg::migrate::TransactionMode::PerMigration,
            Box::leak(statements.into_boxed_slice()),
        ));
    }
    secure_pg::__private::migrator_from_macro(Box::leak(migrations.into_boxed_slice()))
}

#[tokio::test]
async fn a_hundred_migrations() {
    let c = cluster();
    let url = database(&c, "mig_hundred");
    let pool = pool(&url).await;
    let migrator = generated(100);
    let t = Instant::now();
    let report = migrator.run(&pool).await.expect("run");
    let first = t.elapsed();
    assert_eq!(report.applied.len(), 100);
    let t = Instant::now();
    let again = migrator.run(&pool).await.expect("second run");
    let second = t.elapsed();
    assert!(again.applied.is_empty());
    assert_eq!(
        c.psql_db(
            "mig_hundred",
            "SELECT count(*) FROM secure_pg_migrations WHERE duration IS NOT NULL"
        )
        .trim(),
        "100"
    );
    note(&format!(
        "migrate: 100 migrations applied in {} ms; a run with nothing pending took {} ms",
        first.as_millis(),
        second.as_millis()
    ));
}
