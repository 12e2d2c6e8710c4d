//! The SQL analysis behind secure-pg's macros, as an ordinary library.
//!
//! Nothing here knows about Rust tokens: every function takes SQL text and
//! returns plain values or typed [`Diagnostic`]s, so the analysis can be
//! unit-tested, fuzzed and reused by tools. `secure-pg-macros` is a thin
//! shim over it: it reads the macro input with syn, calls these functions
//! and turns the results into code or compile errors.
//!
//! * [`lexer`]: just enough PostgreSQL lexing to find `$n` placeholders,
//!   top-level `;` and bare `?` outside strings, identifiers and comments.
//! * [`check`]: the statement checks of `secure_query!` (one statement,
//!   numbered placeholders, a full PostgreSQL parse).
//! * [`copy`]: the target of `secure_copy_in!` and the statements a copy
//!   runs, written anew from the names it lists.
//! * [`functions`]: the one table of built-in functions (which read no
//!   table, which leave no state on the session).
//! * [`ident`]: names compared exactly as PostgreSQL compares them.
//! * [`session`]: whether a statement may leave state on the session.
//! * [`tenant`]: the tenant rewriter of `#[tenant_scoped]`.
//! * [`schema`]: the catalog the macros check queries against, built from
//!   the repository's DDL (`schema.sql` or migrations).
//! * [`typecheck`]: the types of a statement's parameters and result
//!   columns (and their nullability), inferred from the [`schema`].
//! * [`migrate`]: migration histories as `migrate!()` embeds them (versions,
//!   statements, the statement checksums that ignore comments and whitespace).
//! * [`diagnostic`]: findings with a position and a fix, and how the macros
//!   render them.

#![warn(missing_docs)]

pub mod check;
pub mod copy;
pub mod derive;
pub mod diagnostic;
pub mod dynamic;
pub mod functions;
pub mod ident;
pub mod lexer;
pub mod migrate;
pub mod registry;
pub mod schema;
pub mod session;
pub mod tenant;
pub mod typecheck;

pub use diagnostic::{Diagnostic, Position};
