//! The connection pool: bb8 underneath, with our own connection manager so
//! that every physical connection is TLS-verified with `pg_stat_ssl`, gets
//! fresh credentials, and keeps a prepared-statement cache.
//!
//! # What is checked when
//!
//! * **When a connection is made**: TLS per the `sslmode` (chain, host
//!   name), then one round trip asking the server whether it sees the
//!   session as encrypted and with which protocol and cipher. A connection
//!   that fails this is never added to the pool.
//! * **On every checkout, with no round trip**: that the connection passed
//!   that check, that its socket is not closed, that it is younger than
//!   `max_lifetime`, and that it is not inside a transaction left behind.
//!   This is enough because a TLS session cannot be downgraded in place:
//!   once the handshake is done every byte of the connection is encrypted
//!   and authenticated under it, and any tampering closes the connection,
//!   which the closed check catches.
//! * **On checkout after a quiet period** (`idle_check_after`, default
//!   30 s): a cheap round trip (an empty query) to catch connections the
//!   server or the network dropped silently.
//! * **On checkout after a session change**: `DISCARD ALL` (see below).
//!
//! # Session state
//!
//! A statement that changes session state (`SET`, `RESET`, temporary
//! tables, `LISTEN`, `PREPARE`, `set_config(.., false)`) is known to the
//! macros at compile time; running one marks the connection, and the next
//! checkout runs `DISCARD ALL` first. Raw access to the
//! `tokio_postgres::Client` marks it too, since anything may have been run.
//! Ordinary queries cost no extra round trip.
//!
//! # Fairness
//!
//! Checkouts pass through a FIFO semaphore with one permit per connection
//! before reaching bb8, so waiters are served in arrival order and a task
//! that returns a connection cannot take it straight back ahead of older
//! waiters.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio_postgres::{Client, IsolationLevel};

use crate::config::{Config, Secret};
use crate::conn_state::ConnState;
use crate::connect::{ConnectionInfo, Connector};
use crate::credentials::{CachedProvider, CredentialProvider, StaticPassword};
use crate::error::{Error, ErrorKind};

/// One physical connection as the pool holds it.
pub(crate) struct PgConn {
    pub(crate) client: Client,
    pub(crate) info: ConnectionInfo,
    pub(crate) state: ConnState,
    /// Microseconds after `info.connected_at` when it was last returned.
    pub(crate) last_used: AtomicU64,
}

impl PgConn {
    /// Rolls back a transaction left open by a dropped future before the
    /// connection is used again directly.
    pub(crate) async fn settle(&self) -> Result<(), Error> {
        if self.state.in_transaction() {
            self.client
                .batch_execute("ROLLBACK")
                .await
                .map_err(Error::from)?;
            self.state.leave_transaction();
        }
        Ok(())
    }
}

/// The most recent failure to open a connection, so that a waiting
/// checkout can report the real cause (bb8 itself only reports a timeout).
#[derive(Default)]
struct FailureBoard {
    last: Mutex<Option<(Instant, Error)>>,
    last_success: Mutex<Option<Instant>>,
    notify: tokio::sync::Notify,
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
    fn current(&self, t: Instant) -> Option<Error> {
        let success = *self.last_success.lock().unwrap_or_else(|p| p.into_inner());
        match &*self.last.lock().unwrap_or_else(|p| p.into_inner()) {
            Some((at, e)) if *at >= t && success.is_none_or(|s| *at > s) => Some(e.duplicate()),
            _ => None,
        }
    }

    fn since(&self, t: Instant) -> Option<Error> {
        match &*self.last.lock().unwrap_or_else(|p| p.into_inner()) {
            Some((at, e)) if *at >= t => Some(e.duplicate()),
            _ => None,
        }
    }
}

struct Manager {
    connector: Connector,
    failures: Arc<FailureBoard>,
    credentials: CachedProvider,
    checks: Checks,
    statement_cache: bool,
    query_timeout: Option<Duration>,
}

/// What a checkout verifies before handing a connection out.
#[derive(Debug, Clone, Copy)]
struct Checks {
    requires_tls: bool,
    idle_check_after: Duration,
    max_lifetime: Option<Duration>,
}

/// Work a connection needs before it can be handed out.
enum Prepare {
    Reset,
    Ping,
}

impl Checks {
    /// The checks that need no round trip: the common checkout stops here.
    fn quick(&self, conn: &PgConn) -> Result<Option<Prepare>, Error> {
        if conn.client.is_closed() {
            return Err(Error::from_kind(ErrorKind::Connection).with_detail("connection closed"));
        }
        if self.requires_tls && conn.info.tls.is_none() {
            return Err(Error::from_kind(ErrorKind::TlsRequired)
                .with_detail("connection was not verified as encrypted"));
        }
        let age = conn.info.connected_at.elapsed();
        if self.max_lifetime.is_some_and(|max| age >= max) {
            return Err(Error::from_kind(ErrorKind::Connection)
                .with_detail("connection reached max_lifetime"));
        }
        if conn.state.needs_reset() {
            return Ok(Some(Prepare::Reset));
        }
        let idle = age.saturating_sub(Duration::from_micros(
            conn.last_used.load(Ordering::Relaxed),
        ));
        Ok((idle >= self.idle_check_after).then_some(Prepare::Ping))
    }

    /// All checks, with the round trip when one is due.
    async fn prepare(&self, conn: &PgConn) -> Result<(), Error> {
        match self.quick(conn)? {
            None => Ok(()),
            Some(Prepare::Reset) => {
                conn.client
                    .batch_execute("DISCARD ALL")
                    .await
                    .map_err(Error::from)?;
                conn.state.finish_reset();
                Ok(())
            }
            Some(Prepare::Ping) => conn
                .client
                .simple_query("")
                .await
                .map(|_| ())
                .map_err(Error::from),
        }
    }
}

impl Manager {
    async fn open(&self, password: &Secret) -> Result<PgConn, Error> {
        let (client, info) = self.connector.connect_with(Some(password)).await?;
        Ok(PgConn {
            client,
            info,
            state: ConnState::new(self.statement_cache, self.query_timeout),
            last_used: AtomicU64::new(0),
        })
    }
}

impl bb8::ManageConnection for Manager {
    // Boxed: bb8 moves connections by value on every checkout and return;
    // a pointer is cheaper to move than the whole client.
    type Connection = Box<PgConn>;
    type Error = Error;

    async fn connect(&self) -> Result<Box<PgConn>, Error> {
        let result = async {
            let password = self.credentials.get(false).await?;
            match self.open(&password).await {
                Err(e) if e.kind() == ErrorKind::Authentication => {
                    // The secret may have rotated since it was cached or
                    // read: ask once more, bypassing the cache.
                    let fresh = self.credentials.get(true).await?;
                    self.open(&fresh).await
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
        // `Pool::get`); kept equivalent for bb8's other uses.
        self.checks.prepare(conn).await
    }

    fn has_broken(&self, conn: &mut Box<PgConn>) -> bool {
        // A connection returned inside a transaction is discarded rather
        // than trusted to roll back.
        conn.client.is_closed() || conn.state.in_transaction() || conn.state.is_broken()
    }
}

/// Pool settings; see [`PoolBuilder`].
#[derive(Debug, Clone)]
struct PoolOptions {
    max_size: u32,
    min_idle: Option<u32>,
    checkout_timeout: Duration,
    max_lifetime: Option<Duration>,
    idle_timeout: Option<Duration>,
    idle_check_after: Duration,
    statement_cache: bool,
    query_timeout: Option<Duration>,
    credentials: Option<Arc<dyn CredentialProvider>>,
    lazy: bool,
    allow_weak_sslmode: bool,
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
            allow_weak_sslmode: false,
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
    /// Longest wait for a connection before a [`ErrorKind::PoolTimeout`]
    /// error (default 5 s).
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
    /// connections, for when the server or the network stops answering
    /// (the server-side `statement_timeout` cannot fire then). When it
    /// fires the caller gets [`ErrorKind::QueryTimeout`] and the connection
    /// is discarded, never reused in an unknown state. Off by default.
    pub fn query_timeout(mut self, t: Duration) -> Self {
        self.options.query_timeout = Some(t);
        self
    }
    /// Do not connect while building; the first checkout connects. By
    /// default `build` makes one connection so that a wrong password, a bad
    /// certificate or an unreachable server fails at startup.
    pub fn lazy(mut self, lazy: bool) -> Self {
        self.options.lazy = lazy;
        self
    }

    /// Accept an `sslmode` weaker than `verify-full` in production (it is
    /// otherwise a startup error there). `require` and `verify-ca` do not
    /// prove the server is the one you meant; say so in a comment next to
    /// this call.
    pub fn dangerous_allow_sslmode_below_verify_full(mut self) -> Self {
        self.options.allow_weak_sslmode = true;
        self
    }

    /// Builds the pool for `config`.
    ///
    /// Unless [`PoolBuilder::lazy`], one connection is made and the security
    /// posture is checked: in production (`APP_ENV=production` or
    /// [`crate::Environment::Production`]) a superuser or `BYPASSRLS` role,
    /// or an `sslmode` below `verify-full` (unless allowed), refuses to
    /// start with an error listing every finding; elsewhere findings are
    /// logged once as warnings.
    pub async fn build(self, config: Config) -> Result<Pool, Error> {
        let o = self.options;
        let credentials = o
            .credentials
            .clone()
            .unwrap_or_else(|| Arc::new(StaticPassword::new(config.password.clone())));
        let connector = Connector::new(config)?;
        let config = connector.config.clone();
        let failures = Arc::new(FailureBoard::default());
        let checks = Checks {
            requires_tls: config.sslmode.requires_tls(),
            idle_check_after: o.idle_check_after,
            max_lifetime: o.max_lifetime,
        };
        let manager = Manager {
            connector,
            failures: failures.clone(),
            credentials: CachedProvider::new(credentials),
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
                gate: Semaphore::new(o.max_size as usize),
                bb8,
                options: o,
            }),
        };
        if !pool.shared.options.lazy {
            pool.startup_lint().await?;
        }
        Ok(pool)
    }
}

#[derive(Debug, Clone, Copy)]
struct LogSink;

impl bb8::ErrorSink<Error> for LogSink {
    fn sink(&self, e: Error) {
        tracing::warn!(kind = ?e.kind(), error = %e.detail(), "background connection attempt failed");
    }
    fn boxed_clone(&self) -> Box<dyn bb8::ErrorSink<Error>> {
        Box::new(*self)
    }
}

struct Shared {
    config: Arc<Config>,
    checks: Checks,
    failures: Arc<FailureBoard>,
    gate: Semaphore,
    bb8: bb8::Pool<Manager>,
    options: PoolOptions,
}

/// A pool of verified TLS connections. Cheap to clone; clones share the
/// connections.
#[derive(Clone)]
pub struct Pool {
    shared: Arc<Shared>,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("Pool")
            .field("connections", &state.connections)
            .field("idle", &state.idle)
            .field("max_size", &self.shared.options.max_size)
            .finish()
    }
}

/// A snapshot of the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolState {
    /// Physical connections open (idle or in use).
    pub connections: u32,
    /// Idle connections.
    pub idle: u32,
    /// Connections checked out right now.
    pub in_use: u32,
    /// Configured maximum.
    pub max_size: u32,
}

impl Pool {
    /// A builder with defaults.
    pub fn builder() -> PoolBuilder {
        PoolBuilder::default()
    }

    /// A pool for `DATABASE_URL` with default settings.
    pub async fn from_env() -> Result<Pool, Error> {
        Pool::builder().build(Config::from_env()?).await
    }

    /// Checks a connection out, waiting in FIFO order up to the checkout
    /// timeout.
    pub async fn get(&self) -> Result<PooledConnection<'_>, Error> {
        // Fast path: a free permit (so nobody is queued ahead of us) and an
        // idle connection: no timers, no waiting, no failure watch.
        if let Ok(permit) = self.shared.gate.try_acquire() {
            if self.shared.bb8.state().idle_connections > 0 {
                let started = Instant::now();
                let conn = self
                    .shared
                    .bb8
                    .get()
                    .await
                    .map_err(|e| self.run_error(e, started))?;
                if let Ok(None) = self.shared.checks.quick(&conn) {
                    return Ok(PooledConnection {
                        conn,
                        _permit: permit,
                    });
                }
                // Due a reset or ping, or unusable: the full path below.
                let conn = self.checked(conn).await;
                if let Some(conn) = conn {
                    return Ok(PooledConnection {
                        conn,
                        _permit: permit,
                    });
                }
            }
            return self
                .get_within(self.shared.options.checkout_timeout, Some(permit))
                .await;
        }
        self.get_within(self.shared.options.checkout_timeout, None)
            .await
    }

    async fn get_within<'p>(
        &'p self,
        timeout: Duration,
        permit: Option<SemaphorePermit<'p>>,
    ) -> Result<PooledConnection<'p>, Error> {
        let started = Instant::now();
        let attempt = async {
            let permit = match permit {
                Some(p) => p,
                None => self
                    .shared
                    .gate
                    .acquire()
                    .await
                    .map_err(|_| Error::from_kind(ErrorKind::PoolTimeout))?,
            };
            loop {
                let get = std::pin::pin!(self.shared.bb8.get());
                let failed = std::pin::pin!(self.connect_failure_since(started));
                let conn = match futures_util::future::select(get, failed).await {
                    futures_util::future::Either::Left((r, _)) => {
                        r.map_err(|e| self.run_error(e, started))?
                    }
                    futures_util::future::Either::Right((e, _)) => return Err(e),
                };
                if let Some(conn) = self.checked(conn).await {
                    return Ok::<_, Error>(PooledConnection {
                        conn,
                        _permit: permit,
                    });
                }
            }
        };
        let result = match tokio::time::timeout(timeout, attempt).await {
            Ok(r) => r,
            Err(_) => Err(self.timed_out(started)),
        };
        match &result {
            Ok(_) => tracing::trace!(wait_us = started.elapsed().as_micros() as u64, "checkout"),
            Err(e) => tracing::warn!(
                kind = ?e.kind(),
                wait_ms = started.elapsed().as_millis() as u64,
                error = %e.detail(),
                "checkout failed"
            ),
        }
        result
    }

    /// The connection if it passes the checkout checks (after a reset or
    /// ping when one is due); otherwise it is marked broken, so that bb8
    /// discards it when it is dropped here, and `None`.
    async fn checked<'p>(
        &'p self,
        conn: bb8::PooledConnection<'p, Manager>,
    ) -> Option<bb8::PooledConnection<'p, Manager>> {
        match self.shared.checks.prepare(&conn).await {
            Ok(()) => Some(conn),
            Err(e) => {
                tracing::debug!(kind = ?e.kind(), error = %e.detail(), "discarding a pooled connection");
                conn.state.mark_broken();
                None
            }
        }
    }

    /// Resolves when opening a connection failed after `t` while no idle
    /// connection could serve the waiter instead: the connection made on
    /// its behalf failed, so it gets the real cause (refused,
    /// authentication, TLS) now rather than a bare timeout later, as a
    /// direct connect would.
    async fn connect_failure_since(&self, t: Instant) -> Error {
        // A failure up to one connect timeout before this checkout still
        // counts when the pool has no connection at all: bb8 may not start
        // another attempt for this waiter while one it started for an
        // earlier waiter has just failed, and nothing else can come back.
        let recent = t
            .checked_sub(self.config().get_connect_timeout())
            .unwrap_or(t);
        loop {
            let notified = self.shared.failures.notify.notified();
            let state = self.shared.bb8.state();
            if state.idle_connections == 0 {
                let window = if state.connections == 0 { recent } else { t };
                if let Some(e) = self.shared.failures.current(window) {
                    return e;
                }
            }
            notified.await;
        }
    }

    fn run_error(&self, e: bb8::RunError<Error>, started: Instant) -> Error {
        match e {
            bb8::RunError::User(e) => e,
            bb8::RunError::TimedOut => self.timed_out(started),
        }
    }

    fn timed_out(&self, started: Instant) -> Error {
        let state = self.state();
        let mut e = Error::from_kind(ErrorKind::PoolTimeout).with_detail(format!(
            "waited {:?} for a connection; {} of {} in use",
            started.elapsed(),
            state.in_use,
            state.max_size
        ));
        if let Some(cause) = self.shared.failures.since(started) {
            e = e.with_detail(format!(
                "last connection attempt failed: {}",
                cause.detail()
            ));
        }
        e
    }

    /// The pool's current size and use.
    pub fn state(&self) -> PoolState {
        let s = self.shared.bb8.state();
        PoolState {
            connections: s.connections,
            idle: s.idle_connections,
            in_use: s.connections.saturating_sub(s.idle_connections),
            max_size: self.shared.options.max_size,
        }
    }

    pub(crate) fn config(&self) -> &Config {
        &self.shared.config
    }

    /// Runs `f` in a transaction: commits when it returns `Ok`, rolls back
    /// on `Err` or panic. Serialization failures and deadlocks are retried
    /// (up to 3 attempts in all, with jittered backoff), so `f` may run more
    /// than once: keep side effects outside it.
    ///
    /// ```no_run
    /// # async fn demo(pool: &secure_pg::Pool) -> Result<(), secure_pg::Error> {
    /// use secure_pg::secure_query;
    /// let (from, to, amount) = (1_i64, 2_i64, 10_i64);
    /// pool.transaction(|tx| Box::pin(async move {
    ///     secure_query!("UPDATE accounts SET balance = balance - $1 WHERE id = $2", amount, from)
    ///         .execute(&mut *tx).await?;
    ///     secure_query!("UPDATE accounts SET balance = balance + $1 WHERE id = $2", amount, to)
    ///         .execute(&mut *tx).await?;
    ///     Ok(())
    /// })).await
    /// # }
    /// ```
    pub async fn transaction<R, F>(&self, f: F) -> Result<R, Error>
    where
        F: for<'t, 'c> FnMut(&'t mut Transaction<'c>) -> TxFuture<'t, R>,
    {
        self.transaction_with(TransactionOptions::default(), f)
            .await
    }

    /// [`Pool::transaction`] with an isolation level, retry budget and an
    /// optional tenant for row-level security.
    pub async fn transaction_with<R, F>(
        &self,
        options: TransactionOptions,
        mut f: F,
    ) -> Result<R, Error>
    where
        F: for<'t, 'c> FnMut(&'t mut Transaction<'c>) -> TxFuture<'t, R>,
    {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let mut conn = self.get().await?;
            let result = async {
                let mut tx = conn.begin_with(&options).await?;
                match f(&mut tx).await {
                    Ok(v) => tx.commit().await.map(|()| v),
                    Err(e) => {
                        // Report the caller's error even if rollback fails.
                        let _ = tx.rollback().await;
                        Err(e)
                    }
                }
            }
            .await;
            drop(conn);
            match result {
                Err(e) if e.is_retryable() && attempt < options.max_attempts => {
                    let backoff = backoff(attempt, options.base_backoff);
                    tracing::debug!(attempt, backoff_ms = backoff.as_millis() as u64, kind = ?e.kind(), "retrying transaction");
                    tokio::time::sleep(backoff).await;
                }
                other => return other,
            }
        }
    }
}

fn backoff(attempt: u32, base: Duration) -> Duration {
    // Full jitter: uniform in [0, base * 2^attempt).
    let cap = base.saturating_mul(1 << attempt.min(10));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    let mut x = nanos ^ 0x9E37_79B9_7F4A_7C15 ^ ((attempt as u64) << 32);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    let cap_nanos = cap.as_nanos().max(1) as u64;
    Duration::from_nanos(x % cap_nanos)
}

/// The future a transaction body returns.
pub type TxFuture<'t, R> = Pin<Box<dyn Future<Output = Result<R, Error>> + Send + 't>>;

/// How [`Pool::transaction_with`] runs a transaction.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TransactionOptions {
    /// Isolation level (default: the server's, usually READ COMMITTED).
    pub isolation: Option<IsolationLevel>,
    /// Attempts in all, retries of serialization failures and deadlocks
    /// included (default 3).
    pub max_attempts: u32,
    /// Base of the exponential, fully jittered backoff (default 10 ms).
    pub base_backoff: Duration,
    /// Tenant for row-level-security policies: set with
    /// `set_config('app.tenant_id', .., true)`, which ends with the
    /// transaction.
    pub tenant: Option<crate::tenant::TenantId>,
}

impl Default for TransactionOptions {
    fn default() -> Self {
        TransactionOptions {
            isolation: None,
            max_attempts: 3,
            base_backoff: Duration::from_millis(10),
            tenant: None,
        }
    }
}

impl TransactionOptions {
    /// `SERIALIZABLE` with retries.
    pub fn serializable() -> Self {
        TransactionOptions {
            isolation: Some(IsolationLevel::Serializable),
            ..Default::default()
        }
    }
    /// Sets the isolation level.
    pub fn isolation(mut self, level: IsolationLevel) -> Self {
        self.isolation = Some(level);
        self
    }
    /// Sets the number of attempts (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
    /// Scopes the transaction to `tenant` for row-level security.
    pub fn tenant(mut self, tenant: crate::tenant::TenantId) -> Self {
        self.tenant = Some(tenant);
        self
    }
}

/// A connection checked out of a [`Pool`]; returned when dropped.
pub struct PooledConnection<'p> {
    // Field order matters: the connection goes back to bb8 before the
    // permit lets the next waiter in.
    conn: bb8::PooledConnection<'p, Manager>,
    _permit: SemaphorePermit<'p>,
}

impl fmt::Debug for PooledConnection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledConnection")
            .field("info", &self.conn.info)
            .finish()
    }
}

impl Drop for PooledConnection<'_> {
    fn drop(&mut self) {
        let since_connect = self.conn.info.connected_at.elapsed().as_micros() as u64;
        self.conn.last_used.store(since_connect, Ordering::Relaxed);
    }
}

impl<'p> PooledConnection<'p> {
    pub(crate) fn conn(&self) -> &PgConn {
        &self.conn
    }

    /// What was verified about this connection when it was made.
    pub fn info(&self) -> &ConnectionInfo {
        &self.conn.info
    }

    /// The underlying `tokio_postgres::Client`, for what the macros do not
    /// cover. The connection is reset (`DISCARD ALL`) before its next
    /// checkout, since anything may have been run on it.
    pub fn client(&self) -> &Client {
        self.conn.state.mark_needs_reset();
        &self.conn.client
    }

    /// How many prepared statements this connection has cached.
    pub fn cached_statements(&self) -> usize {
        self.conn.state.cached_statements()
    }

    /// Begins a transaction on this connection.
    pub async fn transaction(&mut self) -> Result<Transaction<'_>, Error> {
        self.begin_with(&TransactionOptions::default()).await
    }

    pub(crate) async fn begin_with(
        &mut self,
        options: &TransactionOptions,
    ) -> Result<Transaction<'_>, Error> {
        self.conn.settle().await?;
        let conn: &mut PgConn = &mut self.conn;
        let mut begin = String::from("BEGIN");
        if let Some(level) = options.isolation {
            begin.push_str(match level {
                IsolationLevel::Serializable => " ISOLATION LEVEL SERIALIZABLE",
                IsolationLevel::RepeatableRead => " ISOLATION LEVEL REPEATABLE READ",
                IsolationLevel::ReadUncommitted => " ISOLATION LEVEL READ UNCOMMITTED",
                _ => " ISOLATION LEVEL READ COMMITTED",
            });
        }
        if let Some(t) = &options.tenant {
            // The tenant id is an integer: formatting it cannot inject SQL.
            // One round trip for BEGIN and the setting.
            begin.push_str(&format!(
                "; SELECT set_config('app.tenant_id', '{}', true)",
                t.get()
            ));
        }
        conn.state.enter_transaction();
        if let Err(e) = conn.client.batch_execute(&begin).await {
            return Err(Error::from(e));
        }
        Ok(Transaction {
            client: &conn.client,
            state: &conn.state,
            finished: false,
        })
    }
}

/// An open transaction. Commit it with [`Transaction::commit`]; dropping it
/// without committing rolls it back (before the connection is used again,
/// or by discarding the connection when it returns to the pool).
pub struct Transaction<'c> {
    client: &'c Client,
    state: &'c ConnState,
    finished: bool,
}

impl fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction")
            .field("finished", &self.finished)
            .finish()
    }
}

impl<'c> Transaction<'c> {
    pub(crate) fn client(&self) -> &'c Client {
        self.client
    }

    pub(crate) fn state(&self) -> &'c ConnState {
        self.state
    }

    /// Commits.
    pub async fn commit(mut self) -> Result<(), Error> {
        self.finish("COMMIT").await
    }

    /// Rolls back.
    pub async fn rollback(mut self) -> Result<(), Error> {
        self.finish("ROLLBACK").await
    }

    async fn finish(&mut self, sql: &str) -> Result<(), Error> {
        self.finished = true;
        // If this future is dropped before the server answers, `in_tx`
        // stays set and the connection is rolled back or discarded.
        self.client.batch_execute(sql).await.map_err(Error::from)?;
        self.state.leave_transaction();
        Ok(())
    }
}

/// Parts used by the health check.
impl Pool {
    async fn startup_lint(&self) -> Result<(), Error> {
        // The first connection is bounded by the connect timeout, which may
        // be longer than a checkout is allowed to wait once running.
        let timeout = self
            .shared
            .options
            .checkout_timeout
            .max(self.config().get_connect_timeout());
        let conn = self.get_within(timeout, None).await?;
        let posture = crate::posture::query_posture(&conn.conn().client).await;
        drop(conn);
        let Some(posture) = posture? else {
            return Ok(());
        };
        crate::posture::startup_check(
            &posture,
            self.config().get_sslmode(),
            self.config().environment.is_production(),
            self.shared.options.allow_weak_sslmode,
        )
    }

    pub(crate) fn options_checkout_timeout(&self) -> Duration {
        self.shared.options.checkout_timeout
    }
}
