//! Applying migrations with the library that checked them.
//!
//! [`migrate!`](crate::migrate!) embeds the migrations the schema checks
//! read (same discovery, same sqlx, refinery and diesel layouts) into a
//! [`Migrator`]; [`Migrator::run`] applies the pending ones:
//!
//! ```no_run
//! # async fn demo(pool: &secure_pg::Pool) -> Result<(), secure_pg::Error> {
//! // `migrate!()` without an argument reads what the schema checks read;
//! // this doctest names the examples' directory, as this crate has none.
//! static MIGRATOR: secure_pg::migrate::Migrator =
//!     secure_pg::migrate!("../examples/migrations");
//! let report = MIGRATOR.run(pool).await?;
//! println!("applied {:?}", report.applied);
//! for m in MIGRATOR.info(pool).await? {
//!     println!("{} {:?}", m.version, m.state);
//! }
//! # Ok(()) }
//! ```
//!
//! # What a run does
//!
//! - **One runner at a time.** The run holds a session advisory lock (on a
//!   fixed key, [`LOCK_KEY`]) on one connection, so replicas that start
//!   together apply each migration once: the others wait, then find nothing
//!   pending. They wait by polling `pg_try_advisory_lock` (every 10 ms,
//!   backing off to 250 ms), not inside `pg_advisory_lock`: a waiting
//!   statement is an open transaction, which `CREATE INDEX CONCURRENTLY` in
//!   the running migration would wait for, a deadlock. The lock is released when the run
//!   ends, however it ends: explicitly, and otherwise with the session (a
//!   pool connection used for a run is reset (what `DISCARD ALL` does) before it
//!   is reused, which releases advisory locks; a connection made from a
//!   [`Config`] is closed).
//! - **A ledger**, `secure_pg_migrations` (created if absent, in the first
//!   schema of the `search_path`): version, name, checksum, the checksum of
//!   each statement, when it was applied, how long it took, and which tool
//!   applied it when it was taken over from another.
//! - **One transaction per migration**, in which its statements and its
//!   ledger row commit together: a failing migration leaves neither.
//!   Other tools' migrations are run as those tools run them
//!   ([`TransactionMode`]): statement by statement outside a transaction
//!   when the file's first line (before any statement) is `-- secure-pg:
//!   no-transaction`, when diesel's `metadata.toml` says
//!   `run_in_transaction = false`, or when the file is one statement that
//!   PostgreSQL runs only outside a transaction (`CREATE INDEX
//!   CONCURRENTLY`); if one of its statements fails, those before it stay
//!   applied and the migration is not recorded, so write such migrations to
//!   be re-runnable. (A failed `CREATE INDEX CONCURRENTLY` leaves an
//!   invalid index behind, which `IF NOT EXISTS` would then skip: start
//!   with `DROP INDEX CONCURRENTLY IF EXISTS` of it instead.) Such a
//!   statement beside others in a transactional file is refused at compile
//!   time, as is a no-transaction file whose `BEGIN` is never ended.
//! - **A file's own transaction control.** A file that is one `BEGIN; ...
//!   COMMIT;` block runs its body in the runner's transaction, with the
//!   ledger row. One with other transaction control of its own runs as
//!   written inside the runner's `BEGIN` ... `COMMIT`, as sqlx runs it: its
//!   `COMMIT` commits what came before, its `ROLLBACK` undoes it (and the
//!   migration is still recorded, as sqlx records it), and the ledger row
//!   is written after the file, so a crash between the file's last `COMMIT`
//!   and that row leaves the migration applied but not recorded, to run
//!   again next time.
//! - **Checksums over statements, not bytes.** Each statement's checksum is
//!   taken over its text with comments dropped and whitespace made uniform
//!   (strings, quoted names and dollar-quoted bodies as written; see
//!   `secure_pg_sql::migrate`). Editing a comment or the layout of an
//!   applied migration is fine; changing what it does stops the run before
//!   anything is applied, with an [`ErrorKind::Migration`] error that names
//!   the file and the statement (its number and line).
//! - **In order.** A pending migration older than one already applied
//!   (a branch merged late) stops the run, as does an applied version this
//!   build does not have (a newer build ran first).
//! - **Taking over** a database migrated by sqlx (`_sqlx_migrations`) or
//!   diesel (`__diesel_schema_migrations`): the versions they recorded are
//!   entered in the ledger without being run again (sqlx's SHA-384 of the
//!   file is checked against the embedded file, and a migration sqlx
//!   recorded as failed is refused); from then on this ledger rules. The
//!   other tool's table is left as it is.
//!
//! Progress is reported through `tracing` (`info` per migration applied or
//! taken over, with its duration). Errors are the library's [`Error`]:
//! `Display` names the migration's file and line and the server's SQLSTATE,
//! never SQL or values; `{:#}` adds the server's message.
//!
//! Migrations run with the session settings of the connection, so a short
//! `statement_timeout` applies to them too (and to the wait for the lock):
//! run them as a role and with a [`Config`] of their own
//! ([`Migrator::run_with_config`]). Connect directly to the server, not
//! through PgBouncer in transaction mode, where a session advisory lock
//! does not hold across statements.

use std::time::{Duration, Instant};

use aws_lc_rs::digest;
use tokio_postgres::error::ErrorPosition;
use tokio_postgres::Client;

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::pool::Pool;

/// The key of the session advisory lock a run holds (FNV-1a of
/// `"secure-pg migrations"`, as a signed 64-bit number).
pub const LOCK_KEY: i64 = fnv1a(b"secure-pg migrations");

/// The ledger table.
pub const LEDGER: &str = "secure_pg_migrations";

const fn fnv1a(bytes: &[u8]) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash as i64
}

const CREATE_LEDGER: &str = "CREATE TABLE IF NOT EXISTS secure_pg_migrations (
    version bigint PRIMARY KEY,
    name text NOT NULL,
    checksum bytea NOT NULL,
    statement_checksums bytea[] NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    duration interval,
    adopted_from text
)";

const INSERT: &str = "INSERT INTO secure_pg_migrations \
     (version, name, checksum, statement_checksums, duration) \
     VALUES ($1, $2, $3, $4, make_interval(secs => $5))";

const ADOPT_SQLX: &str = "INSERT INTO secure_pg_migrations \
     (version, name, checksum, statement_checksums, applied_at, duration, adopted_from) \
     SELECT $1::bigint, $2::text, $3::bytea, $4::bytea[], installed_on, \
     make_interval(secs => execution_time / 1e9), 'sqlx' \
     FROM _sqlx_migrations WHERE version = $1::bigint";

const ADOPT_DIESEL: &str = "INSERT INTO secure_pg_migrations \
     (version, name, checksum, statement_checksums, applied_at, adopted_from) \
     SELECT $1::bigint, $2::text, $3::bytea, $4::bytea[], run_on, 'diesel' \
     FROM __diesel_schema_migrations WHERE version = $5::text";

/// The migrations of a build, as [`migrate!`](crate::migrate!) embedded
/// them, in the order they apply.
#[derive(Debug, Clone, Copy)]
pub struct Migrator {
    migrations: &'static [Migration],
}

/// How a migration meets transactions (read from its file when it was
/// embedded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransactionMode {
    /// In a transaction of its own, with its ledger row: a failure leaves
    /// neither. The default.
    PerMigration,
    /// The file is one `BEGIN; ... COMMIT;` block: its body runs as
    /// [`PerMigration`](Self::PerMigration) does (the file's own `BEGIN`
    /// and `COMMIT` are not sent; they would say the same).
    Block,
    /// Statement by statement outside a transaction (`-- secure-pg:
    /// no-transaction`, or diesel's `run_in_transaction = false`).
    None,
    /// The file controls transactions in some other way: sent as written
    /// inside the runner's `BEGIN` ... `COMMIT`, as sqlx sends it. What its
    /// own `COMMIT` commits stays applied when a later statement fails; the
    /// ledger row is written after the file.
    AsWritten,
}

/// One embedded migration.
#[derive(Debug)]
pub struct Migration {
    version: i64,
    name: &'static str,
    file: &'static str,
    sql: &'static str,
    transaction: TransactionMode,
    statements: &'static [Statement],
}

/// One statement of an embedded migration (built by the macro only).
#[doc(hidden)]
#[derive(Debug)]
pub struct Statement {
    line: u32,
    start: usize,
    end: usize,
    normalized: &'static str,
}

/// A tool whose ledger a run can take over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tool {
    /// sqlx (`_sqlx_migrations`).
    Sqlx,
    /// diesel (`__diesel_schema_migrations`).
    Diesel,
}

impl Tool {
    fn as_str(self) -> &'static str {
        match self {
            Tool::Sqlx => "sqlx",
            Tool::Diesel => "diesel",
        }
    }

    fn parse(s: &str) -> Option<Tool> {
        match s {
            "sqlx" => Some(Tool::Sqlx),
            "diesel" => Some(Tool::Diesel),
            _ => None,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The versions applied by this run, in order.
    pub applied: Vec<i64>,
    /// The versions taken over from another tool's ledger by this run.
    pub adopted: Vec<(i64, Tool)>,
}

/// Where one migration stands in a database ([`Migrator::info`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    /// Applied and unchanged (`adopted_from`: entered from another tool's
    /// ledger).
    Applied {
        /// The tool that applied it, when it was taken over.
        adopted_from: Option<Tool>,
    },
    /// Not applied yet.
    Pending,
    /// Recorded in another tool's ledger: the next run takes it over.
    Adoptable(Tool),
    /// Applied, but the embedded file no longer does what was applied.
    Changed {
        /// The first statement that differs (1-based).
        statement: usize,
        /// Its line in the embedded file, when it still has one.
        line: Option<u32>,
    },
    /// Applied in the database, but not in this build.
    Unknown,
}

/// One migration in [`Migrator::info`]'s list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MigrationInfo {
    /// Its version.
    pub version: i64,
    /// Its name (the ledger's, for an unknown one).
    pub name: String,
    /// Its file, as embedded (`None` for an unknown one).
    pub file: Option<&'static str>,
    /// Where it stands.
    pub state: State,
}

impl Migration {
    /// Its version.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// Its name (the file name after the version, without the extension).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its file, relative to the workspace (or crate) root.
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// Its SQL, as embedded.
    pub fn sql(&self) -> &'static str {
        self.sql
    }

    /// How it meets transactions.
    pub fn transaction(&self) -> TransactionMode {
        self.transaction
    }

    /// diesel's version of it (the directory name's part before the first
    /// `_`, without dashes), which diesel's ledger records: `None` outside
    /// a diesel directory.
    fn diesel_version(&self) -> Option<String> {
        let dir = self.file.strip_suffix("/up.sql")?;
        let name = dir.rsplit('/').next()?;
        let head = name.split('_').next()?;
        Some(head.replace('-', ""))
    }

    /// The number of statements in it.
    pub fn statement_count(&self) -> usize {
        self.statements.len()
    }

    fn statement_checksums(&self) -> Vec<Vec<u8>> {
        self.statements
            .iter()
            .map(|s| {
                digest::digest(&digest::SHA256, s.normalized.as_bytes())
                    .as_ref()
                    .to_vec()
            })
            .collect()
    }

    fn checksum(statements: &[Vec<u8>]) -> Vec<u8> {
        let mut ctx = digest::Context::new(&digest::SHA256);
        for s in statements {
            ctx.update(s);
        }
        ctx.finish().as_ref().to_vec()
    }

    /// The first statement whose checksum differs from the ledger's: its
    /// 1-based number and its line here (none when it was removed).
    fn changed(&self, stored: &[Vec<u8>]) -> Option<(usize, Option<u32>)> {
        let ours = self.statement_checksums();
        (0..ours.len().max(stored.len()))
            .find(|&i| ours.get(i) != stored.get(i))
            .map(|i| (i + 1, self.statements.get(i).map(|s| s.line)))
    }
}

/// Built by `migrate!()` only.
#[doc(hidden)]
pub const fn migration_from_macro(
    version: i64,
    name: &'static str,
    file: &'static str,
    sql: &'static str,
    transaction: TransactionMode,
    statements: &'static [Statement],
) -> Migration {
    Migration {
        version,
        name,
        file,
        sql,
        transaction,
        statements,
    }
}

/// Built by `migrate!()` only.
#[doc(hidden)]
pub const fn migration_statement(
    line: u32,
    start: usize,
    end: usize,
    normalized: &'static str,
) -> Statement {
    Statement {
        line,
        start,
        end,
        normalized,
    }
}

/// Built by `migrate!()` only.
#[doc(hidden)]
pub const fn migrator_from_macro(migrations: &'static [Migration]) -> Migrator {
    Migrator { migrations }
}

/// A ledger row.
struct Applied {
    version: i64,
    name: String,
    statement_checksums: Vec<Vec<u8>>,
    adopted_from: Option<Tool>,
}

fn migration_error(message: String) -> Error {
    Error::new(ErrorKind::Migration, message)
}

impl Migrator {
    /// 16 hex digits that change when a migration's version or what one
    /// of its statements does changes (its statement checksums), not with
    /// comments or layout: a name for the database these migrations make.
    pub fn fingerprint(&self) -> String {
        let mut ctx = digest::Context::new(&digest::SHA256);
        for m in self.migrations {
            ctx.update(&m.version.to_be_bytes());
            for s in m.statement_checksums() {
                ctx.update(&s);
            }
        }
        ctx.finish().as_ref()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The embedded migrations, in the order they apply.
    pub fn migrations(&self) -> &'static [Migration] {
        self.migrations
    }

    /// Applies the pending migrations on a connection of `pool` (see the
    /// module docs). The connection is reset before it is reused.
    pub async fn run(&self, pool: &Pool) -> Result<Report, Error> {
        let conn = pool.get().await?;
        // `client()` marks the connection for the reset on return, which
        // releases the advisory lock on every path, a dropped future too.
        self.run_on(conn.client()).await
    }

    /// Applies the pending migrations on a connection of its own made with
    /// `config` (for an owner role with its own URL or credentials), closed
    /// when the run ends.
    pub async fn run_with_config(&self, config: &Config) -> Result<Report, Error> {
        let (client, _) = crate::connect::connect(config).await?;
        self.run_on(&client).await
    }

    /// Where each migration stands in the database behind `pool`: every
    /// embedded one, then those the database has that this build does not.
    /// Reads only; takes no lock.
    pub async fn info(&self, pool: &Pool) -> Result<Vec<MigrationInfo>, Error> {
        let conn = pool.get().await?;
        let client = conn.unmarked_client();
        let (ours, sqlx, diesel) = ledgers_present(client).await?;
        let applied = if ours {
            read_ledger(client).await?
        } else {
            Vec::new()
        };
        let mut foreign: Vec<(i64, Tool)> = Vec::new();
        if sqlx {
            for row in client
                .query("SELECT version FROM _sqlx_migrations WHERE success", &[])
                .await?
            {
                foreign.push((row.get(0), Tool::Sqlx));
            }
        }
        if diesel {
            for row in client
                .query("SELECT version FROM __diesel_schema_migrations", &[])
                .await?
            {
                let text: String = row.get(0);
                if let Some(m) = self.diesel_match(&text) {
                    foreign.push((m.version, Tool::Diesel));
                } else if let Ok(v) = text.parse::<i64>() {
                    foreign.push((v, Tool::Diesel));
                }
            }
        }
        let mut out = Vec::new();
        for m in self.migrations {
            let state = match applied.iter().find(|a| a.version == m.version) {
                Some(a) => match m.changed(&a.statement_checksums) {
                    Some((statement, line)) => State::Changed { statement, line },
                    None => State::Applied {
                        adopted_from: a.adopted_from,
                    },
                },
                None => match foreign.iter().find(|(v, _)| *v == m.version) {
                    Some((_, tool)) => State::Adoptable(*tool),
                    None => State::Pending,
                },
            };
            out.push(MigrationInfo {
                version: m.version,
                name: m.name.to_string(),
                file: Some(m.file),
                state,
            });
        }
        for a in applied {
            if !self.migrations.iter().any(|m| m.version == a.version) {
                out.push(MigrationInfo {
                    version: a.version,
                    name: a.name,
                    file: None,
                    state: State::Unknown,
                });
            }
        }
        Ok(out)
    }

    async fn run_on(&self, client: &Client) -> Result<Report, Error> {
        self.check_embedded()?;
        let waited = Instant::now();
        // Polled rather than waited for in `pg_advisory_lock`: a waiting
        // statement is an open transaction, and `CREATE INDEX CONCURRENTLY`
        // in the running migration waits for every open transaction, so
        // the runner and its waiters would deadlock.
        let mut pause = Duration::from_millis(10);
        while !client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK_KEY])
            .await?
            .get::<_, bool>(0)
        {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(250));
        }
        tracing::debug!(
            waited_ms = waited.elapsed().as_millis() as u64,
            "migration lock taken"
        );
        let result = self.locked(client).await;
        let unlocked = client
            .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
            .await;
        let report = result?;
        unlocked?;
        tracing::info!(
            applied = report.applied.len(),
            adopted = report.adopted.len(),
            "migrations up to date"
        );
        Ok(report)
    }

    /// Every statement's range lies in its file (the macro computed them
    /// from the same text `include_str!` embedded).
    fn check_embedded(&self) -> Result<(), Error> {
        for m in self.migrations {
            if m.statements
                .iter()
                .any(|s| m.sql.get(s.start..s.end).is_none())
            {
                return Err(migration_error(format!(
                    "migration `{}` was embedded inconsistently; build again",
                    m.file
                )));
            }
        }
        Ok(())
    }

    async fn locked(&self, client: &Client) -> Result<Report, Error> {
        client.batch_execute(CREATE_LEDGER).await?;
        let mut report = Report::default();
        let mut applied = read_ledger(client).await?;
        report.adopted = self.adopt(client, &applied).await?;
        if !report.adopted.is_empty() {
            applied = read_ledger(client).await?;
        }
        for a in &applied {
            let Some(m) = self.migrations.iter().find(|m| m.version == a.version) else {
                return Err(migration_error(format!(
                    "the database has migration {} applied, which this build does not have",
                    a.version
                ))
                .with_detail(format!(
                    "ledger name `{}`; run a build that includes it",
                    a.name
                )));
            };
            if let Some((n, line)) = m.changed(&a.statement_checksums) {
                let (what, detail) = match m.statements.get(n - 1) {
                    Some(s) => (
                        format!(
                            "statement {n} (line {}) is not the one applied",
                            line.unwrap_or(s.line)
                        ),
                        format!("statement {n} now reads: {}", first_line(s.normalized)),
                    ),
                    None => (
                        format!("statement {n} was removed"),
                        "the file has fewer statements than were applied".to_string(),
                    ),
                };
                return Err(migration_error(format!(
                    "migration `{}` was changed after it was applied: {what}",
                    m.file
                ))
                .with_detail(detail)
                .with_detail(
                    "restore what the statement does (comments and whitespace may change) \
                     and put the change in a new migration",
                ));
            }
        }
        // In the order of the history (diesel orders its versions as
        // strings, the others as numbers), not of the ledger's numbers.
        let is_applied = |m: &Migration| applied.iter().any(|a| a.version == m.version);
        let newest = self.migrations.iter().rposition(is_applied);
        let pending: Vec<&Migration> = self.migrations.iter().filter(|m| !is_applied(m)).collect();
        if let (Some(newest), Some(first)) = (newest, pending.first()) {
            let position = self
                .migrations
                .iter()
                .position(|m| m.version == first.version);
            if position < Some(newest) {
                return Err(migration_error(format!(
                    "migration `{}` is pending, but a later one (version {}) is already \
                     applied",
                    first.file, self.migrations[newest].version
                ))
                .with_detail("give it a version after every applied one"));
            }
        }
        for m in pending {
            apply(client, m).await?;
            report.applied.push(m.version);
        }
        Ok(report)
    }

    /// Enters the versions another tool recorded and the ledger lacks.
    async fn adopt(&self, client: &Client, applied: &[Applied]) -> Result<Vec<(i64, Tool)>, Error> {
        let (_, sqlx, diesel) = ledgers_present(client).await?;
        let mut adopted = Vec::new();
        if !sqlx && !diesel {
            return Ok(adopted);
        }
        let known = |v: i64| applied.iter().any(|a| a.version == v);
        client.batch_execute("BEGIN").await?;
        let result = async {
            if sqlx {
                let rows = client
                    .query(
                        "SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version",
                        &[],
                    )
                    .await?;
                for row in rows {
                    let version: i64 = row.get(0);
                    if known(version) {
                        continue;
                    }
                    let m = self.taken_over(version, Tool::Sqlx)?;
                    if !row.get::<_, bool>(1) {
                        return Err(migration_error(format!(
                            "sqlx recorded migration `{}` as failed; repair the database \
                             before taking it over",
                            m.file
                        )));
                    }
                    let checksum: Vec<u8> = row.get(2);
                    let ours = digest::digest(&digest::SHA384, m.sql.as_bytes());
                    if checksum != ours.as_ref() {
                        return Err(migration_error(format!(
                            "migration `{}` is not the file sqlx applied (its SHA-384 differs)",
                            m.file
                        ))
                        .with_detail(
                            "restore the file as sqlx applied it before taking the database \
                             over; later edits of comments and whitespace are fine",
                        ));
                    }
                    record_adopted(client, m, Tool::Sqlx, None).await?;
                    adopted.push((version, Tool::Sqlx));
                }
            }
            if diesel {
                let rows = client
                    .query(
                        "SELECT version FROM __diesel_schema_migrations ORDER BY version",
                        &[],
                    )
                    .await?;
                for row in rows {
                    let text: String = row.get(0);
                    // diesel records its version string: matched with the
                    // directory's (`2023-05-23-1715-x` is
                    // `202305231715x`), else as a number (a ledger
                    // diesel wrote for files of another layout).
                    let m = match self.diesel_match(&text) {
                        Some(m) => m,
                        None => match text.parse::<i64>() {
                            Ok(version) => self.taken_over(version, Tool::Diesel)?,
                            Err(_) => {
                                return Err(migration_error(
                                    "diesel's ledger records a migration this build does not \
                                     have"
                                        .to_string(),
                                )
                                .with_detail(format!("diesel version `{text}`")))
                            }
                        },
                    };
                    let version = m.version;
                    if known(version) || adopted.iter().any(|(v, _)| *v == version) {
                        continue;
                    }
                    record_adopted(client, m, Tool::Diesel, Some(&text)).await?;
                    adopted.push((version, Tool::Diesel));
                }
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => client.batch_execute("COMMIT").await?,
            Err(e) => {
                rollback(client).await;
                return Err(e);
            }
        }
        for (version, tool) in &adopted {
            tracing::info!(version, from = tool.as_str(), "migration taken over");
        }
        Ok(adopted)
    }

    /// The diesel directory diesel's ledger records as `version`.
    fn diesel_match(&self, version: &str) -> Option<&'static Migration> {
        self.migrations
            .iter()
            .find(|m| m.diesel_version().as_deref() == Some(version))
    }

    fn taken_over(&self, version: i64, tool: Tool) -> Result<&'static Migration, Error> {
        self.migrations
            .iter()
            .find(|m| m.version == version)
            .ok_or_else(|| {
                migration_error(format!(
                    "{}'s ledger records migration {version}, which this build does not have",
                    tool.as_str()
                ))
            })
    }
}

/// Whether our ledger, sqlx's and diesel's exist.
async fn ledgers_present(client: &Client) -> Result<(bool, bool, bool), Error> {
    let row = client
        .query_one(
            "SELECT to_regclass('secure_pg_migrations') IS NOT NULL, \
             to_regclass('_sqlx_migrations') IS NOT NULL, \
             to_regclass('__diesel_schema_migrations') IS NOT NULL",
            &[],
        )
        .await?;
    Ok((row.get(0), row.get(1), row.get(2)))
}

async fn read_ledger(client: &Client) -> Result<Vec<Applied>, Error> {
    let rows = client
        .query(
            "SELECT version, name, statement_checksums, adopted_from \
             FROM secure_pg_migrations ORDER BY version",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Applied {
            version: r.get(0),
            name: r.get(1),
            statement_checksums: r.get(2),
            adopted_from: r
                .get::<_, Option<String>>(3)
                .as_deref()
                .and_then(Tool::parse),
        })
        .collect())
}

async fn record_adopted(
    client: &Client,
    m: &Migration,
    tool: Tool,
    diesel_version: Option<&str>,
) -> Result<(), Error> {
    let statements = m.statement_checksums();
    let checksum = Migration::checksum(&statements);
    match diesel_version {
        None => {
            client
                .execute(ADOPT_SQLX, &[&m.version, &m.name, &checksum, &statements])
                .await?
        }
        Some(v) => {
            client
                .execute(
                    ADOPT_DIESEL,
                    &[&m.version, &m.name, &checksum, &statements, &v],
                )
                .await?
        }
    };
    let _ = tool;
    Ok(())
}

async fn rollback(client: &Client) {
    if let Err(e) = client.batch_execute("ROLLBACK").await {
        tracing::warn!(error = %e, "rollback after a failed migration step failed");
    }
}

async fn record(client: &Client, m: &Migration, took: Duration) -> Result<(), Error> {
    let statements = m.statement_checksums();
    let checksum = Migration::checksum(&statements);
    client
        .execute(
            INSERT,
            &[
                &m.version,
                &m.name,
                &checksum,
                &statements,
                &took.as_secs_f64(),
            ],
        )
        .await?;
    Ok(())
}

/// Applies one migration and records it.
async fn apply(client: &Client, m: &Migration) -> Result<(), Error> {
    tracing::info!(version = m.version, file = m.file, "applying migration");
    let started = Instant::now();
    if m.transaction == TransactionMode::None {
        let mut i = 0;
        while i < m.statements.len() {
            let s = &m.statements[i];
            // A `BEGIN ATOMIC` function body was cut at its inner `;`s:
            // it is sent whole, through its `END`.
            let mut last = i;
            if s.normalized.to_ascii_uppercase().contains("BEGIN ATOMIC") {
                if let Some(n) = m.statements[i + 1..]
                    .iter()
                    .position(|t| t.normalized.eq_ignore_ascii_case("END"))
                {
                    last = i + 1 + n;
                }
            }
            let text = &m.sql[s.start..m.statements[last].end];
            i = last + 1;
            if let Err(e) = client.batch_execute(text).await {
                let line = error_line(&e, text, s.line as usize);
                return Err(failed(m, e, line).with_detail(
                    "the migration runs outside a transaction: the statements before this \
                     one stay applied, and it is not recorded",
                ));
            }
        }
        record(client, m, started.elapsed())
            .await
            .map_err(|e| e.with_prefix(&format!("migration `{}` could not be recorded", m.file)))?;
    } else {
        // A `BEGIN; ... COMMIT;` file sends its body only: its first and
        // last statements are that `BEGIN` and `COMMIT`.
        let (text, first_line, skipped) = match (m.transaction, m.statements) {
            (TransactionMode::Block, [_, body @ .., _]) => match (body.first(), body.last()) {
                (Some(first), Some(last)) => (&m.sql[first.start..last.end], first.line, 1),
                _ => ("", 1, 1),
            },
            _ => (m.sql, 1, 0),
        };
        client.batch_execute("BEGIN").await?;
        let result = async {
            if !text.is_empty() {
                if let Err((e, done)) = execute_counting(client, text).await {
                    // The server's position when it gave one (a syntax
                    // error), else the statement after the ones that
                    // completed.
                    let line = error_line(&e, text, first_line as usize)
                        .or_else(|| m.statements.get(done + skipped).map(|s| s.line as usize));
                    let e = failed(m, e, line);
                    return Err(if m.transaction == TransactionMode::AsWritten {
                        e.with_detail(
                            "the migration controls its transactions itself: what its own \
                             COMMIT committed before the failure stays applied, and it is not \
                             recorded",
                        )
                    } else {
                        e
                    });
                }
            }
            record(client, m, started.elapsed()).await?;
            // After a file's own `COMMIT` there is no transaction left to
            // commit: the server answers with a warning, not an error.
            client
                .batch_execute("COMMIT")
                .await
                .map_err(|e| failed(m, e, None))
        }
        .await;
        if let Err(e) = result {
            rollback(client).await;
            tracing::warn!(version = m.version, file = m.file, kind = ?e.kind(), "migration failed");
            return Err(e);
        }
    }
    tracing::info!(
        version = m.version,
        file = m.file,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "migration applied"
    );
    Ok(())
}

/// Runs `sql` as one simple query; on failure, also the number of its
/// statements that completed before the one that failed.
async fn execute_counting(
    client: &Client,
    sql: &str,
) -> Result<(), (tokio_postgres::Error, usize)> {
    use futures_util::StreamExt;
    let stream = client.simple_query_raw(sql).await.map_err(|e| (e, 0))?;
    let mut stream = std::pin::pin!(stream);
    let mut done = 0;
    while let Some(message) = stream.next().await {
        match message {
            Ok(tokio_postgres::SimpleQueryMessage::CommandComplete(_)) => done += 1,
            Ok(_) => {}
            Err(e) => return Err((e, done)),
        }
    }
    Ok(())
}

fn failed(m: &Migration, e: tokio_postgres::Error, line: Option<usize>) -> Error {
    let prefix = match line {
        Some(l) => format!("migration `{}` failed at line {l}", m.file),
        None => format!("migration `{}` failed", m.file),
    };
    Error::from(e).with_prefix(&prefix)
}

/// The line in the file of the server's error position in `text` (sent as
/// it is), which starts at line `first_line` of the file.
fn error_line(e: &tokio_postgres::Error, text: &str, first_line: usize) -> Option<usize> {
    let Some(ErrorPosition::Original(pos)) = e.as_db_error()?.position() else {
        return None;
    };
    let offset = text
        .char_indices()
        .nth((*pos as usize).saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    Some(first_line + text[..offset].matches('\n').count())
}

/// The first line of a statement's text, cut to 120 characters, for the
/// operator-facing detail.
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    match line.char_indices().nth(120) {
        Some((i, _)) => format!("{}...", &line[..i]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static STATEMENTS: [Statement; 2] = [
        migration_statement(1, 0, 22, "CREATE TABLE a(x int)"),
        migration_statement(2, 24, 32, "SELECT 1"),
    ];
    static ONE: Migration = migration_from_macro(
        1,
        "a",
        "migrations/1_a.sql",
        "CREATE TABLE a (x int);\nSELECT 1;",
        TransactionMode::PerMigration,
        &STATEMENTS,
    );

    #[test]
    fn a_changed_statement_is_named() {
        let stored = ONE.statement_checksums();
        assert_eq!(ONE.changed(&stored), None);
        let mut edited = stored.clone();
        edited[1][0] ^= 1;
        assert_eq!(ONE.changed(&edited), Some((2, Some(2))));
        assert_eq!(ONE.changed(&stored[..1]), Some((2, Some(2))));
        let mut more = stored.clone();
        more.push(vec![0; 32]);
        assert_eq!(ONE.changed(&more), Some((3, None)));
        assert_eq!(Migration::checksum(&stored).len(), 32);
    }

    #[test]
    fn the_lock_key_is_fixed() {
        // Changing it would let an old and a new build migrate at once.
        assert_eq!(LOCK_KEY, fnv1a(b"secure-pg migrations"));
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325_u64 as i64);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c_u64 as i64);
    }

    #[test]
    fn first_lines_are_cut() {
        assert_eq!(first_line("SELECT 1\nFROM t"), "SELECT 1");
        assert_eq!(first_line(&"x".repeat(130)).len(), 123);
    }
}
