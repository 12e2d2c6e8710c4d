//! # The secure-pg schema-check catalogue
//!
//! The trybuild cases of the macros' schema checks: what a query is checked
//! against when the crate has a schema (`schema.sql` here), and the message
//! each refusal gives. `tests/ui.rs` copies `schema.sql` into the trybuild
//! project before building the cases, because trybuild compiles them as a
//! project of its own under the target directory (that project's directory
//! is the `CARGO_MANIFEST_DIR` the macros see, and it is its own workspace
//! root). The plain `secure-pg-ui-tests` crate has no schema, and so checks
//! that nothing changes without one. The `pass` cases are modules of one
//! test (`tests/pass.rs`), built with the workspace, where the macros see
//! this crate's own `schema.sql`; trybuild checks only the `fail` cases.
//!
//! ```text
//! cargo test -p secure-pg-ui-tests-schema
//! TRYBUILD=overwrite cargo test -p secure-pg-ui-tests-schema   # bless, then read each .stderr
//! ```
