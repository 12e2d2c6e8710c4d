//! Procedural macros for [secure-pg](https://docs.rs/secure-pg).
//!
//! Use them through the `secure-pg` crate, which re-exports them; the code
//! they generate refers to `::secure_pg`.
//!
//! Each macro here is a thin shim: the SQL analysis (statement checks,
//! placeholders, session effects, the tenant rewriter) lives in the plain
//! library `secure-pg-sql`; this crate only reads the macro input with syn
//! (`expand`, `from_row`, `tenant`), calls the analysis and turns its
//! results into code or compile errors.

use proc_macro::TokenStream;

mod copy;
mod dynamic;
mod expand;
mod from_row;
mod migrate;
mod pg_type;
mod register;
mod schema_check;
mod tenant;
mod test_attr;

use expand::MacroKind;

/// Builds a checked query from a SQL string literal and its arguments.
///
/// ```ignore
/// let rows = secure_query!(
///     "SELECT name FROM widgets WHERE owner = $1 AND size > $2",
///     owner_id,
///     min_size,
/// )
/// .fetch_all(&client)
/// .await?;
/// ```
///
/// At compile time the macro checks that:
///
/// - the SQL is a string literal written in the call (normal or raw,
///   `r#"..."#`). Variables, consts, `format!`, `concat!` and
///   `include_str!` are refused: the macro can only vouch for SQL it can
///   see, and values belong in arguments, never in the SQL text;
/// - the SQL parses as exactly one PostgreSQL statement (a single trailing
///   `;` is allowed; anything after it is refused as stacked statements);
/// - placeholders are numbered `$1`, `$2` ... without gaps (`?` and `$0`
///   are refused; a placeholder may be used more than once), and there is
///   exactly one argument per placeholder.
///
/// Each argument is passed by reference and must implement `Bindable`;
/// a type that cannot be bound is reported on the argument itself.
///
/// Inside a `#[tenant_scoped]` function the query is rewritten to filter by
/// the tenant. A query that must see every tenant says so, with a reason:
///
/// ```ignore
/// secure_query!(unscoped = "monthly billing across tenants", "SELECT sum(total) FROM invoices")
/// ```
///
/// Outside `#[tenant_scoped]` functions the `unscoped` reason is accepted
/// and ignored, but it must be a non-empty string literal.
///
/// If the SQL parser rejects SQL that PostgreSQL accepts, use
/// [`secure_query_unparsed!`].
#[proc_macro]
pub fn secure_query(input: TokenStream) -> TokenStream {
    expand::run(input.into(), MacroKind::Query).into()
}

/// Like [`secure_query!`], but each row is decoded into a type that
/// implements `FromRow` (usually with `#[derive(FromRow)]`).
///
/// ```ignore
/// #[derive(FromRow)]
/// struct Widget {
///     id: i64,
///     name: String,
/// }
///
/// let widgets: Vec<Widget> =
///     secure_query_as!(Widget, "SELECT id, name FROM widgets WHERE owner = $1", owner_id)
///         .fetch_all(&client)
///         .await?;
/// ```
///
/// The row type comes first, then the SQL literal and its arguments, with
/// the same checks as [`secure_query!`] (including the optional leading
/// `unscoped = "reason"`).
#[proc_macro]
pub fn secure_query_as(input: TokenStream) -> TokenStream {
    expand::run(input.into(), MacroKind::QueryAs).into()
}

/// A bulk load through `COPY ... FROM STDIN (FORMAT binary)`, checked at
/// compile time like a query.
///
/// ```ignore
/// let written: u64 = secure_copy_in!(
///     "orders (customer_id, amount, note)",
///     &orders,
///     |o| (o.customer_id, o.amount, o.note.as_deref()),
/// )
/// .execute(&pool)
/// .await?;
/// ```
///
/// The target names the table and the columns each row fills (a column
/// list is required; names are read as PostgreSQL reads them, quoted ones
/// exactly). Then come the rows, any `IntoIterator`, and a closure that
/// gives one row's values, one per column and in their order. The `COPY`
/// statement is written by the macro from those names, so nothing in the
/// literal can add options or statements.
///
/// With the crate's schema, the table and columns must exist and each
/// value must have a Rust type that converts to its column's type (the
/// error points at the value), as for a `secure_query!` argument. A copy
/// into a tenant table must be inside `#[tenant_scoped]`, which fills the
/// tenant column from the function's tenant (the rows must not list it),
/// or say `unscoped = "reason"`.
///
/// The copy writes every row or none, on a connection of its own (`&pool`
/// checks one out; `&conn`, `&mut tx` and plain tokio-postgres clients run
/// it there), and returns how many rows were written.
#[proc_macro]
pub fn secure_copy_in(input: TokenStream) -> TokenStream {
    copy::run(input.into()).into()
}

/// A bulk read through `COPY ... TO STDOUT (FORMAT binary)`, into a tuple a
/// row, checked at compile time.
///
/// ```ignore
/// let orders: Vec<(i64, Decimal, Option<String>)> = secure_copy_out!(
///     (i64, Decimal, Option<String>),
///     "orders (id, amount, note)",
/// )
/// .fetch_all(&pool)
/// .await?;
/// ```
///
/// The row type comes first (a tuple, one element per listed column),
/// then the target, written as for [`secure_copy_in!`]. With the crate's
/// schema, the table and columns must exist and each element must read
/// its column's type, as an `Option` when the column can be NULL (checked
/// as `secure_query_as!` checks the `SELECT` of the columns). A copy of a
/// tenant table must be inside `#[tenant_scoped]`, which copies only the
/// function's tenant's rows, or say `unscoped = "reason"`.
///
/// `.fetch_all(executor)` returns the rows, `.for_each(executor, |row|
/// ..)` hands them over one at a time (any size, in constant memory), and
/// `.fetch(executor)` returns them as a stream (not for a tenant-scoped
/// copy, which runs in a transaction that must end). Each runs on a
/// connection of its own.
#[proc_macro]
pub fn secure_copy_out(input: TokenStream) -> TokenStream {
    copy::run_out(input.into()).into()
}

/// Escape hatch for SQL that PostgreSQL accepts but the SQL parser used by
/// [`secure_query!`] rejects (newer or rarely used syntax).
///
/// ```ignore
/// let rows = secure_query_unparsed!("SELECT * FROM some_new_syntax($1)", arg)
///     .fetch_all(&client)
///     .await?;
/// ```
///
/// Everything except the full parse is still checked: the SQL must be a
/// string literal, a `;` may only end the SQL (no stacked statements),
/// placeholders must be `$1`, `$2` ... without gaps and match the
/// arguments. Strings, quoted identifiers, dollar-quoted bodies and
/// comments are understood, so a `$1` or `;` inside them does not count.
///
/// It cannot be used inside a `#[tenant_scoped]` function: the tenant
/// rewrite needs a parsed statement. Prefer [`secure_query!`] whenever it
/// accepts the SQL.
#[proc_macro]
pub fn secure_query_unparsed(input: TokenStream) -> TokenStream {
    expand::run(input.into(), MacroKind::QueryUnparsed).into()
}

/// The row-typed form of [`secure_query_unparsed!`]:
/// `secure_query_as_unparsed!(Type, "SQL", args...)`.
///
/// ```ignore
/// let widgets: Vec<Widget> =
///     secure_query_as_unparsed!(Widget, "SELECT id, name FROM some_new_syntax($1)", arg)
///         .fetch_all(&client)
///         .await?;
/// ```
///
/// Same checks as [`secure_query_unparsed!`]; like it, it cannot be used
/// inside a `#[tenant_scoped]` function.
#[proc_macro]
pub fn secure_query_as_unparsed(input: TokenStream) -> TokenStream {
    expand::run(input.into(), MacroKind::QueryAsUnparsed).into()
}

/// Derives `FromRow`: each field is read from the result column of the same
/// name, looked up once per query rather than once per row.
///
/// ```ignore
/// #[derive(FromRow)]
/// struct Widget {
///     id: i64,
///     #[secure_pg(rename = "widget_name")]
///     name: String,
///     owner: Option<i64>,
/// }
/// ```
///
/// `#[secure_pg(rename = "column")]` reads a field from a differently named
/// column. A column the query does not return is reported as a
/// missing-column error naming the struct, the field and the column; a
/// value that cannot be decoded as the field's type is reported with the
/// struct and field. Only structs with named fields are supported.
#[proc_macro_derive(FromRow, attributes(secure_pg))]
pub fn derive_from_row(input: TokenStream) -> TokenStream {
    syn::parse::<syn::DeriveInput>(input)
        .and_then(|input| from_row::derive(&input))
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Maps a Rust enum to a PostgreSQL enum type: each unit variant reads
/// and writes one label.
///
/// ```ignore
/// #[derive(Debug, Clone, Copy, PartialEq, PgEnum)]
/// #[secure_pg(type = "order_status", rename_all = "snake_case")]
/// enum OrderStatus {
///     Pending,
///     InProgress,
///     #[secure_pg(rename = "done")]
///     Shipped,
/// }
/// ```
///
/// Options on the enum: `type = "name"` (or `"schema.name"`), the type as
/// the server stores it (default: the Rust name in snake case);
/// `rename_all = "..."` (`lowercase`, `UPPERCASE`, `snake_case`,
/// `SCREAMING_SNAKE_CASE`, `kebab-case`, `camelCase`, `PascalCase`;
/// default: the variant's name as written); `unchecked = "why"` to skip
/// the schema check. On a variant: `rename = "label"`.
///
/// With the crate's schema, the labels are checked at compile time: a
/// variant whose label the type lacks, and a label of the type that no
/// variant reads, are each an error that names it. The value binds to a
/// parameter of the enum type (also without the statement cache, as
/// text), reads from a column of it (not of another enum type, even with
/// the same labels), and as `Vec<T>` to and from arrays of it. The type
/// must also derive `Debug` (`ToSql` requires it).
#[proc_macro_derive(PgEnum, attributes(secure_pg))]
pub fn derive_pg_enum(input: TokenStream) -> TokenStream {
    syn::parse::<syn::DeriveInput>(input)
        .and_then(|input| pg_type::derive_enum(&input))
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Maps a Rust struct to a PostgreSQL composite type
/// (`CREATE TYPE address AS (street text, zip text)`): each named field
/// holds the attribute of the same name.
///
/// ```ignore
/// #[derive(Debug, Clone, PartialEq, PgComposite)]
/// #[secure_pg(type = "address")]
/// struct Address {
///     street: Option<String>,
///     #[secure_pg(rename = "zip")]
///     postcode: Option<String>,
/// }
/// ```
///
/// Options on the struct: `type = "name"` (default: the Rust name in
/// snake case) and `unchecked = "why"`; on a field, `rename = "attribute"`.
/// With the crate's schema, the fields are checked at compile time: a
/// field the type has no attribute for, an attribute no field holds, and a
/// field whose type cannot read or bind the attribute's SQL type are
/// errors. A composite's attributes can be NULL whatever the type says: a
/// field that is no `Option` fails to decode a NULL, naming the attribute.
/// The type must also derive `Debug`.
#[proc_macro_derive(PgComposite, attributes(secure_pg))]
pub fn derive_pg_composite(input: TokenStream) -> TokenStream {
    syn::parse::<syn::DeriveInput>(input)
        .and_then(|input| pg_type::derive_composite(&input))
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Scopes the queries of a function to the current tenant. See the
/// `secure-pg` documentation for details.
///
/// Every `secure_query!` / `secure_query_as!` in the function (under any
/// path, raw identifiers included) is rewritten to filter by the tenant
/// parameter. What the attribute cannot see is refused or stopped:
///
/// - **Macros.** Besides the query macros, a scoped function may use only
///   the standard library's macros (bare or under `std::` / `core::` /
///   `alloc::`; not `include!`), tracing's (bare or under `tracing::`), and
///   those listed as query-free with `allow_macros = [name, path::name]`
///   (matched as written at the call). Any other macro — a renamed import
///   such as `q!`, a wrapper macro, a `macro_rules!` defined in the body,
///   `include!` — is a compile error that names it. Inside an allowed
///   macro's tokens, a query or an unknown macro is refused too.
/// - **Helpers.** An `async fn` body runs inside a task-local tenant scope.
///   A query run while it is active that the attribute did not rewrite
///   (from an unannotated helper function, or from a user macro that
///   shadows a standard macro's name) fails with
///   `ErrorKind::TenantScope` before anything is sent to the server;
///   `unscoped = "reason"` queries are the explicit exception. Scoped
///   functions can call each other.
///
/// Work moved to another task (`tokio::spawn`, `spawn_blocking`, a worker
/// behind a channel) leaves the scope and is not checked. A non-`async`
/// function cannot await a query, so it gets the compile-time checks only
/// (a future it returns runs outside any scope).
#[proc_macro_attribute]
pub fn tenant_scoped(attr: TokenStream, item: TokenStream) -> TokenStream {
    tenant::expand(attr.into(), item.into()).into()
}

/// A test with a `Pool` on a fresh database of its own, with the crate's
/// migrations applied (`secure_pg` feature `testing`; see
/// `secure_pg::testing`).
///
/// ```ignore
/// #[secure_pg::test]
/// async fn a_widget_is_stored(pool: secure_pg::Pool) -> Result<(), secure_pg::Error> {
///     secure_query!("INSERT INTO widgets (name) VALUES ($1)", "gear").execute(&pool).await?;
///     Ok(())
/// }
/// ```
///
/// `#[secure_pg::test(migrations = "db/migrations")]` names the directory;
/// `#[secure_pg::test(migrations = false)]` gives an empty database. Other
/// attributes on the function (`#[should_panic]`, for one) stay on the
/// test as written.
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    test_attr::expand(attr.into(), item.into()).into()
}

/// Embeds the crate's migrations into a `secure_pg::migrate::Migrator`.
///
/// ```ignore
/// static MIGRATOR: secure_pg::migrate::Migrator = secure_pg::migrate!();
/// MIGRATOR.run(&pool).await?;
/// ```
///
/// Without an argument it reads the migrations the schema checks read
/// (`[package.metadata.secure-pg] path`, or `migrations/` at the crate and
/// then the workspace root; sqlx, refinery and diesel layouts). A single
/// `schema.sql` is not a migration history and is refused.
/// `migrate!("db/migrations")` names a directory relative to the crate's
/// `Cargo.toml`. Each file is embedded with `include_str!`, so editing one
/// rebuilds the crate; a *new* file needs `cargo:rerun-if-changed=migrations`
/// in a build script to be noticed. See the `secure_pg::migrate` module for
/// how migrations are applied.
#[proc_macro]
pub fn migrate(input: TokenStream) -> TokenStream {
    migrate::expand(input.into()).into()
}
