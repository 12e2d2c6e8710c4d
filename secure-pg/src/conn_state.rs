//! Per-connection state: the statement cache and the flags that decide
//! whether a connection may be handed out again. This module is the only
//! place that writes them; everything else goes through its methods.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio_postgres::{Client, Statement};

use crate::error::Error;

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
    /// Client-side bound on each statement (see `PoolBuilder::query_timeout`).
    query_timeout: Option<Duration>,
}

impl ConnState {
    pub(crate) fn new(statement_cache: bool, query_timeout: Option<Duration>) -> Self {
        ConnState {
            cache: StatementCache::new(statement_cache),
            in_tx: AtomicBool::new(false),
            needs_reset: AtomicBool::new(false),
            broken: AtomicBool::new(false),
            query_timeout,
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

    /// Client-side bound on each statement, if one is configured.
    pub(crate) fn query_timeout(&self) -> Option<Duration> {
        self.query_timeout
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
