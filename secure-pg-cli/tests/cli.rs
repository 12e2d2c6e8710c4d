//! The `secure-pg` binary end to end, against throwaway PostgreSQL servers
//! with TLS (`verify-full`): migrations listed, applied, edited; the
//! snapshot written, loaded by the schema checks, and found stale; and what
//! a user sees when a command is misused or a connection is refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use secure_pg::testing::server::{temp_dir, LocalServer};
use secure_pg::{secure_query, secure_query_as};

fn server() -> &'static LocalServer {
    static SERVER: OnceLock<LocalServer> = OnceLock::new();
    SERVER.get_or_init(LocalServer::start)
}

/// The migration fixtures of the integration tests.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/migrate")
        .join(name)
}

/// A fresh database on the shared server, and its URL.
async fn database(name: &str) -> String {
    let admin = secure_pg::Config::parse_with_env(&server().url("postgres"), |_| None).unwrap();
    let (client, _) = secure_pg::connect(&admin).await.unwrap();
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        client.batch_execute(&sql).await.unwrap();
    }
    server().url(name)
}

/// Runs the binary in `cwd` with `DATABASE_URL` set to `url` (or unset).
fn cli(cwd: &Path, url: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_secure-pg"));
    c.current_dir(cwd).args(args).env_remove("DATABASE_URL");
    for var in ["PGPASSWORD", "PGHOST", "PGUSER", "PGDATABASE", "PGSSLMODE"] {
        c.env_remove(var);
    }
    if let Some(url) = url {
        c.env("DATABASE_URL", url);
    }
    c.output().expect("the secure-pg binary runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_are_listed_applied_and_edits_judged_by_statement() {
    let url = database("cli_migrate").await;
    let cwd = temp_dir("cli");
    let base = fixture("base");
    let base = base.to_str().unwrap();

    let o = cli(&cwd, Some(&url), &["migrate", "info", "--source", base]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let pending: Vec<&str> = out.lines().filter(|l| l.contains("pending")).collect();
    assert_eq!(pending.len(), 3, "{out}");
    assert!(out.starts_with("version  state"), "{out}");

    let o = cli(&cwd, Some(&url), &["migrate", "run", "--source", base]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(out.trim(), "applied 3 migration(s) (1, 2, 3)");
    // Run again: nothing to do.
    let o = cli(&cwd, Some(&url), &["migrate", "run", "--source", base]);
    assert_eq!(text(&o).0.trim(), "applied 0 migration(s)");

    let o = cli(&cwd, Some(&url), &["migrate", "info", "--source", base]);
    let (out, _) = text(&o);
    assert_eq!(
        out.lines().filter(|l| l.contains(" applied ")).count(),
        3,
        "{out}"
    );

    // Comments edited in applied files, and a new migration: only the new
    // one is applied.
    let edited = fixture("comment_edit");
    let o = cli(
        &cwd,
        Some(&url),
        &["migrate", "run", "--source", edited.to_str().unwrap()],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(out.trim(), "applied 1 migration(s) (4)");

    // A statement changed in an applied file: refused, naming the file and
    // the statement; `info` shows it.
    let changed = fixture("statement_edit");
    let changed = changed.to_str().unwrap();
    let o = cli(&cwd, Some(&url), &["migrate", "run", "--source", changed]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("2_posts.sql"), "{err}");
    let o = cli(&cwd, Some(&url), &["migrate", "info", "--source", changed]);
    let (out, _) = text(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("2 ") && l.contains("CHANGED since applied: statement 2")),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misuse_and_refused_connections_say_what_to_do_without_secrets() {
    let cwd = temp_dir("cli");
    let base = fixture("base");
    let base = base.to_str().unwrap();

    // No DATABASE_URL.
    let o = cli(&cwd, None, &["migrate", "run", "--source", base]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o)
            .1
            .contains("set DATABASE_URL (or pass --database-url)"),
        "{:?}",
        text(&o)
    );
    // No migrations where it runs.
    let o = cli(&cwd, Some("postgres://x@localhost/x"), &["migrate", "run"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("no migrations found"), "{:?}", text(&o));
    // Unknown commands and options.
    let o = cli(&cwd, None, &["migrate", "up"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).1.contains("`migrate run` or `migrate info`"),
        "{:?}",
        text(&o)
    );
    let o = cli(&cwd, None, &["snapshot", "--force"]);
    assert!(
        text(&o).1.contains("unknown option `--force`"),
        "{:?}",
        text(&o)
    );
    let o = cli(&cwd, None, &["--help"]);
    assert!(o.status.success() && text(&o).0.starts_with("usage: secure-pg"));

    // A wrong password: the connection error, and neither password.
    let url = server().url("postgres");
    let right = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, p)| p.to_owned())
        .unwrap();
    let wrong = url.replace(&right, "wrong-Secret-4711");
    let o = cli(&cwd, Some(&wrong), &["migrate", "run", "--source", base]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("authentication") || err.contains("password"),
        "{err}"
    );
    for secret in ["wrong-Secret-4711", right.as_str()] {
        assert!(!err.contains(secret) && !out.contains(secret), "{err}");
    }

    // `grants` and `verify` in the `secure-pg` binary, which has none of
    // the user's statements: where to run them instead.
    let o = cli(&cwd, None, &["grants", "--role", "app"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).1.contains("secure_pg_cli::main()"),
        "{:?}",
        text(&o)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_is_written_read_by_the_checks_and_found_stale() {
    let cwd = temp_dir("cli");
    let base = fixture("base");
    let base = base.to_str().unwrap();
    let o = cli(&cwd, None, &["snapshot", "--source", base]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("schema.sql"), "{out}");
    let dump = std::fs::read_to_string(cwd.join("schema.sql")).unwrap();
    assert!(dump.contains("CREATE TABLE public.mig_posts"), "{dump}");
    assert!(!dump.contains("\\restrict"), "{dump}");
    // The schema checks read it completely, with the migrations' tables.
    let catalog = secure_pg_sql::schema::Catalog::from_files(&[("schema.sql", dump.as_str())])
        .unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = catalog.tables().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["public.mig_posts", "public.mig_users"]);

    // Checked against a fresh run: up to date.
    let o = cli(&cwd, None, &["snapshot", "--source", base, "--check"]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(text(&o).0.contains("is up to date"));
    // A migration the file does not reflect: stale, with the first line
    // that differs, and the command to run.
    let more = fixture("comment_edit");
    let o = cli(
        &cwd,
        None,
        &["snapshot", "--source", more.to_str().unwrap(), "--check"],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("schema.sql is stale"), "{err}");
    assert!(
        err.contains("run `secure-pg snapshot` and commit the result"),
        "{err}"
    );
}

/// A history that expects an extension to exist already (chirpstack's
/// expects pg_trgm): the failure says how to provide it, and
/// `--extension` does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_creates_the_extensions_a_history_expects() {
    let cwd = temp_dir("cli");
    let dir = cwd.join("migrations");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("1_names.sql"),
        "CREATE TABLE names (name text NOT NULL);\n\
         CREATE INDEX names_trgm ON names USING gin (name gin_trgm_ops);\n",
    )
    .unwrap();
    let o = cli(&cwd, None, &["snapshot"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("migrations/1_names.sql` failed at line 2"),
        "{err}"
    );
    assert!(err.contains("pass `--extension NAME`"), "{err}");
    let o = cli(&cwd, None, &["snapshot", "--extension", "pg_trgm"]);
    assert!(o.status.success(), "{:?}", text(&o));
    let dump = std::fs::read_to_string(cwd.join("schema.sql")).unwrap();
    assert!(
        dump.contains("CREATE EXTENSION IF NOT EXISTS pg_trgm"),
        "{dump}"
    );
    assert!(dump.contains("gin_trgm_ops"), "{dump}");
    // The snapshot now beside `migrations/` (where the schema checks read
    // it first) is passed over: the history is what is applied.
    let o = cli(
        &cwd,
        None,
        &["snapshot", "--extension", "pg_trgm", "--check"],
    );
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(text(&o).0.contains("is up to date"));
    let o = cli(
        &cwd,
        None,
        &["snapshot", "--extension", "no_such_extension"],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--extension no_such_extension: the extension could not be created"),
        "{err}"
    );
    let o = cli(&cwd, None, &["snapshot", "--extension", "a\"b"]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    // An option of `snapshot` given to another command is not ignored.
    let o = cli(&cwd, None, &["migrate", "run", "--extension", "pg_trgm"]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    assert!(
        text(&o).1.contains("are options of `snapshot`"),
        "{:?}",
        text(&o)
    );
}

/// `grants` and `verify` from a binary that has statements (this test's):
/// what a user's own `src/bin/db.rs` calling `secure_pg_cli::run` gets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grants_and_verify_run_over_the_binarys_own_statements() {
    let url = database("cli_verify").await;
    let cwd = temp_dir("cli");
    let o = cli(
        &cwd,
        Some(&url),
        &[
            "migrate",
            "run",
            "--source",
            fixture("base").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{:?}", text(&o));
    // Statements of this binary (run here so that they are used).
    let config = secure_pg::Config::parse_with_env(&url, |_| None).unwrap();
    let (client, _) = secure_pg::connect(&config).await.unwrap();
    secure_query!(
        "INSERT INTO mig_users (id, name) VALUES ($1, $2)",
        42_i64,
        "ada"
    )
    .execute(&client)
    .await
    .unwrap();
    let (n,): (i64,) = secure_query_as!((i64,), "SELECT count(*) FROM mig_users")
        .fetch_one(&client)
        .await
        .unwrap();
    assert_eq!(n, 2);

    let env = |name: &str| (name == "DATABASE_URL").then(|| url.clone());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let args: Vec<String> = ["grants", "--role", "app"].map(String::from).to_vec();
    let code = outside_the_runtime(|| secure_pg_cli::run(&args, &cwd, &env, &mut out, &mut err));
    assert_eq!(
        code,
        std::process::ExitCode::SUCCESS,
        "{}",
        String::from_utf8_lossy(&err)
    );
    let grants = String::from_utf8(out).unwrap();
    assert_eq!(grants, secure_pg::required_grants("app"));
    assert!(
        grants.contains("GRANT SELECT, INSERT ON TABLE mig_users TO app;"),
        "{grants}"
    );
    assert!(!grants.contains("not checked against a schema"), "{grants}");

    let (mut out, mut err) = (Vec::new(), Vec::new());
    let args: Vec<String> = vec!["verify".into()];
    let code = outside_the_runtime(|| secure_pg_cli::run(&args, &cwd, &env, &mut out, &mut err));
    let (out, err) = (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    );
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{out}{err}");
    assert!(!out.trim().is_empty());

    // A column changed by hand: drift, reported with the statement that
    // depends on it, and exit code 1.
    client
        .batch_execute("ALTER TABLE mig_users ALTER COLUMN name DROP NOT NULL")
        .await
        .unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = outside_the_runtime(|| secure_pg_cli::run(&args, &cwd, &env, &mut out, &mut err));
    let (out, err) = (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    );
    assert_eq!(code, std::process::ExitCode::from(1), "{out}{err}");
    assert!(
        out.contains("mig_users.name") && out.contains("cli.rs"),
        "{out}"
    );
    assert!(err.contains("the live schema differs"), "{err}");
}

/// `f` on a thread of its own: the command line starts its own runtime,
/// which cannot be started inside this test's.
fn outside_the_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().expect("the command line panicked"))
}
