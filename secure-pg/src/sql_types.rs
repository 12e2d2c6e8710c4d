//! Which Rust types tokio-postgres binds to a parameter of each SQL type:
//! the one table behind the schema-checked macros' per-argument
//! assertions.
//!
//! With a schema, the macros know each parameter's SQL type and bind the
//! argument through the function of that type here (`bigint(&arg)`), whose
//! trait bound accepts exactly the Rust types tokio-postgres accepts for it
//! (`i64` only for `bigint`, `i32` only for `integer`, the string types for
//! the text family...), each also as `Option<T>` and by reference. Another
//! type fails on the argument's own span with a message naming both types.
//! The uuid, json and date/time entries accept the types of secure-pg's
//! `uuid`, `json`, `time` and `chrono` features (and `SystemTime` for the
//! timestamps); without the feature nothing is accepted and the error
//! names the feature to turn on. SQL types without an entry (enums,
//! domains, `interval`, arrays other than those below) are bound without
//! an assertion, and tokio-postgres checks them when the statement runs. [`SQL_TYPES`] lists the
//! entries; `secure_pg_sql::typecheck::BINDINGS` must list the same (a test
//! holds them equal).
//!
//! Written out by hand rather than by a macro so that a refusal shows the
//! one impl that would have matched, not a macro expansion.

use std::borrow::Cow;

use tokio_postgres::types::ToSql;

/// `(SQL type, binding function)` for every entry below.
pub const SQL_TYPES: &[(&str, &str)] = &[
    ("boolean", "boolean"),
    ("smallint", "smallint"),
    ("integer", "integer"),
    ("bigint", "bigint"),
    ("real", "real"),
    ("double precision", "double_precision"),
    ("text", "text"),
    ("character varying", "character_varying"),
    ("character", "character"),
    ("bytea", "bytea"),
    ("oid", "oid"),
    ("inet", "inet"),
    ("numeric", "numeric"),
    ("smallint[]", "smallint_array"),
    ("integer[]", "integer_array"),
    ("bigint[]", "bigint_array"),
    ("text[]", "text_array"),
    ("boolean[]", "boolean_array"),
    ("uuid", "uuid"),
    ("json", "json"),
    ("jsonb", "jsonb"),
    ("date", "date"),
    ("time without time zone", "time_without_time_zone"),
    ("timestamp without time zone", "timestamp_without_time_zone"),
    ("timestamp with time zone", "timestamp_with_time_zone"),
    ("uuid[]", "uuid_array"),
];

// `boolean`.

/// Rust types tokio-postgres binds to a `boolean` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `boolean` parameter",
    label = "expected `bool`"
)]
pub trait SqlBoolean {}
impl SqlBoolean for bool {}
impl<T: SqlBoolean> SqlBoolean for Option<T> {}
impl<T: SqlBoolean + ?Sized> SqlBoolean for &T {}
/// Binds the argument of a `boolean` parameter.
#[inline(always)]
pub fn boolean<T: SqlBoolean + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `smallint`.

/// Rust types tokio-postgres binds to a `smallint` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `smallint` parameter",
    label = "expected `i16`"
)]
pub trait SqlSmallint {}
impl SqlSmallint for i16 {}
impl<T: SqlSmallint> SqlSmallint for Option<T> {}
impl<T: SqlSmallint + ?Sized> SqlSmallint for &T {}
/// Binds the argument of a `smallint` parameter.
#[inline(always)]
pub fn smallint<T: SqlSmallint + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `integer`.

/// Rust types tokio-postgres binds to a `integer` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `integer` parameter",
    label = "expected `i32`"
)]
pub trait SqlInteger {}
impl SqlInteger for i32 {}
impl<T: SqlInteger> SqlInteger for Option<T> {}
impl<T: SqlInteger + ?Sized> SqlInteger for &T {}
/// Binds the argument of a `integer` parameter.
#[inline(always)]
pub fn integer<T: SqlInteger + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `bigint`.

/// Rust types tokio-postgres binds to a `bigint` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `bigint` parameter",
    label = "expected `i64`"
)]
pub trait SqlBigint {}
impl SqlBigint for i64 {}
// The tenant argument `#[tenant_scoped]` appends binds as a `bigint`.
impl SqlBigint for crate::TenantId {}
impl<T: SqlBigint> SqlBigint for Option<T> {}
impl<T: SqlBigint + ?Sized> SqlBigint for &T {}
/// Binds the argument of a `bigint` parameter.
#[inline(always)]
pub fn bigint<T: SqlBigint + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `real`.

/// Rust types tokio-postgres binds to a `real` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `real` parameter",
    label = "expected `f32`"
)]
pub trait SqlReal {}
impl SqlReal for f32 {}
impl<T: SqlReal> SqlReal for Option<T> {}
impl<T: SqlReal + ?Sized> SqlReal for &T {}
/// Binds the argument of a `real` parameter.
#[inline(always)]
pub fn real<T: SqlReal + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `double precision`.

/// Rust types tokio-postgres binds to a `double precision` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `double precision` parameter",
    label = "expected `f64`"
)]
pub trait SqlDouble {}
impl SqlDouble for f64 {}
impl<T: SqlDouble> SqlDouble for Option<T> {}
impl<T: SqlDouble + ?Sized> SqlDouble for &T {}
/// Binds the argument of a `double precision` parameter.
#[inline(always)]
pub fn double_precision<T: SqlDouble + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `text`.

/// Rust types tokio-postgres binds to a `text` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `text` parameter",
    label = "expected `&str` or `String`"
)]
pub trait SqlText {}
impl SqlText for str {}
impl SqlText for String {}
impl SqlText for Box<str> {}
impl SqlText for Cow<'_, str> {}
impl<T: SqlText> SqlText for Option<T> {}
impl<T: SqlText + ?Sized> SqlText for &T {}
/// Binds the argument of a `text` parameter.
#[inline(always)]
pub fn text<T: SqlText + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `character varying`.

/// Rust types tokio-postgres binds to a `character varying` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `character varying` parameter",
    label = "expected `&str` or `String`"
)]
pub trait SqlVarchar {}
impl SqlVarchar for str {}
impl SqlVarchar for String {}
impl SqlVarchar for Box<str> {}
impl SqlVarchar for Cow<'_, str> {}
impl<T: SqlVarchar> SqlVarchar for Option<T> {}
impl<T: SqlVarchar + ?Sized> SqlVarchar for &T {}
/// Binds the argument of a `character varying` parameter.
#[inline(always)]
pub fn character_varying<T: SqlVarchar + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `character`.

/// Rust types tokio-postgres binds to a `character` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `character` parameter",
    label = "expected `&str` or `String`"
)]
pub trait SqlBpchar {}
impl SqlBpchar for str {}
impl SqlBpchar for String {}
impl SqlBpchar for Box<str> {}
impl SqlBpchar for Cow<'_, str> {}
impl<T: SqlBpchar> SqlBpchar for Option<T> {}
impl<T: SqlBpchar + ?Sized> SqlBpchar for &T {}
/// Binds the argument of a `character` parameter.
#[inline(always)]
pub fn character<T: SqlBpchar + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `bytea`.

/// Rust types tokio-postgres binds to a `bytea` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `bytea` parameter",
    label = "expected `&[u8]` or `Vec<u8>`"
)]
pub trait SqlBytea {}
impl SqlBytea for [u8] {}
impl SqlBytea for Vec<u8> {}
impl<T: SqlBytea> SqlBytea for Option<T> {}
impl<T: SqlBytea + ?Sized> SqlBytea for &T {}
/// Binds the argument of a `bytea` parameter.
#[inline(always)]
pub fn bytea<T: SqlBytea + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `oid`.

/// Rust types tokio-postgres binds to a `oid` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `oid` parameter",
    label = "expected `u32`"
)]
pub trait SqlOid {}
impl SqlOid for u32 {}
impl<T: SqlOid> SqlOid for Option<T> {}
impl<T: SqlOid + ?Sized> SqlOid for &T {}
/// Binds the argument of a `oid` parameter.
#[inline(always)]
pub fn oid<T: SqlOid + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `inet`.

/// Rust types tokio-postgres binds to a `inet` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `inet` parameter",
    label = "expected `std::net::IpAddr`"
)]
pub trait SqlInet {}
impl SqlInet for std::net::IpAddr {}
impl<T: SqlInet> SqlInet for Option<T> {}
impl<T: SqlInet + ?Sized> SqlInet for &T {}
/// Binds the argument of a `inet` parameter.
#[inline(always)]
pub fn inet<T: SqlInet + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `numeric`: with the `rust_decimal` feature checked, without it unchecked.

#[cfg(feature = "rust_decimal")]
/// Rust types tokio-postgres binds to a `numeric` parameter.
#[cfg(feature = "rust_decimal")]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `numeric` parameter",
    label = "expected `secure_pg::Decimal` (the `rust_decimal` feature)"
)]
#[cfg(feature = "rust_decimal")]
pub trait SqlNumeric {}
#[cfg(feature = "rust_decimal")]
impl SqlNumeric for rust_decimal::Decimal {}
#[cfg(feature = "rust_decimal")]
impl<T: SqlNumeric> SqlNumeric for Option<T> {}
#[cfg(feature = "rust_decimal")]
impl<T: SqlNumeric + ?Sized> SqlNumeric for &T {}
/// Binds the argument of a `numeric` parameter.
#[cfg(feature = "rust_decimal")]
#[inline(always)]
pub fn numeric<T: SqlNumeric + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}
/// Binds the argument of a `numeric` parameter (unchecked without the
/// `rust_decimal` feature).
#[cfg(not(feature = "rust_decimal"))]
#[inline(always)]
pub fn numeric<T: crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `smallint[]`.
/// Rust types tokio-postgres binds to a `smallint[]` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `smallint[]` parameter",
    label = "expected `Vec<i16>` or `&[i16]`"
)]
pub trait SqlSmallintArray {}
impl<T: SqlSmallint> SqlSmallintArray for Vec<T> {}
impl<T: SqlSmallint> SqlSmallintArray for [T] {}
impl<T: SqlSmallintArray> SqlSmallintArray for Option<T> {}
impl<T: SqlSmallintArray + ?Sized> SqlSmallintArray for &T {}
/// Binds the argument of a `smallint[]` parameter.
#[inline(always)]
pub fn smallint_array<T: SqlSmallintArray + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `integer[]`.
/// Rust types tokio-postgres binds to a `integer[]` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `integer[]` parameter",
    label = "expected `Vec<i32>` or `&[i32]`"
)]
pub trait SqlIntegerArray {}
impl<T: SqlInteger> SqlIntegerArray for Vec<T> {}
impl<T: SqlInteger> SqlIntegerArray for [T] {}
impl<T: SqlIntegerArray> SqlIntegerArray for Option<T> {}
impl<T: SqlIntegerArray + ?Sized> SqlIntegerArray for &T {}
/// Binds the argument of a `integer[]` parameter.
#[inline(always)]
pub fn integer_array<T: SqlIntegerArray + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `bigint[]`.
/// Rust types tokio-postgres binds to a `bigint[]` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `bigint[]` parameter",
    label = "expected `Vec<i64>` or `&[i64]`"
)]
pub trait SqlBigintArray {}
impl<T: SqlBigint> SqlBigintArray for Vec<T> {}
impl<T: SqlBigint> SqlBigintArray for [T] {}
impl<T: SqlBigintArray> SqlBigintArray for Option<T> {}
impl<T: SqlBigintArray + ?Sized> SqlBigintArray for &T {}
/// Binds the argument of a `bigint[]` parameter.
#[inline(always)]
pub fn bigint_array<T: SqlBigintArray + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `text[]`.
/// Rust types tokio-postgres binds to a `text[]` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `text[]` parameter",
    label = "expected `Vec<String>` or `&[&str]`"
)]
pub trait SqlTextArray {}
impl<T: SqlText> SqlTextArray for Vec<T> {}
impl<T: SqlText> SqlTextArray for [T] {}
impl<T: SqlTextArray> SqlTextArray for Option<T> {}
impl<T: SqlTextArray + ?Sized> SqlTextArray for &T {}
/// Binds the argument of a `text[]` parameter.
#[inline(always)]
pub fn text_array<T: SqlTextArray + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `boolean[]`.
/// Rust types tokio-postgres binds to a `boolean[]` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `boolean[]` parameter",
    label = "expected `Vec<bool>` or `&[bool]`"
)]
pub trait SqlBooleanArray {}
impl<T: SqlBoolean> SqlBooleanArray for Vec<T> {}
impl<T: SqlBoolean> SqlBooleanArray for [T] {}
impl<T: SqlBooleanArray> SqlBooleanArray for Option<T> {}
impl<T: SqlBooleanArray + ?Sized> SqlBooleanArray for &T {}
/// Binds the argument of a `boolean[]` parameter.
#[inline(always)]
pub fn boolean_array<T: SqlBooleanArray + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// ---- result columns ---------------------------------------------------------

// The same table for reading: `read_<type>::<T>()` compiles only when a
// column of that SQL type can be read into `T` (each also as `Option<T>`).

// `uuid`.

/// Rust types tokio-postgres binds to a `uuid` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `uuid` parameter",
    label = "expected `uuid::Uuid` (secure-pg's `uuid` feature)"
)]
pub trait SqlUuid {}
#[cfg(feature = "uuid")]
impl SqlUuid for ::uuid::Uuid {}
impl<T: SqlUuid> SqlUuid for Option<T> {}
impl<T: SqlUuid + ?Sized> SqlUuid for &T {}
/// Binds the argument of a `uuid` parameter.
#[inline(always)]
pub fn uuid<T: SqlUuid + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `json`.

/// Rust types tokio-postgres binds to a `json` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `json` parameter",
    label = "expected `serde_json::Value` or `Json<T>` (secure-pg's `json` feature)"
)]
pub trait SqlJson {}
#[cfg(feature = "json")]
impl SqlJson for ::serde_json::Value {}
#[cfg(feature = "json")]
impl<T: ::serde::Serialize + std::fmt::Debug> SqlJson for tokio_postgres::types::Json<T> {}
impl<T: SqlJson> SqlJson for Option<T> {}
impl<T: SqlJson + ?Sized> SqlJson for &T {}
/// Binds the argument of a `json` parameter.
#[inline(always)]
pub fn json<T: SqlJson + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `jsonb`.

/// Rust types tokio-postgres binds to a `jsonb` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `jsonb` parameter",
    label = "expected `serde_json::Value` or `Json<T>` (secure-pg's `json` feature)"
)]
pub trait SqlJsonb {}
#[cfg(feature = "json")]
impl SqlJsonb for ::serde_json::Value {}
#[cfg(feature = "json")]
impl<T: ::serde::Serialize + std::fmt::Debug> SqlJsonb for tokio_postgres::types::Json<T> {}
impl<T: SqlJsonb> SqlJsonb for Option<T> {}
impl<T: SqlJsonb + ?Sized> SqlJsonb for &T {}
/// Binds the argument of a `jsonb` parameter.
#[inline(always)]
pub fn jsonb<T: SqlJsonb + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `date`.

/// Rust types tokio-postgres binds to a `date` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `date` parameter",
    label = "expected `time::Date` or `chrono::NaiveDate` (secure-pg's `time` or `chrono` feature)"
)]
pub trait SqlDate {}
#[cfg(feature = "time")]
impl SqlDate for ::time::Date {}
#[cfg(feature = "chrono")]
impl SqlDate for ::chrono::NaiveDate {}
impl<T: SqlDate> SqlDate for Option<T> {}
impl<T: SqlDate + ?Sized> SqlDate for &T {}
/// Binds the argument of a `date` parameter.
#[inline(always)]
pub fn date<T: SqlDate + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `time without time zone`.

/// Rust types tokio-postgres binds to a `time without time zone` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `time without time zone` parameter",
    label = "expected `time::Time` or `chrono::NaiveTime` (secure-pg's `time` or `chrono` feature)"
)]
pub trait SqlTime {}
#[cfg(feature = "time")]
impl SqlTime for ::time::Time {}
#[cfg(feature = "chrono")]
impl SqlTime for ::chrono::NaiveTime {}
impl<T: SqlTime> SqlTime for Option<T> {}
impl<T: SqlTime + ?Sized> SqlTime for &T {}
/// Binds the argument of a `time without time zone` parameter.
#[inline(always)]
pub fn time_without_time_zone<T: SqlTime + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `timestamp without time zone`.

/// Rust types tokio-postgres binds to a `timestamp without time zone` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `timestamp without time zone` parameter",
    label = "expected `time::PrimitiveDateTime`, `chrono::NaiveDateTime` (secure-pg's `time` or `chrono` feature) or `std::time::SystemTime`"
)]
pub trait SqlTimestamp {}
impl SqlTimestamp for std::time::SystemTime {}
#[cfg(feature = "time")]
impl SqlTimestamp for ::time::PrimitiveDateTime {}
#[cfg(feature = "chrono")]
impl SqlTimestamp for ::chrono::NaiveDateTime {}
impl<T: SqlTimestamp> SqlTimestamp for Option<T> {}
impl<T: SqlTimestamp + ?Sized> SqlTimestamp for &T {}
/// Binds the argument of a `timestamp without time zone` parameter.
#[inline(always)]
pub fn timestamp_without_time_zone<T: SqlTimestamp + crate::Bindable>(
    v: &T,
) -> &(dyn ToSql + Sync) {
    v
}

// `timestamp with time zone`.

/// Rust types tokio-postgres binds to a `timestamp with time zone` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `timestamp with time zone` parameter",
    label = "expected `time::OffsetDateTime`, `chrono::DateTime<Tz>` (secure-pg's `time` or `chrono` feature) or `std::time::SystemTime`"
)]
pub trait SqlTimestamptz {}
impl SqlTimestamptz for std::time::SystemTime {}
#[cfg(feature = "time")]
impl SqlTimestamptz for ::time::OffsetDateTime {}
#[cfg(feature = "chrono")]
impl<Tz: ::chrono::TimeZone> SqlTimestamptz for ::chrono::DateTime<Tz> {}
impl<T: SqlTimestamptz> SqlTimestamptz for Option<T> {}
impl<T: SqlTimestamptz + ?Sized> SqlTimestamptz for &T {}
/// Binds the argument of a `timestamp with time zone` parameter.
#[inline(always)]
pub fn timestamp_with_time_zone<T: SqlTimestamptz + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

// `uuid[]`.

/// Rust types tokio-postgres binds to a `uuid[]` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this `uuid[]` parameter",
    label = "expected `Vec<uuid::Uuid>` or `&[uuid::Uuid]` (secure-pg's `uuid` feature)"
)]
pub trait SqlUuidArray {}
impl<T: SqlUuid> SqlUuidArray for Vec<T> {}
impl<T: SqlUuid> SqlUuidArray for [T] {}
impl<T: SqlUuidArray> SqlUuidArray for Option<T> {}
impl<T: SqlUuidArray + ?Sized> SqlUuidArray for &T {}
/// Binds the argument of a `uuid[]` parameter.
#[inline(always)]
pub fn uuid_array<T: SqlUuidArray + crate::Bindable>(v: &T) -> &(dyn ToSql + Sync) {
    v
}

/// Rust types tokio-postgres reads a `boolean` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `boolean` cannot be read into `{Self}`",
    label = "expected `bool`"
)]
pub trait ColBoolean {}
impl ColBoolean for bool {}
impl<T: ColBoolean> ColBoolean for Option<T> {}
/// Asserts that a `boolean` column can be read into `T`.
#[inline(always)]
pub fn read_boolean<T: ColBoolean>() {}

/// Rust types tokio-postgres reads a `smallint` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `smallint` cannot be read into `{Self}`",
    label = "expected `i16`"
)]
pub trait ColSmallint {}
impl ColSmallint for i16 {}
impl<T: ColSmallint> ColSmallint for Option<T> {}
/// Asserts that a `smallint` column can be read into `T`.
#[inline(always)]
pub fn read_smallint<T: ColSmallint>() {}

/// Rust types tokio-postgres reads a `integer` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `integer` cannot be read into `{Self}`",
    label = "expected `i32`"
)]
pub trait ColInteger {}
impl ColInteger for i32 {}
impl<T: ColInteger> ColInteger for Option<T> {}
/// Asserts that a `integer` column can be read into `T`.
#[inline(always)]
pub fn read_integer<T: ColInteger>() {}

/// Rust types tokio-postgres reads a `bigint` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `bigint` cannot be read into `{Self}`",
    label = "expected `i64`"
)]
pub trait ColBigint {}
impl ColBigint for i64 {}
impl<T: ColBigint> ColBigint for Option<T> {}
/// Asserts that a `bigint` column can be read into `T`.
#[inline(always)]
pub fn read_bigint<T: ColBigint>() {}

/// Rust types tokio-postgres reads a `real` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `real` cannot be read into `{Self}`",
    label = "expected `f32`"
)]
pub trait ColReal {}
impl ColReal for f32 {}
impl<T: ColReal> ColReal for Option<T> {}
/// Asserts that a `real` column can be read into `T`.
#[inline(always)]
pub fn read_real<T: ColReal>() {}

/// Rust types tokio-postgres reads a `double precision` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `double precision` cannot be read into `{Self}`",
    label = "expected `f64`"
)]
pub trait ColDouble {}
impl ColDouble for f64 {}
impl<T: ColDouble> ColDouble for Option<T> {}
/// Asserts that a `double precision` column can be read into `T`.
#[inline(always)]
pub fn read_double_precision<T: ColDouble>() {}

/// Rust types tokio-postgres reads a `text` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `text` cannot be read into `{Self}`",
    label = "expected `String`"
)]
pub trait ColText {}
impl ColText for String {}
impl ColText for Box<str> {}
impl<T: ColText> ColText for Option<T> {}
/// Asserts that a `text` column can be read into `T`.
#[inline(always)]
pub fn read_text<T: ColText>() {}

/// Rust types tokio-postgres reads a `character varying` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `character varying` cannot be read into `{Self}`",
    label = "expected `String`"
)]
pub trait ColVarchar {}
impl ColVarchar for String {}
impl ColVarchar for Box<str> {}
impl<T: ColVarchar> ColVarchar for Option<T> {}
/// Asserts that a `character varying` column can be read into `T`.
#[inline(always)]
pub fn read_character_varying<T: ColVarchar>() {}

/// Rust types tokio-postgres reads a `character` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `character` cannot be read into `{Self}`",
    label = "expected `String`"
)]
pub trait ColBpchar {}
impl ColBpchar for String {}
impl ColBpchar for Box<str> {}
impl<T: ColBpchar> ColBpchar for Option<T> {}
/// Asserts that a `character` column can be read into `T`.
#[inline(always)]
pub fn read_character<T: ColBpchar>() {}

/// Rust types tokio-postgres reads a `bytea` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `bytea` cannot be read into `{Self}`",
    label = "expected `Vec<u8>`"
)]
pub trait ColBytea {}
impl ColBytea for Vec<u8> {}
impl ColBytea for Box<[u8]> {}
impl<T: ColBytea> ColBytea for Option<T> {}
/// Asserts that a `bytea` column can be read into `T`.
#[inline(always)]
pub fn read_bytea<T: ColBytea>() {}

/// Rust types tokio-postgres reads a `oid` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `oid` cannot be read into `{Self}`",
    label = "expected `u32`"
)]
pub trait ColOid {}
impl ColOid for u32 {}
impl<T: ColOid> ColOid for Option<T> {}
/// Asserts that a `oid` column can be read into `T`.
#[inline(always)]
pub fn read_oid<T: ColOid>() {}

/// Rust types tokio-postgres reads a `inet` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `inet` cannot be read into `{Self}`",
    label = "expected `std::net::IpAddr`"
)]
pub trait ColInet {}
impl ColInet for std::net::IpAddr {}
impl<T: ColInet> ColInet for Option<T> {}
/// Asserts that a `inet` column can be read into `T`.
#[inline(always)]
pub fn read_inet<T: ColInet>() {}

#[cfg(feature = "rust_decimal")]
/// Rust types tokio-postgres reads a `numeric` column into.
#[cfg(feature = "rust_decimal")]
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `numeric` cannot be read into `{Self}`",
    label = "expected `secure_pg::Decimal` (the `rust_decimal` feature)"
)]
#[cfg(feature = "rust_decimal")]
pub trait ColNumeric {}
#[cfg(feature = "rust_decimal")]
impl ColNumeric for rust_decimal::Decimal {}
#[cfg(feature = "rust_decimal")]
impl<T: ColNumeric> ColNumeric for Option<T> {}
/// Asserts that a `numeric` column can be read into `T`.
#[cfg(feature = "rust_decimal")]
#[inline(always)]
pub fn read_numeric<T: ColNumeric>() {}
/// Asserts nothing without the `rust_decimal` feature.
#[cfg(not(feature = "rust_decimal"))]
#[inline(always)]
pub fn read_numeric<T>() {}

/// Rust types tokio-postgres reads a `smallint[]` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `smallint[]` cannot be read into `{Self}`",
    label = "expected `Vec<i16>`"
)]
pub trait ColSmallintArray {}
impl<T: ColSmallint> ColSmallintArray for Vec<T> {}
impl<T: ColSmallintArray> ColSmallintArray for Option<T> {}
/// Asserts that a `smallint[]` column can be read into `T`.
#[inline(always)]
pub fn read_smallint_array<T: ColSmallintArray>() {}

/// Rust types tokio-postgres reads a `integer[]` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `integer[]` cannot be read into `{Self}`",
    label = "expected `Vec<i32>`"
)]
pub trait ColIntegerArray {}
impl<T: ColInteger> ColIntegerArray for Vec<T> {}
impl<T: ColIntegerArray> ColIntegerArray for Option<T> {}
/// Asserts that a `integer[]` column can be read into `T`.
#[inline(always)]
pub fn read_integer_array<T: ColIntegerArray>() {}

/// Rust types tokio-postgres reads a `bigint[]` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `bigint[]` cannot be read into `{Self}`",
    label = "expected `Vec<i64>`"
)]
pub trait ColBigintArray {}
impl<T: ColBigint> ColBigintArray for Vec<T> {}
impl<T: ColBigintArray> ColBigintArray for Option<T> {}
/// Asserts that a `bigint[]` column can be read into `T`.
#[inline(always)]
pub fn read_bigint_array<T: ColBigintArray>() {}

/// Rust types tokio-postgres reads a `text[]` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `text[]` cannot be read into `{Self}`",
    label = "expected `Vec<String>`"
)]
pub trait ColTextArray {}
impl<T: ColText> ColTextArray for Vec<T> {}
impl<T: ColTextArray> ColTextArray for Option<T> {}
/// Asserts that a `text[]` column can be read into `T`.
#[inline(always)]
pub fn read_text_array<T: ColTextArray>() {}

/// Rust types tokio-postgres reads a `boolean[]` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `boolean[]` cannot be read into `{Self}`",
    label = "expected `Vec<bool>`"
)]
pub trait ColBooleanArray {}
impl<T: ColBoolean> ColBooleanArray for Vec<T> {}
impl<T: ColBooleanArray> ColBooleanArray for Option<T> {}
/// Asserts that a `boolean[]` column can be read into `T`.
#[inline(always)]
pub fn read_boolean_array<T: ColBooleanArray>() {}

/// Rust types tokio-postgres reads a `uuid` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `uuid` cannot be read into `{Self}`",
    label = "expected `uuid::Uuid` (secure-pg's `uuid` feature)"
)]
pub trait ColUuid {}
#[cfg(feature = "uuid")]
impl ColUuid for ::uuid::Uuid {}
impl<T: ColUuid> ColUuid for Option<T> {}
/// Asserts that a `uuid` column can be read into `T`.
#[inline(always)]
pub fn read_uuid<T: ColUuid>() {}

/// Rust types tokio-postgres reads a `json` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `json` cannot be read into `{Self}`",
    label = "expected `serde_json::Value` or `Json<T>` (secure-pg's `json` feature)"
)]
pub trait ColJson {}
#[cfg(feature = "json")]
impl ColJson for ::serde_json::Value {}
#[cfg(feature = "json")]
impl<T: for<'de> ::serde::Deserialize<'de>> ColJson for tokio_postgres::types::Json<T> {}
impl<T: ColJson> ColJson for Option<T> {}
/// Asserts that a `json` column can be read into `T`.
#[inline(always)]
pub fn read_json<T: ColJson>() {}

/// Rust types tokio-postgres reads a `jsonb` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `jsonb` cannot be read into `{Self}`",
    label = "expected `serde_json::Value` or `Json<T>` (secure-pg's `json` feature)"
)]
pub trait ColJsonb {}
#[cfg(feature = "json")]
impl ColJsonb for ::serde_json::Value {}
#[cfg(feature = "json")]
impl<T: for<'de> ::serde::Deserialize<'de>> ColJsonb for tokio_postgres::types::Json<T> {}
impl<T: ColJsonb> ColJsonb for Option<T> {}
/// Asserts that a `jsonb` column can be read into `T`.
#[inline(always)]
pub fn read_jsonb<T: ColJsonb>() {}

/// Rust types tokio-postgres reads a `date` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `date` cannot be read into `{Self}`",
    label = "expected `time::Date` or `chrono::NaiveDate` (secure-pg's `time` or `chrono` feature)"
)]
pub trait ColDate {}
#[cfg(feature = "time")]
impl ColDate for ::time::Date {}
#[cfg(feature = "chrono")]
impl ColDate for ::chrono::NaiveDate {}
impl<T: ColDate> ColDate for Option<T> {}
/// Asserts that a `date` column can be read into `T`.
#[inline(always)]
pub fn read_date<T: ColDate>() {}

/// Rust types tokio-postgres reads a `time without time zone` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `time without time zone` cannot be read into `{Self}`",
    label = "expected `time::Time` or `chrono::NaiveTime` (secure-pg's `time` or `chrono` feature)"
)]
pub trait ColTime {}
#[cfg(feature = "time")]
impl ColTime for ::time::Time {}
#[cfg(feature = "chrono")]
impl ColTime for ::chrono::NaiveTime {}
impl<T: ColTime> ColTime for Option<T> {}
/// Asserts that a `time without time zone` column can be read into `T`.
#[inline(always)]
pub fn read_time_without_time_zone<T: ColTime>() {}

/// Rust types tokio-postgres reads a `timestamp without time zone` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `timestamp without time zone` cannot be read into `{Self}`",
    label = "expected `time::PrimitiveDateTime`, `chrono::NaiveDateTime` (secure-pg's `time` or `chrono` feature) or `std::time::SystemTime`"
)]
pub trait ColTimestamp {}
impl ColTimestamp for std::time::SystemTime {}
#[cfg(feature = "time")]
impl ColTimestamp for ::time::PrimitiveDateTime {}
#[cfg(feature = "chrono")]
impl ColTimestamp for ::chrono::NaiveDateTime {}
impl<T: ColTimestamp> ColTimestamp for Option<T> {}
/// Asserts that a `timestamp without time zone` column can be read into `T`.
#[inline(always)]
pub fn read_timestamp_without_time_zone<T: ColTimestamp>() {}

/// Rust types tokio-postgres reads a `timestamp with time zone` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `timestamp with time zone` cannot be read into `{Self}`",
    label = "expected `time::OffsetDateTime`, `chrono::DateTime<Tz>` (secure-pg's `time` or `chrono` feature) or `std::time::SystemTime`"
)]
pub trait ColTimestamptz {}
impl ColTimestamptz for std::time::SystemTime {}
#[cfg(feature = "time")]
impl ColTimestamptz for ::time::OffsetDateTime {}
#[cfg(feature = "chrono")]
impl ColTimestamptz for ::chrono::DateTime<::chrono::Utc> {}
#[cfg(feature = "chrono")]
impl ColTimestamptz for ::chrono::DateTime<::chrono::Local> {}
#[cfg(feature = "chrono")]
impl ColTimestamptz for ::chrono::DateTime<::chrono::FixedOffset> {}
impl<T: ColTimestamptz> ColTimestamptz for Option<T> {}
/// Asserts that a `timestamp with time zone` column can be read into `T`.
#[inline(always)]
pub fn read_timestamp_with_time_zone<T: ColTimestamptz>() {}

/// Rust types tokio-postgres reads a `uuid[]` column into.
#[diagnostic::on_unimplemented(
    message = "a column of SQL type `uuid[]` cannot be read into `{Self}`",
    label = "expected `Vec<uuid::Uuid>` (secure-pg's `uuid` feature)"
)]
pub trait ColUuidArray {}
impl<T: ColUuid> ColUuidArray for Vec<T> {}
impl<T: ColUuidArray> ColUuidArray for Option<T> {}
/// Asserts that a `uuid[]` column can be read into `T`.
#[inline(always)]
pub fn read_uuid_array<T: ColUuidArray>() {}

/// Which result columns a field of a derived `FromRow` type can read,
/// by the field's place `I` in `__SECURE_PG_FIELDS`: the derive implements
/// `FieldReads<I, S>` for each field with the bound `FieldTy: ReadsColumn<S>`,
/// written on the field's type, so that a field that cannot read its
/// column is an error naming both types and pointing at the field. `usize::MAX`
/// (what [`field_index`] gives for a column no field reads, and for every
/// column of a hand-written `FromRow`) reads anything.
#[doc(hidden)]
pub trait FieldReads<const I: usize, S> {}
impl<T: crate::FromRow, S> FieldReads<{ usize::MAX }, S> for T {}

/// Asserts that the field of `T` at place `I` reads a column of the SQL
/// type marked by `S` (one of [`column`]).
#[doc(hidden)]
#[inline(always)]
pub fn field_reads<T: FieldReads<I, S>, const I: usize, S>() {}

/// `T` reads a column of the SQL type marked by `S`: the `Col*` trait of
/// that type, by marker, for the `FromRow` field checks.
#[doc(hidden)]
pub trait ReadsColumn<S> {}
impl<T: ColBoolean> ReadsColumn<column::boolean> for T {}
impl<T: ColSmallint> ReadsColumn<column::smallint> for T {}
impl<T: ColInteger> ReadsColumn<column::integer> for T {}
impl<T: ColBigint> ReadsColumn<column::bigint> for T {}
impl<T: ColReal> ReadsColumn<column::real> for T {}
impl<T: ColDouble> ReadsColumn<column::double_precision> for T {}
impl<T: ColText> ReadsColumn<column::text> for T {}
impl<T: ColVarchar> ReadsColumn<column::character_varying> for T {}
impl<T: ColBpchar> ReadsColumn<column::character> for T {}
impl<T: ColBytea> ReadsColumn<column::bytea> for T {}
impl<T: ColOid> ReadsColumn<column::oid> for T {}
impl<T: ColInet> ReadsColumn<column::inet> for T {}
impl<T: ColSmallintArray> ReadsColumn<column::smallint_array> for T {}
impl<T: ColIntegerArray> ReadsColumn<column::integer_array> for T {}
impl<T: ColBigintArray> ReadsColumn<column::bigint_array> for T {}
impl<T: ColTextArray> ReadsColumn<column::text_array> for T {}
impl<T: ColBooleanArray> ReadsColumn<column::boolean_array> for T {}
impl<T: ColUuid> ReadsColumn<column::uuid> for T {}
impl<T: ColJson> ReadsColumn<column::json> for T {}
impl<T: ColJsonb> ReadsColumn<column::jsonb> for T {}
impl<T: ColDate> ReadsColumn<column::date> for T {}
impl<T: ColTime> ReadsColumn<column::time_without_time_zone> for T {}
impl<T: ColTimestamp> ReadsColumn<column::timestamp_without_time_zone> for T {}
impl<T: ColTimestamptz> ReadsColumn<column::timestamp_with_time_zone> for T {}
impl<T: ColUuidArray> ReadsColumn<column::uuid_array> for T {}
#[cfg(feature = "rust_decimal")]
impl<T: ColNumeric> ReadsColumn<column::numeric> for T {}

/// One marker type per SQL type with a `Col*` trait, named like its
/// `read_*` function.
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub mod column {
    /// A `boolean` column.
    #[derive(Debug)]
    pub enum boolean {}
    /// A `smallint` column.
    #[derive(Debug)]
    pub enum smallint {}
    /// A `integer` column.
    #[derive(Debug)]
    pub enum integer {}
    /// A `bigint` column.
    #[derive(Debug)]
    pub enum bigint {}
    /// A `real` column.
    #[derive(Debug)]
    pub enum real {}
    /// A `double precision` column.
    #[derive(Debug)]
    pub enum double_precision {}
    /// A `text` column.
    #[derive(Debug)]
    pub enum text {}
    /// A `character varying` column.
    #[derive(Debug)]
    pub enum character_varying {}
    /// A `character` column.
    #[derive(Debug)]
    pub enum character {}
    /// A `bytea` column.
    #[derive(Debug)]
    pub enum bytea {}
    /// A `oid` column.
    #[derive(Debug)]
    pub enum oid {}
    /// A `inet` column.
    #[derive(Debug)]
    pub enum inet {}
    /// A `smallint[]` column.
    #[derive(Debug)]
    pub enum smallint_array {}
    /// A `integer[]` column.
    #[derive(Debug)]
    pub enum integer_array {}
    /// A `bigint[]` column.
    #[derive(Debug)]
    pub enum bigint_array {}
    /// A `text[]` column.
    #[derive(Debug)]
    pub enum text_array {}
    /// A `boolean[]` column.
    #[derive(Debug)]
    pub enum boolean_array {}
    /// A `uuid` column.
    #[derive(Debug)]
    pub enum uuid {}
    /// A `json` column.
    #[derive(Debug)]
    pub enum json {}
    /// A `jsonb` column.
    #[derive(Debug)]
    pub enum jsonb {}
    /// A `date` column.
    #[derive(Debug)]
    pub enum date {}
    /// A `time without time zone` column.
    #[derive(Debug)]
    pub enum time_without_time_zone {}
    /// A `timestamp without time zone` column.
    #[derive(Debug)]
    pub enum timestamp_without_time_zone {}
    /// A `timestamp with time zone` column.
    #[derive(Debug)]
    pub enum timestamp_with_time_zone {}
    /// A `uuid[]` column.
    #[derive(Debug)]
    pub enum uuid_array {}
    /// A `numeric` column.
    #[derive(Debug)]
    pub enum numeric {}
}

/// The place in `T::__SECURE_PG_FIELDS` of the field reading `column`, or
/// `usize::MAX` when no field reads it.
#[doc(hidden)]
pub const fn field_index<T: crate::FromRow>(column: &str) -> usize {
    let fields = T::__SECURE_PG_FIELDS;
    let mut i = 0;
    while i < fields.len() {
        if str_eq(fields[i], column) {
            return i;
        }
        i += 1;
    }
    usize::MAX
}

/// Rust types that hold a NULL (as `None`): a `FromRow` field reading a
/// column that can be NULL must be one.
#[diagnostic::on_unimplemented(
    message = "a column that can be NULL is read into `{Self}`, which cannot hold NULL",
    label = "this query's column can be NULL",
    note = "make the field an `Option<{Self}>`: a NULL then reads as `None`"
)]
#[doc(hidden)]
pub trait HoldsNull<Marker = ()> {}
impl<T, Marker> HoldsNull<Marker> for Option<T> {}

/// Which fields of a derived `FromRow` type hold a NULL, by the field's
/// place `I` in `__SECURE_PG_FIELDS`: the derive implements
/// `FieldHoldsNull<I>` for each field with the bound `FieldTy: HoldsNull`,
/// written on the field's type, so that a non-`Option` field reading a
/// column that can be NULL is an error pointing at the field. `usize::MAX`
/// (a column no field reads, or any column of a hand-written `FromRow`)
/// holds anything. The `Marker` parameter (always `()`) keeps the derive's
/// bound generic, so that a field which is no `Option` is an error only
/// where a query reads a nullable column into it.
#[doc(hidden)]
pub trait FieldHoldsNull<const I: usize, Marker> {}
impl<T: crate::FromRow, Marker> FieldHoldsNull<{ usize::MAX }, Marker> for T {}

/// Asserts that the field of `T` at place `I` holds a NULL.
#[doc(hidden)]
#[inline(always)]
pub fn field_holds_null<T: FieldHoldsNull<I, ()>, const I: usize>() {}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
