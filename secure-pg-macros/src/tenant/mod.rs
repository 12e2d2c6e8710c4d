//! `#[tenant_scoped]`: rewrites every `secure_query!` / `secure_query_as!`
//! inside a function so that it can only see and change the rows of one
//! tenant.
//!
//! The work is split in two layers that are tested separately:
//!
//! * [`rewrite`] operates on SQL alone: [`scope_sql`] parses one statement
//!   with sqlparser's PostgreSQL dialect, adds tenant predicates to the
//!   syntax tree (never to the text) and prints the tree again. Anything it
//!   does not fully understand is refused with a [`ScopeError`] that says
//!   why and what to do instead.
//! * [`attr`] operates on Rust syntax: it finds the tenant argument of the
//!   function, walks the body, feeds every query literal through
//!   [`scope_sql`], appends the tenant argument to the macro's arguments and
//!   documents the final SQL on the function.
//!
//! # The rules, in short
//!
//! With the tenant column `tenant_id` and the tenant value bound as `$n`
//! (one past the query's own arguments):
//!
//! * `SELECT`, at every nesting level (derived tables, `LATERAL`, `WHERE`,
//!   select list, `HAVING`, `IN`/`EXISTS`/scalar subqueries, every CTE, every
//!   branch of `UNION`/`INTERSECT`/`EXCEPT`): each base table that is not
//!   exempt and is not a CTE reference gets `<alias or name>.tenant_id = $n`.
//!   The predicate goes to `WHERE` (the user's condition is parenthesised
//!   first) unless the table sits on the nullable side of an outer join; then
//!   it goes into the `ON` of the innermost such join. Tables on either side
//!   of a `FULL JOIN`, or on the nullable side of an outer join written with
//!   `USING` / `NATURAL`, are filtered in place:
//!   `(SELECT * FROM t WHERE t.tenant_id = $n) AS t`. See [`rewrite`] for
//!   why each placement keeps the join's meaning.
//! * `UPDATE` / `DELETE`: the target and every `FROM` / `USING` table are
//!   filtered in `WHERE`; `SET tenant_id = ...` is refused.
//! * `INSERT`: the tenant column is appended to the column list and `$n` to
//!   every `VALUES` row or to the select list of every branch of an
//!   `INSERT ... SELECT` (whose own tables are scoped as above). A
//!   user-written tenant column and a missing column list are refused.
//!   `ON CONFLICT DO UPDATE` may not assign the tenant column and gets
//!   `WHERE <target>.tenant_id = $n`, so an upsert can never touch another
//!   tenant's conflicting row.
//! * Everything else (DDL, `COPY`, `TRUNCATE`, `SET`, `CALL`, `EXPLAIN`,
//!   `MERGE`, `LOCK`, table functions outside a small allow-list, ...) is
//!   refused, and unknown syntax is refused rather than passed through.

mod attr;
mod rewrite;
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) mod snapshots;

#[cfg(test)]
mod tests;

pub(crate) use attr::expand;
#[allow(unused_imports)] // for docs tooling: the generated `# Tenant scoping` section
pub(crate) use attr::{doc_lines, parse_options, QueryDoc};
#[allow(unused_imports)] // used by the attribute; also re-exported for docs tooling
pub(crate) use rewrite::{
    refused_statements, scope_query, scope_sql, Refusal, Scoped, TABLE_FUNCTION_ALLOW_LIST,
};

use std::fmt;

/// The tenant column used when the attribute does not name one.
pub(crate) const DEFAULT_COLUMN: &str = "tenant_id";

/// How to scope a query: which column carries the tenant and which tables
/// are shared between tenants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TenantOptions {
    /// The tenant column, a plain lowercase SQL identifier.
    pub(crate) column: String,
    /// Tables that are shared by all tenants (compared case-insensitively
    /// with the last part of a table name).
    pub(crate) exempt: Vec<String>,
    /// SQL type of the tenant column, used to type the tenant value where
    /// PostgreSQL cannot infer it (the select list of `INSERT ... SELECT`).
    pub(crate) column_type: String,
}

/// The tenant column's type when the attribute does not name one: the
/// type `TenantId` binds as.
pub(crate) const DEFAULT_COLUMN_TYPE: &str = "bigint";

impl Default for TenantOptions {
    fn default() -> Self {
        TenantOptions {
            column: DEFAULT_COLUMN.to_owned(),
            exempt: Vec::new(),
            column_type: DEFAULT_COLUMN_TYPE.to_owned(),
        }
    }
}

impl TenantOptions {
    /// Whether `table` (the last identifier of a table name) is exempt.
    pub(crate) fn is_exempt(&self, table: &str) -> bool {
        self.exempt.iter().any(|e| e.eq_ignore_ascii_case(table))
    }
}

/// Why a statement could not be scoped to the tenant. The message is meant
/// to be shown to the user as a compile error, as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScopeError {
    message: String,
}

impl ScopeError {
    /// `cannot scope <what> to the tenant: <why>`.
    pub(crate) fn refuse(what: impl fmt::Display, why: impl fmt::Display) -> Self {
        ScopeError {
            message: format!("cannot scope this query to the tenant ({what}): {why}"),
        }
    }

    /// The full message.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScopeError {}
