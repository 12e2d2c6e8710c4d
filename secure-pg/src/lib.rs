//! # secure-pg
//!
//! PostgreSQL for Rust services where the secure way is the easy way:
//!
//! * connections are TLS with `sslmode=verify-full` unless you say
//!   otherwise, and every physical connection asks the server
//!   (`pg_stat_ssl`) whether it really is encrypted;
//! * plaintext is refused except to loopback outside production;
//! * errors are safe to show to end users, with the full detail kept for logs;
//! * passwords never appear in `Debug`, `Display`, logs or errors.
//!
//! ```no_run
//! # async fn demo() -> Result<(), secure_pg::Error> {
//! // DATABASE_URL=postgres://app@db.internal/shop?sslrootcert=/etc/ssl/db-ca.pem
//! let config = secure_pg::Config::from_env()?;
//! let (client, info) = secure_pg::connect(&config).await?;
//! assert!(info.tls.is_some());
//! # drop(client); Ok(()) }
//! ```
#![warn(missing_docs)]

mod config;
mod connect;
mod error;
mod tls;

pub use config::{
    ChannelBinding, Config, ConfigBuilder, Environment, Host, RootCerts, Secret, SslMode,
    DEFAULT_CONNECT_TIMEOUT, LIBPQ_ENV_VARS,
};
pub use connect::{connect, ConnectionInfo, TlsInfo};
pub use error::{Detail, Error, ErrorKind, SqlState};

/// Re-exported so that users need one dependency.
pub use tokio_postgres;

#[doc(hidden)]
pub mod __private {
    pub use crate::tls::key_exchanges_started;
}
