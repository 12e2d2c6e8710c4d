//! The examples' bodies, as functions, so that the test suite runs exactly
//! what `cargo run --example ...` runs and the examples cannot rot.

use std::io::Write;

use secure_pg::{secure_query, secure_query_as, Config, FromRow, Pool};
use secure_pg_tests::{Cluster, ClusterSpec, ServerCert};

pub mod rotation;
pub mod tenant_service;
pub mod transfer;

/// A database to talk to: the one in `DATABASE_URL`, or a throwaway local
/// cluster with TLS and freshly made certificates.
pub enum Database {
    /// `DATABASE_URL` was set.
    External(Config),
    /// A cluster started for this run; stopped and deleted on drop.
    Throwaway(Cluster, Config),
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Database::External(_) => "Database::External",
            Database::Throwaway(..) => "Database::Throwaway",
        })
    }
}

impl Database {
    /// `DATABASE_URL` if set, else a new throwaway TLS cluster.
    pub fn from_env_or_throwaway(out: &mut impl Write) -> Result<Database, secure_pg::Error> {
        if std::env::var_os("DATABASE_URL").is_some() {
            writeln!(out, "using DATABASE_URL").ok();
            return Ok(Database::External(Config::from_env()?));
        }
        writeln!(
            out,
            "DATABASE_URL is not set: starting a throwaway PostgreSQL with TLS..."
        )
        .ok();
        let cluster = Cluster::start(ClusterSpec::tls(ServerCert::Valid));
        let config = Config::parse(&cluster.url())?;
        writeln!(out, "connecting with {config}").ok();
        Ok(Database::Throwaway(cluster, config))
    }

    /// The configuration to connect with.
    pub fn config(&self) -> &Config {
        match self {
            Database::External(c) | Database::Throwaway(_, c) => c,
        }
    }
}

/// The crate's migrations (`migrations/`), embedded.
pub static MIGRATOR: secure_pg::migrate::Migrator = secure_pg::migrate!();

#[derive(Debug, FromRow)]
struct Widget {
    id: i64,
    name: String,
    note: Option<String>,
}

/// The quickstart: a schema, a handful of checked queries over
/// `verify-full`, the health check and its security findings.
pub async fn quickstart(out: &mut impl Write) -> Result<(), secure_pg::Error> {
    let db = Database::from_env_or_throwaway(out)?;
    let pool = Pool::builder()
        .max_size(4)
        .build(db.config().clone())
        .await?;
    {
        let conn = pool.get().await?;
        let tls = conn.info().tls.clone();
        writeln!(
            out,
            "connected: sslmode={} tls={tls:?}",
            conn.info().sslmode
        )
        .ok();
    }
    // The table comes from the crate's migrations, which are also the
    // schema every query below is checked against at compile time; they
    // are applied under a lock, each in its own transaction, and recorded
    // with checksums.
    let migrated = MIGRATOR.run(&pool).await?;
    writeln!(out, "migrations applied: {:?}", migrated.applied).ok();
    secure_query!("DELETE FROM quickstart_widgets")
        .execute(&pool)
        .await?;
    for (id, name, note) in [(1_i64, "sprocket", Some("shiny")), (2, "gear", None)] {
        secure_query!(
            "INSERT INTO quickstart_widgets (id, name, note) VALUES ($1, $2, $3)",
            id,
            name,
            note
        )
        .execute(&pool)
        .await?;
    }
    let widgets: Vec<Widget> = secure_query_as!(
        Widget,
        "SELECT id, name, note FROM quickstart_widgets ORDER BY id"
    )
    .fetch_all(&pool)
    .await?;
    for w in &widgets {
        writeln!(out, "widget {} {} {:?}", w.id, w.name, w.note).ok();
    }
    let hostile = "'; DROP TABLE quickstart_widgets; --";
    let found = secure_query_as!(
        Widget,
        "SELECT id, name, note FROM quickstart_widgets WHERE name = $1",
        hostile
    )
    .fetch_optional(&pool)
    .await?;
    writeln!(
        out,
        "lookup by a hostile name found {found:?}; the table is intact"
    )
    .ok();
    let err = secure_query!(
        "INSERT INTO quickstart_widgets (id, name) VALUES ($1, $2)",
        1_i64,
        "duplicate"
    )
    .execute(&pool)
    .await
    .unwrap_err();
    writeln!(out, "what a user sees: {err}").ok();
    writeln!(out, "what the log gets: {err:#}").ok();
    let health = pool.health_check().await;
    writeln!(
        out,
        "health: ok={} latency={:?} server={:?} tls={:?} pool={:?}",
        health.ok, health.latency, health.server_version, health.tls, health.pool
    )
    .ok();
    for f in &health.findings {
        writeln!(out, "finding: {f}").ok();
    }
    secure_query!("DROP TABLE quickstart_widgets")
        .execute(&pool)
        .await?;
    writeln!(out, "done").ok();
    Ok(())
}
