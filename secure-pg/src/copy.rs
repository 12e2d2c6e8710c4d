//! Bulk loads through `COPY ... FROM STDIN (FORMAT binary)`: the value
//! `secure_copy_in!` expands to.
//!
//! The rows are encoded here, in PostgreSQL's binary copy format, as the
//! caller's iterator yields them, and sent in chunks of about 64 KiB: a
//! load of any size holds one chunk in memory. Each value is encoded with
//! the type the server reports for its column (the `SELECT` of the listed
//! columns is prepared, never run, and cached with the connection's
//! statements), so a Rust value of the wrong type is an error before the
//! copy ends and nothing is written.
//!
//! A copy needs a connection of its own: on `&Pool` it checks one out,
//! never a shared (multiplexed) one. A copy is one statement, so it writes
//! every row or none. When it fails, or its future is dropped part way,
//! the connection ends the copy before anyone else uses it (a pooled
//! connection is recovered on return, or discarded when it was inside a
//! transaction).
//!
//! In a `#[tenant_scoped]` function the rows go through a staging table
//! and the tenant column is filled from the function's tenant, never from
//! the rows (see `secure_pg_sql::copy`).
//!
//! Bulk reads through `COPY ... TO STDOUT (FORMAT binary)` are the value
//! `secure_copy_out!` expands to ([`CopyOut`]): rows decoded into tuples
//! with the types the server reports, handed over as they arrive. A
//! tenant-scoped copy out selects the tenant's rows into a staging table
//! in a transaction for the tenant, and copies that out.

use std::pin::Pin;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::sink::Sink;
use tokio_postgres::types::{IsNull, ToSql, Type};
use tokio_postgres::Client;

use crate::conn_state::ConnState;
use crate::error::{Error, ErrorKind};
use crate::executor::{Executor, Route};
use crate::tenant::TenantId;

/// The SQL of a copy (in or out), all of it written by the macro from the
/// table and column names it checked.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct CopySql {
    /// The table as written, for messages.
    pub table: &'static str,
    /// The listed columns, for messages.
    pub columns: &'static [&'static str],
    /// `COPY t (cols) FROM STDIN (FORMAT binary)`, or `... TO STDOUT ...`.
    pub copy: &'static str,
    /// `SELECT cols FROM t`, prepared for the columns' types.
    pub types: &'static str,
}

/// The statements of a tenant-scoped copy, in or out (see
/// `secure_pg_sql::copy::Staged`).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct StagedSql {
    /// Creates the staging table.
    pub create: &'static str,
    /// Copies the rows into it, or out of it.
    pub copy: &'static str,
    /// Moves rows between the table and it, with the tenant as `$1`.
    pub insert: &'static str,
    /// Drops the staging table.
    pub drop: &'static str,
}

/// Where one row's values are encoded. The code `secure_copy_in!`
/// generates calls [`CopyRow::value`] once per listed column, in order.
pub struct CopyRow<'b> {
    buf: &'b mut BytesMut,
    types: &'b [Type],
    at: usize,
    error: Option<Box<dyn std::error::Error + Sync + Send>>,
}

impl std::fmt::Debug for CopyRow<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the values: they may be personal data.
        f.debug_struct("CopyRow").field("column", &self.at).finish()
    }
}

impl CopyRow<'_> {
    /// Encodes the value of the next column.
    #[doc(hidden)]
    pub fn value(&mut self, value: &(dyn ToSql + Sync)) {
        if self.error.is_some() {
            return;
        }
        let Some(ty) = self.types.get(self.at) else {
            self.at += 1;
            return;
        };
        self.at += 1;
        let start = self.buf.len();
        self.buf.put_i32(0);
        match value.to_sql_checked(ty, self.buf) {
            Ok(IsNull::Yes) => {
                self.buf.truncate(start);
                self.buf.put_i32(-1);
            }
            Ok(IsNull::No) => {
                let len = self.buf.len() - start - 4;
                match i32::try_from(len) {
                    Ok(len) => self.buf[start..start + 4].copy_from_slice(&len.to_be_bytes()),
                    Err(_) => self.error = Some("the value is larger than 2 GiB".into()),
                }
            }
            Err(e) => self.error = Some(e),
        }
    }
}

/// The tenant of a `#[tenant_scoped]` function's copy: what a copy in
/// fills the tenant column with (not the rows), and the rows a copy out
/// keeps.
struct Tenant {
    sql: StagedSql,
    value: Box<dyn ToSql + Sync + Send>,
    /// The tenant as a [`TenantId`], when it is one: row-level security is
    /// told it (as for the function's queries).
    id: Option<TenantId>,
}

impl Tenant {
    fn new<T: ToSql + Sync + Send + 'static>(sql: StagedSql, value: T) -> Tenant {
        Tenant {
            sql,
            value: Box::new(value),
            id: None,
        }
    }

    /// Tells row-level security the tenant of a copy that has one.
    fn set_id(tenant: &mut Option<Tenant>, id: TenantId) {
        if let Some(t) = tenant {
            t.id = Some(id);
        }
    }
}

/// A bulk load checked by `secure_copy_in!`. Run it with
/// [`CopyIn::execute`], which returns the number of rows written.
#[must_use = "a copy does nothing until `execute` is awaited"]
pub struct CopyIn<I, F> {
    sql: CopySql,
    rows: I,
    write: F,
    scoped: bool,
    tenant: Option<Tenant>,
}

impl<I, F> std::fmt::Debug for CopyIn<I, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopyIn")
            .field("copy", &self.sql.copy)
            .field("tenant_scoped", &self.tenant.is_some())
            .finish()
    }
}

/// The binary copy header: signature, flags, header extension length.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// About how much is encoded before it is sent.
const CHUNK: usize = 64 * 1024;

impl<I, F> CopyIn<I, F>
where
    I: IntoIterator,
    I::IntoIter: Send,
    F: FnMut(I::Item, &mut CopyRow<'_>) + Send,
{
    /// The copy `secure_copy_in!` checked. Used by the macro's expansion
    /// only: calling it by hand bypasses every compile-time check.
    #[doc(hidden)]
    pub fn __from_macro(sql: CopySql, rows: I, write: F) -> Self {
        CopyIn {
            sql,
            rows,
            write,
            scoped: false,
            tenant: None,
        }
    }

    /// Marks the copy as scoped by `#[tenant_scoped]` or as an explicit
    /// `unscoped = "reason"` exception (see `Query`'s method of the same
    /// name). Used by the macros only.
    #[doc(hidden)]
    pub fn __tenant_scoped_by_attribute(mut self) -> Self {
        self.scoped = true;
        self
    }

    /// Fills the tenant column from the function's tenant, through the
    /// staging table. Added by `#[tenant_scoped]` only.
    #[doc(hidden)]
    pub fn __with_tenant<T: ToSql + Sync + Send + 'static>(
        mut self,
        staged: StagedSql,
        tenant: T,
    ) -> Self {
        self.scoped = true;
        self.tenant = Some(Tenant::new(staged, tenant));
        self
    }

    /// The tenant as a [`TenantId`], told to row-level security (see
    /// `Query`'s method of the same name). Added by `#[tenant_scoped]`
    /// only, after [`CopyIn::__with_tenant`].
    #[doc(hidden)]
    pub fn __for_tenant<B: std::borrow::Borrow<TenantId>>(mut self, tenant: B) -> Self {
        Tenant::set_id(&mut self.tenant, *tenant.borrow());
        self
    }

    /// The `COPY` statement sent (for a tenant-scoped copy, the one into
    /// the staging table).
    pub fn sql(&self) -> &'static str {
        match &self.tenant {
            Some(t) => t.sql.copy,
            None => self.sql.copy,
        }
    }

    /// Writes every row, or none, and returns how many were written.
    ///
    /// Runs on a connection of its own: `&pool` checks one out (never a
    /// shared one), and `&conn`, `&mut tx` and a plain
    /// `tokio_postgres::Client` or `Transaction` run it there. A
    /// tenant-scoped copy needs our pool's connections or transactions
    /// (it runs in a transaction and tells row-level security the tenant).
    pub async fn execute<'e, E: Executor<'e>>(self, executor: E) -> Result<u64, Error> {
        crate::tenant_scope::check(self.scoped, self.sql())?;
        let span = crate::telemetry::query_span(self.sql());
        crate::telemetry::traced(&span, async {
            let handle = crate::executor::handle(executor, Route::Exclusive).await?;
            crate::telemetry::record_server(&span, handle.server());
            let Some((client, state)) = handle.ready_connection().await? else {
                return Err(Error::from_kind(ErrorKind::Configuration)
                    .with_detail("internal: a copy was routed to a shared connection"));
            };
            let CopyIn {
                sql,
                rows,
                mut write,
                tenant,
                ..
            } = self;
            match (tenant, state) {
                (None, _) => {
                    let run = copy_rows(client, state, sql, sql.copy, true, rows, &mut write);
                    match state {
                        Some(state) if needs_pinning(state) => {
                            in_transaction_for(client, state, sql.table, None, run).await
                        }
                        Some(state) => state.bounded(std::pin::pin!(run)).await,
                        None => run.await,
                    }
                }
                (Some(tenant), Some(state)) => {
                    staged(client, state, sql, tenant, rows, &mut write).await
                }
                (Some(_), None) => Err(needs_our_connection(sql.table)),
            }
        })
        .await
    }
}

/// The rows, encoded and sent through `copy` (a `COPY ... FROM STDIN`).
/// `cache_copy`: whether the `COPY` statement may be cached (not when it
/// names a temporary table, whose identity changes every time).
async fn copy_rows<I, F>(
    client: &Client,
    state: Option<&ConnState>,
    sql: CopySql,
    copy: &'static str,
    cache_copy: bool,
    rows: I,
    write: &mut F,
) -> Result<u64, Error>
where
    I: IntoIterator,
    F: FnMut(I::Item, &mut CopyRow<'_>),
{
    let types_stmt = prepare(client, state, sql.types, true).await?;
    let types: Vec<Type> = types_stmt
        .columns()
        .iter()
        .map(|c| c.type_().clone())
        .collect();
    let copy_stmt = prepare(client, state, copy, cache_copy).await?;
    let sink = client.copy_in::<_, Bytes>(&copy_stmt).await.map_err(|e| {
        // Refused before copy mode (row-level security, a dropped
        // table, a missing privilege): tokio-postgres has sent a `Sync`
        // with the `COPY` and sends another with the `CopyFail` that
        // ends it, so one answer more comes back than it expects
        // (rust-postgres/rust-postgres#789), which the next statement
        // would take for its own. Nothing more may be sent on it.
        if let Some(state) = state {
            state.mark_broken();
        }
        Error::from(e)
    })?;
    let mut sink = std::pin::pin!(sink);
    let mut buf = BytesMut::with_capacity(CHUNK + 4096);
    buf.put_slice(HEADER);
    let fields = i16::try_from(types.len()).map_err(|_| {
        Error::from_kind(ErrorKind::InvalidInput).with_detail("a copy takes at most 32767 columns")
    })?;
    for (n, item) in rows.into_iter().enumerate() {
        buf.put_i16(fields);
        let mut row = CopyRow {
            buf: &mut buf,
            types: &types,
            at: 0,
            error: None,
        };
        write(item, &mut row);
        let (at, error) = (row.at, row.error.take());
        if let Some(e) = error {
            // Dropping the sink ends the copy with `CopyFail`: nothing of
            // it is written.
            return Err(encode_error(&sql, &types, n, at, &*e));
        }
        if at != types.len() {
            return Err(
                Error::from_kind(ErrorKind::InvalidInput).with_detail(format!(
                "row {} of the copy into `{}` gave {at} values for {} columns; nothing was written",
                n + 1,
                sql.table,
                types.len()
            )),
            );
        }
        if buf.len() >= CHUNK {
            send(sink.as_mut(), buf.split().freeze()).await?;
        }
    }
    buf.put_i16(-1);
    send(sink.as_mut(), buf.freeze()).await?;
    sink.as_mut().finish().await.map_err(Error::from)
}

/// Why row `n`'s value at column `at` (1-based: the one that failed) could
/// not be encoded. Never the value: it may be personal data.
fn encode_error(
    sql: &CopySql,
    types: &[Type],
    n: usize,
    at: usize,
    e: &(dyn std::error::Error + Sync + Send + 'static),
) -> Error {
    let index = at.saturating_sub(1);
    let column = sql.columns.get(index).copied().unwrap_or("?");
    let ty = types.get(index).map_or("?", |t| t.name());
    let wrong_type = e.is::<tokio_postgres::types::WrongType>();
    let why = if wrong_type {
        format!(
            "its Rust type does not convert to the column's type `{ty}`; bind a type that \
             tokio-postgres converts to `{ty}`"
        )
    } else {
        format!("it could not be encoded as `{ty}`")
    };
    Error::from_kind(ErrorKind::InvalidInput).with_detail(format!(
        "row {} of the copy into `{}`, column `{column}`: {why}; nothing was written",
        n + 1,
        sql.table
    ))
}

async fn send(
    mut sink: Pin<&mut tokio_postgres::CopyInSink<Bytes>>,
    chunk: Bytes,
) -> Result<(), Error> {
    std::future::poll_fn(|cx| sink.as_mut().poll_ready(cx))
        .await
        .map_err(Error::from)?;
    sink.as_mut().start_send(chunk).map_err(Error::from)
}

async fn prepare(
    client: &Client,
    state: Option<&ConnState>,
    sql: &'static str,
    cache: bool,
) -> Result<tokio_postgres::Statement, Error> {
    match state {
        // Without a statement cache (PgBouncer's transaction mode) nothing
        // is kept prepared on the server.
        Some(state) if cache && state.statement_cache_enabled() => {
            state.cached_statement(client, sql).await
        }
        _ => client.prepare(sql).await.map_err(Error::from),
    }
}

/// A tenant-scoped copy: in a transaction for the tenant (the caller's, or
/// one of its own), through the staging table.
async fn staged<I, F>(
    client: &Client,
    state: &ConnState,
    sql: CopySql,
    tenant: Tenant,
    rows: I,
    write: &mut F,
) -> Result<u64, Error>
where
    I: IntoIterator,
    F: FnMut(I::Item, &mut CopyRow<'_>),
{
    in_transaction_for(client, state, sql.table, tenant.id, async {
        client
            .batch_execute(tenant.sql.create)
            .await
            .map_err(Error::from)?;
        copy_rows(
            client,
            Some(state),
            sql,
            tenant.sql.copy,
            false,
            rows,
            write,
        )
        .await?;
        let moved = client
            .execute(tenant.sql.insert, &[&*tenant.value as &(dyn ToSql + Sync)])
            .await
            .map_err(Error::from)?;
        client
            .batch_execute(tenant.sql.drop)
            .await
            .map_err(Error::from)?;
        Ok(moved)
    })
    .await
}

/// Runs `body` in a transaction for tenant `id` (told to row-level
/// security; `None`: no tenant): the caller's open transaction (setting the
/// tenant there if it set none; one for another tenant is refused before
/// anything is sent), or one of its own, committed after `body` and rolled
/// back when it fails. `table` is for messages.
async fn in_transaction_for<R>(
    client: &Client,
    state: &ConnState,
    table: &str,
    id: Option<TenantId>,
    body: impl std::future::Future<Output = Result<R, Error>>,
) -> Result<R, Error> {
    let own = !state.in_transaction();
    let set = id.map(crate::tenant::set_tenant_sql);
    if own {
        // Marked first: if the future is dropped inside, the pool
        // discards the connection instead of reusing an open transaction.
        state.enter_transaction();
        let begin = match &set {
            Some(set) => format!("BEGIN; {set}"),
            None => "BEGIN".to_owned(),
        };
        state
            .bounded(std::pin::pin!(async {
                client.batch_execute(&begin).await.map_err(Error::from)
            }))
            .await?;
    } else if let Some(id) = id {
        match state.transaction_tenant() {
            Some(t) if t == id.get() => {}
            Some(_) => {
                return Err(
                    Error::from_kind(ErrorKind::TenantScope).with_detail(format!(
                        "a #[tenant_scoped] copy of `{table}` for one tenant ran in a transaction \
                         that set another tenant for row-level security, and was refused \
                         before anything was sent; run it in a transaction for its own tenant"
                    )),
                )
            }
            None => {
                let set = set.clone().unwrap_or_default();
                state
                    .bounded(std::pin::pin!(async {
                        client.batch_execute(&set).await.map_err(Error::from)
                    }))
                    .await?;
                state.set_transaction_tenant(id.get());
            }
        }
    }
    let body = async {
        let out = body.await?;
        if own {
            client.batch_execute("COMMIT").await.map_err(Error::from)?;
        }
        Ok(out)
    };
    let result = state.bounded(std::pin::pin!(body)).await;
    if own {
        if result.is_err() && !state.is_broken() {
            let rollback = state
                .bounded(std::pin::pin!(async {
                    client.batch_execute("ROLLBACK").await.map_err(Error::from)
                }))
                .await;
            if rollback.is_err() {
                state.mark_broken();
            }
        }
        state.leave_transaction();
    }
    result
}

/// Without a statement cache (PgBouncer's transaction mode) and outside a
/// transaction: a copy's statements (preparing the column types and the
/// `COPY`, running it, closing them) would each be free to reach another
/// server connection behind the pooler, where the named statements they
/// use do not exist. A transaction of its own keeps them on one.
fn needs_pinning(state: &ConnState) -> bool {
    !state.statement_cache_enabled() && !state.in_transaction()
}

/// The refusal of a tenant-scoped copy on a client that is not ours.
fn needs_our_connection(table: &str) -> Error {
    Error::from_kind(ErrorKind::TenantScope).with_detail(format!(
        "a #[tenant_scoped] copy of `{table}` needs a connection of secure-pg's pool (`&pool`, \
         `&conn` or `&mut tx`), which can run it in a transaction for the tenant; a plain \
         tokio-postgres client cannot"
    ))
}

// ----- COPY TO STDOUT ---------------------------------------------------------

/// A row type a copy out reads into: tuples of up to 16 elements, each a
/// type tokio-postgres reads from its column (`Option<T>` for a column
/// that can be NULL).
pub trait FromCopyRow: Sized {
    /// Reads one row; `columns` names the listed columns, for messages.
    #[doc(hidden)]
    fn from_copy_row(
        row: &tokio_postgres::binary_copy::BinaryCopyOutRow,
        columns: &[&str],
    ) -> Result<Self, Error>;
}

fn read_error(columns: &[&str], i: usize, e: &tokio_postgres::Error) -> Error {
    let column = columns.get(i).copied().unwrap_or("?");
    // The error's source says which types did not match; never a value.
    let why = std::error::Error::source(e)
        .map(|s| s.to_string())
        .unwrap_or_else(|| e.to_string());
    Error::from_kind(ErrorKind::Decode).with_detail(format!(
        "column `{column}` of the copy could not be read into its element of the row type: {why}"
    ))
}

macro_rules! copy_row_tuples {
    ($(($($t:ident $i:tt),+))+) => {$(
        impl<$($t),+> FromCopyRow for ($($t,)+)
        where
            $($t: tokio_postgres::types::FromSqlOwned,)+
        {
            fn from_copy_row(
                row: &tokio_postgres::binary_copy::BinaryCopyOutRow,
                columns: &[&str],
            ) -> Result<Self, Error> {
                Ok(($(
                    row.try_get::<$t>($i).map_err(|e| read_error(columns, $i, &e))?,
                )+))
            }
        }
    )+};
}

copy_row_tuples! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15)
}

/// A bulk read checked by `secure_copy_out!`: run it with
/// [`CopyOut::fetch_all`], [`CopyOut::for_each`] or [`CopyOut::fetch`].
#[must_use = "a copy does nothing until it is run"]
pub struct CopyOut<T> {
    sql: CopySql,
    scoped: bool,
    tenant: Option<Tenant>,
    _row: std::marker::PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for CopyOut<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopyOut")
            .field("copy", &self.sql.copy)
            .field("tenant_scoped", &self.tenant.is_some())
            .finish()
    }
}

impl<T: FromCopyRow + Send> CopyOut<T> {
    /// The copy `secure_copy_out!` checked. Used by the macro's expansion
    /// only: calling it by hand bypasses every compile-time check.
    #[doc(hidden)]
    pub fn __from_macro(sql: CopySql) -> Self {
        CopyOut {
            sql,
            scoped: false,
            tenant: None,
            _row: std::marker::PhantomData,
        }
    }

    /// See [`CopyIn::__tenant_scoped_by_attribute`].
    #[doc(hidden)]
    pub fn __tenant_scoped_by_attribute(mut self) -> Self {
        self.scoped = true;
        self
    }

    /// Copies only the function's tenant's rows, through the staging
    /// table. Added by `#[tenant_scoped]` only.
    #[doc(hidden)]
    pub fn __with_tenant<V: ToSql + Sync + Send + 'static>(
        mut self,
        staged: StagedSql,
        tenant: V,
    ) -> Self {
        self.scoped = true;
        self.tenant = Some(Tenant::new(staged, tenant));
        self
    }

    /// See [`CopyIn::__for_tenant`].
    #[doc(hidden)]
    pub fn __for_tenant<B: std::borrow::Borrow<TenantId>>(mut self, tenant: B) -> Self {
        Tenant::set_id(&mut self.tenant, *tenant.borrow());
        self
    }

    /// The `COPY` statement sent (for a tenant-scoped copy, the one out of
    /// the staging table).
    pub fn sql(&self) -> &'static str {
        match &self.tenant {
            Some(t) => t.sql.copy,
            None => self.sql.copy,
        }
    }

    /// Every row, in a `Vec`.
    pub async fn fetch_all<'e, E: Executor<'e>>(self, executor: E) -> Result<Vec<T>, Error> {
        let mut rows = Vec::new();
        self.for_each(executor, |row| rows.push(row)).await?;
        Ok(rows)
    }

    /// Hands the rows to `f` one at a time as they arrive, and returns how
    /// many there were: a copy of any size in constant memory.
    ///
    /// Runs on a connection of its own, as [`CopyIn::execute`] does; a
    /// tenant-scoped copy runs in a transaction for the tenant (the
    /// caller's, or one of its own).
    pub async fn for_each<'e, E: Executor<'e>>(
        self,
        executor: E,
        mut f: impl FnMut(T) + Send,
    ) -> Result<u64, Error> {
        crate::tenant_scope::check(self.scoped, self.sql())?;
        let span = crate::telemetry::query_span(self.sql());
        crate::telemetry::traced(&span, async {
            let handle = crate::executor::handle(executor, Route::Exclusive).await?;
            crate::telemetry::record_server(&span, handle.server());
            let Some((client, state)) = handle.ready_connection().await? else {
                return Err(Error::from_kind(ErrorKind::Configuration)
                    .with_detail("internal: a copy was routed to a shared connection"));
            };
            let CopyOut { sql, tenant, .. } = self;
            match (tenant, state) {
                (None, state) => {
                    let run = read_rows(client, state, sql, sql.copy, true, &mut f);
                    let out = match state {
                        Some(state) if needs_pinning(state) => {
                            in_transaction_for(client, state, sql.table, None, run).await
                        }
                        Some(state) => state.bounded(std::pin::pin!(run)).await,
                        None => run.await,
                    };
                    if let (Err(_), Some(state)) = (&out, state) {
                        // A row that could not be read stopped the reading:
                        // the rest of the copy is still coming.
                        state.statement_started();
                    }
                    out
                }
                (Some(tenant), Some(state)) => {
                    in_transaction_for(client, state, sql.table, tenant.id, async {
                        client
                            .batch_execute(tenant.sql.create)
                            .await
                            .map_err(Error::from)?;
                        client
                            .execute(tenant.sql.insert, &[&*tenant.value as &(dyn ToSql + Sync)])
                            .await
                            .map_err(Error::from)?;
                        let n = read_rows(client, Some(state), sql, tenant.sql.copy, false, &mut f)
                            .await?;
                        client
                            .batch_execute(tenant.sql.drop)
                            .await
                            .map_err(Error::from)?;
                        Ok(n)
                    })
                    .await
                }
                (Some(_), None) => Err(needs_our_connection(sql.table)),
            }
        })
        .await
    }

    /// The rows as a stream, read as the caller polls it; the stream keeps
    /// the connection (for a pool, its checkout) until it is dropped. Not
    /// for a tenant-scoped copy (use [`CopyOut::for_each`]): its
    /// transaction and staging table must end when the copy does.
    pub async fn fetch<'e, E: Executor<'e>>(
        self,
        executor: E,
    ) -> Result<CopyOutStream<'e, T>, Error> {
        crate::tenant_scope::check(self.scoped, self.sql())?;
        if self.tenant.is_some() {
            return Err(
                Error::from_kind(ErrorKind::TenantScope).with_detail(format!(
                    "a #[tenant_scoped] copy of `{}` cannot be streamed: it runs in a transaction \
                 for the tenant that must end with the copy; read it with `for_each` (one \
                 row at a time, in constant memory) or `fetch_all`",
                    self.sql.table
                )),
            );
        }
        let span = crate::telemetry::query_span(self.sql());
        let sql = self.sql;
        let span_ref = &span;
        let (handle, stream) = crate::telemetry::traced(&span, async move {
            let handle = crate::executor::handle(executor, Route::Exclusive).await?;
            crate::telemetry::record_server(span_ref, handle.server());
            let Some((client, state)) = handle.ready_connection().await? else {
                return Err(Error::from_kind(ErrorKind::Configuration)
                    .with_detail("internal: a copy was routed to a shared connection"));
            };
            if state.is_some_and(needs_pinning) {
                return Err(
                    Error::from_kind(ErrorKind::Configuration).with_detail(format!(
                        "a copy of `{}` cannot be streamed on its own without a statement cache \
                     (PgBouncer's transaction mode): its statements must reach one server \
                     connection, which takes a transaction that ends with the copy; read it \
                     with `for_each` or `fetch_all`, or stream it inside `pool.transaction(..)`",
                        sql.table
                    )),
                );
            }
            let start = start_copy_out(client, state, sql, sql.copy, true);
            let stream = match state {
                Some(state) => state.bounded(std::pin::pin!(start)).await?,
                None => start.await?,
            };
            if let Some(state) = state {
                // In flight until the stream has been read to its end.
                state.statement_started();
            }
            Ok((handle, stream))
        })
        .await?;
        Ok(CopyOutStream {
            stream: Box::pin(stream),
            columns: sql.columns,
            handle,
            _row: std::marker::PhantomData,
        })
    }
}

/// Starts `copy` (a `COPY ... TO STDOUT (FORMAT binary)`), with the column
/// types the server reports for `sql.types`.
async fn start_copy_out(
    client: &Client,
    state: Option<&ConnState>,
    sql: CopySql,
    copy: &'static str,
    cache_copy: bool,
) -> Result<tokio_postgres::binary_copy::BinaryCopyOutStream, Error> {
    let types_stmt = prepare(client, state, sql.types, true).await?;
    let types: Vec<Type> = types_stmt
        .columns()
        .iter()
        .map(|c| c.type_().clone())
        .collect();
    let copy_stmt = prepare(client, state, copy, cache_copy).await?;
    let stream = client.copy_out(&copy_stmt).await.map_err(Error::from)?;
    Ok(tokio_postgres::binary_copy::BinaryCopyOutStream::new(
        stream, &types,
    ))
}

/// Reads every row of `copy` into `f`.
async fn read_rows<T: FromCopyRow>(
    client: &Client,
    state: Option<&ConnState>,
    sql: CopySql,
    copy: &'static str,
    cache_copy: bool,
    f: &mut impl FnMut(T),
) -> Result<u64, Error> {
    use futures_util::TryStreamExt;
    let stream = start_copy_out(client, state, sql, copy, cache_copy).await?;
    let mut stream = std::pin::pin!(stream);
    let mut n = 0;
    while let Some(row) = stream.try_next().await.map_err(Error::from)? {
        f(T::from_copy_row(&row, sql.columns)?);
        n += 1;
    }
    Ok(n)
}

/// The rows of a [`CopyOut::fetch`], read one by one.
pub struct CopyOutStream<'e, T> {
    stream: Pin<Box<tokio_postgres::binary_copy::BinaryCopyOutStream>>,
    columns: &'static [&'static str],
    handle: crate::executor::Handle<'e>,
    _row: std::marker::PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for CopyOutStream<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopyOutStream").finish_non_exhaustive()
    }
}

impl<T: FromCopyRow> futures_util::Stream for CopyOutStream<'_, T> {
    type Item = Result<T, Error>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        let this = &mut *self;
        match this.stream.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.handle.statement_finished();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => {
                this.handle.statement_finished();
                Poll::Ready(Some(Err(Error::from(e))))
            }
            Poll::Ready(Some(Ok(row))) => Poll::Ready(Some(T::from_copy_row(&row, this.columns))),
        }
    }
}
