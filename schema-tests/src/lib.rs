//! Schema-checked queries against real servers: `tests/` holds queries the
//! macros type against `ui-tests-schema/schema.sql` (named in this crate's
//! `[package.metadata.secure-pg]`), run against a PostgreSQL and a
//! PgBouncer the tests start. It lives apart from `ui-tests-schema` because
//! trybuild builds each case with that crate's dev-dependencies, and the
//! server harness is heavy to build for every case.
