// Module dependency direction (a module uses only those to its left; the
// test in layering.rs holds it):
//
//   error, codec, pg_type → config → tls, credentials → connect, tenant_scope
//         → conn_state, posture, tenant → pool → executor, health
//         → query; pool → migrate; registry (data only) → pool; migrate, pool
//         → testing (`#[secure_pg::test]`, feature `testing`)
//
// `tenant_scope` is the run-time half of `#[tenant_scoped]` (the task-local
// scope in which `query` refuses queries the attribute did not mark).
// `conn_state` owns the per-connection flags and statement cache; `pool`
// never imports `executor` or `health`: the executor adapts pool types (and
// plain tokio-postgres clients) to `Executor`, and health reads the pool.

//! # secure-pg
//!
//! PostgreSQL for Rust services where the secure way is the easy way:
//!
//! * SQL is a string literal checked at compile time ([`secure_query!`],
//!   [`secure_query_as!`]): one statement, valid syntax, `$1..$n` matched to
//!   typed arguments. No runtime string ever becomes SQL.
//! * connections are TLS with `sslmode=verify-full` unless you say
//!   otherwise, and every physical connection asks the server
//!   (`pg_stat_ssl`) whether it really is encrypted;
//! * plaintext is refused except to loopback outside production;
//! * errors are safe to show to end users, with the full detail kept for
//!   logs; passwords never appear in `Debug`, `Display`, logs or errors.
//!
//! The [`guide`] takes it from a first service to production,
//! one chapter per topic.
//!
//! ```no_run
//! use secure_pg::{secure_query, secure_query_as, FromRow, Pool};
//!
//! #[derive(FromRow)]
//! struct Widget { id: i64, name: String, note: Option<String> }
//!
//! # async fn demo() -> Result<(), secure_pg::Error> {
//! // DATABASE_URL=postgres://app@db.internal/shop?sslrootcert=/etc/ssl/db-ca.pem
//! let pool = Pool::from_env().await?;
//! let id = 7_i64;
//! let w: Widget = secure_query_as!(Widget, "SELECT id, name, note FROM widgets WHERE id = $1", id)
//!     .fetch_one(&pool)
//!     .await?;
//! let changed = secure_query!("UPDATE widgets SET note = $1 WHERE id = $2", "shiny", w.id)
//!     .execute(&pool)
//!     .await?;
//! # let _ = (changed, w.name, w.note); Ok(()) }
//! ```
//!
//! # Tenant scoping
//!
//! [`tenant_scoped`] rewrites every query of a repository function so that
//! it sees and changes only the tenant's rows, and fails closed on what it
//! cannot see: at compile time, any macro in the function other than the
//! query macros, the standard library's (except `include!`), tracing's and
//! those listed in `allow_macros = [...]` is refused (so a renamed import
//! like `use secure_pg::secure_query as q;` or a shorthand macro cannot
//! smuggle an unscoped query in); at run time, an `async fn` body runs in a
//! task-local tenant scope in which any query the attribute did not rewrite
//! — say, from an unannotated helper it calls — fails with
//! [`ErrorKind::TenantScope`] and is never sent. An
//! `unscoped = "reason"` query is the reviewed exception.
//!
//! ```ignore
//! async fn purge(db: &Pool) -> Result<u64, Error> {
//!     secure_query!("DELETE FROM widgets").execute(db).await // every tenant's rows!
//! }
//!
//! #[tenant_scoped]
//! async fn clear(db: &Pool, tenant: TenantId) -> Result<u64, Error> {
//!     purge(db).await // Err(kind TenantScope): nothing is deleted
//! }
//! ```
//!
//! The scope stays on the task: work handed to `tokio::spawn` (or another
//! thread) leaves it and is not checked. Non-`async` functions get the
//! compile-time checks only.
//!
//! # Migrations
//!
//! [`migrate!`] embeds the migrations the schema checks read, and
//! [`migrate::Migrator::run`] applies them under an advisory lock, each in
//! its own transaction, with checksums over statements (a comment edit is
//! fine, a changed statement is refused by file and line); sqlx and diesel
//! ledgers are taken over. See [`mod@migrate`].
//!
//! # Logging
//!
//! Our `tracing` events carry durations, error kinds and SQLSTATEs, never
//! parameter values or passwords. Note that tokio-postgres itself logs
//! bound parameter values at `debug` level through the `log` crate; keep
//! `tokio_postgres` below `debug` in production log filters.
#![warn(missing_docs)]

mod codec;
mod config;
mod conn_state;
mod connect;
mod copy;
pub mod credentials;
mod error;
mod executor;
#[cfg(any(doc, doctest))]
pub mod guide;
mod health;
mod metrics;
pub mod migrate;
#[doc(hidden)]
pub mod pg_type;
mod pool;
mod posture;
mod query;
pub mod registry;
#[doc(hidden)]
pub mod sql_types;
mod telemetry;
mod tenant;
mod tenant_scope;
#[cfg(feature = "testing")]
pub mod testing;
mod tls;

#[cfg(test)]
mod layering;

pub use config::{
    ChannelBinding, Config, ConfigBuilder, Environment, Host, RootCerts, Secret, SslMode,
    TargetSessionAttrs, DEFAULT_CONNECT_TIMEOUT, DEVELOPMENT_APP_ENVS, LIBPQ_ENV_VARS,
};
pub use connect::{connect, ConnectionInfo, Connector, TlsInfo};
pub use copy::{CopyIn, CopyOut, CopyOutStream, CopyRow, FromCopyRow};
pub use error::{Detail, Error, ErrorKind, SqlState};
pub use executor::Executor;
pub use health::Health;
pub use metrics::ConnectionsClosed;
pub use pool::{
    Pool, PoolBuilder, PoolState, PooledConnection, Transaction, TransactionOptions, TxFuture,
};
pub use pool::{SchemaDifference, SchemaReport};
pub use posture::{Finding, FindingCode, Severity};
pub use query::{Bindable, FromRow, Query, QueryAs, RowStream};
pub use registry::{queries, required_grants};
pub use tenant::{row_level_security_sql, TenantId};

#[cfg(feature = "testing")]
pub use secure_pg_macros::test;
pub use secure_pg_macros::{
    migrate, secure_copy_in, secure_copy_out, secure_query, secure_query_as,
    secure_query_as_unparsed, secure_query_unparsed, tenant_scoped, FromRow, PgComposite, PgEnum,
};

/// Re-exported so that users need one dependency.
pub use tokio_postgres;

/// NUMERIC values: `rust_decimal::Decimal` binds as and reads from
/// `numeric` exactly (28 significant digits; a value the server holds
/// that does not fit, or `NaN`/infinity, is a decode error rather than a
/// rounded number). Enabled by the `rust_decimal` feature.
#[cfg(feature = "rust_decimal")]
pub use rust_decimal::Decimal;
pub use tokio_postgres::IsolationLevel;

/// A `json`/`jsonb` value read into or bound from your own
/// `serde` type: `Json<Order>`. Enabled by the `json` feature.
#[cfg(feature = "json")]
pub use tokio_postgres::types::Json;

/// The stream methods (`next`, `try_next`, ...) for the rows of
/// `.fetch(..)`: `use secure_pg::StreamExt;` (futures' `StreamExt` and
/// `TryStreamExt`, re-exported so that streaming needs no other
/// dependency).
pub use futures_util::{StreamExt, TryStreamExt};

#[doc(hidden)]
pub mod __private {
    pub use crate::copy::{CopySql, StagedSql};
    pub use crate::executor::Wire;
    pub use crate::migrate::{
        migration_from_macro, migration_statement, migrator_from_macro, Migration,
    };
    pub use crate::query::{
        column_named, decode_error, missing_column, try_from_error, Dynamic, DynamicPart, Query,
        QueryAs,
    };
    pub use crate::registry::QUERIES;
    /// Per-parameter binding functions of the schema-checked macros.
    pub use crate::sql_types as sql;
    pub use crate::tenant_scope::{in_tenant_scope, tenant_scope};
    pub use linkme;

    /// The check every query's fetch methods run first (exposed for the
    /// `--scope-cost` benchmark only).
    #[inline]
    pub fn tenant_scope_check(marked: bool, sql: &'static str) -> Result<(), crate::Error> {
        crate::tenant_scope::check(marked, sql)
    }
    pub use crate::tls::{hybrid_key_exchanges_started, key_exchanges_started};

    /// A copy into a tenant table compiled under `tenant_scoping =
    /// "opt-in"` outside `#[tenant_scoped]` (a posture finding).
    pub fn note_tenant_scoping_opted_out() {
        crate::tenant_scope::note_scoping_opted_out();
    }
    /// What the `PgEnum` and `PgComposite` derives expand to.
    pub use crate::pg_type;
    /// The buffer `ToSql` writes into.
    pub use bytes::BytesMut;
    /// The traits the `PgEnum` and `PgComposite` derives implement.
    pub use tokio_postgres::types;
    pub use tokio_postgres::types::ToSql;
    pub use tokio_postgres::{Column, Row};

    /// The body of a `#[tenant_scoped]` `async fn`, as the value of its
    /// declared return type: an argument is a coercion site, as the tail of
    /// the user's function was.
    #[inline(always)]
    pub fn returned<T>(value: T) -> T {
        value
    }

    /// Captures the tenant of a `#[tenant_scoped]` function once, when the
    /// function is entered, into a binding the body cannot name: shadowing
    /// or reassigning the parameter later changes nothing the queries use.
    /// A clone, so that the parameter stays usable in the body.
    #[inline(always)]
    pub fn capture_tenant<T: Clone>(tenant: &T) -> T {
        tenant.clone()
    }

    /// Binds one argument; a compile error here means the argument's type
    /// is not a SQL value (see [`crate::Bindable`]).
    #[inline(always)]
    pub fn bind<T: crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
        v
    }

    /// What includes an optional fragment that takes no value: a `bool`,
    /// or whether an `Option` is `Some`.
    #[diagnostic::on_unimplemented(
        message = "`if {Self} => \"...\"` needs a `bool` or an `Option<_>` to decide whether \
                   the fragment is included",
        label = "neither a `bool` nor an `Option<_>`"
    )]
    pub trait Switch {
        /// Whether the fragment is included.
        fn on(&self) -> bool;
    }
    impl Switch for bool {
        fn on(&self) -> bool {
            *self
        }
    }
    impl<T> Switch for Option<T> {
        fn on(&self) -> bool {
            self.is_some()
        }
    }

    /// The pick of a flag-included fragment: 1 when included.
    #[inline(always)]
    pub fn switch<S: Switch + ?Sized>(s: &S) -> usize {
        usize::from(s.on())
    }

    /// The value of an optional fragment with `$1`: it is included when
    /// the `Option` is `Some`, and binds what it holds.
    #[inline(always)]
    pub fn fragment_value<T>(v: &Option<T>) -> Option<&T> {
        v.as_ref()
    }

    /// Binds a value that is always given, for the values array of a
    /// dynamic query.
    #[inline(always)]
    pub fn given(v: &(dyn ToSql + Sync)) -> Option<&(dyn ToSql + Sync)> {
        Some(v)
    }

    /// Builds a dynamic `secure_query_as!` query; see
    /// [`query_as_unchecked_from_macro`].
    #[inline(always)]
    pub fn query_as_dynamic_from_macro<'a, T: crate::FromRow, const N: usize, const P: usize>(
        dynamic: &'static Dynamic,
        values: [Option<&'a (dyn ToSql + Sync)>; N],
        picks: [usize; P],
    ) -> QueryAs<'a, T, N> {
        QueryAs::__dynamic_from_macro(dynamic, values, picks)
    }

    /// Builds a `secure_query_as!` query; the bound puts a missing
    /// `FromRow` on the user's type with the trait's own message. Used by
    /// the macros' expansion only; calling it by hand bypasses every
    /// compile-time check — never do that.
    #[inline(always)]
    pub fn query_as_unchecked_from_macro<'a, T: crate::FromRow, const N: usize>(
        sql: &'static str,
        params: [&'a (dyn ToSql + Sync); N],
    ) -> QueryAs<'a, T, N> {
        QueryAs::__unchecked_from_macro(sql, params)
    }

    /// A value a `FromRow` field can be read into.
    #[diagnostic::on_unimplemented(
        message = "field type `{Self}` cannot be read from a database column",
        label = "this field's type does not implement `FromSql`",
        note = "use a type tokio-postgres can decode (i64, i32, f64, bool, String, Vec<u8>, \
                Option<T> for nullable columns, Vec<T> for arrays; uuid/json/time with the \
                crate features) or implement `FromSql` for it"
    )]
    pub trait Decodable: for<'r> tokio_postgres::types::FromSql<'r> {}

    impl<T: for<'r> tokio_postgres::types::FromSql<'r>> Decodable for T {}

    /// Reads one column of `row` for a `FromRow` field.
    #[inline(always)]
    pub fn read_column<T: Decodable>(row: &Row, index: usize) -> Result<T, tokio_postgres::Error> {
        crate::codec::get(row, index)
    }
}
