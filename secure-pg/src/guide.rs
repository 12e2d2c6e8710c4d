//! The guide: from a first service to production, one chapter per topic.
//!
//! The README holds what the library is, how to install it and a
//! quickstart; everything else is here. Each chapter's Rust code is a
//! doctest of this crate, which compiles, or a copy of a file the tests run
//! (its first line names the file). Code that queries runs against a real
//! PostgreSQL: the doctest's lines also stand in `tests/tests/it/guide.rs`,
//! which runs them, and a test checks every copy against its file.
//!
//! 1. [A first service](first_service): an axum API with schema checks and
//!    tenants.
//! 2. [Configuration and TLS](configuration_and_tls): `sslmode`, cloud
//!    providers' CAs, `verify-full` against a local server.
//! 3. [Types](types): every PostgreSQL type mapped, and your own enums and
//!    composite types.
//! 4. [Schema checks](schema_checks): what the macros check against your
//!    migrations, with no database.
//! 5. [Errors](errors): what a user sees, what a log sees.
//! 6. [Transactions and retries](transactions).
//! 7. [Tenants and row-level security](tenants).
//! 8. [Migrations, verification, least privilege and testing](lifecycle).
//! 9. [Dynamic queries and COPY](dynamic_and_copy).
//! 10. [The pool, multiplexing and PgBouncer](pool).
//! 11. [Observability](observability): traces, metrics, the health check.
//! 12. [Reliability](reliability): failures, as measured.
//! 13. [Porting from sqlx, diesel and tokio-postgres](porting).
//! 14. [Production checklist](production).

#[doc = include_str!("guide/first_service.md")]
pub mod first_service {}
#[doc = include_str!("guide/configuration_and_tls.md")]
pub mod configuration_and_tls {}
#[doc = include_str!("guide/types.md")]
pub mod types {}
#[doc = include_str!("guide/schema_checks.md")]
pub mod schema_checks {}
#[doc = include_str!("guide/errors.md")]
pub mod errors {}
#[doc = include_str!("guide/transactions.md")]
pub mod transactions {}
#[doc = include_str!("guide/tenants.md")]
pub mod tenants {}
#[doc = include_str!("guide/lifecycle.md")]
pub mod lifecycle {}
#[doc = include_str!("guide/dynamic_and_copy.md")]
pub mod dynamic_and_copy {}
#[doc = include_str!("guide/pool.md")]
pub mod pool {}
#[doc = include_str!("guide/observability.md")]
pub mod observability {}
#[doc = include_str!("guide/reliability.md")]
pub mod reliability {}
#[doc = include_str!("guide/porting.md")]
pub mod porting {}
#[doc = include_str!("guide/production.md")]
pub mod production {}
