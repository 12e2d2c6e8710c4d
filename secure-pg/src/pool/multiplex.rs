//! Multiplexing: session-neutral statements on `&Pool` share a few
//! connections instead of each checking one out.
//!
//! tokio-postgres already pipelines the requests of concurrent callers on
//! one `Client`, and every statement it sends ends with its own `Sync`, so
//! the server runs them one after another, each in its own implicit
//! transaction, and an error in one touches no other. The macros know at
//! compile time which statements leave state on the session; the others
//! may run on any connection without owning it.
//!
//! * A shared connection is an ordinary bb8 connection, checked out by the
//!   pool itself (the same checks, the same gate permit), so the server's
//!   backend count never exceeds `max_size` and bb8 still owns the
//!   connection's life (connect, credentials, `pg_stat_ssl`, lifetime,
//!   replacement).
//! * A statement goes to the usable shared connection with the fewest
//!   statements in flight, below the per-connection cap, skipping one that
//!   is stalled (statements in flight and none ended for
//!   `multiplex_stall_after`: a long statement at its head). When none can
//!   take it, the pool opens another shared connection if its share allows
//!   and a permit is free without waiting; the statement itself then takes
//!   an ordinary exclusive checkout, so the shared side never queues for
//!   permits and never holds a statement behind a full pipeline. While
//!   that checkout waits, the statement takes a shared connection after
//!   all if one becomes able to take it first (a stall that ended), so a
//!   shared connection's own permit cannot keep it waiting.
//! * A statement seen to hold a connection for more than two stall
//!   thresholds on its own is remembered (by its static SQL) and takes an
//!   exclusive checkout while its moving estimate stays above that.
//! * An exclusive checkout (`get()`, a transaction, a session-changing
//!   statement, a stream) that finds no free permit first releases the
//!   shared connections that have nothing in flight; if it is still
//!   waiting after a short grace (twice `multiplex_stall_after`), the
//!   least busy shared connection is retired, and its permit goes to the
//!   FIFO gate once its statements have ended; while it waits, no shared
//!   connection is opened. So shared traffic keeps that work waiting no
//!   longer than the grace and one connection's drain. A statement that
//!   falls back to a checkout (known slow, or nothing shared could take
//!   it) does not, unless a shared connection has had nothing in flight
//!   for [`QUIET_FACTOR`] stall thresholds: under load, slow statements
//!   queued for connections would otherwise keep taking the shared
//!   connection the short ones need.
//! * A shared connection stops taking statements when it is closed or
//!   broken, reaches `max_lifetime`, has been quiet for `idle_check_after`
//!   (it goes back to bb8, where the usual ping applies), or a
//!   cancel was sent on it (its `query_timeout` fired, or a statement's
//!   future was dropped before the end of its result). It returns to bb8
//!   when the last statement on it ends; one that had a cancel sent on it
//!   goes back marked as having a statement in flight, so the next
//!   checkout brings it to rest (cancel, empty query, confirmation) before
//!   using it, exactly as for an exclusive connection.
//! * A shared connection runs with a short `lock_timeout` (see
//!   [`super::PoolBuilder::multiplex_lock_timeout`]), set when the pool
//!   starts sharing it and restored by the next exclusive checkout: a
//!   statement waiting for a lock must not hold the ones pipelined behind
//!   it, one of which may belong to the transaction holding the lock. The
//!   executor sends a statement that hits it again on a checkout.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::OwnedSemaphorePermit;
use tokio_postgres::Client;

use crate::conn_state::{now_us, ConnState, LockTimeout};
use crate::error::{Error, ErrorKind};
use crate::metrics::InUse;

use super::manager::Manager;
use super::Pool;

/// The pool's shared connections.
///
/// Every statement reads the set; it changes only when a connection is
/// added or retired. So it is behind a read-write lock, whose readers never
/// wait for each other: with more busy threads than cores, a thread
/// preempted while holding a mutex would stall every other statement for
/// a scheduler time slice.
pub(super) struct SharedSet {
    conns: RwLock<Vec<Arc<SharedConn>>>,
    /// Connections being opened for sharing.
    opening: AtomicU32,
    /// Exclusive checkouts waiting for a permit: while there are any, no
    /// shared connection is opened, so the permits that shared
    /// connections give up reach them.
    waiting: AtomicU32,
    /// Most connections shared at once.
    pub(super) max_connections: u32,
    /// Most statements in flight on one shared connection.
    pub(super) max_in_flight: u32,
    /// A shared connection whose statements have not ended for this long
    /// (while some are in flight) gets no more until one does.
    stall_after_us: u64,
    /// Statements seen to hold a connection for more than
    /// [`SLOW_FACTOR`] times that.
    slow: SlowStatements,
    /// The `lock_timeout` of shared connections, in milliseconds.
    lock_timeout_ms: u64,
}

/// A statement is remembered as slow when its service time on a shared
/// connection exceeds this many stall thresholds (10 ms by default). Lower,
/// and an overloaded client (its tasks polled late, so every statement
/// looks slower than it was) would learn its fast statements as slow and
/// stop sharing them.
const SLOW_FACTOR: u64 = 2;

/// A shared connection with nothing in flight for this many stall
/// thresholds (500 ms by default) serves no short statements: a statement
/// waiting for a checkout may take its permit (see
/// [`Pool::checkout_or_lease`]).
const QUIET_FACTOR: u64 = 100;

/// Statements that held a connection longer than the stall threshold, by
/// their static SQL (address and length, as the statement cache keys
/// them), with a moving estimate of their service time in microseconds. A
/// statement whose estimate is over the threshold takes an exclusive
/// checkout instead of stalling a pipeline; its exclusive runs keep the
/// estimate current, so one that turns fast is shared again.
#[derive(Default)]
struct SlowStatements {
    map: RwLock<HashMap<(usize, usize), u64>>,
    /// Entries in `map`, so that the common case (none) takes no lock.
    len: AtomicUsize,
}

/// Most statements remembered as slow.
const MAX_SLOW: usize = 4096;

fn key(sql: &'static str) -> (usize, usize) {
    (sql.as_ptr() as usize, sql.len())
}

impl SlowStatements {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<(usize, usize), u64>> {
        self.map.read().unwrap_or_else(|p| p.into_inner())
    }

    fn is_slow(&self, sql: &'static str, threshold: u64) -> bool {
        self.len.load(Ordering::Relaxed) > 0
            && self.read().get(&key(sql)).is_some_and(|e| *e > threshold)
    }

    /// One run of `sql` took `us` of service time.
    fn record(&self, sql: &'static str, us: u64, threshold: u64) {
        if us <= threshold
            && (self.len.load(Ordering::Relaxed) == 0 || !self.read().contains_key(&key(sql)))
        {
            return;
        }
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        let len = map.len();
        match map.entry(key(sql)) {
            std::collections::hash_map::Entry::Occupied(mut e) => {
                let estimate = (*e.get() * 3 + us) / 4;
                if estimate <= threshold / 4 {
                    e.remove();
                } else {
                    e.insert(estimate);
                }
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                if us > threshold && len < MAX_SLOW {
                    e.insert(us);
                }
            }
        }
        self.len.store(map.len(), Ordering::Relaxed);
    }
}

impl SharedSet {
    pub(super) fn new(
        max_connections: u32,
        max_in_flight: u32,
        stall_after: Duration,
        lock_timeout: Duration,
    ) -> Self {
        SharedSet {
            lock_timeout_ms: lock_timeout.as_millis().max(1) as u64,
            conns: RwLock::default(),
            opening: AtomicU32::new(0),
            waiting: AtomicU32::new(0),
            max_connections,
            max_in_flight,
            stall_after_us: stall_after.as_micros() as u64,
            slow: SlowStatements::default(),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Arc<SharedConn>>> {
        self.conns.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Vec<Arc<SharedConn>>> {
        self.conns.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Service time above which a statement is remembered as slow.
    fn slow_after_us(&self) -> u64 {
        self.stall_after_us.saturating_mul(SLOW_FACTOR)
    }

    /// Gives a connection about to be shared the short `lock_timeout` of
    /// shared use (see [`LockTimeout`]), or keeps the session's default
    /// when that is shorter, in one round trip; nothing when it already
    /// has it from earlier sharing. The setting stays until an exclusive
    /// checkout restores the default (`Checks::prepare`), so a connection
    /// that stays shared, or goes back to sharing, costs nothing more.
    async fn shorten_lock_timeout(
        &self,
        conn: &super::PooledConnection<'_>,
        limit: Duration,
    ) -> Result<(), Error> {
        if conn.state().lock_timeout() != LockTimeout::Default {
            return Ok(());
        }
        let ms = self.lock_timeout_ms;
        // `setting` is in milliseconds; 0 means no timeout.
        let sql = format!(
            "SELECT CASE WHEN s.setting::int8 BETWEEN 1 AND {ms} THEN 'own' ELSE 'pool' END, \
             set_config('lock_timeout', CASE WHEN s.setting::int8 BETWEEN 1 AND {ms} \
             THEN s.setting ELSE '{ms}' END, false) \
             FROM pg_catalog.pg_settings s WHERE s.name = 'lock_timeout'"
        );
        let outcome = tokio::time::timeout(limit, conn.unmarked_client().simple_query(&sql)).await;
        let which = match outcome {
            Ok(Ok(messages)) => messages.iter().find_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
                _ => None,
            }),
            Ok(Err(e)) => {
                conn.state().mark_broken();
                return Err(Error::from(e));
            }
            Err(_) => {
                conn.state().mark_broken();
                return Err(Error::from_kind(ErrorKind::PoolTimeout)
                    .with_detail("setting lock_timeout on a connection to share timed out"));
            }
        };
        conn.state().set_lock_timeout(match which.as_deref() {
            Some("own") => LockTimeout::SharedUsersOwn,
            _ => LockTimeout::Shared,
        });
        Ok(())
    }

    /// Connections held for sharing now.
    pub(super) fn len(&self) -> u32 {
        self.read().len() as u32
    }

    /// Drops the connections that can take no more statements (each goes
    /// back to bb8 when its last statement ends).
    fn prune(&self, now: u64) {
        let gone: Vec<Arc<SharedConn>> = {
            let mut conns = self.write();
            let (keep, gone) = std::mem::take(&mut *conns)
                .into_iter()
                .partition(|c| c.usable(now));
            *conns = keep;
            gone
        };
        for c in &gone {
            c.state().retire_sharing();
        }
    }

    /// Reserves the right to open one more shared connection, if the
    /// share allows.
    fn reserve_opening(&self, open_now: u32) -> bool {
        self.opening
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |o| {
                (open_now + o < self.max_connections).then_some(o + 1)
            })
            .is_ok()
    }

    /// Stops sharing the connections with nothing in flight, so their
    /// permits go to a waiting exclusive checkout. Returns how many.
    pub(super) fn release_idle(&self) -> usize {
        self.release_where(|c| c.state().shared_in_flight() == 0)
    }

    /// Stops sharing the connections that have had nothing in flight for
    /// `quiet_us`, so their permits go to a waiting checkout.
    fn release_quiet(&self, quiet_us: u64) {
        let now = now_us();
        self.release_where(|c| {
            c.state().shared_in_flight() == 0 && c.state().shared_quiet_for(now) >= quiet_us
        });
    }

    /// Stops sharing the connections `release` picks (they go back to
    /// bb8); how many. The read lock is enough when none is picked.
    fn release_where(&self, release: impl Fn(&Arc<SharedConn>) -> bool) -> usize {
        if !self.read().iter().any(&release) {
            return 0;
        }
        let released: Vec<Arc<SharedConn>> = {
            let mut conns = self.write();
            let (released, kept) = std::mem::take(&mut *conns)
                .into_iter()
                .partition(|c| release(c));
            *conns = kept;
            released
        };
        for c in &released {
            c.state().retire_sharing();
        }
        released.len()
    }

    /// For an exclusive checkout still waiting after its grace: stops
    /// sharing the connection with the fewest statements in flight, which
    /// takes no new ones and goes back to bb8 (its permit to the oldest
    /// waiter) once those have ended.
    pub(super) fn retire_busy_for_waiter(&self) {
        let retired = {
            let mut conns = self.write();
            let least = conns
                .iter()
                .enumerate()
                .min_by_key(|(_, c)| c.state().shared_in_flight())
                .map(|(i, _)| i);
            least.map(|i| conns.swap_remove(i))
        };
        if let Some(c) = retired {
            c.state().retire_sharing();
        }
    }
}

/// A connection the pool shares, with the gate permit it holds. Field
/// order matters: the connection goes back to bb8 before the permit lets
/// the next waiter in.
pub(super) struct SharedConn {
    /// Counts it as in use for the `metrics` gauges while shared.
    _in_use: InUse,
    conn: Option<bb8::PooledConnection<'static, Manager>>,
    permit: Option<OwnedSemaphorePermit>,
    /// When it reaches `max_lifetime` ([`now_us`]).
    expires_at: Option<u64>,
    idle_after_us: u64,
}

impl SharedConn {
    fn pg(&self) -> &super::manager::PgConn {
        self.conn.as_ref().expect("present until dropped")
    }

    pub(crate) fn state(&self) -> &ConnState {
        &self.pg().state
    }

    pub(crate) fn client(&self) -> &Client {
        &self.pg().client
    }

    /// May take another statement at all (busy or not).
    fn usable(&self, now: u64) -> bool {
        let pg = self.pg();
        let state = &pg.state;
        if state.sharing_retired() || state.is_broken() || pg.client.is_closed() {
            return false;
        }
        if state.shared_in_flight() == 0 && state.shared_quiet_for(now) >= self.idle_after_us {
            // Quiet long enough that the usual idle ping is due: back to
            // bb8, whose checkout pings it.
            return false;
        }
        self.expires_at.is_none_or(|at| now < at)
    }
}

impl Drop for SharedConn {
    fn drop(&mut self) {
        let (Some(conn), Some(permit)) = (self.conn.take(), self.permit.take()) else {
            return;
        };
        // Last used when its last statement ended, not now: the idle ping
        // of the next checkout depends on it.
        let since_connect = conn.info.connected_at.elapsed().as_micros() as u64;
        let quiet = conn.state.shared_quiet_for(now_us());
        conn.last_used.store(
            since_connect.saturating_sub(quiet),
            std::sync::atomic::Ordering::Relaxed,
        );
        conn.state.sharing_ended();
        drop(conn);
        drop(permit);
    }
}

/// Where a statement that no shared connection could take at first runs;
/// see [`Pool::checkout_or_lease`].
pub(crate) enum Fallback<'p> {
    /// A shared connection became able to take it first.
    Lease(Lease<'p>),
    /// An exclusive checkout.
    Checkout(super::PooledConnection<'p>),
}

/// An exclusive checkout waiting for a permit; see [`Pool::exclusive_waiting`].
pub(super) struct Waiting<'p>(&'p SharedSet);

impl Waiting<'_> {
    /// How long the checkout waits in the FIFO before a busy shared
    /// connection is made to give its permit up: the slow-statement
    /// threshold (twice `multiplex_stall_after`), about what the
    /// exclusive holders ahead of it need to give theirs back.
    pub(super) fn grace(&self) -> Duration {
        Duration::from_micros(self.0.slow_after_us())
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One statement's use of a shared connection; ends it when dropped.
pub(crate) struct Lease<'p> {
    conn: Arc<SharedConn>,
    set: &'p SharedSet,
    sql: &'static str,
    /// When it was sent ([`now_us`]).
    started: u64,
    finished: bool,
}

impl Lease<'_> {
    pub(crate) fn client(&self) -> &Client {
        self.conn.client()
    }

    pub(crate) fn state(&self) -> &ConnState {
        self.conn.state()
    }

    /// The end of the statement's result was read.
    pub(crate) fn finished(&mut self) {
        self.finished = true;
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let state = self.conn.state();
        if let Some(us) = state.shared_statement_ended(self.started, self.finished) {
            self.set.slow.record(self.sql, us, self.set.slow_after_us());
        } else {
            // Abandoned mid-result: cancel it, holding the connection (and
            // so its return to bb8) until the cancels are done.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                let conn = self.conn.clone();
                runtime.spawn(async move { conn.state().cancel_abandoned().await });
            }
        }
    }
}

impl Pool {
    /// Whether statements on `&Pool` may be multiplexed.
    pub(crate) fn multiplexing(&self) -> bool {
        self.shared.multiplex.is_some()
    }

    /// A shared connection for one session-neutral statement, or `None`
    /// when the statement should take an exclusive checkout instead (no
    /// shared connection can take it now; see the module docs).
    pub(crate) async fn lease(&self, sql: &'static str) -> Result<Option<Lease<'_>>, Error> {
        let Some(set) = &self.shared.multiplex else {
            return Ok(None);
        };
        if set.slow.is_slow(sql, set.slow_after_us()) {
            return Ok(None);
        }
        let now = now_us();
        let (lease, open_now, prune) = {
            let conns = set.read();
            let mut best: Option<(&Arc<SharedConn>, u32)> = None;
            let mut prune = false;
            for c in conns.iter() {
                if !c.usable(now) {
                    prune = true;
                    continue;
                }
                let state = c.state();
                let n = state.shared_in_flight();
                if n >= set.max_in_flight || state.shared_stalled(now, set.stall_after_us) {
                    continue;
                }
                if best.is_none_or(|(_, m)| n < m) {
                    best = Some((c, n));
                }
            }
            let lease = best.map(|(c, _)| {
                c.state().shared_statement_started(now);
                self.lease_on(c, sql, now)
            });
            (lease, conns.len() as u32, prune)
        };
        if prune {
            set.prune(now);
        }
        // Another shared connection only when none could take this
        // statement: one pipelined connection is the fastest way to the
        // server until it is full (each more backend competes for the same
        // cores; on two cores a second one cost a scheduler time slice at
        // the tail, see benches/RESULTS.md).
        let wants_more = lease.is_none();
        // Only a permit free right now: the shared side never queues ahead
        // of exclusive checkouts.
        let open = if wants_more
            && set.waiting.load(Ordering::Acquire) == 0
            && set.reserve_opening(open_now)
        {
            match self.shared.gate.clone().try_acquire_owned() {
                Ok(permit) => Some(permit),
                Err(_) => {
                    set.opening.fetch_sub(1, Ordering::AcqRel);
                    None
                }
            }
        } else {
            None
        };
        if let Some(lease) = lease {
            if let Some(permit) = open {
                let pool = self.clone();
                tokio::spawn(async move { pool.open_shared(permit).await });
            }
            return Ok(Some(lease));
        }
        let Some(permit) = open else {
            return Ok(None);
        };
        // Nothing shared can take it: when the first shared connection is
        // being opened, this statement waits for it (inside the checkout
        // timeout, like any checkout); otherwise the new connection opens
        // in the background and this statement takes an exclusive one.
        if open_now > 0 {
            let pool = self.clone();
            tokio::spawn(async move { pool.open_shared(permit).await });
            return Ok(None);
        }
        // Boxed: opening a connection is a large future, needed once.
        Box::pin(self.open_shared(permit)).await?;
        Ok(self.lease_existing(sql))
    }

    /// For a statement that no shared connection could take: an
    /// exclusive checkout, or a shared connection after all if one can
    /// take it before the checkout comes through (checked every stall
    /// threshold while it waits). A shared connection that was only
    /// stalled for a moment keeps its permit, so on a pool whose permits
    /// the shared connections hold, the checkout alone could wait until
    /// it timed out. A statement known to be slow only waits for the
    /// checkout.
    ///
    /// A shared connection that has had nothing in flight for
    /// [`QUIET_FACTOR`] stall thresholds serves no short statements, and is
    /// released to the waiting checkout: otherwise a statement known to be
    /// slow, on a pool whose every permit such a connection held, waited
    /// out its checkout timeout (and, never running, stayed known as slow:
    /// a size-1 pool wedged for good under CPU load). One still in use by
    /// short statements is left to them.
    pub(crate) async fn checkout_or_lease(&self, sql: &'static str) -> Result<Fallback<'_>, Error> {
        let Some(set) = self.shared.multiplex.as_ref() else {
            return self.get_for_statement().await.map(Fallback::Checkout);
        };
        let slow = set.slow.is_slow(sql, set.slow_after_us());
        let every = Duration::from_micros(set.stall_after_us.max(1_000));
        let mut checkout = std::pin::pin!(self.get_for_statement());
        loop {
            let tick = std::pin::pin!(tokio::time::sleep(every));
            match futures_util::future::select(checkout.as_mut(), tick).await {
                futures_util::future::Either::Left((r, _)) => return r.map(Fallback::Checkout),
                futures_util::future::Either::Right(_) => {
                    if !slow {
                        if let Some(lease) = self.lease_ready(sql) {
                            return Ok(Fallback::Lease(lease));
                        }
                    }
                    set.release_quiet(set.stall_after_us.saturating_mul(QUIET_FACTOR));
                }
            }
        }
    }

    /// A lease on a shared connection that can take a statement now
    /// (usable, below the cap, not stalled), if there is one.
    fn lease_ready(&self, sql: &'static str) -> Option<Lease<'_>> {
        let set = self.shared.multiplex.as_ref()?;
        let now = now_us();
        let conns = set.read();
        let c = conns
            .iter()
            .filter(|c| {
                c.usable(now)
                    && c.state().shared_in_flight() < set.max_in_flight
                    && !c.state().shared_stalled(now, set.stall_after_us)
            })
            .min_by_key(|c| c.state().shared_in_flight())?;
        c.state().shared_statement_started(now);
        Some(self.lease_on(c, sql, now))
    }

    fn lease_on<'p>(&'p self, c: &Arc<SharedConn>, sql: &'static str, now: u64) -> Lease<'p> {
        self.shared.stats.multiplexed();
        Lease {
            conn: c.clone(),
            set: self.shared.multiplex.as_ref().expect("multiplexing"),
            sql,
            started: now,
            finished: false,
        }
    }

    /// A lease on an existing shared connection, if one can take it.
    fn lease_existing(&self, sql: &'static str) -> Option<Lease<'_>> {
        let set = self.shared.multiplex.as_ref()?;
        let now = now_us();
        let conns = set.read();
        let c = conns
            .iter()
            .filter(|c| c.usable(now) && c.state().shared_in_flight() < set.max_in_flight)
            .min_by_key(|c| c.state().shared_in_flight())?;
        c.state().shared_statement_started(now);
        Some(self.lease_on(c, sql, now))
    }

    /// Checks a connection out with `permit` (every checkout check, inside
    /// the checkout timeout) and adds it to the shared set.
    async fn open_shared(&self, permit: OwnedSemaphorePermit) -> Result<(), Error> {
        let Some(set) = &self.shared.multiplex else {
            return Ok(());
        };
        let timeout = self.shared.options.checkout_timeout;
        let started = std::time::Instant::now();
        let result = async {
            let conn = self.get_within(timeout, Some(permit), true).await?;
            let left = timeout.saturating_sub(started.elapsed());
            set.shorten_lock_timeout(&conn, left).await?;
            Ok::<_, Error>(conn)
        }
        .await;
        let mut conns = set.write();
        set.opening.fetch_sub(1, Ordering::AcqRel);
        let conn = result.inspect_err(|e| {
            tracing::debug!(kind = ?e.kind(), error = %e.detail(), "opening a shared connection failed");
        })?;
        let (in_use, conn, permit) = conn.into_shared_parts();
        conn.state.begin_sharing();
        let now = now_us();
        let expires_at = self.shared.options.max_lifetime.map(|max| {
            let left = max.saturating_sub(conn.info.connected_at.elapsed());
            now + left.as_micros() as u64
        });
        conns.push(Arc::new(SharedConn {
            _in_use: in_use,
            conn: Some(conn),
            permit: Some(permit),
            expires_at,
            idle_after_us: self.shared.options.idle_check_after.as_micros() as u64,
        }));
        Ok(())
    }

    /// A statement of a multiplexing pool ran on an exclusive checkout for
    /// `took`: keeps its slow estimate current.
    pub(crate) fn record_exclusive(&self, sql: &'static str, took: Duration) {
        if let Some(set) = &self.shared.multiplex {
            set.slow
                .record(sql, took.as_micros() as u64, set.slow_after_us());
        }
    }

    /// Stops sharing idle connections, for an exclusive checkout that
    /// found no free permit.
    pub(super) fn release_idle_shared(&self) -> usize {
        self.shared
            .multiplex
            .as_ref()
            .map_or(0, SharedSet::release_idle)
    }

    /// For an exclusive checkout still waiting after its grace: see
    /// [`SharedSet::retire_busy_for_waiter`].
    pub(super) fn retire_busy_shared_for_waiter(&self) {
        if let Some(set) = &self.shared.multiplex {
            set.retire_busy_for_waiter();
        }
    }

    /// Counts an exclusive checkout as waiting for a permit until the
    /// guard is dropped (see `SharedSet::waiting`).
    pub(super) fn exclusive_waiting(&self) -> Option<Waiting<'_>> {
        let set = self.shared.multiplex.as_ref()?;
        set.waiting.fetch_add(1, Ordering::AcqRel);
        Some(Waiting(set))
    }
}

#[cfg(test)]
mod tests {
    use super::SlowStatements;

    const SLOW_SQL: &str = "SELECT pg_sleep(1)";
    const FAST_SQL: &str = "SELECT 1";

    #[test]
    fn slow_statements_are_remembered_and_forgotten_once_fast_again() {
        let slow = SlowStatements::default();
        let threshold = 2_000;
        slow.record(FAST_SQL, 150, threshold);
        assert!(!slow.is_slow(FAST_SQL, threshold));
        assert_eq!(slow.len.load(std::sync::atomic::Ordering::Relaxed), 0);
        slow.record(SLOW_SQL, 1_000_000, threshold);
        assert!(slow.is_slow(SLOW_SQL, threshold));
        assert!(!slow.is_slow(FAST_SQL, threshold));
        // Fast runs bring the estimate down by a quarter of the gap each
        // time; it is shared again once at or below the threshold, and
        // forgotten once below a quarter of it.
        let mut runs = 0;
        while slow.is_slow(SLOW_SQL, threshold) {
            slow.record(SLOW_SQL, 100, threshold);
            runs += 1;
            assert!(runs < 100, "never recovered");
        }
        assert!(runs > 5, "one fast run must not undo a slow one: {runs}");
        while slow.len.load(std::sync::atomic::Ordering::Relaxed) > 0 {
            slow.record(SLOW_SQL, 100, threshold);
            runs += 1;
            assert!(runs < 100, "never forgotten");
        }
    }
}
