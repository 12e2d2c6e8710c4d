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
//!   `multiplex_stall_after`: a long statement at its head). When none can take
//!   it, the pool opens another shared connection if its share allows and
//!   a permit is free without waiting; the statement itself then takes an
//!   ordinary exclusive checkout, so the shared side never queues for
//!   permits and never holds a statement behind a full pipeline.
//! * An exclusive checkout that finds no free permit first releases the
//!   shared connections that have nothing in flight, so shared connections
//!   never keep transactions or `get()` waiting.
//! * A shared connection stops taking statements when it is closed or
//!   broken, reaches `max_lifetime`, has been quiet for `idle_check_after`
//!   (it goes back to bb8, where the usual ping applies), or a
//!   cancel was sent on it (its `query_timeout` fired, or a statement's
//!   future was dropped before the end of its result). It returns to bb8
//!   when the last statement on it ends; one that had a cancel sent on it
//!   goes back marked as having a statement in flight, so the next
//!   checkout brings it to rest (cancel, empty query, confirmation) before
//!   using it, exactly as for an exclusive connection.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OwnedSemaphorePermit;
use tokio_postgres::Client;

use crate::conn_state::{now_us, ConnState};
use crate::error::Error;
use crate::metrics::InUse;

use super::manager::Manager;
use super::Pool;

/// How many statements in flight on the least busy shared connection make
/// the pool open another (when its share allows).
const GROW_AT: u32 = 8;

/// The pool's shared connections.
pub(super) struct SharedSet {
    slots: Mutex<Slots>,
    /// Most connections shared at once.
    pub(super) max_connections: u32,
    /// Most statements in flight on one shared connection.
    pub(super) max_in_flight: u32,
    /// A shared connection whose statements have not ended for this long
    /// (while some are in flight) gets no more until one does.
    stall_after_us: u64,
}

#[derive(Default)]
struct Slots {
    conns: Vec<Arc<SharedConn>>,
    /// Connections being opened for sharing.
    opening: u32,
}

impl SharedSet {
    pub(super) fn new(max_connections: u32, max_in_flight: u32, stall_after: Duration) -> Self {
        SharedSet {
            slots: Mutex::default(),
            max_connections,
            max_in_flight,
            stall_after_us: stall_after.as_micros() as u64,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Connections held for sharing now.
    pub(super) fn len(&self) -> u32 {
        self.lock().conns.len() as u32
    }

    /// Stops sharing the connections with nothing in flight, so their
    /// permits go to a waiting exclusive checkout. Returns how many.
    pub(super) fn release_idle(&self) -> usize {
        let released: Vec<Arc<SharedConn>> = {
            let mut slots = self.lock();
            let (idle, busy) = std::mem::take(&mut slots.conns)
                .into_iter()
                .partition(|c| c.state().shared_in_flight() == 0);
            slots.conns = busy;
            idle
        };
        for c in &released {
            c.state().retire_sharing();
        }
        released.len()
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
    max_lifetime: Option<Duration>,
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
        self.max_lifetime
            .is_none_or(|max| pg.info.connected_at.elapsed() < max)
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

/// One statement's use of a shared connection; ends it when dropped.
pub(crate) struct Lease {
    conn: Arc<SharedConn>,
    finished: bool,
}

impl Lease {
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

impl Drop for Lease {
    fn drop(&mut self) {
        if self.conn.state().shared_statement_ended(self.finished) {
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
    pub(crate) async fn lease(&self) -> Result<Option<Lease>, Error> {
        let Some(set) = &self.shared.multiplex else {
            return Ok(None);
        };
        let now = now_us();
        let (lease, open) = {
            let mut slots = set.lock();
            slots.conns.retain(|c| c.usable(now));
            let best = slots
                .conns
                .iter()
                .filter(|c| {
                    let state = c.state();
                    state.shared_in_flight() < set.max_in_flight
                        && !state.shared_stalled(now, set.stall_after_us)
                })
                .min_by_key(|c| c.state().shared_in_flight());
            let lease = best.map(|c| {
                let before = c.state().shared_statement_started(now);
                (
                    Lease {
                        conn: c.clone(),
                        finished: false,
                    },
                    before + 1,
                )
            });
            let wants_more = match &lease {
                Some((_, in_flight)) => *in_flight >= GROW_AT,
                None => true,
            };
            let room = (slots.conns.len() as u32 + slots.opening) < set.max_connections;
            let open = if wants_more && room {
                // Only a permit free right now: the shared side never
                // queues ahead of exclusive checkouts.
                self.shared.gate.clone().try_acquire_owned().ok()
            } else {
                None
            };
            if open.is_some() {
                slots.opening += 1;
            }
            (lease.map(|(l, _)| l), open)
        };
        if let Some(lease) = lease {
            self.shared.stats.multiplexed();
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
        let first = set.len() == 0;
        if !first {
            let pool = self.clone();
            tokio::spawn(async move { pool.open_shared(permit).await });
            return Ok(None);
        }
        self.open_shared(permit).await?;
        Ok(self.lease_existing())
    }

    /// A lease on an existing shared connection, if one can take it.
    fn lease_existing(&self) -> Option<Lease> {
        let set = self.shared.multiplex.as_ref()?;
        let now = now_us();
        let slots = set.lock();
        let c = slots
            .conns
            .iter()
            .filter(|c| c.usable(now) && c.state().shared_in_flight() < set.max_in_flight)
            .min_by_key(|c| c.state().shared_in_flight())?;
        c.state().shared_statement_started(now);
        self.shared.stats.multiplexed();
        Some(Lease {
            conn: c.clone(),
            finished: false,
        })
    }

    /// Checks a connection out with `permit` (every checkout check, inside
    /// the checkout timeout) and adds it to the shared set.
    async fn open_shared(&self, permit: OwnedSemaphorePermit) -> Result<(), Error> {
        let Some(set) = &self.shared.multiplex else {
            return Ok(());
        };
        let timeout = self.shared.options.checkout_timeout;
        let result = self.get_within(timeout, Some(permit)).await;
        let mut slots = set.lock();
        slots.opening -= 1;
        let conn = result.inspect_err(|e| {
            tracing::debug!(kind = ?e.kind(), error = %e.detail(), "opening a shared connection failed");
        })?;
        let (in_use, conn, permit) = conn.into_shared_parts();
        conn.state.begin_sharing();
        slots.conns.push(Arc::new(SharedConn {
            _in_use: in_use,
            conn: Some(conn),
            permit: Some(permit),
            max_lifetime: self.shared.options.max_lifetime,
            idle_after_us: self.shared.options.idle_check_after.as_micros() as u64,
        }));
        Ok(())
    }

    /// Stops sharing idle connections, for an exclusive checkout that
    /// found no free permit.
    pub(super) fn release_idle_shared(&self) -> usize {
        self.shared
            .multiplex
            .as_ref()
            .map_or(0, SharedSet::release_idle)
    }
}
