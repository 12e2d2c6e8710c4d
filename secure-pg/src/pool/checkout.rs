//! Checking a connection out: the FIFO gate, the no-round-trip fast path,
//! the full path that waits for bb8 or a connect failure, and the
//! [`PooledConnection`] guard that returns the connection when dropped,
//! resetting its session first when it needs it.

use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::sync::OwnedSemaphorePermit;
use tokio_postgres::Client;

use crate::conn_state::ConnState;
use crate::connect::ConnectionInfo;
use crate::error::{Error, ErrorKind};
use crate::metrics::InUse;
use crate::telemetry::ServerAddr;

use super::manager::{Manager, PgConn};
use super::Pool;

/// A checked-out connection and its gate permit, owned so that a reset on
/// return can carry both into a spawned task. Field order matters: the
/// connection goes back to bb8 before the permit lets the next waiter in.
pub(super) struct Held {
    _in_use: InUse,
    conn: bb8::PooledConnection<'static, Manager>,
    _permit: OwnedSemaphorePermit,
}

impl Pool {
    /// Checks a connection out, waiting in FIFO order up to the checkout
    /// timeout. Every phase is inside it: the wait, a connect made for
    /// this checkout, and the ping, reset or recovery a pooled connection
    /// needs first (a connection whose round trip does not finish in time
    /// is discarded, never returned to the idle set).
    pub async fn get(&self) -> Result<PooledConnection<'_>, Error> {
        self.get_releasing(true).await
    }

    /// A checkout for one statement of a multiplexing pool that no shared
    /// connection could take (known slow, or every shared connection full
    /// or stalled). Unlike [`Pool::get`] it does not take idle shared
    /// connections back: under load, slow statements waiting for
    /// connections would otherwise keep taking the shared connection the
    /// short ones need.
    pub(crate) async fn get_for_statement(&self) -> Result<PooledConnection<'_>, Error> {
        self.get_releasing(false).await
    }

    async fn get_releasing(&self, release_shared: bool) -> Result<PooledConnection<'_>, Error> {
        let timer = self.shared.stats.checkout_started();
        let result = self.get_unmeasured(release_shared).await;
        let timed_out = matches!(&result, Err(e) if e.kind() == ErrorKind::PoolTimeout);
        (self.shared.stats).checkout_finished(timer, result.is_ok(), timed_out);
        result
    }

    async fn get_unmeasured(&self, release_shared: bool) -> Result<PooledConnection<'_>, Error> {
        let timeout = self.shared.options.checkout_timeout;
        // Fast path: a free permit (so nobody is queued ahead of us) and an
        // idle connection: no waiting and no failure watch. One timeout
        // bounds it; its timer is registered only if something has to wait
        // (the common checkout completes on the first poll).
        if let Ok(permit) = self.shared.gate.clone().try_acquire_owned() {
            if self.shared.bb8.state().idle_connections > 0 {
                let started = Instant::now();
                let fast = async {
                    let conn = self
                        .shared
                        .bb8
                        .get_owned()
                        .await
                        .map_err(|e| self.run_error(e, started))?;
                    Ok::<_, Error>(self.ready(conn, false).await)
                };
                match tokio::time::timeout(timeout, fast).await {
                    Ok(Ok(Some(conn))) => return Ok(self.hand_out(conn, permit)),
                    Ok(Err(e)) => return Err(e),
                    Ok(Ok(None)) => {
                        // That one was discarded: the full path, in what
                        // is left of the checkout timeout.
                        let left = timeout.saturating_sub(started.elapsed());
                        return Box::pin(self.get_within(left, Some(permit), false)).await;
                    }
                    Err(_) => {
                        let e = self.timed_out(started);
                        tracing::warn!(
                            wait_ms = started.elapsed().as_millis() as u64,
                            error = %e.detail(),
                            "checkout failed"
                        );
                        return Err(e);
                    }
                }
            }
            return Box::pin(self.get_within(timeout, Some(permit), false)).await;
        }
        Box::pin(self.get_waiting(release_shared, timeout)).await
    }

    /// [`Pool::get_unmeasured`] when every permit is taken.
    async fn get_waiting(
        &self,
        release_shared: bool,
        timeout: Duration,
    ) -> Result<PooledConnection<'_>, Error> {
        // Every permit is taken. Exclusive work gets a connection within a
        // bound whatever the shared traffic: while it waits no new shared
        // connection is opened, an idle shared connection gives its permit
        // up at once, and if the wait outlasts a short grace (other
        // exclusive holders usually give theirs back first) the least
        // busy shared connection takes no new statements and gives its
        // permit up as soon as those already on it have ended (see
        // `multiplex`). The checkout keeps its place in the FIFO
        // throughout.
        //
        // One `get_within` future whatever the branch: a waiting checkout
        // holds its future (boxed) for as long as it waits, and a future
        // per branch would each take its room.
        let waiting = if release_shared {
            self.exclusive_waiting()
        } else {
            None
        };
        let mut permit = None;
        if waiting.is_some() && self.release_idle_shared() > 0 {
            permit = self.shared.gate.clone().try_acquire_owned().ok();
        }
        // With a permit in hand there is nothing to wait for.
        let waiting = waiting.filter(|_| permit.is_none());
        let mut wait = std::pin::pin!(self.get_within(timeout, permit, false));
        let Some(waiting) = waiting else {
            return wait.await;
        };
        let grace = std::pin::pin!(tokio::time::sleep(waiting.grace()));
        if let futures_util::future::Either::Left((r, _)) =
            futures_util::future::select(wait.as_mut(), grace).await
        {
            return r;
        }
        self.retire_busy_shared_for_waiter();
        let r = wait.await;
        drop(waiting);
        r
    }

    /// A checkout with `permit` (or waiting for one), inside `timeout`.
    /// `sharing`: for the pool to share (see `Checks::quick`).
    pub(super) async fn get_within(
        &self,
        timeout: Duration,
        permit: Option<OwnedSemaphorePermit>,
        sharing: bool,
    ) -> Result<PooledConnection<'_>, Error> {
        let started = Instant::now();
        let attempt = async {
            let permit = match permit {
                Some(p) => p,
                None => self
                    .shared
                    .gate
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| Error::from_kind(ErrorKind::PoolTimeout))?,
            };
            // bb8's checkout future (336 bytes) and the checks (a ping or
            // a reset) are boxed: while this checkout waits for its permit,
            // its future holds neither (at c=64 on a pool of 8, 56 waiters
            // held 12.8 KiB each, kept by the allocator after the burst;
            // with bb8's future inline a waiter's is just over 1 KiB).
            loop {
                let get = self.shared.bb8.get_owned();
                let failed = std::pin::pin!(self.connect_failure_since(started));
                let conn = match futures_util::future::select(Box::pin(get), failed).await {
                    futures_util::future::Either::Left((r, _)) => {
                        r.map_err(|e| self.run_error(e, started))?
                    }
                    futures_util::future::Either::Right((e, _)) => return Err(e),
                };
                if let Some(conn) = self.ready(conn, sharing).await {
                    return Ok::<_, Error>(self.hand_out(conn, permit));
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

    /// The connection if it may be handed out: the quick check first (no
    /// round trip, the common case), then, when a reset or ping is due or
    /// the connection looks unusable, `checked`. That one is boxed,
    /// as every path that talks to the server: the common checkout's
    /// future stays small. `None`: the connection was discarded.
    async fn ready(
        &self,
        conn: bb8::PooledConnection<'static, Manager>,
        sharing: bool,
    ) -> Option<bb8::PooledConnection<'static, Manager>> {
        if let Ok(None) = self.shared.checks.quick(&conn, sharing) {
            return Some(conn);
        }
        Box::pin(self.checked(conn, sharing)).await
    }

    /// The connection if it passes the checkout checks (after a reset or
    /// ping when one is due); otherwise it is marked broken, so that bb8
    /// discards it when it is dropped here, and `None`.
    ///
    /// If this future is dropped mid-check (the checkout timed out), the
    /// connection is marked broken all the same: a ping or reset left
    /// unanswered must not go back to the idle set.
    async fn checked(
        &self,
        conn: bb8::PooledConnection<'static, Manager>,
        sharing: bool,
    ) -> Option<bb8::PooledConnection<'static, Manager>> {
        /// Marks the connection broken when dropped, unless disarmed.
        struct Unfinished<'a>(Option<&'a ConnState>);
        impl Drop for Unfinished<'_> {
            fn drop(&mut self) {
                if let Some(state) = self.0 {
                    tracing::debug!("checkout check unfinished; discarding the connection");
                    state.mark_broken();
                }
            }
        }
        let mut unfinished = Unfinished(Some(&conn.state));
        let outcome = self.shared.checks.prepare(&conn, sharing).await;
        unfinished.0 = None;
        drop(unfinished);
        match outcome {
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

    fn hand_out(
        &self,
        conn: bb8::PooledConnection<'static, Manager>,
        permit: OwnedSemaphorePermit,
    ) -> PooledConnection<'_> {
        PooledConnection {
            held: Some(Held {
                _in_use: InUse::start(),
                conn,
                _permit: permit,
            }),
            reset_timeout: self.shared.options.checkout_timeout,
            raw_handed_out: std::sync::atomic::AtomicBool::new(false),
            _pool: PhantomData,
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
}

/// A connection checked out of a [`Pool`]; returned when dropped.
///
/// A connection whose session may have changed (a session-changing
/// statement ran on it, or [`PooledConnection::client`] was handed out) is
/// reset when it is dropped, not at its next checkout: a spawned task runs
/// the session reset (bounded by the checkout timeout) while the connection
/// stays checked out, so no waiter can get it mid-reset, and only then
/// gives it back; on failure or timeout the connection is discarded.
/// Advisory locks, `WITH HOLD` cursors, temporary objects and settings
/// therefore do not linger on an idle connection. Dropping never blocks.
pub struct PooledConnection<'p> {
    held: Option<Held>,
    reset_timeout: Duration,
    /// [`PooledConnection::client`] was called during this checkout.
    raw_handed_out: std::sync::atomic::AtomicBool,
    _pool: PhantomData<&'p Pool>,
}

impl fmt::Debug for PooledConnection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledConnection")
            .field("info", &self.pg().info)
            .finish()
    }
}

impl Drop for PooledConnection<'_> {
    fn drop(&mut self) {
        let Some(held) = self.held.take() else {
            return;
        };
        let conn = &held.conn;
        let since_connect = conn.info.connected_at.elapsed().as_micros() as u64;
        conn.last_used.store(since_connect, Ordering::Relaxed);
        let state = &conn.state;
        // A transaction dropped before it sent anything (its `BEGIN` still
        // deferred) never reached the server: nothing to roll back.
        state.end_unsent_transaction();
        // A connection left in a transaction, broken or closed is discarded
        // by bb8 anyway (`Manager::has_broken`): nothing to reset, but a
        // statement it still runs is cancelled first, so that it does not
        // go on holding locks and a backend past the pool's size.
        let discarded = state.in_transaction() || state.is_broken() || conn.client.is_closed();
        // A broken connection already had its cancel attempt (or lost its
        // session): it is only discarded.
        let in_flight =
            state.statement_in_flight() && !state.is_broken() && !conn.client.is_closed();
        let due = (state.needs_reset() || in_flight) && !discarded;
        if due || in_flight {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                // If the runtime is shutting down the task is dropped
                // unrun: the connection goes back still marked, and the
                // checkout-time recovery or reset catches it.
                runtime.spawn(reset_on_return(held, self.reset_timeout));
                return;
            }
        }
        drop(held);
    }
}

/// On a returned connection, which stays checked out (and keeps its gate
/// permit) until it is done: a statement left in flight (its future or
/// row stream was dropped) is cancelled and waited for, then the session reset
/// runs if the session may have changed. All of it is bounded by the
/// checkout timeout; a failure or timeout marks the connection broken, so
/// bb8 discards it instead of taking it back. A connection to be discarded
/// anyway (inside a transaction) only gets the cancel.
async fn reset_on_return(held: Held, timeout: Duration) {
    let conn: &PgConn = &held.conn;
    let started = Instant::now();
    if conn.state.in_transaction() || conn.state.is_broken() {
        conn.state.cancel_in_flight().await;
        drop(held);
        return;
    }
    if let Err(e) = conn.state.recover(&conn.client, timeout).await {
        tracing::debug!(error = %e.detail(), "recovering a returned connection failed; discarding it");
        conn.state.mark_broken();
        drop(held);
        return;
    }
    if !conn.state.needs_reset() {
        drop(held);
        return;
    }
    let timeout = timeout.saturating_sub(started.elapsed());
    let outcome =
        tokio::time::timeout(timeout, crate::conn_state::reset_session(&conn.client)).await;
    match outcome {
        Ok(Ok(())) => conn.state.finish_reset(),
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "reset on return failed; discarding the connection");
            conn.state.mark_broken();
        }
        Err(_) => {
            tracing::debug!(
                ?timeout,
                "reset on return timed out; discarding the connection"
            );
            conn.state.mark_broken();
        }
    }
    drop(held);
}

impl<'p> PooledConnection<'p> {
    fn pg(&self) -> &PgConn {
        // `held` is only taken in `drop`.
        self.held
            .as_ref()
            .map(|h| &**h.conn)
            .expect("connection present")
    }

    pub(super) fn pg_conn(&self) -> &PgConn {
        self.pg()
    }

    /// The connection and its gate permit, for the pool to share it
    /// (`multiplex`); nothing happens on return here.
    pub(super) fn into_shared_parts(
        mut self,
    ) -> (
        InUse,
        bb8::PooledConnection<'static, Manager>,
        OwnedSemaphorePermit,
    ) {
        let held = self.held.take().expect("connection present");
        (held._in_use, held.conn, held._permit)
    }

    /// The client without marking the connection for reset, for the
    /// crate's own statements: the executor's (which mark it themselves
    /// when the macro says the statement changes session state) and the
    /// posture query.
    pub(crate) fn unmarked_client(&self) -> &Client {
        &self.pg().client
    }

    pub(crate) fn state(&self) -> &ConnState {
        &self.pg().state
    }

    /// Rolls back a transaction left open by a dropped future before the
    /// connection is used again directly.
    pub(crate) async fn settle(&self) -> Result<(), Error> {
        self.pg().settle().await
    }

    pub(crate) fn server(&self) -> Option<&ServerAddr> {
        self.pg().server.as_deref()
    }

    /// What was verified about this connection when it was made.
    pub fn info(&self) -> &ConnectionInfo {
        &self.pg().info
    }

    /// The underlying `tokio_postgres::Client`, for what the macros do not
    /// cover. The connection is reset (`RESET_SQL`) when it returns to
    /// the pool, since anything may have been run on it.
    ///
    /// The first call of a checkout also queues `DISCARD SEQUENCES` ahead of
    /// anything sent through the client: statements that leave no other
    /// session state (an `INSERT` whose `serial` default calls `nextval`)
    /// leave the session's `lastval()` and `currval()` to the next holder of
    /// the connection, and only raw SQL can read them (the macros refuse
    /// both; use `INSERT ... RETURNING`). So `lastval()` on the raw client
    /// sees this checkout's sequence calls made through it, never another
    /// caller's. Queuing does not wait for the answer.
    pub fn client(&self) -> &Client {
        let pg = self.pg();
        if !self
            .raw_handed_out
            .swap(true, std::sync::atomic::Ordering::AcqRel)
        {
            use futures_util::FutureExt;
            // The request is queued when the future is first polled; its
            // answer, read by the connection task, is dropped with it. A
            // connection that is gone fails the caller's own statement.
            let _ = pg.client.batch_execute("DISCARD SEQUENCES").now_or_never();
        }
        pg.state.mark_needs_reset();
        &pg.client
    }

    /// How many prepared statements this connection has cached.
    pub fn cached_statements(&self) -> usize {
        self.pg().state.cached_statements()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A checkout that waits (every connection in use) keeps its future,
    /// boxed, for as long as it waits: with 56 waiters on a pool of 8, a
    /// 12.8 KiB future was 700 KiB of heap, kept by the allocator after
    /// the burst. bb8's own checkout future and the checks are boxed
    /// only once the wait is over. (Sizes of futures: not a speed
    /// claim, and the same in debug and release builds here.)
    #[tokio::test]
    async fn a_waiting_checkout_holds_a_small_future() {
        let pool = crate::pool::unconnected_test_pool().await;
        let t = Duration::from_secs(1);
        let waiting = std::mem::size_of_val(&pool.get_waiting(true, t));
        let within = std::mem::size_of_val(&pool.get_within(t, None, false));
        let whole = std::mem::size_of_val(&pool.get());
        let bb8 = std::mem::size_of_val(&pool.shared.bb8.get_owned());
        assert!(waiting <= 1024, "get_waiting's future is {waiting} bytes");
        assert!(within <= 1024, "get_within's future is {within} bytes");
        // The first-poll path holds bb8's future inline (no allocation
        // for the common checkout). bb8's future holds the manager's
        // `is_valid` future inline, so that one is boxed: with it inline
        // bb8's was 3,104 bytes and `get`'s 3,416, and every checkout
        // moved them (callgrind: a third of the extra instructions per
        // statement at c=64 against deadpool were copies).
        assert!(bb8 <= 1024, "bb8's checkout future is {bb8} bytes");
        assert!(whole <= 1024, "get's future is {whole} bytes");
    }
}
