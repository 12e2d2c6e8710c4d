//! Pool counters, kept per pool for [`crate::PoolState`] and, with the
//! `metrics` feature, reported through the `metrics` facade:
//!
//! | name | kind | labels |
//! |---|---|---|
//! | `secure_pg.checkout.wait` | histogram, seconds | |
//! | `secure_pg.checkout.timeouts` | counter | |
//! | `secure_pg.statements.multiplexed` | counter | |
//! | `secure_pg.connections.opened` | counter | |
//! | `secure_pg.connections.closed` | counter | `cause`: `lifetime`, `broken`, `idle`, `failed_check`, `pool_closed` |
//! | `secure_pg.connections.in_use` | gauge | |
//! | `secure_pg.connections.idle` | gauge | |
//! | `secure_pg.credentials.fetches` | counter | |
//! | `secure_pg.credentials.failures` | counter | |
//!
//! Without the feature only relaxed atomic increments remain; with it, a
//! checkout also reads the clock twice.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Why a physical connection was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum CloseCause {
    /// Not decided yet (becomes `Idle`, `Lifetime` or `PoolClosed` at drop).
    Unset = 0,
    /// Older than `max_lifetime`.
    Lifetime = 1,
    /// Closed socket, unverified TLS, left in a transaction, failed query.
    Broken = 2,
    /// Reaped by the pool after `idle_timeout`.
    Idle = 3,
    /// The ping or reset due at checkout failed.
    FailedCheck = 4,
    /// The pool itself was dropped.
    PoolClosed = 5,
}

impl CloseCause {
    const ALL: [CloseCause; 5] = [
        CloseCause::Lifetime,
        CloseCause::Broken,
        CloseCause::Idle,
        CloseCause::FailedCheck,
        CloseCause::PoolClosed,
    ];

    fn from_u8(v: u8) -> CloseCause {
        Self::ALL
            .into_iter()
            .find(|c| *c as u8 == v)
            .unwrap_or(CloseCause::Unset)
    }

    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    fn label(self) -> &'static str {
        match self {
            CloseCause::Unset | CloseCause::Idle => "idle",
            CloseCause::Lifetime => "lifetime",
            CloseCause::Broken => "broken",
            CloseCause::FailedCheck => "failed_check",
            CloseCause::PoolClosed => "pool_closed",
        }
    }
}

/// Connections closed since the pool was built, by cause.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionsClosed {
    /// Reached `max_lifetime`.
    pub lifetime: u64,
    /// Found closed or unusable, returned inside a transaction, or failed
    /// during a query.
    pub broken: u64,
    /// Closed after `idle_timeout` without use.
    pub idle: u64,
    /// The ping (after `idle_check_after`) or the session reset due at
    /// checkout failed.
    pub failed_check: u64,
}

/// Counters since the pool was built (a copy; see [`crate::PoolState`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counters {
    pub(crate) opened: u64,
    pub(crate) closed: ConnectionsClosed,
    pub(crate) checkouts: u64,
    pub(crate) multiplexed: u64,
    pub(crate) checkout_timeouts: u64,
    pub(crate) credential_fetches: u64,
    pub(crate) credential_failures: u64,
}

/// One pool's counters, shared by the pool, its manager and connections.
#[derive(Debug, Default)]
pub(crate) struct PoolStats {
    opened: AtomicU64,
    closed: [AtomicU64; 6],
    checkouts: AtomicU64,
    multiplexed: AtomicU64,
    checkout_timeouts: AtomicU64,
    credential_fetches: AtomicU64,
    credential_failures: AtomicU64,
    /// Set when the pool is dropped: what closes now closes with it.
    pool_closed: AtomicBool,
}

impl PoolStats {
    pub(crate) fn new() -> Arc<PoolStats> {
        Arc::default()
    }

    pub(crate) fn counters(&self) -> Counters {
        let closed = |c: CloseCause| self.closed[c as usize].load(Relaxed);
        Counters {
            opened: self.opened.load(Relaxed),
            closed: ConnectionsClosed {
                lifetime: closed(CloseCause::Lifetime),
                broken: closed(CloseCause::Broken),
                idle: closed(CloseCause::Idle),
                failed_check: closed(CloseCause::FailedCheck),
            },
            checkouts: self.checkouts.load(Relaxed),
            multiplexed: self.multiplexed.load(Relaxed),
            checkout_timeouts: self.checkout_timeouts.load(Relaxed),
            credential_fetches: self.credential_fetches.load(Relaxed),
            credential_failures: self.credential_failures.load(Relaxed),
        }
    }

    /// The pool is being dropped.
    pub(crate) fn pool_dropped(&self) {
        self.pool_closed.store(true, Relaxed);
    }

    /// Starts timing a checkout (the clock is read only for the metrics
    /// histogram).
    pub(crate) fn checkout_started(&self) -> CheckoutTimer {
        CheckoutTimer {
            #[cfg(feature = "metrics")]
            started: Instant::now(),
        }
    }

    /// A checkout finished; `timed_out` when it failed with `PoolTimeout`.
    pub(crate) fn checkout_finished(&self, _timer: CheckoutTimer, ok: bool, timed_out: bool) {
        if ok {
            self.checkouts.fetch_add(1, Relaxed);
            #[cfg(feature = "metrics")]
            ::metrics::histogram!("secure_pg.checkout.wait")
                .record(_timer.started.elapsed().as_secs_f64());
        }
        if timed_out {
            self.checkout_timeouts.fetch_add(1, Relaxed);
            #[cfg(feature = "metrics")]
            ::metrics::counter!("secure_pg.checkout.timeouts").increment(1);
        }
    }

    /// A statement on `&Pool` ran on a shared connection.
    pub(crate) fn multiplexed(&self) {
        self.multiplexed.fetch_add(1, Relaxed);
        #[cfg(feature = "metrics")]
        ::metrics::counter!("secure_pg.statements.multiplexed").increment(1);
    }

    /// The credential provider was asked for a password.
    pub(crate) fn credential_fetched(&self, ok: bool) {
        self.credential_fetches.fetch_add(1, Relaxed);
        #[cfg(feature = "metrics")]
        ::metrics::counter!("secure_pg.credentials.fetches").increment(1);
        if !ok {
            self.credential_failures.fetch_add(1, Relaxed);
            #[cfg(feature = "metrics")]
            ::metrics::counter!("secure_pg.credentials.failures").increment(1);
        }
    }
}

/// A started checkout.
#[derive(Debug)]
pub(crate) struct CheckoutTimer {
    #[cfg(feature = "metrics")]
    started: Instant,
}

/// The life of one physical connection: counts it opened when made, and
/// closed (by cause) when dropped. Starts idle.
#[derive(Debug)]
pub(crate) struct ConnLife {
    stats: Arc<PoolStats>,
    cause: AtomicU8,
    opened_at: Instant,
    max_lifetime: Option<Duration>,
}

impl ConnLife {
    pub(crate) fn opened(stats: &Arc<PoolStats>, max_lifetime: Option<Duration>) -> ConnLife {
        stats.opened.fetch_add(1, Relaxed);
        #[cfg(feature = "metrics")]
        {
            ::metrics::counter!("secure_pg.connections.opened").increment(1);
            ::metrics::gauge!("secure_pg.connections.idle").increment(1.0);
        }
        ConnLife {
            stats: stats.clone(),
            cause: AtomicU8::new(CloseCause::Unset as u8),
            opened_at: Instant::now(),
            max_lifetime,
        }
    }

    /// Records why the connection is about to be discarded; the first cause
    /// given wins.
    pub(crate) fn closing(&self, cause: CloseCause) {
        let _ = self
            .cause
            .compare_exchange(CloseCause::Unset as u8, cause as u8, Relaxed, Relaxed);
    }
}

impl Drop for ConnLife {
    fn drop(&mut self) {
        let cause = match CloseCause::from_u8(self.cause.load(Relaxed)) {
            CloseCause::Unset if self.stats.pool_closed.load(Relaxed) => CloseCause::PoolClosed,
            CloseCause::Unset
                if self
                    .max_lifetime
                    .is_some_and(|max| self.opened_at.elapsed() >= max) =>
            {
                CloseCause::Lifetime
            }
            CloseCause::Unset => CloseCause::Idle,
            c => c,
        };
        self.stats.closed[cause as usize].fetch_add(1, Relaxed);
        #[cfg(feature = "metrics")]
        {
            ::metrics::counter!("secure_pg.connections.closed", "cause" => cause.label())
                .increment(1);
            ::metrics::gauge!("secure_pg.connections.idle").decrement(1.0);
        }
    }
}

/// Held by a checked-out connection: moves it from idle to in use in the
/// gauges, and back when dropped.
#[derive(Debug)]
pub(crate) struct InUse(());

impl InUse {
    pub(crate) fn start() -> InUse {
        #[cfg(feature = "metrics")]
        {
            ::metrics::gauge!("secure_pg.connections.idle").decrement(1.0);
            ::metrics::gauge!("secure_pg.connections.in_use").increment(1.0);
        }
        InUse(())
    }
}

impl Drop for InUse {
    fn drop(&mut self) {
        #[cfg(feature = "metrics")]
        {
            ::metrics::gauge!("secure_pg.connections.in_use").decrement(1.0);
            ::metrics::gauge!("secure_pg.connections.idle").increment(1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_by_cause() {
        let stats = PoolStats::new();
        let a = ConnLife::opened(&stats, None);
        let b = ConnLife::opened(&stats, Some(Duration::ZERO));
        let c = ConnLife::opened(&stats, None);
        let d = ConnLife::opened(&stats, None);
        c.closing(CloseCause::Broken);
        c.closing(CloseCause::FailedCheck); // the first cause wins
        d.closing(CloseCause::FailedCheck);
        drop((a, b, c, d));
        let t = stats.checkout_started();
        stats.checkout_finished(t, true, false);
        let t = stats.checkout_started();
        stats.checkout_finished(t, false, true);
        stats.credential_fetched(true);
        stats.credential_fetched(false);
        let n = stats.counters();
        assert_eq!(n.opened, 4);
        assert_eq!(
            n.closed,
            ConnectionsClosed {
                lifetime: 1,
                broken: 1,
                idle: 1,
                failed_check: 1
            }
        );
        assert_eq!((n.checkouts, n.checkout_timeouts), (1, 1));
        assert_eq!((n.credential_fetches, n.credential_failures), (2, 1));
        stats.pool_dropped();
        drop(ConnLife::opened(&stats, None));
        assert_eq!(stats.counters().closed.idle, 1, "pool_closed is not idle");
    }

    /// The facade sees the documented names, labels and values.
    #[cfg(feature = "metrics")]
    #[test]
    fn metrics_facade_names() {
        use ::metrics::{
            Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, KeyName, Metadata,
            Recorder, SharedString, Unit,
        };
        use std::sync::Mutex;

        #[derive(Default)]
        struct Log(Mutex<Vec<String>>);
        struct Entry(Arc<Log>, String);
        impl CounterFn for Entry {
            fn increment(&self, v: u64) {
                self.0 .0.lock().unwrap().push(format!("{} +{v}", self.1));
            }
            fn absolute(&self, _: u64) {}
        }
        impl GaugeFn for Entry {
            fn increment(&self, v: f64) {
                self.0 .0.lock().unwrap().push(format!("{} +{v}", self.1));
            }
            fn decrement(&self, v: f64) {
                self.0 .0.lock().unwrap().push(format!("{} -{v}", self.1));
            }
            fn set(&self, _: f64) {}
        }
        impl HistogramFn for Entry {
            fn record(&self, v: f64) {
                let kind = if v >= 0.0 { "seconds" } else { "negative" };
                self.0 .0.lock().unwrap().push(format!("{} {kind}", self.1));
            }
        }
        struct Rec(Arc<Log>);
        impl Rec {
            fn entry(&self, key: &Key) -> Arc<Entry> {
                let labels: Vec<String> = key
                    .labels()
                    .map(|l| format!("{}={}", l.key(), l.value()))
                    .collect();
                Arc::new(Entry(self.0.clone(), format!("{}{labels:?}", key.name())))
            }
        }
        impl Recorder for Rec {
            fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
            fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
            fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
            fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
                Counter::from_arc(self.entry(key))
            }
            fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
                Gauge::from_arc(self.entry(key))
            }
            fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
                Histogram::from_arc(self.entry(key))
            }
        }

        let log = Arc::new(Log::default());
        let rec = Rec(log.clone());
        ::metrics::with_local_recorder(&rec, || {
            let stats = PoolStats::new();
            let conn = ConnLife::opened(&stats, None);
            let t = stats.checkout_started();
            let in_use = InUse::start();
            stats.checkout_finished(t, true, false);
            drop(in_use);
            let t = stats.checkout_started();
            stats.checkout_finished(t, false, true);
            stats.credential_fetched(true);
            stats.credential_fetched(false);
            conn.closing(CloseCause::FailedCheck);
            drop(conn);
        });
        let got = log.0.lock().unwrap().clone();
        assert_eq!(
            got,
            [
                "secure_pg.connections.opened[] +1",
                "secure_pg.connections.idle[] +1",
                "secure_pg.connections.idle[] -1",
                "secure_pg.connections.in_use[] +1",
                "secure_pg.checkout.wait[] seconds",
                "secure_pg.connections.in_use[] -1",
                "secure_pg.connections.idle[] +1",
                "secure_pg.checkout.timeouts[] +1",
                "secure_pg.credentials.fetches[] +1",
                "secure_pg.credentials.fetches[] +1",
                "secure_pg.credentials.failures[] +1",
                "secure_pg.connections.closed[\"cause=failed_check\"] +1",
                "secure_pg.connections.idle[] -1",
            ]
        );
    }
}
