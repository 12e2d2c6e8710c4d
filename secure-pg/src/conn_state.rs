//! Per-connection state: the statement cache and the flags that decide
//! whether a connection may be handed out again. This module is the only
//! place that writes them; everything else goes through its methods.

use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio_postgres::{Client, Statement};

use crate::connect::Canceller;
use crate::error::{Error, ErrorKind};

/// Per-connection state shared with transactions and query handles.
#[derive(Debug)]
pub(crate) struct ConnState {
    cache: StatementCache,
    /// A transaction was begun and not (yet) finished.
    in_tx: AtomicBool,
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
            needs_reset: AtomicBool::new(false),
            broken: AtomicBool::new(false),
            in_flight: AtomicBool::new(false),
            query_timeout,
            canceller,
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
    pub(crate) async fn bounded<R, F>(&self, fut: F) -> Result<R, Error>
    where
        F: Future<Output = Result<R, Error>>,
    {
        self.statement_started();
        let Some(limit) = self.query_timeout else {
            let r = fut.await;
            self.note_end(&r);
            return r;
        };
        let mut fut = std::pin::pin!(fut);
        match tokio::time::timeout(limit, fut.as_mut()).await {
            Ok(r) => {
                self.note_end(&r);
                r
            }
            Err(_) => self.cancel_after_timeout(limit, fut).await,
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

    /// The server confirmed `COMMIT` or `ROLLBACK`.
    pub(crate) fn leave_transaction(&self) {
        self.in_tx.store(false, Ordering::Release);
    }

    pub(crate) fn in_transaction(&self) -> bool {
        self.in_tx.load(Ordering::Acquire)
    }

    /// Session state may have changed: run `DISCARD ALL` before the next
    /// checkout.
    pub(crate) fn mark_needs_reset(&self) {
        self.needs_reset.store(true, Ordering::Release);
    }

    pub(crate) fn needs_reset(&self) -> bool {
        self.needs_reset.load(Ordering::Acquire)
    }

    /// `DISCARD ALL` succeeded: it also deallocated every prepared
    /// statement, so the cache is emptied with the flag.
    pub(crate) fn finish_reset(&self) {
        self.cache.clear();
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
    map: Mutex<StatementMap>,
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
            map: Mutex::default(),
            enabled,
        }
    }

    async fn get_or_prepare(&self, client: &Client, sql: &'static str) -> Result<Statement, Error> {
        if let Some(s) = self.lock().get(&key(sql)) {
            return Ok(s.clone());
        }
        let stmt = client.prepare(sql).await.map_err(Error::from)?;
        self.lock().insert(key(sql), stmt.clone());
        Ok(stmt)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StatementMap> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn evict(&self, sql: &'static str) {
        self.lock().remove(&key(sql));
    }

    fn clear(&self) {
        self.lock().clear();
    }

    fn len(&self) -> usize {
        self.lock().len()
    }
}
