//! One abstraction over everything a query can run on: a [`Pool`] (checks a
//! connection out for the call), a [`PooledConnection`], a [`Transaction`],
//! and plain `tokio_postgres::Client` / `tokio_postgres::Transaction`.

use std::future::Future;
use std::pin::Pin;

use tokio_postgres::types::{Kind, ToSql, Type};
use tokio_postgres::{Client, Row, Statement};

use crate::codec::{adapt_to, unspecified, EncodeAs, Probe};
use crate::conn_state::{ConnState, Gate, LockTimeout, SharedOutcome};
use crate::error::ErrorKind;
use crate::error::{Error, SqlState};
use crate::pool::{Pool, PooledConnection, Transaction};
use crate::tenant::TenantId;

/// Something a query can run on. Implemented for `&Pool`,
/// `&PooledConnection`, `&mut PooledConnection`, `&Transaction`,
/// `&mut Transaction`, `&tokio_postgres::Client` and
/// `&tokio_postgres::Transaction`.
///
/// Our pool's connections keep a prepared-statement cache, so a repeated
/// query costs one round trip; on a plain `tokio_postgres::Client` every
/// call prepares (two round trips), as `client.query(&str, ..)` does.
///
/// This trait is sealed, as tokio-postgres seals `GenericClient`: it
/// cannot be implemented outside secure-pg, so the list above is complete
/// and may grow without breaking anyone.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot run a query",
    note = "pass `&pool`, `&conn`, `&mut tx`, or a `&tokio_postgres::Client`"
)]
pub trait Executor<'e>: sealed::Sealed<'e> + Send {}

/// The sealing supertrait. It is public so that `Executor` may name it, but
/// lives in a private module, so nothing outside the crate can name or
/// implement it; it carries the one method queries need.
mod sealed {
    pub trait Sealed<'e> {
        fn handle(self, route: Route) -> Pending<'e>;
    }

    /// What [`Sealed::handle`] returns: the crate-private
    /// [`super::HandleFuture`] in a wrapper that is unnameable outside the
    /// crate and has no API, so that the sealed method (reachable through
    /// an `Executor` bound) exposes none of the internal types.
    pub struct Pending<'e>(pub(super) super::HandleFuture<'e>);

    impl std::fmt::Debug for Pending<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Pending")
        }
    }

    /// Whether the statement may share a pooled connection with others
    /// (multiplexing); unnameable outside the crate, like [`Pending`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Route {
        /// Session-neutral and read to its end in one call: may run on a
        /// shared connection when the pool multiplexes.
        MayShare,
        /// Changes the session, or streams: needs a connection of its own.
        Exclusive,
    }
}

pub(crate) use sealed::Route;
use sealed::{Pending, Sealed};

/// A connection from `executor`, ready for one operation routed as `route`.
pub(crate) fn handle<'e, E: Executor<'e>>(executor: E, route: Route) -> HandleFuture<'e> {
    executor.handle(route).0
}

/// A concrete future rather than `impl Future`: a concrete type keeps the
/// futures of queries `Send` for any caller (an opaque associated future
/// trips rustc's higher-ranked `Send` checks inside `tokio::spawn`).
/// The handles that need no waiting (a multiplexing pool's statement, a
/// borrowed connection, a transaction, a client) are ready without an
/// allocation; a checkout or a connection that must first settle is a
/// boxed future.
pub(crate) enum HandleFuture<'e> {
    /// [`Handle::Shared`].
    Shared(&'e Pool),
    /// [`Handle::Borrowed`].
    Borrowed(
        &'e Client,
        Option<&'e ConnState>,
        Option<&'e crate::telemetry::ServerAddr>,
    ),
    /// Taken: the future has completed.
    Done,
    /// Waits for a checkout, or for a connection to settle.
    Boxed(Pin<Box<dyn Future<Output = Result<Handle<'e>, Error>> + Send + 'e>>),
}

impl<'e> Future for HandleFuture<'e> {
    type Output = Result<Handle<'e>, Error>;

    fn poll(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.get_mut();
        if let HandleFuture::Boxed(f) = this {
            return f.as_mut().poll(cx);
        }
        std::task::Poll::Ready(Ok(match std::mem::replace(this, HandleFuture::Done) {
            HandleFuture::Shared(pool) => Handle::Shared(pool),
            HandleFuture::Borrowed(client, state, server) => {
                Handle::Borrowed(client, state, server)
            }
            HandleFuture::Done | HandleFuture::Boxed(_) => {
                unreachable!("a handle future polled after it completed")
            }
        }))
    }
}

/// A connection ready for one operation (internal).
// Boxing the pooled variant would cost an allocation per query; the handle
// only lives inside one query's future.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Handle<'e> {
    Pooled(PooledConnection<'e>),
    /// A multiplexing pool: the statement picks a shared connection when it
    /// runs (or an exclusive checkout when none can take it).
    Shared(&'e Pool),
    Borrowed(
        &'e Client,
        Option<&'e ConnState>,
        Option<&'e crate::telemetry::ServerAddr>,
    ),
}

impl std::fmt::Debug for Handle<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handle")
    }
}

impl<'e> Executor<'e> for &'e Pool {}
impl<'e> Sealed<'e> for &'e Pool {
    fn handle(self, route: Route) -> Pending<'e> {
        if route == Route::MayShare && self.multiplexing() {
            return Pending(HandleFuture::Shared(self));
        }
        Pending(HandleFuture::Boxed(Box::pin(async move {
            Ok(Handle::Pooled(self.get().await?))
        })))
    }
}

impl<'e, 'p: 'e> Executor<'e> for &'e PooledConnection<'p> {}
impl<'e, 'p: 'e> Sealed<'e> for &'e PooledConnection<'p> {
    fn handle(self, _: Route) -> Pending<'e> {
        Pending(HandleFuture::Boxed(Box::pin(async move {
            self.settle().await?;
            Ok(Handle::Borrowed(
                self.unmarked_client(),
                Some(self.state()),
                self.server(),
            ))
        })))
    }
}

impl<'e, 'p: 'e> Executor<'e> for &'e mut PooledConnection<'p> {}
impl<'e, 'p: 'e> Sealed<'e> for &'e mut PooledConnection<'p> {
    fn handle(self, route: Route) -> Pending<'e> {
        let this: &'e PooledConnection<'p> = self;
        this.handle(route)
    }
}

impl<'e, 'c: 'e> Executor<'e> for &'e Transaction<'c> {}
impl<'e, 'c: 'e> Sealed<'e> for &'e Transaction<'c> {
    fn handle(self, _: Route) -> Pending<'e> {
        Pending(HandleFuture::Borrowed(
            self.client(),
            Some(self.state()),
            self.server(),
        ))
    }
}

impl<'e, 'c: 'e> Executor<'e> for &'e mut Transaction<'c> {}
impl<'e, 'c: 'e> Sealed<'e> for &'e mut Transaction<'c> {
    fn handle(self, route: Route) -> Pending<'e> {
        let this: &'e Transaction<'c> = self;
        this.handle(route)
    }
}

impl<'e> Executor<'e> for &'e Client {}
impl<'e> Sealed<'e> for &'e Client {
    fn handle(self, _: Route) -> Pending<'e> {
        Pending(HandleFuture::Borrowed(self, None, None))
    }
}

impl<'e, 't: 'e> Executor<'e> for &'e tokio_postgres::Transaction<'t> {}
impl<'e, 't: 'e> Sealed<'e> for &'e tokio_postgres::Transaction<'t> {
    fn handle(self, _: Route) -> Pending<'e> {
        Pending(HandleFuture::Borrowed(self.client(), None, None))
    }
}

/// What one statement does with its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// All rows.
    Query,
    /// The affected-row count.
    Execute,
    /// At most two rows (`fetch_one`, `fetch_optional`).
    AtMostTwo,
    /// A row stream (exclusive connections only).
    Stream,
}

/// What [`Op`] produced.
enum Output {
    Rows(Vec<Row>),
    Count(u64),
    /// The only row, if any, or that there were more.
    AtMostTwo(AtMostOne),
    Stream(tokio_postgres::RowStream),
}

/// What `fetch_one` and `fetch_optional` need of a result, read without
/// collecting rows into a `Vec` (no allocation beyond the row's own).
#[derive(Debug)]
pub(crate) enum AtMostOne {
    /// The result's only row, or none: the result was read to its end.
    Row(Option<Row>),
    /// A second row came; the rest of the result was left unread.
    Several,
}

/// Sends one statement on `client` and reads what `op` needs of its result.
async fn send(
    client: &Client,
    sql: &'static str,
    target: Target<'_>,
    params: Params<'_>,
    op: Op,
) -> Result<Output, tokio_postgres::Error> {
    use futures_util::TryStreamExt;
    let stream = match (op, target) {
        (Op::Query, Target::Named(stmt)) => {
            return client.query(&stmt, params.values).await.map(Output::Rows)
        }
        (Op::Query, Target::Unnamed(typed)) => {
            return client.query_typed(sql, &typed).await.map(Output::Rows)
        }
        (Op::Execute, Target::Named(stmt)) => {
            return client
                .execute(&stmt, params.values)
                .await
                .map(Output::Count)
        }
        (Op::Execute, Target::Unnamed(typed)) => {
            return client.execute_typed(sql, &typed).await.map(Output::Count)
        }
        (_, Target::Named(stmt)) => {
            client
                .query_raw(&stmt, params.values.iter().copied())
                .await?
        }
        (_, Target::Unnamed(typed)) => client.query_typed_raw(sql, typed).await?,
    };
    if op == Op::Stream {
        return Ok(Output::Stream(stream));
    }
    let mut stream = std::pin::pin!(stream);
    let Some(first) = stream.try_next().await? else {
        return Ok(Output::AtMostTwo(AtMostOne::Row(None)));
    };
    if stream.try_next().await?.is_some() {
        return Ok(Output::AtMostTwo(AtMostOne::Several));
    }
    Ok(Output::AtMostTwo(AtMostOne::Row(Some(first))))
}

/// [`send`] with a prepared statement. A string bound to an enum parameter
/// (or a value of a domain's base type bound to a domain parameter), which
/// tokio-postgres refuses because the type is not the one it knows for
/// the value, is sent in the binary format of `text` (of the base type),
/// which is the enum's (the domain's).
async fn send_named(
    client: &Client,
    sql: &'static str,
    stmt: Statement,
    params: Params<'_>,
    op: Op,
) -> Result<Output, tokio_postgres::Error> {
    if !stmt
        .params()
        .iter()
        .any(|t| matches!(t.kind(), Kind::Enum(_) | Kind::Domain(_)))
    {
        return send(client, sql, Target::Named(stmt), params, op).await;
    }
    let adapted = adapt_to(stmt.params(), params.values);
    let values: Vec<&(dyn ToSql + Sync)> = params
        .values
        .iter()
        .zip(&adapted)
        .map(|(v, a)| match a {
            Some(a) => a as &(dyn ToSql + Sync),
            None => *v,
        })
        .collect();
    let params = Params {
        values: &values,
        wire: params.wire,
        tenant: params.tenant,
    };
    // Boxed: a second `send` in this future would double its size.
    Box::pin(send(client, sql, Target::Named(stmt), params, op)).await
}

/// The statement for `sql`: from the connection's cache, or prepared now
/// on a plain client.
async fn statement(
    client: &Client,
    state: Option<&ConnState>,
    sql: &'static str,
) -> Result<Statement, Error> {
    match state {
        Some(state) => state
            .cached_statement(client, sql)
            .await
            .map_err(|e| fail(state.into(), e)),
        None => client
            .prepare(sql)
            .await
            .map_err(|e| fail(None, Error::from(e))),
    }
}

/// Runs `op` with the cached statement; if the server no longer knows it
/// (schema changed, or someone ran `DISCARD`), prepares again once.
/// Without a statement cache (PgBouncer mode) it is sent as an unnamed
/// statement instead: parse, bind and execute in one round trip.
async fn run_statement(
    client: &Client,
    state: Option<&ConnState>,
    sql: &'static str,
    params: Params<'_>,
    op: Op,
) -> Result<Output, Error> {
    if matches!(state, Some(s) if !s.statement_cache_enabled()) {
        let encoders = encoders(params);
        let typed = typed_params(params, &encoders)?;
        return send(client, sql, Target::Unnamed(typed), params, op)
            .await
            .map_err(|e| fail(state, Error::from(e)));
    }
    let stmt = statement(client, state, sql).await?;
    match send_named(client, sql, stmt, params, op).await {
        Ok(r) => Ok(r),
        Err(e) if is_stale_statement(&e) && state.is_some_and(ConnState::in_transaction) => {
            // The error aborted the transaction: preparing again there
            // would only fail with 25P02 and hide the cause. The statement
            // is forgotten, so the transaction's next run prepares it anew
            // (`Pool::transaction` runs it again by itself).
            if let Some(state) = state {
                state.evict_statement(sql);
            }
            Err(fail(
                state,
                Error::from(e).with_detail(
                    "the schema changed since this connection prepared the statement, which \
                     aborted the transaction; the statement will be prepared again: run the \
                     transaction again",
                ),
            ))
        }
        Err(e) if is_stale_statement(&e) => {
            if let Some(state) = state {
                state.evict_statement(sql);
            }
            // Boxed: a rare path, kept out of every statement's future.
            Box::pin(async {
                let stmt = statement(client, state, sql).await?;
                send_named(client, sql, stmt, params, op)
                    .await
                    .map_err(|e| fail(state, with_pooler_hint(Error::from(e))))
            })
            .await
        }
        Err(e) => Err(fail(state, with_pooler_hint(Error::from(e)))),
    }
}

/// One statement on a connection of its own (or a borrowed one): under
/// `query_timeout` (cancelled on the server when it fires) and tracked as
/// in flight until it ends; see `ConnState::bounded`. A result left unread
/// (a stream, or `fetch_one` that stopped at a second row) stays in flight.
async fn exclusive(
    client: &Client,
    state: Option<&ConnState>,
    sql: &'static str,
    params: Params<'_>,
    op: Op,
) -> Result<Output, Error> {
    let Some(state) = state else {
        return run_statement(client, None, sql, params, op).await;
    };
    let out = match state.take_begin() {
        None => {
            let run = std::pin::pin!(run_statement(client, Some(state), sql, params, op));
            state.bounded(run).await?
        }
        // The transaction's first statement: its `BEGIN` goes first, in
        // the same round trip. Boxed: once per transaction.
        Some(begin) => {
            Box::pin(async {
                let run = run_statement(client, Some(state), sql, params, op);
                let both = std::pin::pin!(after_begin(client, state, &begin, run));
                state.bounded(both).await
            })
            .await?
        }
    };
    if matches!(
        out,
        Output::Stream(_) | Output::AtMostTwo(AtMostOne::Several)
    ) {
        state.statement_started();
    }
    Ok(out)
}

/// `statement` queued right behind a transaction's deferred `BEGIN`
/// (`begin`; see `ConnState::defer_begin`): the join polls `BEGIN` first,
/// which queues its request, then the statement, so both are written
/// together and the server runs them in order. A failed `BEGIN` is the
/// error reported (the statement behind it fails with `25P02`).
async fn after_begin<T>(
    client: &Client,
    state: &ConnState,
    begin: &str,
    statement: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let (begun, out) = futures_util::future::join(client.batch_execute(begin), statement).await;
    begun.map_err(|e| fail(Some(state), Error::from(e)))?;
    out
}

/// One statement on a connection checked out for it (a scoped one in a
/// tenant transaction of its own, see [`scoped`]).
async fn on_checkout(
    conn: &PooledConnection<'_>,
    sql: &'static str,
    params: Params<'_>,
    op: Op,
) -> Result<Output, Error> {
    let (client, state) = (conn.unmarked_client(), conn.state());
    match params.tenant {
        Some(tenant) => Box::pin(scoped(client, state, sql, params, op, tenant)).await,
        None => exclusive(client, Some(state), sql, params, op).await,
    }
}

/// One statement on a multiplexing pool: on a shared connection when one
/// can take it, otherwise on an exclusive checkout. A statement that a
/// cancel meant for another caller's statement hit (see
/// `ConnState::bounded_shared`) is sent once more, elsewhere.
async fn multiplexed(
    pool: &Pool,
    sql: &'static str,
    params: Params<'_>,
    op: Op,
) -> Result<Output, Error> {
    debug_assert!(op != Op::Stream, "streams are routed exclusively");
    let mut resent = false;
    loop {
        let mut lease = match pool.lease(sql).await? {
            Some(lease) => lease,
            None => match Box::pin(pool.checkout_or_lease(sql)).await? {
                crate::pool::Fallback::Lease(lease) => lease,
                crate::pool::Fallback::Checkout(conn) => {
                    // Boxed: the exclusive path's future is large, and
                    // keeping it out of the shared path keeps every
                    // statement's future small.
                    let started = std::time::Instant::now();
                    let r = Box::pin(on_checkout(&conn, sql, params, op)).await;
                    pool.record_exclusive(sql, started.elapsed());
                    return r;
                }
            },
        };
        let (client, state) = (lease.client(), lease.state());
        let outcome = match params.tenant {
            // Boxed: the tenant transaction's future is large, and every
            // statement's future would otherwise carry its size.
            Some(tenant) => {
                let batch = pipelined(client, state, sql, params, op, tenant, Tx::OwnShared);
                state.bounded_shared(std::pin::pin!(Box::pin(batch))).await
            }
            None => {
                let statement = std::pin::pin!(run_statement(client, Some(state), sql, params, op));
                let gated = std::pin::pin!(state.gated(Gate::Shared, statement));
                state.bounded_shared(gated).await
            }
        };
        match outcome {
            SharedOutcome::Done(Err(e)) if is_shared_lock_timeout(&e, state) => {
                // It waited for a lock for as long as shared connections
                // allow and did nothing else (its implicit transaction
                // rolled back): the statements behind it go on, and it
                // waits on a connection of its own, under the session's
                // own `lock_timeout`. `get()` rather than a statement's
                // checkout: on a full pool a shared connection gives its
                // permit up for it, so it cannot wait for that one.
                lease.finished();
                drop(lease);
                tracing::debug!("a lock wait hit the shared lock_timeout; sending it again on a connection of its own");
                // Boxed: a rare path, kept out of every statement's future.
                let conn = Box::pin(pool.get()).await?;
                return Box::pin(on_checkout(&conn, sql, params, op)).await;
            }
            SharedOutcome::Done(r) => {
                // A result left unread (a second row for `fetch_one`) is
                // abandoned: the lease cancels it when dropped. A tenant
                // transaction's was drained before its `COMMIT` answered.
                if params.tenant.is_some()
                    || !matches!(
                        r,
                        Ok(Output::AtMostTwo(AtMostOne::Several) | Output::Stream(_))
                    )
                {
                    lease.finished();
                }
                return r;
            }
            SharedOutcome::CancelledForAnother(e) => {
                lease.finished();
                if resent {
                    return Err(e);
                }
                tracing::debug!(
                    "a cancel meant for another statement hit this one; sending it again"
                );
                resent = true;
            }
        }
    }
}

/// One statement of a `#[tenant_scoped]` function on one of our
/// connections, run so that the database's row-level-security policy (see
/// `row_level_security_sql`) knows the tenant as well as the rewritten SQL
/// does. The tenant setting must be made inside a transaction (it carries
/// that transaction's token), and tokio-postgres ends every statement with
/// its own `Sync`, so:
///
/// * outside a transaction, the statement runs in a transaction of its own:
///   `BEGIN`, the tenant setting, the statement, and `COMMIT`, written
///   together and answered in one round trip; the statement is prepared
///   (or found in the cache) before, so that nothing else lands between
///   them (on `&Pool` with multiplexing, `multiplexed` runs the same on a
///   shared connection, see [`pipelined`]);
/// * in a transaction that set no tenant, the setting is sent right before
///   the statement (same round trip) and holds for the rest of it;
/// * in a transaction for the same tenant, it runs as it is;
/// * in a transaction for another tenant, it is refused: the two walls
///   would disagree, and nothing is sent.
///
/// Row streams outside a transaction are refused: the transaction would
/// have to stay open for as long as the stream, and end in a `ROLLBACK` if
/// it is dropped. Plain tokio-postgres clients are not ours to track, so
/// their statements run as they are.
async fn scoped(
    client: &Client,
    state: &ConnState,
    sql: &'static str,
    params: Params<'_>,
    op: Op,
    tenant: TenantId,
) -> Result<Output, Error> {
    if state.in_transaction() {
        return match state.transaction_tenant() {
            Some(t) if t == tenant.get() => exclusive(client, Some(state), sql, params, op).await,
            Some(_) => Err(
                Error::from_kind(ErrorKind::TenantScope).with_detail(format!(
                    "a #[tenant_scoped] statement for one tenant ran in a transaction that set \
                 another tenant for row-level security, and was refused before anything was \
                 sent; run it in a transaction for its own tenant. SQL: {sql}"
                )),
            ),
            None if op == Op::Stream => {
                // A stream is tracked as in flight until it is read: the
                // setting takes its own round trip first.
                state
                    .send_deferred_begin(client)
                    .await
                    .map_err(|e| fail(Some(state), e))?;
                let set = crate::tenant::set_tenant_sql(tenant);
                state
                    .bounded(std::pin::pin!(async {
                        client.batch_execute(&set).await.map_err(Error::from)
                    }))
                    .await
                    .map_err(|e| fail(Some(state), e))?;
                state.set_transaction_tenant(tenant.get());
                exclusive(client, Some(state), sql, params, op).await
            }
            None => {
                let out = pipelined(client, state, sql, params, op, tenant, Tx::Callers).await?;
                state.set_transaction_tenant(tenant.get());
                Ok(out)
            }
        };
    }
    if op == Op::Stream {
        return Err(
            Error::from_kind(ErrorKind::TenantScope).with_detail(format!(
                "a #[tenant_scoped] statement cannot be streamed outside a transaction: \
                 row-level security needs the tenant set in a transaction that would have to \
                 stay open as long as the stream; read it with fetch_all, or stream it inside \
                 `pool.transaction_with(TransactionOptions::default().tenant(tenant), ..)`. \
                 SQL: {sql}"
            )),
        );
    }
    state.enter_transaction();
    let out = pipelined(client, state, sql, params, op, tenant, Tx::Own).await;
    if !state.is_broken() {
        // `COMMIT` was answered (after an error in the statement it answers
        // as `ROLLBACK`): the transaction is over either way. A connection
        // whose answer was lost is broken and discarded.
        state.leave_transaction();
    }
    out
}

/// Where [`pipelined`] runs its statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tx {
    /// In the caller's transaction, which set no tenant yet.
    Callers,
    /// In a transaction of its own, on a connection of its own.
    Own,
    /// In a transaction of its own, on a shared connection: the caller
    /// wraps it in [`ConnState::bounded_shared`].
    OwnShared,
}

/// The tenant setting (and, for a transaction of our own, `BEGIN` and
/// `COMMIT`) with the statement, written together: each request is queued
/// when its future is first polled, and the join polls them in order. Every
/// statement is prepared first (from the connection's cache: no round trip
/// after the first time), so that nothing else lands between them, and the
/// tenant goes in as a parameter of a prepared setting rather than as text
/// the server parses each time. Without a statement cache (PgBouncer mode)
/// `BEGIN` and the setting go as one simple query and the statement unnamed.
/// A cached plan the server no longer has is prepared again and the whole
/// sequence sent once more (only in a transaction of our own: in the
/// caller's, the error has aborted it).
///
/// On a shared connection the join's first poll holds the connection's
/// gate for writing ([`Gate::SharedTogether`]): other callers queue their
/// requests under it too, so none lands inside the transaction, and the
/// `COMMIT` that ends it is queued before anything else can be. A failing
/// statement leaves the transaction aborted only until that `COMMIT`
/// (answered as `ROLLBACK`), which nobody else's request precedes.
async fn pipelined(
    client: &Client,
    state: &ConnState,
    sql: &'static str,
    params: Params<'_>,
    op: Op,
    tenant: TenantId,
    tx: Tx,
) -> Result<Output, Error> {
    let id = tenant.get().to_string();
    let own_transaction = tx != Tx::Callers;
    // The caller's transaction may not have sent its `BEGIN` yet: it goes
    // first, in the same round trip (`once` runs twice only in a
    // transaction of our own, which has none).
    let deferred = match tx {
        Tx::Callers => state.take_begin(),
        Tx::Own | Tx::OwnShared => None,
    };
    let (gate, together) = match tx {
        Tx::OwnShared => (Gate::Shared, Gate::SharedTogether),
        Tx::Own | Tx::Callers => (Gate::Open, Gate::Open),
    };
    let once = || async {
        let cached = state.statement_cache_enabled();
        let prepared = |sql| async move {
            if cached {
                state
                    .gated(gate, std::pin::pin!(statement(client, Some(state), sql)))
                    .await
                    .map(Some)
            } else {
                Ok(None)
            }
        };
        let begin = if own_transaction {
            prepared("BEGIN").await?
        } else {
            None
        };
        let set = prepared(crate::tenant::set_tenant_param_sql()).await?;
        let stmt = prepared(sql).await?;
        let commit = if own_transaction {
            prepared("COMMIT").await?
        } else {
            None
        };
        let encoders = encoders(params);
        let typed = match stmt {
            Some(_) => None,
            None => Some(typed_params(params, &encoders)?),
        };
        let simple_begin = match (cached, own_transaction) {
            (true, _) => None,
            (false, true) => Some(format!("BEGIN; {}", crate::tenant::set_tenant_sql(tenant))),
            (false, false) => Some(crate::tenant::set_tenant_sql(tenant)),
        };
        // Separate futures, so that each request is queued when the join
        // first polls it (an `await` between two requests would send the
        // second only after the first's answer, behind the statement).
        let deferred = async {
            match &deferred {
                Some(text) => client.batch_execute(text).await,
                None => Ok(()),
            }
        };
        let begin = async {
            match (&simple_begin, &begin) {
                (Some(text), _) => client.batch_execute(text).await,
                (None, Some(begin)) => client.execute(begin, &[]).await.map(drop),
                (None, None) => Ok(()),
            }
        };
        let set = async {
            match &set {
                Some(set) => client.execute(set, &[&id]).await.map(drop),
                None => Ok(()),
            }
        };
        let statement = async {
            match (stmt, typed) {
                (Some(stmt), _) => send_named(client, sql, stmt, params, op).await,
                (None, typed) => {
                    let typed = typed.unwrap_or_default();
                    send(client, sql, Target::Unnamed(typed), params, op).await
                }
            }
        };
        let after = async {
            match (&commit, own_transaction && !cached) {
                (Some(commit), _) => client.execute(commit, &[]).await.map(drop),
                (None, true) => client.batch_execute("COMMIT").await,
                (None, false) => Ok(()),
            }
        };
        let all = futures_util::future::join5(deferred, begin, set, statement, after);
        let (d, b, t, r, a) = state.gated(together, std::pin::pin!(all)).await;
        Ok::<_, Error>((d.and(b).and(t), r, a))
    };
    let mut retried = false;
    loop {
        let (b, r, a) = match tx {
            Tx::OwnShared => once().await?,
            Tx::Own | Tx::Callers => state.bounded(std::pin::pin!(once())).await?,
        };
        b.map_err(|e| fail(Some(state), Error::from(e)))?;
        match r {
            Err(e) if is_stale_statement(&e) && own_transaction && !retried => {
                a.map_err(|e| fail(Some(state), Error::from(e)))?;
                state.evict_statement(sql);
                retried = true;
            }
            Err(e) => return Err(fail(Some(state), with_pooler_hint(Error::from(e)))),
            Ok(out) => {
                a.map_err(|e| fail(Some(state), Error::from(e)))?;
                return Ok(out);
            }
        }
    }
}

/// `55P03` on a shared connection whose `lock_timeout` is the pool's (not
/// the session's own, shorter one): see
/// [`crate::PoolBuilder::multiplex_lock_timeout`].
fn is_shared_lock_timeout(e: &Error, state: &ConnState) -> bool {
    e.sqlstate() == Some(&SqlState::LOCK_NOT_AVAILABLE)
        && state.lock_timeout() == LockTimeout::Shared
}

fn fail(state: Option<&ConnState>, err: Error) -> Error {
    if err.kind() == ErrorKind::Connection {
        // The session is gone or in an unknown state: make sure the pool
        // discards it even if the socket does not look closed yet.
        if let Some(state) = state {
            state.mark_broken();
        }
    }
    // Kind and SQLSTATE only: never the SQL's parameters.
    tracing::debug!(kind = ?err.kind(), sqlstate = ?err.sqlstate().map(|c| c.code()), "query failed");
    err
}

impl<'e> Handle<'e> {
    /// The connection the handle holds (`None`: a shared connection, picked
    /// when a statement runs).
    ///
    /// Private on purpose: in a transaction whose `BEGIN` is still deferred
    /// (see `ConnState::defer_begin`), a statement written straight to this
    /// client would run outside the transaction. The writers in this module
    /// ([`exclusive`], [`pipelined`] and [`scoped`], through [`Handle::run`]
    /// and [`Handle::stream`]) send the deferred `BEGIN` with their first
    /// statement; everything else goes through
    /// [`Handle::ready_connection`], which sends it first, or reads only
    /// the state ([`Handle::state`]).
    fn connection(&self) -> Option<(&Client, Option<&ConnState>)> {
        match self {
            Handle::Pooled(c) => Some((c.unmarked_client(), Some(c.state()))),
            Handle::Shared(_) => None,
            Handle::Borrowed(client, state, _) => Some((client, *state)),
        }
    }

    /// The state of the connection the handle holds, for bookkeeping that
    /// writes nothing to the server.
    fn state(&self) -> Option<&ConnState> {
        self.connection().and_then(|(_, state)| state)
    }

    /// [`Handle::connection`] for what writes to it other than through
    /// [`Handle::run`] (a copy): a transaction's deferred `BEGIN` is sent
    /// first, on its own round trip.
    pub(crate) async fn ready_connection(
        &self,
    ) -> Result<Option<(&Client, Option<&ConnState>)>, Error> {
        if let Some((client, Some(state))) = self.connection() {
            state
                .send_deferred_begin(client)
                .await
                .map_err(|e| fail(Some(state), e))?;
        }
        Ok(self.connection())
    }

    /// The server, for the query span: known for everything that came
    /// from our pool (checkouts, pooled connections, transactions), not
    /// for a plain `tokio_postgres::Client`.
    pub(crate) fn server(&self) -> Option<&crate::telemetry::ServerAddr> {
        match self {
            Handle::Pooled(c) => c.server(),
            Handle::Shared(pool) => pool.server(),
            Handle::Borrowed(_, _, server) => *server,
        }
    }

    /// Marks the connection for the session reset before its next checkout when
    /// the statement (as the macro determined) changes session state.
    /// (Such a statement is never routed to a shared connection.)
    pub(crate) fn note_session(&self, changes_session: bool) {
        if changes_session {
            if let Some(state) = self.state() {
                state.mark_needs_reset();
            }
        }
    }

    async fn run(&self, sql: &'static str, params: Params<'_>, op: Op) -> Result<Output, Error> {
        if let (Some(tenant), Some((client, Some(state)))) = (params.tenant, self.connection()) {
            // Boxed: the tenant transaction's future is large, and every
            // query's future would otherwise carry its size.
            return Box::pin(scoped(client, state, sql, params, op, tenant)).await;
        }
        match self.connection() {
            Some((client, state)) => exclusive(client, state, sql, params, op).await,
            None => match self {
                Handle::Shared(pool) => multiplexed(pool, sql, params, op).await,
                _ => unreachable!("only a multiplexing pool has no connection yet"),
            },
        }
    }

    pub(crate) async fn query(
        &self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Vec<Row>, Error> {
        match self.run(sql, params, Op::Query).await? {
            Output::Rows(rows) => Ok(rows),
            _ => unreachable!("Op::Query gives rows"),
        }
    }

    pub(crate) async fn execute(
        &self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<u64, Error> {
        match self.run(sql, params, Op::Execute).await? {
            Output::Count(n) => Ok(n),
            _ => unreachable!("Op::Execute gives a count"),
        }
    }

    /// The rows as they arrive. The statement counts as in flight until
    /// the stream has been read to its end ([`Handle::statement_finished`]).
    /// Only on a connection of the handle's own (routed exclusively).
    pub(crate) async fn stream(
        &self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<tokio_postgres::RowStream, Error> {
        let Some((client, state)) = self.connection() else {
            return Err(Error::from_kind(ErrorKind::Configuration)
                .with_detail("internal: a row stream was routed to a shared connection"));
        };
        let out = match (params.tenant, state) {
            (Some(tenant), Some(state)) => {
                Box::pin(scoped(client, state, sql, params, Op::Stream, tenant)).await?
            }
            _ => exclusive(client, state, sql, params, Op::Stream).await?,
        };
        match out {
            Output::Stream(s) => Ok(s),
            _ => unreachable!("Op::Stream gives a stream"),
        }
    }

    /// The first rows of the result, reading no further than the second:
    /// enough for `fetch_one` and `fetch_optional` to tell zero, one or
    /// more. When a second row came, the rest of the result is not read:
    /// on a connection of its own the statement stays in flight, and a
    /// pooled connection is cancelled and brought back to rest before
    /// anyone else gets it (on a borrowed connection the next statement
    /// waits for the rest to drain); on a shared connection tokio-postgres
    /// reads and drops the rest, and the connection is drained before it
    /// is next checked out exclusively.
    pub(crate) async fn query_at_most_two(
        &self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<AtMostOne, Error> {
        match self.run(sql, params, Op::AtMostTwo).await? {
            Output::AtMostTwo(rows) => Ok(rows),
            _ => unreachable!("Op::AtMostTwo gives rows"),
        }
    }

    /// A row stream from [`Handle::stream`] reached its end.
    pub(crate) fn statement_finished(&self) {
        if let Some(state) = self.state() {
            state.statement_finished();
        }
    }
}

/// How a statement is sent: a cached named statement, or unnamed with the
/// parameter types given (PgBouncer's transaction mode).
enum Target<'p> {
    Named(Statement),
    Unnamed(Vec<(&'p (dyn ToSql + Sync), Type)>),
}

/// Types tried, in order, for a parameter of an unnamed statement. The first
/// the value accepts is declared; the server converts from it as it would
/// from a typed literal.
const CANDIDATE_TYPES: &[Type] = &[
    Type::INT8,
    Type::INT4,
    Type::INT2,
    Type::TEXT,
    Type::BOOL,
    Type::FLOAT8,
    Type::FLOAT4,
    Type::BYTEA,
    Type::JSONB,
    Type::UUID,
    Type::TIMESTAMPTZ,
    Type::TIMESTAMP,
    Type::DATE,
    Type::TIME,
    Type::OID,
    Type::CHAR,
    Type::INET,
    Type::INT8_ARRAY,
    Type::INT4_ARRAY,
    Type::INT2_ARRAY,
    Type::TEXT_ARRAY,
    Type::BOOL_ARRAY,
    Type::FLOAT8_ARRAY,
    Type::FLOAT4_ARRAY,
    Type::BYTEA_ARRAY,
    Type::JSONB_ARRAY,
    Type::UUID_ARRAY,
    Type::TIMESTAMPTZ_ARRAY,
    Type::DATE_ARRAY,
];

/// A statement's arguments, and what the schema checks inferred of their
/// types (empty without a schema).
#[derive(Clone, Copy)]
pub(crate) struct Params<'p> {
    pub(crate) values: &'p [&'p (dyn ToSql + Sync)],
    pub(crate) wire: &'static [Option<Wire>],
    /// The tenant of a `#[tenant_scoped]` function's statement, for the
    /// database's row-level security (see [`scoped`]).
    pub(crate) tenant: Option<TenantId>,
}

/// How a parameter whose type the schema checks inferred is declared to
/// the server on an unnamed statement (PgBouncer mode), emitted by the
/// macros.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// A built-in type: declared with its OID, as the server would infer it.
    Declared(u32),
    /// A type whose OID is not known before run time (an enum, a domain):
    /// declared as unspecified, so the server infers it from the statement
    /// as `PREPARE` does, and sent in the binary format of the built-in
    /// type with this OID (`text` for an enum label, the base type of a
    /// domain), which is that type's binary format too.
    Inferred(u32),
}

/// The value wrappers of the [`Wire::Inferred`] parameters the values
/// accept, by place.
fn encoders<'p>(params: Params<'p>) -> Vec<Option<EncodeAs<'p>>> {
    let mut probe = Probe::default();
    params
        .values
        .iter()
        .enumerate()
        .map(|(i, value)| match params.wire.get(i).copied().flatten() {
            Some(Wire::Inferred(oid)) => probe.encode_as(*value, Type::from_oid(oid)?),
            _ => None,
        })
        .collect()
}

/// The declared type of each parameter. With the schema checks' inferred
/// type the value accepts, that type (or "unspecified" with the value
/// wrapped, for an enum or a domain); otherwise, as `ToSql` values only
/// say which types they accept, the first of the candidates the value
/// accepts, from which the server converts as from a typed literal.
fn typed_params<'p>(
    params: Params<'p>,
    encoders: &'p [Option<EncodeAs<'p>>],
) -> Result<Vec<(&'p (dyn ToSql + Sync), Type)>, Error> {
    let mut probe = Probe::default();
    let mut accepts = |p: &(dyn ToSql + Sync), ty: &Type| probe.takes(p, ty);
    params
        .values
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if let Some(Some(wrapped)) = encoders.get(i) {
                return Ok((wrapped as &(dyn ToSql + Sync), unspecified()));
            }
            if let Some(Wire::Declared(oid)) = params.wire.get(i).copied().flatten() {
                if let Some(ty) = Type::from_oid(oid).filter(|ty| accepts(*p, ty)) {
                    return Ok((*p, ty));
                }
            }
            CANDIDATE_TYPES
                .iter()
                .find(|ty| accepts(*p, ty))
                .map(|ty| (*p, ty.clone()))
                .ok_or_else(|| {
                    Error::from_kind(ErrorKind::InvalidInput).with_detail(format!(
                        "parameter ${} has a type that cannot be sent without the statement \
                         cache (statement_cache(false)); cast it in SQL or use a common type",
                        i + 1
                    ))
                })
        })
        .collect()
}

/// A prepared statement the server does not know, or knows twice, is what
/// named statements look like behind a transaction-mode pooler.
fn with_pooler_hint(e: Error) -> Error {
    match e.sqlstate() {
        Some(c)
            if *c == SqlState::DUPLICATE_PSTATEMENT
                || *c == SqlState::INVALID_SQL_STATEMENT_NAME =>
        {
            e.with_detail(
                "prepared statements were lost or clash between sessions: behind PgBouncer \
                 (or RDS Proxy) in transaction mode, build the pool with \
                 `.statement_cache(false)`",
            )
        }
        _ => e,
    }
}

fn is_stale_statement(e: &tokio_postgres::Error) -> bool {
    e.as_db_error()
        .is_some_and(crate::error::is_stale_statement_report)
}
