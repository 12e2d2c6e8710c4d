//! Per-connection state: the statement cache and the flags that decide
//! whether a connection may be handed out again. This module is the only
//! place that writes them; everything else goes through its methods.

use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::{OnceLock, RwLock};
use std::time::{Duration, Instant};

use tokio_postgres::{Client, Statement};

use crate::connect::Canceller;
use crate::error::{Error, ErrorKind, SqlState};

/// [`ConnState::transaction_tenant`] when no tenant is set (no tenant id
/// is `i64::MIN`: `set_tenant_sql` formats any id, but this one would only
/// ever be set deliberately).
const NO_TENANT: i64 = i64::MIN;

/// Per-connection state shared with transactions and query handles.
#[derive(Debug)]
pub(crate) struct ConnState {
    cache: StatementCache,
    /// A transaction was begun and not (yet) finished.
    in_tx: AtomicBool,
    /// The `BEGIN` of the open transaction (with its isolation level and
    /// tenant setting), while it waits for the transaction's first
    /// statement: it goes out with that statement, in the same round
    /// trip, and a transaction that runs no statement sends nothing.
    deferred_begin: std::sync::Mutex<Option<String>>,
    /// The tenant the open transaction set for row-level security
    /// (`i64::MIN`: none), so that a scoped statement in it runs for that
    /// tenant or sets it.
    tx_tenant: AtomicI64,
    /// Session state may have changed; reset before the next checkout.
    needs_reset: AtomicBool,
    /// A query saw the connection fail; never hand it out again.
    broken: AtomicBool,
    /// A statement was sent and its end not yet seen: the future running
    /// it (or a row stream) was dropped, or it is running now. Cleared when
    /// any later statement ends, since the server answers in order.
    in_flight: AtomicBool,
    /// Client-side bound on each statement (see `PoolBuilder::query_timeout`).
    query_timeout: Option<Duration>,
    /// Sends cancel requests for this connection's statements.
    canceller: Option<Canceller>,
    /// Counters for while the pool shares the connection between callers
    /// (multiplexing); unused otherwise.
    sharing: Sharing,
    /// The session's `lock_timeout` is the short one of shared use (see
    /// [`LockTimeout`]): set when the pool starts sharing the connection,
    /// cleared when a checkout restores the session's default
    /// (`RESET lock_timeout`, or the session reset).
    lock_timeout: AtomicU8,
}

/// What the session's `lock_timeout` is, as far as the pool set it.
///
/// A shared connection runs with a short `lock_timeout`, so that a
/// statement waiting for a lock cannot hold the statements pipelined
/// behind it for longer than that (they may belong to the very
/// transaction it waits for). When the session's own default is shorter
/// still, that default is kept, and a lock timeout is then the caller's
/// own error rather than the pool's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum LockTimeout {
    /// The session's default (what the server, role, database or the
    /// connection's startup `options` say).
    Default = 0,
    /// The pool's short timeout for shared use: a `55P03` from it means
    /// the statement waited for a lock and did nothing else, so it may be
    /// sent again on a connection of its own.
    Shared = 1,
    /// Shared use, but the session's default was already at least as
    /// short: a `55P03` is the caller's own.
    SharedUsersOwn = 2,
}

/// A connection's state while the pool shares it: many statements from
/// different callers in flight at once, each with its own `Sync`, answered
/// in order. The single `in_flight` flag above is not used then.
#[derive(Debug, Default)]
struct Sharing {
    /// Statements sent here whose end was not yet read.
    in_flight: AtomicU32,
    /// When a statement last ended here, or the first one started after a
    /// quiet spell ([`now_us`]): the connection is stalled when statements
    /// are in flight and none has ended for a while.
    last_progress: AtomicU64,
    /// Takes no new statements (a cancel was sent on it, or the pool
    /// stopped sharing it).
    retired: AtomicBool,
    /// A cancel request was sent while it was shared: any other statement
    /// on it that ends with `57014` was hit by that cancel, and when it goes
    /// back to bb8 it is brought to rest (cancel, then an empty query) before
    /// anyone checks it out.
    cancelled: AtomicBool,
    /// Orders what callers write to the connection. Every shared
    /// statement's future is polled with it held for reading (its requests
    /// are queued inside those polls); a tenant transaction's `BEGIN`,
    /// setting, statement and `COMMIT` are queued in one poll with it held
    /// for writing, so no other caller's request can land between them and
    /// run inside that transaction (see [`ConnState::gated`]).
    sends: RwLock<()>,
}

/// How a future that writes to a connection is polled: see
/// [`ConnState::gated`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gate {
    /// A connection of its own: nobody else writes to it.
    Open,
    /// A shared connection: each poll holds the gate for reading.
    Shared,
    /// A shared connection, and what the first poll queues must reach the
    /// server with nothing between: the first poll holds the gate for
    /// writing, the later ones for reading.
    SharedTogether,
}

/// Microseconds since a process-wide origin: a clock that fits an atomic.
pub(crate) fn now_us() -> u64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_micros() as u64
}

/// How a statement on a shared connection ended.
pub(crate) enum SharedOutcome<R> {
    /// Its own result (or error), including its own `query_timeout`.
    Done(Result<R, Error>),
    /// It failed with `57014` after another caller's `query_timeout` sent a
    /// cancel on the same connection: the cancel was meant for someone
    /// else's statement. The error means its implicit transaction rolled
    /// back, so it may be sent again on another connection.
    CancelledForAnother(Error),
}

impl ConnState {
    pub(crate) fn new(
        statement_cache: bool,
        query_timeout: Option<Duration>,
        canceller: Option<Canceller>,
    ) -> Self {
        ConnState {
            cache: StatementCache::new(statement_cache),
            in_tx: AtomicBool::new(false),
            deferred_begin: std::sync::Mutex::new(None),
            tx_tenant: AtomicI64::new(NO_TENANT),
            needs_reset: AtomicBool::new(false),
            broken: AtomicBool::new(false),
            in_flight: AtomicBool::new(false),
            query_timeout,
            canceller,
            sharing: Sharing::default(),
            lock_timeout: AtomicU8::new(LockTimeout::Default as u8),
        }
    }

    /// What the session's `lock_timeout` is now (see [`LockTimeout`]).
    pub(crate) fn lock_timeout(&self) -> LockTimeout {
        match self.lock_timeout.load(Ordering::Acquire) {
            1 => LockTimeout::Shared,
            2 => LockTimeout::SharedUsersOwn,
            _ => LockTimeout::Default,
        }
    }

    /// The pool set (or restored) the session's `lock_timeout`.
    pub(crate) fn set_lock_timeout(&self, now: LockTimeout) {
        self.lock_timeout.store(now as u8, Ordering::Release);
    }

    /// The pool starts sharing this connection (it was at rest, checked
    /// out exclusively by the pool itself).
    pub(crate) fn begin_sharing(&self) {
        let s = &self.sharing;
        s.in_flight.store(0, Ordering::Release);
        s.last_progress.store(now_us(), Ordering::Release);
        s.retired.store(false, Ordering::Release);
        s.cancelled.store(false, Ordering::Release);
    }

    /// One more statement is about to be sent on the shared connection;
    /// returns how many were in flight before it.
    pub(crate) fn shared_statement_started(&self, now: u64) -> u32 {
        let before = self.sharing.in_flight.fetch_add(1, Ordering::AcqRel);
        if before == 0 {
            self.sharing.last_progress.store(now, Ordering::Release);
        }
        before
    }

    /// A statement on the shared connection (sent at `started`, see
    /// [`now_us`]) is done with it: `finished` when the end of its result
    /// was read. Returns its service time: from when the connection
    /// started on it (its send, or the end of the statement before it,
    /// whichever came later) to its end; `None` when it was not finished
    /// (its future was dropped, or `fetch_one` stopped at a second row):
    /// then it may still be running, in front of other callers'
    /// statements, so the connection is retired and the caller must run
    /// [`ConnState::cancel_abandoned`].
    pub(crate) fn shared_statement_ended(&self, started: u64, finished: bool) -> Option<u64> {
        let service = if finished {
            let now = now_us();
            let previous = self.sharing.last_progress.swap(now, Ordering::AcqRel);
            Some(now.saturating_sub(started.max(previous)))
        } else {
            self.retire_sharing();
            self.sharing.cancelled.store(true, Ordering::Release);
            None
        };
        self.sharing.in_flight.fetch_sub(1, Ordering::AcqRel);
        service
    }

    /// Cancels a statement abandoned on a shared connection, again every
    /// [`CANCEL_AGAIN_AFTER`] while statements are in flight and none has
    /// ended since the last cancel (a few times at most: the checkout
    /// that next gets the connection finishes the job, see
    /// [`ConnState::sharing_ended`]).
    pub(crate) async fn cancel_abandoned(&self) {
        let Some(canceller) = &self.canceller else {
            self.mark_broken();
            return;
        };
        for _ in 0..8 {
            let sent = now_us();
            if let Err(e) = canceller.cancel().await {
                tracing::debug!(error = %e.detail(), "cancelling an abandoned shared statement failed");
                self.mark_broken();
                return;
            }
            tokio::time::sleep(CANCEL_AGAIN_AFTER).await;
            if self.shared_in_flight() == 0
                || self.sharing.last_progress.load(Ordering::Acquire) > sent
            {
                return;
            }
        }
    }

    /// The pool stops sharing the connection and gives it back to bb8 (the
    /// last statement on it has ended). If a cancel was sent on it, it is
    /// marked as having a statement in flight, so the next checkout sends
    /// a cancel and an empty query and reuses it only once the server has
    /// confirmed that nothing is pending (see [`ConnState::recover`]).
    pub(crate) fn sharing_ended(&self) {
        if self.sharing.cancelled.load(Ordering::Acquire) {
            self.statement_started();
        }
    }

    /// Statements in flight on the shared connection.
    pub(crate) fn shared_in_flight(&self) -> u32 {
        self.sharing.in_flight.load(Ordering::Acquire)
    }

    /// Statements are in flight and none has ended for `after_us`: the
    /// one at the head is long, and whatever is sent now waits behind it.
    pub(crate) fn shared_stalled(&self, now: u64, after_us: u64) -> bool {
        self.shared_in_flight() > 0
            && now.saturating_sub(self.sharing.last_progress.load(Ordering::Acquire)) > after_us
    }

    /// Microseconds since a statement last ended (or started on the idle
    /// connection).
    pub(crate) fn shared_quiet_for(&self, now: u64) -> u64 {
        now.saturating_sub(self.sharing.last_progress.load(Ordering::Acquire))
    }

    /// Takes no new shared statements from now on.
    pub(crate) fn retire_sharing(&self) {
        self.sharing.retired.store(true, Ordering::Release);
    }

    pub(crate) fn sharing_retired(&self) -> bool {
        self.sharing.retired.load(Ordering::Acquire)
    }

    /// Polls `fut`, which writes to this connection, as `gate` says.
    ///
    /// tokio-postgres queues a request when its future is first polled, and
    /// many callers' futures are polled on several threads at once, so the
    /// order of their requests is the order of those polls. Holding the
    /// gate while polling makes a poll that queues several requests (a
    /// tenant transaction's four) atomic against every other caller's
    /// poll. A poll only encodes and queues, or reads answers already
    /// received, so the gate is held for microseconds and never across an
    /// `await` that waits for the server.
    ///
    /// `fut` comes pinned by the caller (`std::pin::pin!`): taken by
    /// value, an `async fn` keeps its argument and the pinned copy as two
    /// fields, doubling the size of every statement's future here.
    pub(crate) async fn gated<F: Future>(&self, gate: Gate, mut fut: Pin<&mut F>) -> F::Output {
        if gate == Gate::Open {
            return fut.await;
        }
        let mut together = gate == Gate::SharedTogether;
        std::future::poll_fn(|cx| {
            let sends = &self.sharing.sends;
            if std::mem::take(&mut together) {
                let _held = sends.write().unwrap_or_else(|e| e.into_inner());
                fut.as_mut().poll(cx)
            } else {
                let _held = sends.read().unwrap_or_else(|e| e.into_inner());
                fut.as_mut().poll(cx)
            }
        })
        .await
    }

    /// Runs one statement on a shared connection under `query_timeout`.
    ///
    /// A cancel request stops whatever the backend is running when it
    /// arrives, and other callers' statements are queued on the same
    /// backend, so when the timeout fires:
    ///
    /// * the connection is retired at once (no new statements go to it);
    ///   once the statements on it have ended it goes back to bb8 marked,
    ///   so a cancel still pending on the backend cannot reach anyone
    ///   later (see [`ConnState::sharing_ended`]);
    /// * the cancel is sent (again every [`CANCEL_AGAIN_AFTER`] until the
    ///   statement ends, as on an exclusive connection);
    /// * another caller's statement on it that then fails with `57014`
    ///   comes back as [`SharedOutcome::CancelledForAnother`], so the
    ///   executor sends it again elsewhere: a statement that failed rolled
    ///   back, so nothing is applied twice.
    ///
    /// No other caller sees an error because of this caller's timeout, and
    /// the connection is not closed while it carries their statements.
    pub(crate) async fn bounded_shared<R, F>(&self, mut fut: Pin<&mut F>) -> SharedOutcome<R>
    where
        F: Future<Output = Result<R, Error>>,
    {
        let r = match self.query_timeout {
            None => fut.as_mut().await,
            Some(limit) => match tokio::time::timeout(limit, fut.as_mut()).await {
                Ok(r) => r,
                Err(_) => {
                    // Boxed, as in `bounded`.
                    let cancelled = Box::pin(self.cancel_shared_after_timeout(limit, fut));
                    return SharedOutcome::Done(cancelled.await);
                }
            },
        };
        if let Err(e) = &r {
            if e.kind() == ErrorKind::Connection {
                self.mark_broken();
            }
            if e.sqlstate() == Some(&SqlState::QUERY_CANCELED)
                && self.sharing.cancelled.load(Ordering::Acquire)
            {
                if let Err(e) = r {
                    return SharedOutcome::CancelledForAnother(e);
                }
            }
        }
        SharedOutcome::Done(r)
    }

    async fn cancel_shared_after_timeout<R, F>(
        &self,
        limit: Duration,
        fut: Pin<&mut F>,
    ) -> Result<R, Error>
    where
        F: Future<Output = Result<R, Error>>,
    {
        let timed_out = |what: &str| {
            Error::from_kind(ErrorKind::QueryTimeout).with_detail(format!(
                "client-side query_timeout of {limit:?} elapsed on a shared (multiplexed) \
                 connection; {what}"
            ))
        };
        // Before the cancel goes out: whoever it hits can tell.
        self.retire_sharing();
        self.sharing.cancelled.store(true, Ordering::Release);
        let Some(canceller) = &self.canceller else {
            self.mark_broken();
            return Err(timed_out(
                "the connection is discarded once the other statements on it end",
            ));
        };
        match cancel_until_done(canceller, canceller.timeout(), fut).await {
            Err(e) => {
                tracing::debug!(error = %e.detail(), "cancel after query_timeout failed");
                self.mark_broken();
                Err(timed_out(
                    "the cancel request could not be delivered, so the statement may still be \
                     running; the connection takes no new statements and is discarded once \
                     the others on it end",
                )
                .with_detail(e.detail().to_string()))
            }
            Ok((Some(Err(e)), _)) if e.kind() == ErrorKind::QueryTimeout => {
                Err(e.with_detail(format!(
                    "client-side query_timeout of {limit:?} elapsed; the statement was \
                     cancelled on the server; the shared connection it ran on takes no new \
                     statements, and is checked before it is used again"
                )))
            }
            // It ended on its own before the cancel landed.
            Ok((Some(r), _)) => r,
            Ok((None, _)) => {
                self.mark_broken();
                Err(timed_out(&format!(
                    "a cancel was sent but the statement did not end within {:?}; the \
                     connection takes no new statements and is discarded once the others on it end",
                    canceller.timeout()
                )))
            }
        }
    }

    /// A statement's request is about to be sent.
    pub(crate) fn statement_started(&self) {
        self.in_flight.store(true, Ordering::Release);
    }

    /// A statement's end (its result, or an error from the server) was
    /// read: nothing sent before it is still running either.
    pub(crate) fn statement_finished(&self) {
        self.in_flight.store(false, Ordering::Release);
    }

    /// A statement may still be running: its future or row stream was
    /// dropped before the end of its result was read.
    pub(crate) fn statement_in_flight(&self) -> bool {
        self.in_flight.load(Ordering::Acquire)
    }

    /// Runs one statement's round trips (`fut`) under `query_timeout`,
    /// tracking it as in flight until it ends.
    ///
    /// When the timeout fires, a cancel request is sent to the server (its
    /// own short connection, bounded by [`Canceller::timeout`]) and the
    /// statement is awaited for as long again: it then ends with 57014
    /// and the connection, back at rest, stays usable. If the cancel
    /// cannot be delivered, or the statement does not end after it, the
    /// connection is marked broken. Either way the caller gets
    /// [`ErrorKind::QueryTimeout`] unless the statement ended on its own
    /// in the meantime, in which case its own result is returned.
    ///
    /// On a connection marked broken nothing is sent: the session is gone or
    /// its answers can no longer be matched to its statements (see
    /// [`ConnState::mark_broken`]), and the pool discards it on return.
    ///
    /// `fut` comes pinned by the caller (`std::pin::pin!`), as for
    /// [`ConnState::gated`].
    pub(crate) async fn bounded<R, F>(&self, mut fut: Pin<&mut F>) -> Result<R, Error>
    where
        F: Future<Output = Result<R, Error>>,
    {
        if self.is_broken() {
            return Err(Error::from_kind(ErrorKind::Connection).with_detail(
                "the connection was lost or left out of step with the server by an earlier \
                 failure, and nothing more is sent on it; it is discarded when returned to \
                 the pool (an open transaction on it is rolled back by the server)",
            ));
        }
        self.statement_started();
        let Some(limit) = self.query_timeout else {
            let r = fut.as_mut().await;
            self.note_end(&r);
            return r;
        };
        match tokio::time::timeout(limit, fut.as_mut()).await {
            Ok(r) => {
                self.note_end(&r);
                r
            }
            // Boxed: the cancel's own connection is a large future, and
            // every statement's future would otherwise carry its size.
            Err(_) => Box::pin(self.cancel_after_timeout(limit, fut)).await,
        }
    }

    fn note_end<R>(&self, r: &Result<R, Error>) {
        // A connection error ends the statement too: the session is gone
        // (or unusable), so there is nothing left to cancel.
        if let Err(e) = r {
            if e.kind() == ErrorKind::Connection {
                self.mark_broken();
            }
        }
        self.statement_finished();
    }

    async fn cancel_after_timeout<R, F>(
        &self,
        limit: Duration,
        fut: Pin<&mut F>,
    ) -> Result<R, Error>
    where
        F: Future<Output = Result<R, Error>>,
    {
        let timed_out = |what: &str| {
            Error::from_kind(ErrorKind::QueryTimeout).with_detail(format!(
                "client-side query_timeout of {limit:?} elapsed; {what}"
            ))
        };
        let Some(canceller) = &self.canceller else {
            self.mark_broken();
            return Err(timed_out("the connection is discarded"));
        };
        let (ended, confirmed) = match cancel_until_done(canceller, canceller.timeout(), fut).await
        {
            Ok(ended) => ended,
            Err(e) => {
                tracing::debug!(error = %e.detail(), "cancel after query_timeout failed");
                self.mark_broken();
                return Err(timed_out(
                    "the cancel request could not be delivered, so the statement may still be \
                     running; the connection is discarded",
                )
                .with_detail(e.detail().to_string()));
            }
        };
        if ended.is_some() && !confirmed {
            // A cancel may still be on its way to the server: it must not
            // land on someone else's statement.
            self.mark_broken();
        }
        match ended {
            Some(Err(e)) if e.kind() == ErrorKind::QueryTimeout && !confirmed => Err(e
                .with_detail(format!(
                    "client-side query_timeout of {limit:?} elapsed; the statement was \
                     cancelled on the server; the connection is discarded, since a cancel \
                     request without TLS cannot be confirmed as processed"
                ))),
            Some(Err(e)) if e.kind() == ErrorKind::QueryTimeout => {
                self.statement_finished();
                Err(e.with_detail(format!(
                    "client-side query_timeout of {limit:?} elapsed; the statement was \
                     cancelled on the server and the connection is reusable"
                )))
            }
            Some(r) => {
                // It ended on its own before the cancel landed (a cancel
                // reaching an idle session does nothing).
                self.note_end(&r);
                r
            }
            None => {
                self.mark_broken();
                Err(timed_out(&format!(
                    "a cancel was sent but the statement did not end within {:?}; the \
                     connection is discarded",
                    canceller.timeout()
                )))
            }
        }
    }

    /// Brings a connection whose statement was left in flight back to
    /// rest: a cancel request, then an empty query, which the server
    /// answers only once the cancelled statement has ended, bounded by
    /// `limit`. An error means the connection must be discarded.
    pub(crate) async fn recover(&self, client: &Client, limit: Duration) -> Result<(), Error> {
        if !self.statement_in_flight() {
            return Ok(());
        }
        let canceller = self.canceller.as_ref().ok_or_else(|| {
            Error::from_kind(ErrorKind::Connection)
                .with_detail("no cancel token for a statement in flight")
        })?;
        let drain = async {
            match client.simple_query("").await {
                Ok(_) => Ok(()),
                Err(e) if e.as_db_error().is_some() => Ok(()),
                Err(e) => Err(Error::from(e)),
            }
        };
        match cancel_until_done(canceller, limit, std::pin::pin!(drain)).await? {
            (Some(Ok(())), false) => Err(Error::from_kind(ErrorKind::Connection).with_detail(
                "a cancel request without TLS cannot be confirmed as processed; not reusing the \
                 connection",
            )),
            (Some(Ok(())), true) => {
                self.statement_finished();
                Ok(())
            }
            (Some(Err(e)), _) => Err(e),
            (None, _) => Err(Error::from_kind(ErrorKind::Connection).with_detail(format!(
                "a statement left in flight did not end within {limit:?} of a cancel"
            ))),
        }
    }

    /// Sends a cancel request for whatever the connection is running, for
    /// a connection about to be discarded with a statement in flight.
    pub(crate) async fn cancel_in_flight(&self) {
        if let (true, Some(c)) = (self.statement_in_flight(), &self.canceller) {
            if let Err(e) = c.cancel().await {
                tracing::debug!(error = %e.detail(), "cancel before discarding failed");
            }
        }
    }

    /// The connection failed or is in an unknown state: the pool must
    /// discard it rather than hand it out again.
    pub(crate) fn mark_broken(&self) {
        self.broken.store(true, Ordering::Release);
    }

    pub(crate) fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Acquire)
    }

    /// A `BEGIN` is about to be sent. Set before the round trip, so that a
    /// future dropped mid-`BEGIN` still leaves the connection marked.
    pub(crate) fn enter_transaction(&self) {
        self.in_tx.store(true, Ordering::Release);
    }

    /// Opens a transaction whose `BEGIN` (`begin`, which may set the
    /// isolation level and the tenant after it) is sent with the
    /// transaction's first statement: see [`ConnState::take_begin`].
    ///
    /// A `BEGIN` queued before a statement in one round trip is safe only
    /// because `BEGIN` starts the transaction block before anything in it
    /// can fail: when an option or the tenant setting fails, the block is
    /// left aborted and the statement behind it fails with `25P02`
    /// instead of running on its own. Only a `BEGIN` that fails outright
    /// (the connection or the server failing) could let it run outside.
    pub(crate) fn defer_begin(&self, begin: String) {
        *self.deferred() = Some(begin);
        self.enter_transaction();
    }

    fn deferred(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.deferred_begin
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The deferred `BEGIN` of the open transaction, if nothing was sent in
    /// it yet: the caller sends it ahead of the statement it is about to
    /// send (queued first, so the server runs it first).
    pub(crate) fn take_begin(&self) -> Option<String> {
        if !self.in_transaction() {
            return None;
        }
        self.deferred().take()
    }

    /// Sends the deferred `BEGIN` on its own round trip, for what cannot
    /// carry it along (a copy, a row stream's tenant setting).
    pub(crate) async fn send_deferred_begin(&self, client: &Client) -> Result<(), Error> {
        if let Some(begin) = self.take_begin() {
            self.bounded(std::pin::pin!(async {
                client.batch_execute(&begin).await.map_err(Error::from)
            }))
            .await?;
        }
        Ok(())
    }

    /// Ends the open transaction without a word to the server when it has
    /// sent nothing yet (its `BEGIN` is still deferred); whether it did.
    pub(crate) fn end_unsent_transaction(&self) -> bool {
        if self.take_begin().is_some() {
            self.leave_transaction();
            return true;
        }
        false
    }

    /// The server confirmed `COMMIT` or `ROLLBACK`.
    pub(crate) fn leave_transaction(&self) {
        self.tx_tenant.store(NO_TENANT, Ordering::Release);
        self.in_tx.store(false, Ordering::Release);
    }

    /// The open transaction set `tenant` for row-level security.
    pub(crate) fn set_transaction_tenant(&self, tenant: i64) {
        self.tx_tenant.store(tenant, Ordering::Release);
    }

    /// The tenant the open transaction set, if any.
    pub(crate) fn transaction_tenant(&self) -> Option<i64> {
        match self.tx_tenant.load(Ordering::Acquire) {
            NO_TENANT => None,
            t => Some(t),
        }
    }

    pub(crate) fn in_transaction(&self) -> bool {
        self.in_tx.load(Ordering::Acquire)
    }

    /// Session state may have changed: run the session reset before the next
    /// checkout.
    pub(crate) fn mark_needs_reset(&self) {
        self.needs_reset.store(true, Ordering::Release);
    }

    pub(crate) fn needs_reset(&self) -> bool {
        self.needs_reset.load(Ordering::Acquire)
    }

    /// The reset succeeded. It keeps the protocol-level prepared
    /// statements (see [`RESET_SQL`]), so the cache stays.
    pub(crate) fn finish_reset(&self) {
        // The reset includes `RESET ALL`.
        self.set_lock_timeout(LockTimeout::Default);
        self.needs_reset.store(false, Ordering::Release);
    }

    /// Whether statements are prepared and cached (off in PgBouncer mode,
    /// where the executor sends unnamed statements instead).
    pub(crate) fn statement_cache_enabled(&self) -> bool {
        self.cache.enabled
    }

    /// The cached statement for `sql`, prepared on `client` on first use.
    pub(crate) async fn cached_statement(
        &self,
        client: &Client,
        sql: &'static str,
    ) -> Result<Statement, Error> {
        self.cache.get_or_prepare(client, sql).await
    }

    /// Forgets the statement for `sql` (the server no longer knows it).
    pub(crate) fn evict_statement(&self, sql: &'static str) {
        self.cache.evict(sql);
    }

    /// How many prepared statements are cached.
    pub(crate) fn cached_statements(&self) -> usize {
        self.cache.len()
    }
}

/// What `DISCARD ALL` does (settings, role, temporary objects, cursors,
/// listeners, advisory locks, cached plans, sequence state such as
/// `lastval`), except `DEALLOCATE ALL`: only the statements prepared with
/// SQL's `PREPARE` are deallocated. The protocol-level statements stay,
/// ours (cached, still valid) and tokio-postgres's own, with which it
/// looks up enum, composite and domain types: dropped by `DISCARD ALL`,
/// the client kept using them, and every later lookup of a user type on
/// that connection failed with `prepared statement "sN" does not exist`.
///
/// It first ends any transaction the connection was left in (raw client
/// access, a migration's run dropped mid-way) with `ROLLBACK`: `DISCARD
/// ALL` refused to run in one, which discarded the connection, and the
/// statements below would otherwise run inside it and leave it open.
/// `client_min_messages` is raised for that `ROLLBACK` alone (it is rolled
/// back with it), so that a connection with no transaction does not log a
/// warning at every reset. A transaction that failed refuses the `SET`:
/// the reset fails and the connection is discarded, as before. One
/// message, run as implicit transactions.
pub(crate) const RESET_SQL: &str = "SET client_min_messages = error; ROLLBACK; CLOSE ALL; \
    SET SESSION AUTHORIZATION DEFAULT; RESET ALL; \
    UNLISTEN *; SELECT pg_advisory_unlock_all(); DISCARD PLANS; DISCARD TEMP; \
    DISCARD SEQUENCES; DO $reset$ DECLARE s record; BEGIN \
    FOR s IN SELECT name FROM pg_prepared_statements WHERE from_sql LOOP \
    EXECUTE format('DEALLOCATE %I', s.name); END LOOP; END $reset$";

/// Resets a session for its next user: [`RESET_SQL`], and a fresh random
/// seed, which `DISCARD ALL` leaves alone: after a `setseed`, every later
/// `random()` of the session would otherwise be predictable. The seed
/// comes from the operating system's random source on this side (52 bits,
/// what `setseed` takes), in its own message pipelined before the reset,
/// so the reset stays one round trip.
pub(crate) async fn reset_session(client: &Client) -> Result<(), tokio_postgres::Error> {
    let reseed = format!("SELECT setseed({})", fresh_seed());
    futures_util::future::try_join(
        client.batch_execute(&reseed),
        client.batch_execute(RESET_SQL),
    )
    .await
    .map(|_| ())
}

/// A uniformly random seed in `[0, 1)` with 52 bits of entropy.
fn fresh_seed() -> f64 {
    use aws_lc_rs::rand::SecureRandom;
    let mut bytes = [0u8; 8];
    // The system random source does not fail in practice; if it did, the
    // time still makes the seed differ from one reset to the next.
    if aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut bytes)
        .is_err()
    {
        bytes = (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0))
        .to_le_bytes();
    }
    (u64::from_le_bytes(bytes) >> 12) as f64 / (1u64 << 52) as f64
}

/// How often a cancel is sent again while waiting for the statement to end:
/// a cancel that reaches the server between two messages of one statement
/// (after the parse, before the execute) finds the session idle and does
/// nothing.
const CANCEL_AGAIN_AFTER: Duration = Duration::from_millis(250);

/// Sends a cancel, then waits up to `budget` for `fut` (the statement, or
/// a query queued behind it) to end, sending the cancel again every
/// [`CANCEL_AGAIN_AFTER`]. `Err` if a cancel could not be delivered,
/// `Ok(None)` if `fut` did not end in time; the flag says whether the
/// server confirmed processing every cancel sent (see
/// [`Canceller::cancel`]): if not, one may still land on the next
/// statement, so the connection must not be reused.
async fn cancel_until_done<R, F>(
    canceller: &Canceller,
    budget: Duration,
    mut fut: Pin<&mut F>,
) -> Result<(Option<R>, bool), Error>
where
    F: Future<Output = R>,
{
    let deadline = tokio::time::Instant::now() + budget;
    let mut confirmed = true;
    loop {
        confirmed &= tokio::time::timeout_at(deadline, canceller.cancel())
            .await
            .map_err(|_| {
                Error::from_kind(ErrorKind::Connection).with_detail(format!(
                    "the cancel request was not delivered within {budget:?}"
                ))
            })??;
        let wait = deadline.min(tokio::time::Instant::now() + CANCEL_AGAIN_AFTER);
        if let Ok(r) = tokio::time::timeout_at(wait, fut.as_mut()).await {
            return Ok((Some(r), confirmed));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok((None, confirmed));
        }
    }
}

/// Prepared statements of one connection, keyed by their static SQL. When
/// `enabled` is off (PgBouncer mode) the executor sends unnamed statements
/// and never consults the cache.
///
/// The key is the SQL's address and length, not its text: the SQL is a
/// `&'static str` from the macro, so hashing two words replaces hashing the
/// whole statement on every query. Two copies of the same text at different
/// addresses just get one entry each.
#[derive(Debug, Default)]
struct StatementCache {
    /// Read-locked on every hit: on a shared connection several callers
    /// look statements up at once, and readers never wait for each other.
    map: RwLock<StatementMap>,
    enabled: bool,
}

type StatementMap = HashMap<(usize, usize), Statement, BuildHasherDefault<AddressHasher>>;

/// Hashes the (address, length) key: both are already well spread.
#[derive(Debug, Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 =
                (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(5) ^ n as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

fn key(sql: &'static str) -> (usize, usize) {
    (sql.as_ptr() as usize, sql.len())
}

impl StatementCache {
    fn new(enabled: bool) -> Self {
        StatementCache {
            map: RwLock::default(),
            enabled,
        }
    }

    async fn get_or_prepare(&self, client: &Client, sql: &'static str) -> Result<Statement, Error> {
        if let Some(s) = self.read().get(&key(sql)) {
            return Ok(s.clone());
        }
        // Two callers missing at once on a shared connection each prepare
        // (tokio-postgres names every statement uniquely); the later insert
        // wins and the other statement is closed when its last user is done.
        // Boxed: preparing (with its type lookups) is a large future, and
        // every statement's future would otherwise carry its size for a
        // cache hit, which is nearly every time.
        let stmt = Box::pin(client.prepare(sql)).await.map_err(Error::from)?;
        self.write().insert(key(sql), stmt.clone());
        Ok(stmt)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, StatementMap> {
        self.map.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, StatementMap> {
        self.map.write().unwrap_or_else(|p| p.into_inner())
    }

    fn evict(&self, sql: &'static str) {
        self.write().remove(&key(sql));
    }

    fn len(&self) -> usize {
        self.read().len()
    }
}
