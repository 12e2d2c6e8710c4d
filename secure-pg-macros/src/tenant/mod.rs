//! `#[tenant_scoped]`: rewrites every `secure_query!` / `secure_query_as!`
//! inside a function so that it can only see and change the rows of one
//! tenant.
//!
//! The work is split in two layers that are tested separately:
//!
//! * `secure_pg_sql::tenant` operates on SQL alone: it parses one statement
//!   with sqlparser's PostgreSQL dialect, adds tenant predicates to the
//!   syntax tree (never to the text) and prints the tree again. Anything it
//!   does not fully understand is refused with a `ScopeError` that says why
//!   and what to do instead. Its module docs give the rules and why each
//!   keeps the query's meaning.
//! * [`attr`] (this crate) operates on Rust syntax: it finds the tenant
//!   argument of the function, walks the body, feeds every query literal
//!   through the rewriter, appends the tenant argument to the macro's
//!   arguments and documents the final SQL on the function.

mod attr;

#[cfg(test)]
mod tests;

pub(crate) use attr::expand;
