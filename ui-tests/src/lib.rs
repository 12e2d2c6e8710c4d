//! # The secure-pg macro catalogue
//!
//! This crate has no code of its own. Its tests are a catalogue of what the
//! secure-pg macros accept and what they refuse, with the exact compiler
//! message a user sees (checked by [trybuild](https://docs.rs/trybuild)):
//!
//! ```text
//! tests/
//!   ui.rs                      one trybuild project for every family's fail/ cases
//!   pass.rs                    every family's pass/ cases, compiled and run together
//!   common/mod.rs              what ui.rs and pass.rs of both catalogues share
//!   secure_query/pass/*.rs     secure_query!, secure_query_unparsed!, executors,
//!                              transactions, Send futures
//!   secure_query/fail/*.rs     ... each with a .stderr next to it
//!   secure_query_as/{pass,fail}/   secure_query_as!, secure_query_as_unparsed!
//!   from_row/{pass,fail}/          #[derive(FromRow)], #[secure_pg(rename = "...")]
//!   tenant_scoped/{pass,fail}/     #[tenant_scoped], unscoped = "reason"
//! ```
//!
//! Every case is a small complete program. It starts with a comment that
//! states the rule and what to write instead, and the file is named after
//! the mistake (`fail/`) or the feature (`pass/`), so browsing a folder is
//! a way to learn the API. Nothing connects to a database: `main` only names
//! the functions that use the macros, so that they are compiled.
//!
//! The `pass` programs are modules of one test (`tests/pass.rs`), built
//! with the rest of the workspace, whose test runs every case's `main`:
//! trybuild would build each as a binary of its own, and the catalogue then
//! took minutes longer. A new `pass` file must be listed there (a test
//! fails until it is).
//!
//! # Running
//!
//! ```text
//! cargo test -p secure-pg-ui-tests
//! cargo test -p secure-pg-ui-tests --test ui -- ui trybuild=tenant_scoped/   # one family's fail cases
//! cargo test -p secure-pg-ui-tests --test pass                               # the pass cases
//! ```
//!
//! A `fail` case passes when the program does not compile **and** the
//! compiler's output equals the `.stderr` file next to it.
//!
//! # Updating the expected output ("blessing")
//!
//! After changing a macro's message, or adding a `fail` case, write the new
//! output and then read every changed `.stderr` as user-facing text: it must
//! point at the offending token and say what to write instead.
//!
//! ```text
//! TRYBUILD=overwrite cargo test -p secure-pg-ui-tests
//! git diff -- ui-tests/tests
//! ```
//!
//! The `.stderr` files depend on the compiler's wording, so they are
//! blessed with the current stable toolchain; another compiler version may
//! word rustc's own errors (type errors, trait notes) differently. trybuild
//! replaces machine-specific paths and versions with `$DIR`, `$WORKSPACE`,
//! `$CARGO` and `$VERSION`. The `fail` case files are not part of any crate
//! target, so `cargo fmt` leaves them (and the line numbers in their
//! `.stderr`) alone; the `pass` cases are formatted like any module.
