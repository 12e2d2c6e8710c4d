//! [`PoolBuilder`] and the pool's options: everything set before the pool
//! exists, and `build`, which wires the bb8 manager together and runs the
//! startup posture check on the first connection.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::config::Config;
use crate::connect::Connector;
use crate::credentials::{CachedProvider, CredentialProvider, StaticPassword};
use crate::error::{Error, ErrorKind};

use super::manager::{Checks, FailureBoard, LogSink, Manager};
use super::{Pool, Shared};

/// Pool settings; see [`PoolBuilder`].
#[derive(Debug, Clone)]
pub(super) struct PoolOptions {
    pub(super) max_size: u32,
    pub(super) min_idle: Option<u32>,
    pub(super) checkout_timeout: Duration,
    pub(super) max_lifetime: Option<Duration>,
    pub(super) idle_timeout: Option<Duration>,
    pub(super) idle_check_after: Duration,
    pub(super) statement_cache: bool,
    pub(super) query_timeout: Option<Duration>,
    pub(super) credentials: Option<Arc<dyn CredentialProvider>>,
    pub(super) lazy: bool,
    pub(super) verify_schema: bool,
    pub(super) allow_weak_sslmode: bool,
    pub(super) tenant_column: String,
    /// `None`: on unless the statement cache is off.
    pub(super) multiplex: Option<bool>,
    pub(super) multiplex_connections: Option<u32>,
    pub(super) multiplex_max_in_flight: u32,
    pub(super) multiplex_stall_after: Duration,
    pub(super) multiplex_lock_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_size: 10,
            min_idle: None,
            checkout_timeout: Duration::from_secs(5),
            max_lifetime: Some(Duration::from_secs(30 * 60)),
            idle_timeout: Some(Duration::from_secs(10 * 60)),
            idle_check_after: Duration::from_secs(30),
            statement_cache: true,
            query_timeout: None,
            credentials: None,
            lazy: false,
            verify_schema: false,
            allow_weak_sslmode: false,
            tenant_column: "tenant_id".to_owned(),
            multiplex: None,
            multiplex_connections: None,
            multiplex_max_in_flight: 64,
            multiplex_stall_after: Duration::from_millis(5),
            multiplex_lock_timeout: Duration::from_millis(50),
        }
    }
}

/// Configures and builds a [`Pool`].
///
/// ```no_run
/// # async fn demo() -> Result<(), secure_pg::Error> {
/// use std::time::Duration;
/// use secure_pg::{Config, Pool};
/// use secure_pg::credentials::FilePassword;
///
/// let pool = Pool::builder()
///     .max_size(16)
///     .checkout_timeout(Duration::from_secs(2))
///     .credentials(FilePassword::new("/run/secrets/db-password"))
///     .build(Config::from_env()?)
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
#[must_use]
pub struct PoolBuilder {
    options: PoolOptions,
}

impl PoolBuilder {
    /// Most connections open at once (default 10).
    pub fn max_size(mut self, n: u32) -> Self {
        self.options.max_size = n.max(1);
        self
    }
    /// Idle connections kept open ahead of demand (default none).
    pub fn min_idle(mut self, n: u32) -> Self {
        self.options.min_idle = Some(n);
        self
    }
    /// Longest wait for a connection before a
    /// [`ErrorKind::PoolTimeout`](crate::ErrorKind::PoolTimeout) error
    /// (default 5 s).
    pub fn checkout_timeout(mut self, t: Duration) -> Self {
        self.options.checkout_timeout = t;
        self
    }
    /// Connections older than this are closed when returned and never
    /// handed out (default 30 min); `None` keeps them forever.
    pub fn max_lifetime(mut self, t: impl Into<Option<Duration>>) -> Self {
        self.options.max_lifetime = t.into();
        self
    }
    /// Idle connections beyond `min_idle` are closed after this (default
    /// 10 min).
    pub fn idle_timeout(mut self, t: impl Into<Option<Duration>>) -> Self {
        self.options.idle_timeout = t.into();
        self
    }
    /// A connection idle this long is pinged before being handed out
    /// (default 30 s); one used more recently costs no round trip.
    pub fn idle_check_after(mut self, t: Duration) -> Self {
        self.options.idle_check_after = t;
        self
    }
    /// Where passwords come from for each new connection (default: the
    /// configuration's password).
    pub fn credentials(mut self, provider: impl CredentialProvider + 'static) -> Self {
        self.options.credentials = Some(Arc::new(provider));
        self
    }
    /// Keep prepared statements per connection (default on). Turn it off
    /// behind PgBouncer in transaction mode.
    pub fn statement_cache(mut self, on: bool) -> Self {
        self.options.statement_cache = on;
        self
    }
    /// A client-side bound on every statement run through the pool's
    /// connections (`BEGIN`, `COMMIT`, `ROLLBACK` and the rollback that
    /// settles a connection included), for when the server or the network
    /// stops answering (the server-side `statement_timeout` cannot fire
    /// then). When it fires, a cancel request is sent to the server (a
    /// short connection of its own, under the same `sslmode` and TLS
    /// configuration, bounded by `min(connect_timeout, 2 s)`) so that the
    /// statement stops and releases its locks, and the caller gets
    /// [`ErrorKind::QueryTimeout`](crate::ErrorKind::QueryTimeout) once it
    /// has ended; the connection is then reused (over TLS, where the
    /// server's processing of the cancel is awaited; after a plaintext
    /// cancel, which cannot be confirmed, it is replaced). If the cancel cannot be
    /// delivered, or the statement does not end within that bound after
    /// it, the connection is discarded, never reused in an unknown state.
    ///
    /// A timed-out autocommit write may still have committed (the cancel
    /// can arrive after the server finished it): see
    /// [`ErrorKind::QueryTimeout`](crate::ErrorKind::QueryTimeout) before
    /// retrying. Off by default.
    pub fn query_timeout(mut self, t: Duration) -> Self {
        self.options.query_timeout = Some(t);
        self
    }
    /// Multiplexing (default on, except with `statement_cache(false)`):
    /// a statement run directly on `&Pool` that the macros know leaves no
    /// state on the session shares a connection with other such
    /// statements, pipelined, instead of checking one out. Transactions,
    /// [`Pool::get`](crate::Pool::get), session-changing statements and
    /// row streams ([`QueryAs::fetch`](crate::QueryAs::fetch)) still take a
    /// connection of their own.
    ///
    /// Each statement keeps its own implicit transaction and its own
    /// errors; what sharing changes is that a long statement delays the
    /// ones pipelined behind it on the same connection (the pool stops
    /// sending to a connection whose statements have not ended for 5 ms,
    /// sends a statement it has seen take more than twice that on its
    /// own to a connection of its own, and caps statements in flight per
    /// connection, see
    /// [`PoolBuilder::multiplex_stall_after`] and
    /// [`PoolBuilder::multiplex_max_in_flight`]). Turn it off for a
    /// workload of mostly long statements.
    ///
    /// Refused with `statement_cache(false)` (PgBouncer in transaction
    /// mode), where a pooler would have to follow pipelined unnamed
    /// statements across its server connections.
    pub fn multiplex(mut self, on: bool) -> Self {
        self.options.multiplex = Some(on);
        self
    }
    /// Most connections used for multiplexed statements at once (default
    /// a quarter of `max_size`, at least one). They are ordinary pool
    /// connections, within `max_size`; another is opened only when no
    /// shared connection can take a statement (all at
    /// [`PoolBuilder::multiplex_max_in_flight`] or stalled). An exclusive
    /// checkout that would otherwise wait takes back one with nothing in
    /// flight at once; if it still waits after twice
    /// [`PoolBuilder::multiplex_stall_after`], the least busy one stops
    /// taking statements and its connection goes to the waiters once
    /// those in flight have ended. No shared connection opens while an
    /// exclusive checkout waits.
    pub fn multiplex_connections(mut self, n: u32) -> Self {
        self.options.multiplex_connections = Some(n.max(1));
        self
    }
    /// Most statements in flight on one shared connection (default 64).
    /// A statement that finds every shared connection at this cap (or
    /// stalled behind a long statement) takes an exclusive checkout
    /// instead. A lower cap spreads load over more shared connections
    /// sooner, for a server with many cores to give them.
    pub fn multiplex_max_in_flight(mut self, n: u32) -> Self {
        self.options.multiplex_max_in_flight = n.max(1);
        self
    }
    /// A shared connection whose statements in flight have not seen one
    /// end for this long is passed over for new statements until one does
    /// (default 5 ms): a long statement at the head of its pipeline would
    /// delay them.
    pub fn multiplex_stall_after(mut self, t: Duration) -> Self {
        self.options.multiplex_stall_after = t;
        self
    }
    /// The `lock_timeout` of shared connections (default 50 ms).
    ///
    /// A statement on a shared connection that waits for a lock would hold
    /// every statement pipelined behind it, and one of those may belong to
    /// the very transaction that holds the lock: the application would
    /// wait forever. So shared connections run with this `lock_timeout`
    /// (or the session's own default, when that is shorter), and a
    /// statement that hits it (`55P03`: it waited and did nothing else;
    /// its implicit transaction rolled back) is sent again on a
    /// connection of its own, where the session's default applies: with
    /// a `lock_timeout` of your own configured, you still get its error.
    /// Lower, and statements that meet ordinary lock contention leave the
    /// shared connections sooner; higher, and the statements queued
    /// behind a lock wait wait longer. At least 1 ms.
    pub fn multiplex_lock_timeout(mut self, t: Duration) -> Self {
        self.options.multiplex_lock_timeout = t.max(Duration::from_millis(1));
        self
    }
    /// Do not connect while building; the first checkout connects. By
    /// default `build` makes one connection so that a wrong password, a bad
    /// certificate or an unreachable server fails at startup.
    pub fn lazy(mut self, lazy: bool) -> Self {
        self.options.lazy = lazy;
        self
    }

    /// Run [`Pool::verify_schema`] when building (lazy or not), and fail
    /// with [`ErrorKind::Configuration`] when the database differs from
    /// what this binary's statements were checked against: the error's
    /// detail (`{:#}`) lists every difference with the statements that
    /// depend on it. Off by default.
    pub fn verify_schema_at_startup(mut self, on: bool) -> Self {
        self.options.verify_schema = on;
        self
    }

    /// The tenant column the posture check looks for (default
    /// `tenant_id`): on every table that has it, a unique key or a foreign
    /// key to another such table that leaves it out is reported as
    /// [`FindingCode::TenantKeyOmitsTenant`](crate::FindingCode::TenantKeyOmitsTenant).
    /// The name is bound as a value, never spliced into SQL.
    pub fn tenant_column(mut self, name: impl Into<String>) -> Self {
        self.options.tenant_column = name.into();
        self
    }

    /// Accept `require` or `verify-ca` in production (otherwise refused
    /// before connecting, lazy or not). They do not prove the server is the
    /// one you meant; say so in a comment next to this call. The same as
    /// [`Config::dangerous_allow_sslmode_below_verify_full`], which also
    /// covers [`crate::connect`] and [`Connector`].
    pub fn dangerous_allow_sslmode_below_verify_full(mut self) -> Self {
        self.options.allow_weak_sslmode = true;
        self
    }

    /// Builds the pool for `config`.
    ///
    /// In production (see [`crate::Environment`]) an `sslmode` below
    /// `verify-full` (unless allowed) is refused here before any
    /// connection, lazy or not, and every new physical connection is
    /// refused for a superuser or `BYPASSRLS` role. A credential provider
    /// that [requires verify-full](CredentialProvider::requires_verify_full)
    /// (RDS IAM) is refused with a weaker `sslmode` in every environment.
    /// Unless [`PoolBuilder::lazy`], one connection is made and the security
    /// posture is checked; findings are logged once as warnings.
    pub async fn build(self, config: Config) -> Result<Pool, Error> {
        let o = self.options;
        let credentials = o
            .credentials
            .clone()
            .unwrap_or_else(|| Arc::new(StaticPassword::new(config.password.clone())));
        let mut config = config;
        if o.allow_weak_sslmode {
            config.allow_weak_sslmode = true;
        }
        crate::credentials::check_transport(&*credentials, &config)?;
        let multiplex = match o.multiplex {
            Some(true) if !o.statement_cache => {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    "multiplexing needs the statement cache",
                )
                .with_detail(
                    "multiplex(true) was set together with statement_cache(false) (PgBouncer \
                     transaction mode); pipelined unnamed statements are not multiplexed: drop \
                     one of the two settings",
                ))
            }
            Some(on) => on,
            None => o.statement_cache,
        };
        let multiplex = multiplex.then(|| {
            let n = o
                .multiplex_connections
                .unwrap_or((o.max_size / 4).max(1))
                .min(o.max_size);
            super::multiplex::SharedSet::new(
                n,
                o.multiplex_max_in_flight,
                o.multiplex_stall_after,
                o.multiplex_lock_timeout,
            )
        });
        let connector = Connector::new(config)?;
        let config = connector.config.clone();
        let failures = Arc::new(FailureBoard::default());
        let stats = crate::metrics::PoolStats::new();
        let checks = Checks {
            requires_tls: config.sslmode.requires_tls(),
            idle_check_after: o.idle_check_after,
            max_lifetime: o.max_lifetime,
            checkout_timeout: o.checkout_timeout,
        };
        let server = crate::telemetry::ServerAddr::of(&config);
        let manager = Manager {
            connector,
            failures: failures.clone(),
            credentials: CachedProvider::new(credentials, config.get_connect_timeout())
                .counting(stats.clone()),
            stats: stats.clone(),
            server: server.clone(),
            checks,
            statement_cache: o.statement_cache,
            query_timeout: o.query_timeout,
        };
        let bb8 = bb8::Pool::builder()
            .max_size(o.max_size)
            .min_idle(o.min_idle)
            .max_lifetime(o.max_lifetime)
            .idle_timeout(o.idle_timeout)
            // Our own timeout bounds checkouts; bb8's only needs to be
            // long enough for the first connection at startup.
            .connection_timeout(o.checkout_timeout.max(config.get_connect_timeout()))
            // Checkouts are verified by `Pool::get` (no round trip unless one
            // is due), not by bb8's per-checkout `is_valid` future.
            .test_on_check_out(false)
            .retry_connection(false)
            .error_sink(Box::new(LogSink))
            .build_unchecked(manager);
        let pool = Pool {
            shared: Arc::new(Shared {
                config,
                checks,
                failures,
                gate: Arc::new(Semaphore::new(o.max_size as usize)),
                bb8,
                options: o,
                stats,
                multiplex,
                server,
                schema_drift: Default::default(),
            }),
        };
        if !pool.shared.options.lazy {
            pool.startup_lint().await?;
        }
        if pool.shared.options.verify_schema {
            let report = pool.verify_schema().await?;
            if !report.is_ok() {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    "the database differs from what this binary's statements were checked \
                     against",
                )
                .with_detail(report.to_string()));
            }
        }
        Ok(pool)
    }
}

/// The startup check `build` runs unless the pool is lazy.
impl Pool {
    async fn startup_lint(&self) -> Result<(), Error> {
        // The first connection is bounded by the connect timeout, which may
        // be longer than a checkout is allowed to wait once running.
        let timeout = self
            .shared
            .options
            .checkout_timeout
            .max(self.config().get_connect_timeout());
        let conn = self.get_within(timeout, None, false).await?;
        let posture = crate::posture::query_posture(
            conn.unmarked_client(),
            &self.shared.options.tenant_column,
        )
        .await;
        // The role's grants against the registered statements: logged,
        // never refused (a missing grant fails its statement anyway).
        let grants =
            crate::posture::grant_findings(conn.unmarked_client(), crate::registry::queries())
                .await;
        drop(conn);
        let grants = grants.unwrap_or_else(|e| {
            tracing::warn!(kind = ?e.kind(), "the role's grants could not be read: {e}");
            Vec::new()
        });
        for f in grants {
            tracing::warn!(
                code = f.code.as_str(),
                "database security finding: {}",
                f.message
            );
        }
        let Some(posture) = posture? else {
            return Ok(());
        };
        crate::posture::startup_check(
            &posture,
            self.config().get_sslmode(),
            self.config().environment.is_production(),
            self.config().allow_weak_sslmode,
        )
    }
}
