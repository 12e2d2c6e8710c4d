//! The security posture: what the server says about the role and its
//! settings, the findings drawn from it, and the production startup check.
//! It works on a plain client, so that both the pool's startup and the
//! health check can use it without it knowing about the pool.

use std::fmt;

use tokio_postgres::Client;

use crate::config::SslMode;
use crate::connect::TlsInfo;
use crate::error::{Error, ErrorKind};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// Worth fixing.
    Warning,
    /// Refused at startup in production.
    Severe,
}

/// What a [`Finding`] is about: a stable identifier, written as a
/// kebab-case string by [`FindingCode::as_str`] (and `Display`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FindingCode {
    /// `role-is-superuser`: the application connects as a superuser.
    RoleIsSuperuser,
    /// `role-bypasses-rls`: the application role has `BYPASSRLS`.
    RoleBypassesRls,
    /// `role-owns-tables`: the application role owns tables.
    RoleOwnsTables,
    /// `sslmode-not-verify-full`: the `sslmode` does not verify the
    /// server's name.
    SslmodeNotVerifyFull,
    /// `password-encryption-weak`: the server's `password_encryption` is
    /// not `scram-sha-256`.
    PasswordEncryptionWeak,
}

impl FindingCode {
    /// The stable string form, e.g. `role-is-superuser`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FindingCode::RoleIsSuperuser => "role-is-superuser",
            FindingCode::RoleBypassesRls => "role-bypasses-rls",
            FindingCode::RoleOwnsTables => "role-owns-tables",
            FindingCode::SslmodeNotVerifyFull => "sslmode-not-verify-full",
            FindingCode::PasswordEncryptionWeak => "password-encryption-weak",
        }
    }
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing about the security posture that should be fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// A stable identifier, e.g. [`FindingCode::RoleIsSuperuser`]
    /// (`role-is-superuser`).
    pub code: FindingCode,
    /// How much it matters.
    pub severity: Severity,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code.as_str(), self.message)
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

/// Runs the posture query on `client`: `None` when it returned no row.
pub(crate) async fn query_posture(client: &Client) -> Result<Option<Posture>, Error> {
    let msgs = client
        .simple_query(POSTURE_SQL)
        .await
        .map_err(Error::from)?;
    Ok(parse_posture(&msgs))
}

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
            code: FindingCode::RoleIsSuperuser,
            severity: Severity::Severe,
            message: "the application connects as a superuser, which bypasses every permission \
                      and row-level-security policy; create a dedicated role with only the \
                      privileges it needs"
                .into(),
        });
    }
    if p.bypass_rls && !p.superuser {
        f.push(Finding {
            code: FindingCode::RoleBypassesRls,
            severity: Severity::Severe,
            message: "the application role has BYPASSRLS, so row-level-security policies do \
                      not apply to it; ALTER ROLE ... NOBYPASSRLS"
                .into(),
        });
    }
    if p.owned_tables > 0 {
        f.push(Finding {
            code: FindingCode::RoleOwnsTables,
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
            code: FindingCode::SslmodeNotVerifyFull,
            severity: Severity::Severe,
            message: format!(
                "sslmode={sslmode} does not check that the server is the one named in the \
                 connection string; use verify-full with sslrootcert"
            ),
        });
    }
    if p.password_encryption != "scram-sha-256" {
        f.push(Finding {
            code: FindingCode::PasswordEncryptionWeak,
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

/// The startup check: in production a severe finding refuses to start,
/// with an error listing every finding; elsewhere (or when nothing is
/// severe) every finding is logged once as a warning.
pub(crate) fn startup_check(
    posture: &Posture,
    sslmode: SslMode,
    production: bool,
    allow_weak_sslmode: bool,
) -> Result<(), Error> {
    let mut findings = findings(posture, sslmode);
    if allow_weak_sslmode {
        findings.retain(|f| f.code != FindingCode::SslmodeNotVerifyFull);
    }
    let severe: Vec<_> = findings
        .iter()
        .filter(|f| f.severity == Severity::Severe)
        .collect();
    if production && !severe.is_empty() {
        let list = findings
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Error::new(
            ErrorKind::Configuration,
            format!(
                "refusing to start in production with an unsafe database setup: {}",
                severe
                    .iter()
                    .map(|f| f.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .with_detail(list));
    }
    for f in &findings {
        tracing::warn!(
            code = f.code.as_str(),
            "database security finding: {}",
            f.message
        );
    }
    Ok(())
}
