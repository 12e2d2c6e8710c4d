//! The bb8 connection manager: how a physical connection is opened (fresh
//! credentials, verified TLS), what a checkout checks before handing it out,
//! and the board that lets a waiting checkout report the real connect error.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_postgres::Client;

use crate::config::Secret;
use crate::conn_state::{ConnState, LockTimeout};
use crate::connect::{ConnectionInfo, Connector};
use crate::credentials::CachedProvider;
use crate::error::{Error, ErrorKind};
use crate::metrics::{CloseCause, ConnLife, PoolStats};
use crate::telemetry::ServerAddr;

/// One physical connection as the pool holds it.
pub(super) struct PgConn {
    pub(super) client: Client,
    pub(super) info: ConnectionInfo,
    pub(super) state: ConnState,
    /// Microseconds after `info.connected_at` when it was last returned.
    pub(super) last_used: AtomicU64,
    /// Counts it opened, and closed by cause when dropped.
    pub(super) life: ConnLife,
    pub(super) server: Option<Arc<ServerAddr>>,
}

impl PgConn {
    /// Rolls back a transaction left open by a dropped future before the
    /// connection is used again directly.
    /// Under `query_timeout`, like every statement.
    pub(super) async fn settle(&self) -> Result<(), Error> {
        if self.state.in_transaction() && !self.state.end_unsent_transaction() {
            self.state
                .bounded(std::pin::pin!(async {
                    self.client
                        .batch_execute("ROLLBACK")
                        .await
                        .map_err(Error::from)
                }))
                .await?;
            self.state.leave_transaction();
        }
        Ok(())
    }
}

/// The most recent failure to open a connection, so that a waiting
/// checkout can report the real cause (bb8 itself only reports a timeout).
#[derive(Default)]
pub(super) struct FailureBoard {
    last: Mutex<Option<(Instant, Error)>>,
    last_success: Mutex<Option<Instant>>,
    pub(super) notify: tokio::sync::Notify,
}

impl FailureBoard {
    fn record(&self, e: &Error) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), e.duplicate()));
        self.notify.notify_waiters();
    }

    fn record_success(&self) {
        *self.last_success.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }

    /// The latest failure if it is newer than both `t` and the latest
    /// successful connect: the database is failing new connections now.
    pub(super) fn current(&self, t: Instant) -> Option<Error> {
        let success = *self.last_success.lock().unwrap_or_else(|p| p.into_inner());
        match &*self.last.lock().unwrap_or_else(|p| p.into_inner()) {
            Some((at, e)) if *at >= t && success.is_none_or(|s| *at > s) => Some(e.duplicate()),
            _ => None,
        }
    }

    pub(super) fn since(&self, t: Instant) -> Option<Error> {
        match &*self.last.lock().unwrap_or_else(|p| p.into_inner()) {
            Some((at, e)) if *at >= t => Some(e.duplicate()),
            _ => None,
        }
    }
}

pub(super) struct Manager {
    pub(super) connector: Connector,
    pub(super) failures: Arc<FailureBoard>,
    pub(super) credentials: CachedProvider,
    pub(super) checks: Checks,
    pub(super) statement_cache: bool,
    pub(super) query_timeout: Option<Duration>,
    pub(super) stats: Arc<PoolStats>,
    pub(super) server: Option<Arc<ServerAddr>>,
}

/// What a checkout verifies before handing a connection out.
#[derive(Debug, Clone, Copy)]
pub(super) struct Checks {
    pub(super) requires_tls: bool,
    pub(super) idle_check_after: Duration,
    pub(super) max_lifetime: Option<Duration>,
    /// Bounds the whole checkout, the round trips below included.
    pub(super) checkout_timeout: Duration,
}

/// Work a connection needs before it can be handed out.
pub(super) enum Prepare {
    /// A statement was left in flight: cancel it and wait for it to end.
    Recover,
    Reset,
    /// It was shared, with the short `lock_timeout` of shared use: `RESET
    /// lock_timeout` gives the session its default back (which also
    /// proves it alive, like a ping).
    RestoreLockTimeout,
    Ping,
}

impl Checks {
    /// The checks that need no round trip: the common checkout stops here.
    /// `sharing`: the pool is checking the connection out to share it, so
    /// a short `lock_timeout` left from earlier sharing stays.
    pub(super) fn quick(&self, conn: &PgConn, sharing: bool) -> Result<Option<Prepare>, Error> {
        if conn.client.is_closed() {
            conn.life.closing(CloseCause::Broken);
            return Err(Error::from_kind(ErrorKind::Connection).with_detail("connection closed"));
        }
        if self.requires_tls && conn.info.tls.is_none() {
            conn.life.closing(CloseCause::Broken);
            return Err(Error::from_kind(ErrorKind::TlsRequired)
                .with_detail("connection was not verified as encrypted"));
        }
        let age = conn.info.connected_at.elapsed();
        if self.max_lifetime.is_some_and(|max| age >= max) {
            conn.life.closing(CloseCause::Lifetime);
            return Err(Error::from_kind(ErrorKind::Connection)
                .with_detail("connection reached max_lifetime"));
        }
        if conn.state.statement_in_flight() {
            return Ok(Some(Prepare::Recover));
        }
        if conn.state.needs_reset() {
            return Ok(Some(Prepare::Reset));
        }
        if !sharing && conn.state.lock_timeout() != LockTimeout::Default {
            return Ok(Some(Prepare::RestoreLockTimeout));
        }
        let idle = age.saturating_sub(Duration::from_micros(
            conn.last_used.load(Ordering::Relaxed),
        ));
        Ok((idle >= self.idle_check_after).then_some(Prepare::Ping))
    }

    /// All checks, with the round trip when one is due. The caller bounds
    /// it by the checkout timeout and discards the connection if it does
    /// not finish in time.
    pub(super) async fn prepare(&self, conn: &PgConn, sharing: bool) -> Result<(), Error> {
        let due = self.quick(conn, sharing)?;
        let result = match due {
            None => Ok(()),
            Some(Prepare::Recover) => {
                conn.state
                    .recover(&conn.client, self.checkout_timeout)
                    .await?;
                Box::pin(self.prepare(conn, sharing)).await
            }
            Some(Prepare::Reset) => {
                crate::conn_state::reset_session(&conn.client)
                    .await
                    .map_err(Error::from)?;
                conn.state.finish_reset();
                Ok(())
            }
            Some(Prepare::RestoreLockTimeout) => {
                conn.client
                    .batch_execute("RESET lock_timeout")
                    .await
                    .map_err(Error::from)?;
                conn.state.set_lock_timeout(LockTimeout::Default);
                Ok(())
            }
            Some(Prepare::Ping) => conn
                .client
                .simple_query("")
                .await
                .map(|_| ())
                .map_err(Error::from),
        };
        if result.is_err() {
            conn.life.closing(CloseCause::FailedCheck);
        }
        result
    }
}

/// The user types of the database (enums, domains, standalone composites,
/// extensions' types, ranges; not tables' row types), each also as an
/// array, as a select list of typed NULLs (at most 1,600: the server's
/// limit is 1,664 columns).
const USER_TYPES: &str = "\
    SELECT string_agg(format('NULL::%s', format_type(oid, NULL)), ', ' ORDER BY oid) \
    FROM (SELECT oid FROM (\
        SELECT t.oid FROM pg_type t \
        JOIN pg_namespace n ON n.oid = t.typnamespace \
        LEFT JOIN pg_class c ON c.oid = t.typrelid \
        WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' \
          AND t.typtype <> 'p' AND (t.typtype <> 'c' OR c.relkind = 'c') \
          AND t.typelem = 0 \
        UNION ALL \
        SELECT t.typarray FROM pg_type t \
        JOIN pg_namespace n ON n.oid = t.typnamespace \
        LEFT JOIN pg_class c ON c.oid = t.typrelid \
        WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' \
          AND t.typtype <> 'p' AND (t.typtype <> 'c' OR c.relkind = 'c') \
          AND t.typelem = 0 AND t.typarray <> 0) all_types \
        LIMIT 1600) user_types";

/// Behind a transaction-mode pooler (`statement_cache(false)`),
/// tokio-postgres learns a type it does not know (an enum, a composite, a
/// domain, an extension's type) with named statements, which the next
/// transaction's server connection does not have: reading such a column
/// failed at random with `prepared statement "s1" does not exist`. So a
/// connection learns the database's user types when it opens, all in one
/// transaction, which keeps one server connection; afterwards they are in
/// the client's cache and nothing is looked up. (A type created after the
/// connection opened is still looked up as before.)
async fn learn_user_types(client: &tokio_postgres::Client) -> Result<(), tokio_postgres::Error> {
    use tokio_postgres::SimpleQueryMessage;
    let list = client
        .simple_query(USER_TYPES)
        .await?
        .into_iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
            _ => None,
        });
    let Some(list) = list else {
        return Ok(());
    };
    client.batch_execute("BEGIN READ ONLY").await?;
    let learned = client.query_typed(&format!("SELECT {list}"), &[]).await;
    let ended = client.batch_execute("COMMIT").await;
    learned?;
    ended
}

impl Manager {
    async fn open(&self, password: &Secret, budget: Duration) -> Result<PgConn, Error> {
        let started = Instant::now();
        let (client, info) = self
            .connector
            .connect_within(Some(password), budget)
            .await?;
        if !self.statement_cache {
            // Within what is left of the connect budget.
            let left = budget.saturating_sub(started.elapsed());
            match tokio::time::timeout(left, learn_user_types(&client)).await {
                Ok(learned) => learned.map_err(Error::from)?,
                Err(_) => {
                    return Err(Error::new(
                        ErrorKind::Connection,
                        "could not connect to the database in time",
                    )
                    .with_detail(format!(
                        "connect_timeout of {budget:?} elapsed while the new connection was \
                         learning the database's user types (statement_cache(false))"
                    )))
                }
            }
        }
        let canceller = self.connector.canceller(&client);
        Ok(PgConn {
            client,
            info,
            state: ConnState::new(self.statement_cache, self.query_timeout, Some(canceller)),
            last_used: AtomicU64::new(0),
            life: ConnLife::opened(&self.stats, self.checks.max_lifetime),
            server: self.server.clone(),
        })
    }
}

impl Manager {
    /// One connect attempt: the credential fetch and the connection share
    /// one `connect_timeout`. The outer error is the fetch's; the inner
    /// result is the connection's, with when the secret used was fetched.
    async fn fetch_then_open(
        &self,
        newer_than: Option<Instant>,
    ) -> Result<(Result<PgConn, Error>, Instant), Error> {
        let timeout = self.connector.config.get_connect_timeout();
        let deadline = Instant::now() + timeout;
        let (password, fetched) =
            match tokio::time::timeout(timeout, self.credentials.get(newer_than)).await {
                Ok(r) => r?,
                Err(_) => {
                    return Err(Error::new(
                        ErrorKind::Connection,
                        "could not connect to the database in time",
                    )
                    .with_detail(format!(
                        "connect_timeout of {timeout:?} elapsed while the credential provider \
                         was fetching the password"
                    )))
                }
            };
        let budget = deadline.saturating_duration_since(Instant::now());
        Ok((self.open(&password, budget).await, fetched))
    }
}

impl bb8::ManageConnection for Manager {
    // Boxed: bb8 moves connections by value on every checkout and return;
    // a pointer is cheaper to move than the whole client.
    type Connection = Box<PgConn>;
    type Error = Error;

    async fn connect(&self) -> Result<Box<PgConn>, Error> {
        let result = async {
            let (opened, fetched) = self.fetch_then_open(None).await?;
            match opened {
                Err(e) if e.kind() == ErrorKind::Authentication => {
                    // The secret may have rotated since it was cached or
                    // read: ask once more for one fetched after it.
                    self.fetch_then_open(Some(fetched)).await?.0
                }
                other => other,
            }
        }
        .await;
        match &result {
            Ok(_) => self.failures.record_success(),
            Err(e) => self.failures.record(e),
        }
        result.map(Box::new)
    }

    async fn is_valid(&self, conn: &mut Box<PgConn>) -> Result<(), Error> {
        // Not called on checkout (the pool checks there itself, see
        // `Pool::get`); kept equivalent for bb8's other uses. Boxed: bb8's
        // checkout future holds this one inline, and every checkout moves
        // that future at least once (3 KB with it inline).
        Box::pin(self.checks.prepare(conn, false)).await
    }

    fn has_broken(&self, conn: &mut Box<PgConn>) -> bool {
        // A connection returned inside a transaction is discarded rather
        // than trusted to roll back.
        let broken =
            conn.client.is_closed() || conn.state.in_transaction() || conn.state.is_broken();
        if broken {
            conn.life.closing(CloseCause::Broken);
        }
        broken
    }
}

/// Logs bb8's background connect failures (a checkout reports its own).
#[derive(Debug, Clone, Copy)]
pub(super) struct LogSink;

impl bb8::ErrorSink<Error> for LogSink {
    fn sink(&self, e: Error) {
        tracing::warn!(kind = ?e.kind(), error = %e.detail(), "background connection attempt failed");
    }
    fn boxed_clone(&self) -> Box<dyn bb8::ErrorSink<Error>> {
        Box::new(*self)
    }
}
