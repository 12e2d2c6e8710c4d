//! Testing your code against a real PostgreSQL (feature `testing`).
//!
//! [`#[secure_pg::test]`](crate::test) runs an `async fn` test with a
//! [`Pool`] on a fresh database of its own, made with the crate's
//! migrations applied (the same migrations `migrate!()` embeds and the
//! schema checks read):
//!
//! ```ignore
//! #[secure_pg::test]
//! async fn a_widget_is_stored(pool: secure_pg::Pool) {
//!     secure_query!("INSERT INTO widgets (name) VALUES ($1)", "gear")
//!         .execute(&pool)
//!         .await
//!         .unwrap();
//! }
//! ```
//!
//! - **The server**: `DATABASE_URL` when it is set (its role needs
//!   `CREATEDB`); otherwise a throwaway local server with TLS, started once
//!   per test binary from the system's PostgreSQL binaries with a CA made on
//!   the spot, and stopped and deleted when the binary ends
//!   ([`server::LocalServer`]). The pool connects with `verify-full`.
//! - **The database**: the migrations are applied once per binary to a
//!   template database (named after their checksum, under an advisory lock,
//!   so that binaries running at once share it); each test's database is a
//!   copy of it (`CREATE DATABASE ... TEMPLATE`), which costs milliseconds
//!   where running the migrations again would not.
//! - **Afterwards**: a test that passes drops its database; one that fails
//!   (panics, or returns `Err`) keeps it and names it on stderr, so that you
//!   can look at what it left.
//!
//! The test function takes one argument, the pool, and returns `()` or a
//! `Result<(), E>` with `E: Debug`. No `#[tokio::test]`: the attribute runs
//! the test on a runtime of its own (current-thread).

pub mod certs;
pub mod server;

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, OnceLock};

use futures_util::FutureExt;

use crate::config::Config;
use crate::error::Error;
use crate::migrate::Migrator;
use crate::pool::Pool;

pub use certs::{write_server_tls, LocalCa, ServerTlsFiles};

/// What a test returns: `()`, or a `Result` whose `Err` fails it.
pub trait TestOutcome {
    /// `Err` with the failure's description when the test failed.
    fn into_outcome(self) -> Result<(), String>;
}

impl TestOutcome for () {
    fn into_outcome(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: std::fmt::Debug> TestOutcome for Result<(), E> {
    fn into_outcome(self) -> Result<(), String> {
        self.map_err(|e| format!("{e:?}"))
    }
}

/// Where test databases are made: `DATABASE_URL`, or a local server.
enum Server {
    External(Box<Config>),
    Local(server::LocalServer),
}

impl Server {
    fn shared() -> &'static Server {
        static SERVER: OnceLock<Server> = OnceLock::new();
        SERVER.get_or_init(|| match std::env::var("DATABASE_URL") {
            Ok(url) => Server::External(Box::new(
                Config::parse(&url).unwrap_or_else(|e| panic!("DATABASE_URL: {e:#}")),
            )),
            Err(_) => Server::Local(server::LocalServer::start()),
        })
    }

    /// The configuration for database `db`.
    fn config(&self, db: &str) -> Config {
        match self {
            Server::External(c) => {
                let mut c = Config::clone(c);
                c.set_dbname(db);
                c
            }
            Server::Local(s) => Config::parse_with_env(&s.url(db), |_| None)
                .unwrap_or_else(|e| panic!("the local server's URL: {e:#}")),
        }
    }

    /// The database to connect to for `CREATE DATABASE`.
    fn admin_db(&self) -> String {
        match self {
            Server::External(c) => c.get_dbname().unwrap_or("postgres").to_owned(),
            Server::Local(_) => "postgres".to_owned(),
        }
    }
}

/// A name PostgreSQL keeps as written (at most 63 bytes): lower-case
/// letters, digits and `_`.
fn database_name(test: &str, n: u64) -> String {
    let mut base: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let suffix = format!("_{n:x}");
    // Keep the end of the path: the test's own name.
    let room = 63 - "t_".len() - suffix.len();
    if base.len() > room {
        base = base[base.len() - room..].to_owned();
    }
    format!("t_{base}{suffix}")
}

/// Runs one test (what `#[secure_pg::test]` expands to).
#[doc(hidden)]
pub fn __run<F, Fut, T>(migrator: Option<&'static Migrator>, test_name: &str, test: F)
where
    F: FnOnce(Pool) -> Fut,
    Fut: Future<Output = T>,
    T: TestOutcome,
{
    let server = Server::shared();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime for the test");
    let unique = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
        ^ u64::from(std::process::id()) << 40;
    let db = database_name(test_name, unique);
    let outcome = runtime.block_on(async {
        let template = template(server, migrator)
            .await
            .unwrap_or_else(|e| panic!("preparing the test database: {e:#}"));
        create_database(server, &db, &template)
            .await
            .unwrap_or_else(|e| panic!("creating the test database: {e:#}"));
        let pool = Pool::builder()
            .max_size(4)
            .build(server.config(&db))
            .await
            .unwrap_or_else(|e| panic!("connecting to the test database: {e:#}"));
        let ran = AssertUnwindSafe(test(pool.clone()))
            .catch_unwind()
            .await
            .map(TestOutcome::into_outcome);
        drop(pool);
        ran
    });
    let passed = matches!(outcome, Ok(Ok(())));
    runtime.block_on(async {
        if passed {
            if let Err(e) = drop_database(server, &db).await {
                eprintln!("[secure-pg] the test passed; dropping its database {db} failed: {e}");
            }
        } else {
            eprintln!("[secure-pg] the test failed; its database {db} is kept");
        }
    });
    match outcome {
        Err(panic) => std::panic::resume_unwind(panic),
        Ok(Err(why)) => panic!("the test returned an error: {why}"),
        Ok(Ok(())) => {}
    }
}

/// The template database with `migrator`'s migrations applied, once per
/// binary and set of migrations.
async fn template(server: &Server, migrator: Option<&'static Migrator>) -> Result<String, Error> {
    type Slots = Mutex<HashMap<String, Arc<tokio::sync::OnceCell<String>>>>;
    static MADE: OnceLock<Slots> = OnceLock::new();
    let fingerprint = migrator.map(|m| m.fingerprint()).unwrap_or_default();
    let slot = MADE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(fingerprint.clone())
        .or_default()
        .clone();
    slot.get_or_try_init(|| make_template(server, migrator, &fingerprint))
        .await
        .cloned()
}

async fn make_template(
    server: &Server,
    migrator: Option<&'static Migrator>,
    fingerprint: &str,
) -> Result<String, Error> {
    let name = if fingerprint.is_empty() {
        "t_template_empty".to_owned()
    } else {
        format!("t_template_{fingerprint}")
    };
    let (admin, _) = crate::connect::connect(&server.config(&server.admin_db())).await?;
    // Binaries running at once make it once.
    admin
        .execute("SELECT pg_advisory_lock(7416281830)", &[])
        .await?;
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await?
        .is_some();
    if !exists {
        let building = format!("{name}_building");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {building}"))
            .await?;
        admin
            .batch_execute(&format!("CREATE DATABASE {building}"))
            .await?;
        if let Some(m) = migrator {
            m.run_with_config(&server.config(&building)).await?;
        }
        admin
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .await?;
    }
    admin
        .execute("SELECT pg_advisory_unlock(7416281830)", &[])
        .await?;
    Ok(name)
}

async fn create_database(server: &Server, db: &str, template: &str) -> Result<(), Error> {
    let (admin, _) = crate::connect::connect(&server.config(&server.admin_db())).await?;
    admin
        .batch_execute(&format!("CREATE DATABASE {db} TEMPLATE {template}"))
        .await?;
    Ok(())
}

async fn drop_database(server: &Server, db: &str) -> Result<(), Error> {
    let (admin, _) = crate::connect::connect(&server.config(&server.admin_db())).await?;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::database_name;

    #[test]
    fn database_names_are_plain_and_fit() {
        assert_eq!(
            database_name("my_app::tests::it_works", 0xab),
            "t_my_app__tests__it_works_ab"
        );
        let long = format!("m::{}", "very_long_name_".repeat(10));
        let name = database_name(&long, 1);
        assert!(name.len() <= 63, "{name}");
        assert!(name.ends_with("very_long_name__1"), "{name}");
        assert!(name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
    }
}
