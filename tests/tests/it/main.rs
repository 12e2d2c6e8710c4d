//! Integration tests against real PostgreSQL clusters started by the
//! harness in `secure-pg-tests`. One binary, one module per topic, so that
//! clusters are shared across the tests of the binary.

mod config;
mod copy;
mod dynamic;
mod errors;
mod failover;
mod faults;
// Not formatted: the guide shows these lines as they are written.
#[rustfmt::skip]
mod guide;
mod iam;
mod isolation;
mod migrate;
mod multiplex;
mod pgbouncer;
mod pool;
mod query;
mod readme;
mod schema;
mod support;
mod telemetry;
mod tenant;
mod tenant_diff;
mod tls;
mod transactions;
