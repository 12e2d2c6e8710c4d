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
//! * **On return after a session change**: a session reset, `DISCARD ALL` but for the protocol-level statements (see below); a
//!   checkout still resets a connection that came back marked (the
//!   backstop when the reset task could not run).
//! * **On return with a statement in flight** (a query future or row
//!   stream dropped before the end of its result, or `fetch_one` that
//!   stopped at a second row): a cancel request, then an empty query that
//!   the server answers once the statement has ended, before anyone else
//!   gets the connection; one inside a transaction is discarded after the
//!   cancel.
//!
//! Every round trip of a checkout (ping, reset, recovery) and the connect
//! made for a waiting checkout are inside the checkout timeout; a
//! connection whose round trip does not finish in time is discarded.
//!
//! # Session state
//!
//! A statement that changes session state (`SET`, `RESET`, temporary
//! tables, `LISTEN`, `PREPARE`, `set_config(.., false)`) is known to the
//! macros at compile time; running one marks the connection. Raw access to
//! the `tokio_postgres::Client` marks it too, since anything may have been
//! run. When a marked connection is returned, a spawned task runs
//! the session reset while the connection is still checked out and holds its
//! gate permit, so no waiter can get it mid-reset and nothing (advisory
//! locks, `WITH HOLD` cursors, temporary tables, settings) lingers on an
//! idle connection; if the reset fails or outlasts the checkout timeout the
//! connection is discarded. If no runtime can run the task, the connection
//! goes back marked and its next checkout resets it. Ordinary queries cost
//! no extra round trip.
//!
//! # Fairness
//!
//! Checkouts pass through a FIFO semaphore with one permit per connection
//! before reaching bb8, so waiters are served in arrival order and a task
//! that returns a connection cannot take it straight back ahead of older
//! waiters.
//!
//! # Layout
//!
//! Split the way bb8 splits its own pool: `builder` (options and
//! [`PoolBuilder::build`]), `manager` (the bb8 connection manager, checkout
//! checks and the connect-failure board), `checkout` ([`Pool::get`] and
//! [`PooledConnection`]), `transaction` ([`Transaction`], its options and
//! the retrying [`Pool::transaction`]); this file holds [`Pool`] itself.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::config::Config;
use crate::error::Error;
use crate::metrics::{ConnectionsClosed, PoolStats};

mod builder;
mod checkout;
mod manager;
mod multiplex;
mod transaction;
mod verify;

pub use builder::PoolBuilder;
pub use checkout::PooledConnection;
pub use transaction::{Transaction, TransactionOptions, TxFuture};
pub use verify::{SchemaDifference, SchemaReport};

pub(crate) use multiplex::Fallback;

use builder::PoolOptions;
use manager::{Checks, FailureBoard, Manager};

/// What every clone of a [`Pool`] shares.
struct Shared {
    config: Arc<Config>,
    checks: Checks,
    failures: Arc<FailureBoard>,
    gate: Arc<Semaphore>,
    bb8: bb8::Pool<Manager>,
    options: PoolOptions,
    stats: Arc<PoolStats>,
    /// The shared connections, when multiplexing is on.
    multiplex: Option<multiplex::SharedSet>,
    /// The server, for query spans of multiplexed statements.
    server: Option<Arc<crate::telemetry::ServerAddr>>,
    /// The differences the last `verify_schema` found (none yet: empty).
    schema_drift: std::sync::Mutex<Vec<String>>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.stats.pool_dropped();
    }
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

/// A snapshot of the pool: its size now, and counters since it was built
/// (the same as the `metrics` feature reports, for services without a
/// metrics stack).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolState {
    /// Physical connections open (idle, checked out or shared).
    pub connections: u32,
    /// Idle connections.
    pub idle: u32,
    /// Connections checked out right now (exclusively: [`Pool::get`],
    /// transactions, and statements that are not multiplexed).
    pub in_use: u32,
    /// Connections the pool holds for multiplexed statements right now
    /// (see [`PoolBuilder::multiplex`]).
    pub shared: u32,
    /// Configured maximum.
    pub max_size: u32,
    /// Physical connections opened since the pool was built.
    pub connections_opened: u64,
    /// Physical connections closed since the pool was built, by cause.
    pub connections_closed: ConnectionsClosed,
    /// Successful exclusive checkouts ([`Pool::get`], transactions, and
    /// every query on `&Pool` that is not multiplexed).
    pub checkouts: u64,
    /// Statements on `&Pool` that ran on a shared connection without a
    /// checkout of their own.
    pub multiplexed: u64,
    /// Checkouts that failed with [`crate::ErrorKind::PoolTimeout`].
    pub checkout_timeouts: u64,
    /// Times the credential provider was asked for a password (cached
    /// answers not counted).
    pub credential_fetches: u64,
    /// Of those, the ones that failed.
    pub credential_failures: u64,
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

    /// The pool's current size and use.
    pub fn state(&self) -> PoolState {
        let shared = self.shared.multiplex.as_ref().map_or(0, |m| m.len());
        let s = self.shared.bb8.state();
        let n = self.shared.stats.counters();
        PoolState {
            connections: s.connections,
            idle: s.idle_connections,
            in_use: s
                .connections
                .saturating_sub(s.idle_connections)
                .saturating_sub(shared),
            shared,
            max_size: self.shared.options.max_size,
            connections_opened: n.opened,
            connections_closed: n.closed,
            checkouts: n.checkouts,
            multiplexed: n.multiplexed,
            checkout_timeouts: n.checkout_timeouts,
            credential_fetches: n.credential_fetches,
            credential_failures: n.credential_failures,
        }
    }

    pub(crate) fn config(&self) -> &Config {
        &self.shared.config
    }

    pub(crate) fn options_tenant_column(&self) -> &str {
        &self.shared.options.tenant_column
    }

    pub(crate) fn options_checkout_timeout(&self) -> Duration {
        self.shared.options.checkout_timeout
    }

    pub(crate) fn options_statement_cache(&self) -> bool {
        self.shared.options.statement_cache
    }

    /// Keeps what a `verify_schema` found, for the health check.
    pub(crate) fn note_schema_drift(&self, differences: Vec<String>) {
        *self
            .shared
            .schema_drift
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = differences;
    }

    /// The `schema-drift` finding, when the last `verify_schema` found
    /// differences.
    pub(crate) fn schema_drift_finding(&self) -> Option<crate::posture::Finding> {
        let drift = self
            .shared
            .schema_drift
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        (!drift.is_empty()).then(|| crate::posture::Finding {
            code: crate::posture::FindingCode::SchemaDrift,
            severity: crate::posture::Severity::Warning,
            message: format!(
                "the database differs from what this binary's statements were checked \
                 against (Pool::verify_schema): {}",
                drift.join("; ")
            ),
        })
    }

    pub(crate) fn server(&self) -> Option<&crate::telemetry::ServerAddr> {
        self.shared.server.as_deref()
    }
}

/// A pool that never connects (`lazy`, no server behind it), for unit
/// tests of what does not reach the server: the sizes of futures.
#[cfg(test)]
pub(crate) async fn unconnected_test_pool() -> Pool {
    let config =
        crate::Config::parse_with_env("postgres://u:p@localhost/db?sslmode=disable", |_| None)
            .unwrap();
    Pool::builder()
        .lazy(true)
        .dangerous_allow_sslmode_below_verify_full()
        .build(config)
        .await
        .unwrap()
}
