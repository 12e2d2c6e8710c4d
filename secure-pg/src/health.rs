//! The health check: a round trip, the TLS state and the security posture
//! (see `posture`) of a pooled connection, with the pool's state.

use std::time::{Duration, Instant};

use crate::connect::TlsInfo;
use crate::error::{Error, ErrorKind};
use crate::pool::{Pool, PoolState};
use crate::posture::{findings, grant_findings, query_posture, Finding};

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

impl Pool {
    /// Checks the database: a round trip, the TLS state, and the security
    /// posture of the role. Never panics; returns within `timeout` even when
    /// the server is gone (then `ok` is false and `error` says why).
    pub async fn health_check_within(&self, timeout: Duration) -> Health {
        let started = Instant::now();
        let sslmode = self.config().get_sslmode();
        let attempt = async {
            let conn = self.get().await?;
            let posture = query_posture(conn.unmarked_client(), self.options_tenant_column())
                .await?
                .ok_or_else(|| {
                    Error::from_kind(ErrorKind::Database)
                        .with_detail("posture query returned no row")
                })?;
            let grants = grant_findings(conn.unmarked_client(), crate::registry::queries()).await?;
            Ok::<_, Error>((posture, grants))
        };
        let result = match tokio::time::timeout(timeout, attempt).await {
            Ok(r) => r,
            Err(_) => Err(Error::from_kind(ErrorKind::QueryTimeout)
                .with_detail(format!("health check exceeded {timeout:?}"))),
        };
        match result {
            Ok((p, grants)) => Health {
                ok: true,
                latency: Some(started.elapsed()),
                server_version: Some(p.server_version.clone()),
                tls: p.tls.clone(),
                pool: self.state(),
                findings: findings(&p, sslmode)
                    .into_iter()
                    .chain(grants)
                    .chain(self.schema_drift_finding())
                    .collect(),
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
