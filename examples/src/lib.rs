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

    /// The configuration of the role that owns the schema: it runs the
    /// migrations and grants the application what its queries need.
    pub fn config(&self) -> &Config {
        match self {
            Database::External(c) | Database::Throwaway(_, c) => c,
        }
    }

    /// The configuration of the application role, which owns nothing: on
    /// the throwaway cluster a new login role `quickstart_app`; with
    /// `DATABASE_URL`, the role of `DATABASE_APP_URL` when set, else the
    /// owner itself (and the health check then reports `role-owns-tables`).
    pub fn app_config(&self, out: &mut impl Write) -> Result<Config, secure_pg::Error> {
        match self {
            Database::Throwaway(cluster, _) => {
                cluster.psql(
                    "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles \
                     WHERE rolname = 'quickstart_app') THEN CREATE ROLE quickstart_app LOGIN \
                     PASSWORD 'quickstart-App-pw-5'; END IF; END $$",
                );
                let url = cluster.url();
                let (_, rest) = url.split_once('@').unwrap_or(("", &url));
                Config::parse(&format!(
                    "postgres://quickstart_app:quickstart-App-pw-5@{rest}"
                ))
            }
            Database::External(owner) => match std::env::var("DATABASE_APP_URL") {
                Ok(url) => Config::parse(&url),
                Err(_) => {
                    writeln!(
                        out,
                        "DATABASE_APP_URL is not set: the application uses the owner role"
                    )
                    .ok();
                    Ok(owner.clone())
                }
            },
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
    // Two roles: the owner applies the crate's migrations, which are also
    // the schema every query below is checked against at compile time
    // (under a lock, each in its own transaction, recorded with checksums),
    // and grants the application role exactly what the binary's queries
    // use; the application role owns nothing.
    let migrated = MIGRATOR.run_with_config(db.config()).await?;
    writeln!(out, "migrations applied: {:?}", migrated.applied).ok();
    let app = db.app_config(out)?;
    let (owner, _) = secure_pg::connect(db.config()).await?;
    let grants = secure_pg::required_grants(app.get_user().unwrap_or("app"));
    owner.batch_execute(&grants).await?;
    writeln!(out, "granted:\n{grants}").ok();
    let pool = Pool::builder().max_size(4).build(app).await?;
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
    // The schema is the owner's to change.
    owner.batch_execute("DROP TABLE quickstart_widgets").await?;
    writeln!(out, "done").ok();
    Ok(())
}
