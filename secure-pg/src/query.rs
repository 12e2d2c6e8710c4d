//! The values `secure_query!` and `secure_query_as!` expand to, and the
//! traits they rely on: binding arguments and mapping rows.

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Column, Row};

use crate::error::{Error, ErrorKind};
use crate::executor::{AtMostOne, Executor, Handle, Params, Route, Wire};
use crate::tenant::TenantId;

/// A value that can be bound to a `$n` placeholder.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to a SQL parameter",
    label = "this argument is not a SQL value",
    note = "arguments of `secure_query!` must implement `tokio_postgres::types::ToSql + Sync`: \
            integers, floats, bool, String/&str, Vec<u8>/&[u8], Option<T>, Vec<T> (arrays), \
            and with features chrono/time/uuid/serde_json types; convert the value or implement ToSql"
)]
pub trait Bindable: ToSql + Sync {}

impl<T: ToSql + Sync> Bindable for T {}

/// A statement with its bound arguments, made by `secure_query!`. Run it
/// with one of its methods on any [`Executor`].
#[must_use = "a query does nothing until one of its methods is awaited"]
pub struct Query<'a, const N: usize> {
    sql: &'static str,
    params: [&'a (dyn ToSql + Sync); N],
    /// How many of `params` the statement takes: `N`, except for a variant
    /// of a dynamic query, whose values come first.
    len: usize,
    /// Known at compile time: the statement may change session state.
    session: bool,
    /// Rewritten by `#[tenant_scoped]` (or an explicit `unscoped = "..."`):
    /// may run inside a tenant scope, where unmarked queries are refused.
    scoped: bool,
    /// The parameters' types as the schema checks inferred them (empty
    /// without a schema), for PgBouncer mode.
    wire: &'static [Option<Wire>],
    /// The tenant of a `#[tenant_scoped]` function whose rewritten SQL
    /// binds it: the statement runs where row-level security knows it.
    tenant: Option<TenantId>,
}

impl<const N: usize> std::fmt::Debug for Query<'_, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Parameter values are never shown: they may be personal data.
        f.debug_struct("Query")
            .field("sql", &self.sql)
            .field("params", &N)
            .finish()
    }
}

impl<'a, const N: usize> Query<'a, N> {
    /// The statement `secure_query!` checked, with its arguments. Used by
    /// the macros' expansion only; calling it by hand bypasses every
    /// compile-time check — never do that.
    #[doc(hidden)]
    pub fn __unchecked_from_macro(sql: &'static str, params: [&'a (dyn ToSql + Sync); N]) -> Self {
        Query {
            sql,
            params,
            len: N,
            session: false,
            scoped: false,
            wire: &[],
            tenant: None,
        }
    }

    /// The parameters' types as the schema checks inferred them, declared
    /// on unnamed statements (PgBouncer mode) instead of guessed from the
    /// Rust values. Used by the macros' expansion only.
    #[doc(hidden)]
    #[inline(always)]
    pub fn __param_types(mut self, wire: &'static [Option<Wire>]) -> Self {
        self.wire = wire;
        self
    }

    /// The variant of a dynamic query that the parts' picks select (see
    /// [`Dynamic`]): its SQL, its parameter declarations, and the values of
    /// the fragments it includes after the base's. Used by the macros'
    /// expansion only.
    #[doc(hidden)]
    pub fn __dynamic_from_macro<const P: usize>(
        dynamic: &'static Dynamic,
        values: [Option<&'a (dyn ToSql + Sync)>; N],
        picks: [usize; P],
    ) -> Self {
        let (variant, params, len) = dynamic.pick(values, picks);
        let mut query = Query::__unchecked_from_macro(dynamic.sqls[variant], params);
        query.len = len;
        query.wire = dynamic.wires.get(variant).copied().unwrap_or(&[]);
        query
    }

    fn params(&self) -> Params<'_> {
        Params {
            values: &self.params[..self.len],
            wire: self.wire,
            tenant: self.tenant,
        }
    }

    /// Marks the query as rewritten by `#[tenant_scoped]` (or as an
    /// explicit `unscoped = "reason"` exception), so that it may run inside
    /// a tenant scope. Added by the attribute and the macros only: calling
    /// it by hand defeats the run-time tenant check — never do that.
    #[doc(hidden)]
    #[inline(always)]
    pub fn __tenant_scoped_by_attribute(mut self) -> Self {
        self.scoped = true;
        self
    }

    /// The tenant the attribute scoped the query to, so that on our pool's
    /// connections the statement also runs where row-level security knows
    /// it (see `executor::scoped`). Added by the attribute only.
    #[doc(hidden)]
    #[inline(always)]
    pub fn __for_tenant<T: std::borrow::Borrow<TenantId>>(mut self, tenant: T) -> Self {
        self.tenant = Some(*tenant.borrow());
        self
    }

    /// Records that a query on a tenant table compiled under
    /// `tenant_scoping = "opt-in"` outside `#[tenant_scoped]` (a posture
    /// finding). Used by the macros' expansion only.
    #[doc(hidden)]
    pub fn __tenant_scoping_opted_out(self) -> Self {
        crate::tenant_scope::note_scoping_opted_out();
        self
    }

    /// Marks the statement as changing session state (the macro decided
    /// this at compile time), so the connection is reset before its next
    /// checkout. Used by the macros' expansion only.
    #[doc(hidden)]
    pub fn __changes_session(mut self) -> Self {
        self.session = true;
        self
    }

    /// The SQL text, exactly as checked at compile time.
    pub fn sql(&self) -> &'static str {
        self.sql
    }

    /// Runs the statement and returns the number of rows it affected.
    pub async fn execute<'e, E: Executor<'e>>(self, executor: E) -> Result<u64, Error> {
        crate::tenant_scope::check(self.scoped, self.sql)?;
        let span = crate::telemetry::query_span(self.sql);
        crate::telemetry::traced(&span, async {
            let handle = crate::executor::handle(executor, route(self.session)).await?;
            crate::telemetry::record_server(&span, handle.server());
            handle.note_session(self.session);
            handle.execute(self.sql, self.params()).await
        })
        .await
    }

    /// Runs the query and returns all rows.
    pub async fn fetch_all<'e, E: Executor<'e>>(self, executor: E) -> Result<Vec<Row>, Error> {
        crate::tenant_scope::check(self.scoped, self.sql)?;
        let span = crate::telemetry::query_span(self.sql);
        crate::telemetry::traced(&span, async {
            let handle = crate::executor::handle(executor, route(self.session)).await?;
            crate::telemetry::record_server(&span, handle.server());
            handle.note_session(self.session);
            handle.query(self.sql, self.params()).await
        })
        .await
    }

    /// Runs the query and returns its only row; no row is an error of kind
    /// [`ErrorKind::NotFound`], more than one is an error too. Reading
    /// stops at the second row: the rest of a large result is not loaded.
    pub async fn fetch_one<'e, E: Executor<'e>>(self, executor: E) -> Result<Row, Error> {
        one(self.fetch_at_most_two(executor).await?)
    }

    /// Runs the query and returns its row, if any (more than one is an
    /// error; reading stops at the second row).
    pub async fn fetch_optional<'e, E: Executor<'e>>(
        self,
        executor: E,
    ) -> Result<Option<Row>, Error> {
        optional(self.fetch_at_most_two(executor).await?)
    }

    /// Up to two rows: enough to tell none, one, or too many.
    async fn fetch_at_most_two<'e, E: Executor<'e>>(self, executor: E) -> Result<AtMostOne, Error> {
        crate::tenant_scope::check(self.scoped, self.sql)?;
        let span = crate::telemetry::query_span(self.sql);
        crate::telemetry::traced(&span, async {
            let handle = crate::executor::handle(executor, route(self.session)).await?;
            crate::telemetry::record_server(&span, handle.server());
            handle.note_session(self.session);
            handle.query_at_most_two(self.sql, self.params()).await
        })
        .await
    }
}

/// Session-changing statements need a connection of their own; the rest
/// may be multiplexed.
fn route(changes_session: bool) -> Route {
    if changes_session {
        Route::Exclusive
    } else {
        Route::MayShare
    }
}

fn one(rows: AtMostOne) -> Result<Row, Error> {
    match optional(rows)? {
        Some(r) => Ok(r),
        None => Err(Error::from_kind(ErrorKind::NotFound)),
    }
}

fn optional(rows: AtMostOne) -> Result<Option<Row>, Error> {
    match rows {
        AtMostOne::Row(row) => Ok(row),
        AtMostOne::Several => Err(Error::from_kind(ErrorKind::Database)
            .with_detail("the query returned more than one row where at most one was expected")),
    }
}

/// A statement whose rows map into `T`, made by `secure_query_as!`.
#[must_use = "a query does nothing until one of its methods is awaited"]
pub struct QueryAs<'a, T, const N: usize> {
    inner: Query<'a, N>,
    _row: PhantomData<fn() -> T>,
}

impl<T, const N: usize> std::fmt::Debug for QueryAs<'_, T, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryAs")
            .field("sql", &self.inner.sql)
            .field("row", &std::any::type_name::<T>())
            .finish()
    }
}

impl<'a, T: FromRow, const N: usize> QueryAs<'a, T, N> {
    /// The statement `secure_query_as!` checked, with its arguments. Used
    /// by the macros' expansion only; calling it by hand bypasses every
    /// compile-time check — never do that.
    #[doc(hidden)]
    pub fn __unchecked_from_macro(sql: &'static str, params: [&'a (dyn ToSql + Sync); N]) -> Self {
        QueryAs {
            inner: Query::__unchecked_from_macro(sql, params),
            _row: PhantomData,
        }
    }

    /// See [`Query::__dynamic_from_macro`].
    #[doc(hidden)]
    pub fn __dynamic_from_macro<const P: usize>(
        dynamic: &'static Dynamic,
        values: [Option<&'a (dyn ToSql + Sync)>; N],
        picks: [usize; P],
    ) -> Self {
        QueryAs {
            inner: Query::__dynamic_from_macro(dynamic, values, picks),
            _row: PhantomData,
        }
    }

    /// See [`Query::__param_types`]. Used by the macros' expansion only.
    #[doc(hidden)]
    #[inline(always)]
    pub fn __param_types(mut self, wire: &'static [Option<Wire>]) -> Self {
        self.inner = self.inner.__param_types(wire);
        self
    }

    /// Records that a query on a tenant table compiled under
    /// `tenant_scoping = "opt-in"` outside `#[tenant_scoped]` (a posture
    /// finding). Used by the macros' expansion only.
    #[doc(hidden)]
    pub fn __tenant_scoping_opted_out(self) -> Self {
        crate::tenant_scope::note_scoping_opted_out();
        self
    }

    /// Marks the statement as changing session state (the macro decided
    /// this at compile time), so the connection is reset before its next
    /// checkout. Used by the macros' expansion only.
    #[doc(hidden)]
    pub fn __changes_session(mut self) -> Self {
        self.inner.session = true;
        self
    }

    /// See [`Query::__tenant_scoped_by_attribute`]: never call it by hand.
    #[doc(hidden)]
    #[inline(always)]
    pub fn __tenant_scoped_by_attribute(mut self) -> Self {
        self.inner.scoped = true;
        self
    }

    /// See [`Query::__for_tenant`]. Added by the attribute only.
    #[doc(hidden)]
    #[inline(always)]
    pub fn __for_tenant<B: std::borrow::Borrow<TenantId>>(mut self, tenant: B) -> Self {
        self.inner.tenant = Some(*tenant.borrow());
        self
    }

    /// The SQL text, exactly as checked at compile time.
    pub fn sql(&self) -> &'static str {
        self.inner.sql
    }

    /// Runs the query and maps every row. Column positions are resolved
    /// once per result, not per row.
    pub async fn fetch_all<'e, E: Executor<'e>>(self, executor: E) -> Result<Vec<T>, Error> {
        let rows = self.inner.fetch_all(executor).await?;
        map_rows(&rows)
    }

    /// Runs the query and maps its only row ([`ErrorKind::NotFound`] when
    /// there is none).
    pub async fn fetch_one<'e, E: Executor<'e>>(self, executor: E) -> Result<T, Error> {
        match self.fetch_optional(executor).await? {
            Some(v) => Ok(v),
            None => Err(Error::from_kind(ErrorKind::NotFound)),
        }
    }

    /// Runs the query and maps its row, if any.
    pub async fn fetch_optional<'e, E: Executor<'e>>(
        self,
        executor: E,
    ) -> Result<Option<T>, Error> {
        // Maps the single row directly: no intermediate Vec<T>.
        match optional(self.inner.fetch_at_most_two(executor).await?)? {
            Some(row) => {
                let layout = T::resolve(row.columns())?;
                T::from_row(&row, &layout).map(Some)
            }
            None => Ok(None),
        }
    }

    /// Runs the query and streams the rows as they arrive, for results too
    /// large to hold in memory. The stream keeps the connection (for a pool,
    /// its checkout) until it is dropped.
    ///
    /// ```ignore
    /// use secure_pg::TryStreamExt;
    /// let mut rows = secure_query_as!(Widget, "SELECT id, name FROM widgets").fetch(&pool).await?;
    /// while let Some(w) = rows.try_next().await? { /* one row at a time */ }
    /// ```
    ///
    /// Why a future of a stream, and not a stream (sqlx's `fetch`): what
    /// can fail before the first row (the checkout, its timeout, the
    /// statement's preparation, a refused parameter) is the `.await?`'s
    /// error, apart from the errors of the rows, and the checkout is taken
    /// when it is awaited, not at the first poll of a stream that may sit
    /// unread. `secure_pg::TryStreamExt` (re-exported) gives `try_next`.
    pub async fn fetch<'e, E: Executor<'e>>(self, executor: E) -> Result<RowStream<'e, T>, Error>
    where
        'a: 'e,
    {
        crate::tenant_scope::check(self.inner.scoped, self.inner.sql)?;
        // The span covers starting the statement (checkout, bind, first
        // response); rows are read later, by the caller.
        let span = crate::telemetry::query_span(self.inner.sql);
        let params = self.inner.params();
        let (sql, session) = (self.inner.sql, self.inner.session);
        let span_ref = &span;
        let (handle, stream) = crate::telemetry::traced(&span, async move {
            let handle = crate::executor::handle(executor, Route::Exclusive).await?;
            crate::telemetry::record_server(span_ref, handle.server());
            handle.note_session(session);
            let stream = handle.stream(sql, params).await?;
            Ok((handle, stream))
        })
        .await?;
        Ok(RowStream {
            stream: Box::pin(stream),
            layout: None,
            handle,
            _row: PhantomData,
        })
    }
}

pub(crate) fn map_rows<T: FromRow>(rows: &[Row]) -> Result<Vec<T>, Error> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let layout = T::resolve(first.columns())?;
    rows.iter().map(|r| T::from_row(r, &layout)).collect()
}

/// Rows of a [`QueryAs::fetch`], mapped one by one.
pub struct RowStream<'e, T: FromRow> {
    stream: Pin<Box<tokio_postgres::RowStream>>,
    layout: Option<T::Columns>,
    handle: Handle<'e>,
    _row: PhantomData<fn() -> T>,
}

impl<T: FromRow> std::fmt::Debug for RowStream<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream").finish_non_exhaustive()
    }
}

impl<T: FromRow> Stream for RowStream<'_, T>
where
    T::Columns: Unpin,
{
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
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
            Poll::Ready(Some(Ok(row))) => {
                if this.layout.is_none() {
                    match T::resolve(row.columns()) {
                        Ok(l) => this.layout = Some(l),
                        Err(e) => return Poll::Ready(Some(Err(e))),
                    }
                }
                let layout = this.layout.as_ref().expect("layout resolved above");
                Poll::Ready(Some(T::from_row(&row, layout)))
            }
        }
    }
}

/// Maps a row into a Rust value. Derive it with `#[derive(FromRow)]` for
/// structs (fields match columns by name; `#[secure_pg(rename = "col")]`
/// renames; `Option<T>` for nullable columns), or use a tuple to map by
/// position.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be built from a database row",
    note = "add `#[derive(secure_pg::FromRow)]` to the struct, or use a tuple such as `(i64, String)`"
)]
pub trait FromRow: Sized {
    /// Where each field's column is in the result, found once per result.
    type Columns: Send + Sync;
    /// Finds the columns this type needs.
    fn resolve(columns: &[Column]) -> Result<Self::Columns, Error>;
    /// Reads one row.
    fn from_row(row: &Row, columns: &Self::Columns) -> Result<Self, Error>;
    /// The derive's fields: the column each reads, in the order of its
    /// `FieldReads`/`FieldHoldsNull` impls (for the schema checks; hidden,
    /// and empty for hand-written impls, which are not checked).
    #[doc(hidden)]
    const __SECURE_PG_FIELDS: &'static [&'static str] = &[];
}

/// Where the column a field named `name` reads is in `columns`: the column
/// of that name, or else one of sqlx's override aliases of it (`name!`,
/// `name?`, `name: Type`, `name!: Type`), which the schema checks read as
/// nullability overrides (a `: Type` is left to the field's own type).
#[doc(hidden)]
pub fn column_named(columns: &[Column], name: &str) -> Option<usize> {
    columns.iter().position(|c| c.name() == name).or_else(|| {
        columns.iter().position(|c| {
            c.name().strip_prefix(name).is_some_and(|rest| {
                let rest = rest.strip_prefix(['!', '?']).unwrap_or(rest);
                rest.is_empty() || rest.trim_start().starts_with(':')
            })
        })
    })
}

/// Error for a struct field whose column is not in the result.
#[doc(hidden)]
pub fn missing_column(ty: &str, field: &str, column: &str) -> Error {
    Error::from_kind(ErrorKind::Decode).with_detail(format!(
        "field `{ty}::{field}` expects a column named `{column}`, which the query does not return"
    ))
}

/// Error for a `try_from` field whose value the conversion refused. The
/// conversion's own error is not shown: it may hold the value.
#[doc(hidden)]
pub fn try_from_error(ty: &str, field: &str, via: &str) -> Error {
    Error::from_kind(ErrorKind::Decode).with_detail(format!(
        "field `{ty}::{field}`: the column's value, read as `{via}`, was refused by the \
         field type's `TryFrom<{via}>`"
    ))
}

/// Error for a field whose column has an incompatible type or is NULL.
#[doc(hidden)]
pub fn decode_error(ty: &str, field: &str, e: tokio_postgres::Error) -> Error {
    use std::error::Error as _;
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        if s.is::<tokio_postgres::types::WasNull>() {
            msg.push_str("; declare the field as Option<_> if the column can be NULL");
        }
        source = s.source();
    }
    Error::from_kind(ErrorKind::Decode)
        .with_detail(format!("field `{ty}::{field}` could not be read: {msg}"))
}

macro_rules! tuple_from_row {
    ($n:literal; $($t:ident $i:tt),+) => {
        impl<$($t),+> FromRow for ($($t,)+)
        where
            $($t: for<'r> tokio_postgres::types::FromSql<'r>),+
        {
            type Columns = ();
            fn resolve(columns: &[Column]) -> Result<(), Error> {
                if columns.len() < $n {
                    return Err(Error::from_kind(ErrorKind::Decode).with_detail(format!(
                        "a {}-tuple needs {} columns but the query returns {}",
                        $n, $n, columns.len()
                    )));
                }
                Ok(())
            }
            fn from_row(row: &Row, _: &()) -> Result<Self, Error> {
                Ok(($(
                    crate::codec::get::<$t>(row, $i).map_err(|e| {
                        decode_error(std::any::type_name::<Self>(), stringify!($i), e)
                    })?,
                )+))
            }
        }
    };
}

tuple_from_row!(1; A 0);
tuple_from_row!(2; A 0, B 1);
tuple_from_row!(3; A 0, B 1, C 2);
tuple_from_row!(4; A 0, B 1, C 2, D 3);
tuple_from_row!(5; A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(6; A 0, B 1, C 2, D 3, E 4, F 5);
tuple_from_row!(7; A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_from_row!(8; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// A dynamic query's variants, written by the macros: every statement of
/// the family, in the order of `secure_pg_sql::dynamic::variants`.
#[doc(hidden)]
#[derive(Debug)]
pub struct Dynamic {
    /// Each variant's SQL.
    pub sqls: &'static [&'static str],
    /// Each variant's parameter declarations for PgBouncer mode (empty
    /// without a schema).
    pub wires: &'static [&'static [Option<Wire>]],
    /// The parts, in order.
    pub parts: &'static [DynamicPart],
}

/// How one part of a dynamic query is picked at run time.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum DynamicPart {
    /// An optional fragment with a value: included when value `slot` is
    /// given.
    Value(usize),
    /// An optional fragment without one (0 or 1), or a choice (the arm),
    /// read from pick `slot`.
    Pick {
        /// Which of the picks.
        slot: usize,
        /// How many ways there are.
        arity: usize,
    },
}

/// The placeholder left in the slots a variant does not bind (never sent:
/// the statement takes only the first `len`).
static UNUSED: Option<i32> = None;

impl Dynamic {
    /// The variant the picks select, and its values, compacted: the base's,
    /// then each included fragment's, in order (the order in which the
    /// variant's SQL numbers them).
    fn pick<'a, const N: usize, const P: usize>(
        &self,
        values: [Option<&'a (dyn ToSql + Sync)>; N],
        picks: [usize; P],
    ) -> (usize, [&'a (dyn ToSql + Sync); N], usize) {
        let mut variant = 0;
        let mut stride = 1;
        for part in self.parts {
            let (pick, arity) = match *part {
                DynamicPart::Value(slot) => (usize::from(values[slot].is_some()), 2),
                DynamicPart::Pick { slot, arity } => (picks[slot].min(arity - 1), arity),
            };
            variant += pick * stride;
            stride *= arity;
        }
        let mut params: [&'a (dyn ToSql + Sync); N] = [&UNUSED; N];
        let mut len = 0;
        for value in values.into_iter().flatten() {
            params[len] = value;
            len += 1;
        }
        (variant, params, len)
    }
}

#[cfg(test)]
mod future_size {
    use super::*;

    struct Id;
    impl FromRow for Id {
        type Columns = ();
        fn resolve(_: &[Column]) -> Result<(), Error> {
            Ok(())
        }
        fn from_row(_: &Row, _: &()) -> Result<Self, Error> {
            Ok(Id)
        }
    }

    /// Every caller's task holds its statement's future for as long as the
    /// statement runs: at c=16 the difference to a peer's is that times 16,
    /// and the allocator keeps it after a burst (see ARCHITECTURE.md's
    /// invariant). Measured in the test build (3,016 and 2,824 bytes).
    #[tokio::test]
    async fn a_pooled_statement_holds_a_small_future() {
        let pool = crate::pool::unconnected_test_pool().await;
        let key = 1_i64;
        let one = QueryAs::<Id, 1>::__unchecked_from_macro("SELECT 1", [&key]).fetch_one(&pool);
        let one = std::mem::size_of_val(&one);
        let run = Query::<1>::__unchecked_from_macro("SELECT 1", [&key]).execute(&pool);
        let run = std::mem::size_of_val(&run);
        assert!(one <= 3072, "fetch_one's future is {one} bytes");
        assert!(run <= 3072, "execute's future is {run} bytes");
    }
}
