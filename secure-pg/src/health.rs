//! Health check and security posture.

use std::fmt;
use std::time::{Duration, Instant};

use crate::config::SslMode;
use crate::connect::TlsInfo;
use crate::error::{Error, ErrorKind};
use crate::pool::{Pool, PoolState};

/// The result of [`Pool::health_check`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Health {
    /// Whether a round trip to the server succeeded.
    pub ok: bool,
    /// Round-trip time of the check query.
    pub latency: Option<Duration>,
    /// `server_version`, e.g. `15.18 (Debian 15.18-0+deb12u1)`.
    pub server_version: Option<String>,
    /// TLS protocol and cipher of the connection used, from `pg_stat_ssl`.
    pub tls: Option<TlsInfo>,
    /// Pool size and use.
    pub pool: PoolState,
    /// Security findings about the configuration and the role.
    pub findings: Vec<Finding>,
    /// Why the check failed, in user-safe words (see [`Error`]).
    pub error: Option<String>,
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// Worth fixing.
    Warning,
    /// Refused at startup in production.
    Severe,
}

/// One thing about the security posture that should be fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// A stable identifier, e.g. `role-is-superuser`.
    pub code: &'static str,
    /// How much it matters.
    pub severity: Severity,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)
    }
}

/// What the server said about the role and settings.
pub(crate) struct Posture {
    pub(crate) superuser: bool,
    pub(crate) bypass_rls: bool,
    pub(crate) owned_tables: i64,
    pub(crate) password_encryption: String,
    pub(crate) server_version: String,
    pub(crate) tls: Option<TlsInfo>,
}

pub(crate) const POSTURE_SQL: &str = "SELECT r.rolsuper, r.rolbypassrls, \
    (SELECT count(*) FROM pg_catalog.pg_class c \
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
      WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p') \
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
        AND n.nspname NOT LIKE 'pg_toast%'), \
    current_setting('password_encryption'), current_setting('server_version'), \
    s.ssl, s.version, s.cipher \
    FROM pg_catalog.pg_roles r, pg_catalog.pg_stat_ssl s \
    WHERE r.rolname = current_user AND s.pid = pg_backend_pid()";

pub(crate) fn parse_posture(msgs: &[tokio_postgres::SimpleQueryMessage]) -> Option<Posture> {
    let row = msgs.iter().find_map(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(r) => Some(r),
        _ => None,
    })?;
    let get = |i: usize| row.get(i).unwrap_or_default().to_string();
    Some(Posture {
        superuser: get(0) == "t",
        bypass_rls: get(1) == "t",
        owned_tables: get(2).parse().unwrap_or(0),
        password_encryption: get(3),
        server_version: get(4),
        tls: (get(5) == "t").then(|| TlsInfo {
            version: get(6),
            cipher: get(7),
        }),
    })
}

pub(crate) fn findings(p: &Posture, sslmode: SslMode) -> Vec<Finding> {
    let mut f = Vec::new();
    if p.superuser {
        f.push(Finding {
            code: "role-is-superuser",
            severity: Severity::Severe,
            message: "the application connects as a superuser, which bypasses every permission \
                      and row-level-security policy; create a dedicated role with only the \
                      privileges it needs"
                .into(),
        });
    }
    if p.bypass_rls && !p.superuser {
        f.push(Finding {
            code: "role-bypasses-rls",
            severity: Severity::Severe,
            message: "the application role has BYPASSRLS, so row-level-security policies do \
                      not apply to it; ALTER ROLE ... NOBYPASSRLS"
                .into(),
        });
    }
    if p.owned_tables > 0 {
        f.push(Finding {
            code: "role-owns-tables",
            severity: Severity::Warning,
            message: format!(
                "the application role owns {} table(s); owners can drop and alter them and \
                 skip row-level security unless it is FORCEd; let a migration role own the \
                 schema and GRANT the application what it needs",
                p.owned_tables
            ),
        });
    }
    if sslmode != SslMode::VerifyFull {
        f.push(Finding {
            code: "sslmode-not-verify-full",
            severity: Severity::Severe,
            message: format!(
                "sslmode={sslmode} does not check that the server is the one named in the \
                 connection string; use verify-full with sslrootcert"
            ),
        });
    }
    if p.password_encryption != "scram-sha-256" {
        f.push(Finding {
            code: "password-encryption-weak",
            severity: Severity::Warning,
            message: format!(
                "the server's password_encryption is {}; set it to scram-sha-256 and reset \
                 passwords",
                p.password_encryption
            ),
        });
    }
    f
}

impl Pool {
    /// Checks the database: a round trip, the TLS state, and the security
    /// posture of the role. Never panics; returns within `timeout` even when
    /// the server is gone (then `ok` is false and `error` says why).
    pub async fn health_check_within(&self, timeout: Duration) -> Health {
        let started = Instant::now();
        let sslmode = self.config().get_sslmode();
        let attempt = async {
            let conn = self.get().await?;
            let msgs = conn
                .conn()
                .client
                .simple_query(POSTURE_SQL)
                .await
                .map_err(Error::from)?;
            parse_posture(&msgs).ok_or_else(|| {
                Error::from_kind(ErrorKind::Database).with_detail("posture query returned no row")
            })
        };
        let result = match tokio::time::timeout(timeout, attempt).await {
            Ok(r) => r,
            Err(_) => Err(Error::from_kind(ErrorKind::QueryTimeout)
                .with_detail(format!("health check exceeded {timeout:?}"))),
        };
        match result {
            Ok(p) => Health {
                ok: true,
                latency: Some(started.elapsed()),
                server_version: Some(p.server_version.clone()),
                tls: p.tls.clone(),
                pool: self.state(),
                findings: findings(&p, sslmode),
                error: None,
            },
            Err(e) => {
                tracing::warn!(kind = ?e.kind(), error = %e.detail(), "health check failed");
                Health {
                    ok: false,
                    latency: None,
                    server_version: None,
                    tls: None,
                    pool: self.state(),
                    findings: Vec::new(),
                    error: Some(e.to_string()),
                }
            }
        }
    }

    /// [`Pool::health_check_within`] bounded by the checkout timeout plus
    /// one second.
    pub async fn health_check(&self) -> Health {
        self.health_check_within(self.options_checkout_timeout() + Duration::from_secs(1))
            .await
    }
}
