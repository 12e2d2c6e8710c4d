//! Transactions: [`Transaction`] and [`TransactionOptions`], `BEGIN` on a
//! pooled connection, and [`Pool::transaction`]'s commit-or-rollback with
//! retries of serialization failures and deadlocks under jittered backoff.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio_postgres::{Client, IsolationLevel};

use crate::conn_state::ConnState;
use crate::error::Error;

use super::manager::PgConn;
use super::{Pool, PooledConnection};

impl Pool {
    /// Runs `f` in a transaction: commits when it returns `Ok`, rolls back
    /// on `Err` or panic. Serialization failures and deadlocks are retried
    /// (up to 3 attempts in all, with jittered backoff), and so is a
    /// statement whose cached plan a schema change made stale (the
    /// transaction is aborted; the next attempt prepares it again), so `f`
    /// may run more than once: keep side effects outside it.
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
                Err(e)
                    if (e.is_retryable() || is_stale_statement(&e))
                        && attempt < options.max_attempts =>
                {
                    let backoff = backoff(attempt, options.base_backoff);
                    tracing::debug!(attempt, backoff_ms = backoff.as_millis() as u64, kind = ?e.kind(), "retrying transaction");
                    tokio::time::sleep(backoff).await;
                }
                other => return other,
            }
        }
    }
}

/// A statement of the transaction met a schema change since its
/// connection prepared it: the transaction is aborted, the statement
/// forgotten, and running the transaction again prepares it anew.
fn is_stale_statement(e: &Error) -> bool {
    e.as_db_error()
        .is_some_and(crate::error::is_stale_statement_report)
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
    /// `set_config('app.tenant_id', '<token>:<id>', true)`, which ends with
    /// the transaction; the token ties it to this transaction, so the
    /// policies of [`crate::row_level_security_sql`] accept it here only.
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

impl<'p> PooledConnection<'p> {
    /// Begins a transaction on this connection.
    pub async fn transaction(&mut self) -> Result<Transaction<'_>, Error> {
        self.begin_with(&TransactionOptions::default()).await
    }

    /// Opens a transaction on this connection. Nothing is sent yet: the
    /// `BEGIN` goes out with the transaction's first statement, in the
    /// same round trip (see `ConnState::defer_begin`), and a transaction
    /// that runs no statement costs no round trip at all.
    pub(crate) async fn begin_with(
        &mut self,
        options: &TransactionOptions,
    ) -> Result<Transaction<'_>, Error> {
        let conn: &PgConn = self.pg_conn();
        conn.settle().await?;
        conn.state.defer_begin(begin_sql(options));
        if let Some(t) = options.tenant {
            // Set by the deferred `BEGIN`, which goes out before anything
            // else in the transaction.
            conn.state.set_transaction_tenant(t.get());
        }
        Ok(Transaction {
            client: &conn.client,
            state: &conn.state,
            server: conn.server.as_deref(),
            finished: false,
        })
    }
}

/// The text that begins a transaction with `options`: `BEGIN` on its own
/// first, so that the transaction block exists before anything that could
/// fail (an isolation level the server refuses, the tenant setting); such
/// a failure leaves the block aborted, and the statement queued behind it
/// fails with `25P02` rather than running outside a transaction.
fn begin_sql(options: &TransactionOptions) -> String {
    let mut begin = String::from("BEGIN");
    if let Some(level) = options.isolation {
        begin.push_str(match level {
            IsolationLevel::Serializable => "; SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
            IsolationLevel::RepeatableRead => "; SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
            IsolationLevel::ReadUncommitted => "; SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
            _ => "; SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
        });
    }
    if let Some(t) = options.tenant {
        // The setting carries a token of this transaction (see
        // `row_level_security_sql`).
        begin.push_str("; ");
        begin.push_str(&crate::tenant::set_tenant_sql(t));
    }
    begin
}

/// An open transaction. Commit it with [`Transaction::commit`]; dropping it
/// without committing rolls it back (before the connection is used again,
/// or by discarding the connection when it returns to the pool).
///
/// Its `BEGIN` (with the isolation level and tenant) is written together
/// with its first statement and answered in the same round trip, so a
/// transaction costs one round trip more than its statements (the
/// `COMMIT`), not two. A transaction that runs no statement sends nothing.
pub struct Transaction<'c> {
    client: &'c Client,
    state: &'c ConnState,
    server: Option<&'c crate::telemetry::ServerAddr>,
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
    /// The client, for the executor's `Handle` only: until the first
    /// statement, the `BEGIN` is unsent, so anything written straight to
    /// this client would run outside the transaction. The handle's writers
    /// send the deferred `BEGIN` first (see `Handle::connection`).
    pub(crate) fn client(&self) -> &'c Client {
        self.client
    }

    pub(crate) fn state(&self) -> &'c ConnState {
        self.state
    }

    /// The server, for query spans.
    pub(crate) fn server(&self) -> Option<&'c crate::telemetry::ServerAddr> {
        self.server
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
        if self.state.end_unsent_transaction() {
            // Nothing was sent in it: there is nothing to commit or roll
            // back, and the server never heard of it.
            return Ok(());
        }
        // If this future is dropped before the server answers, `in_tx`
        // stays set and the connection is rolled back or discarded. Under
        // `query_timeout`: a COMMIT that times out may still have committed
        // (see `ErrorKind::QueryTimeout`); `in_tx` stays set, so the
        // connection is discarded rather than trusted.
        let client = self.client;
        self.state
            .bounded(std::pin::pin!(async {
                client.batch_execute(sql).await.map_err(Error::from)
            }))
            .await?;
        self.state.leave_transaction();
        Ok(())
    }
}
