//! The security posture: what the server says about the role and its
//! settings, the findings drawn from it, and the production startup check.
//! It works on a plain client, so that both the pool's startup and the
//! health check can use it without it knowing about the pool.

use std::fmt;

use tokio_postgres::Client;

use crate::config::SslMode;
use crate::connect::TlsInfo;
use crate::error::{Error, ErrorKind};

mod grants;
pub(crate) use grants::grant_findings;

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
    /// `tenant-key-omits-tenant-column`: a unique key (primary key, unique
    /// constraint or unique index) of a table with the tenant column, or a
    /// foreign key between two such tables, leaves the tenant column out.
    /// Uniqueness and foreign-key checks see every tenant's rows, so one
    /// tenant can probe another's values through them.
    TenantKeyOmitsTenant,
    /// `tenant-scoping-opted-out`: a query on a tenant table, compiled
    /// under `tenant_scoping = "opt-in"` in a crate's
    /// `[package.metadata.secure-pg]`, has run in this process outside
    /// `#[tenant_scoped]` and without `unscoped = "reason"`.
    TenantScopingOptedOut,
    /// `schema-drift`: the last [`Pool::verify_schema`](crate::Pool::verify_schema)
    /// found the database different from what the binary's statements were
    /// checked against.
    SchemaDrift,
    /// `grants-exceed-queries`: the application role holds a privilege on a
    /// table or view it does not own that no registered statement uses (see
    /// [`crate::required_grants`]). Reported only when every registered
    /// statement was checked against a schema.
    GrantsExceedQueries,
    /// `grants-missing-for-queries`: a registered statement needs a
    /// privilege the application role does not hold; it would fail with
    /// `42501` when it runs.
    GrantsMissingForQueries,
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
            FindingCode::TenantKeyOmitsTenant => "tenant-key-omits-tenant-column",
            FindingCode::TenantScopingOptedOut => "tenant-scoping-opted-out",
            FindingCode::SchemaDrift => "schema-drift",
            FindingCode::GrantsExceedQueries => "grants-exceed-queries",
            FindingCode::GrantsMissingForQueries => "grants-missing-for-queries",
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
    /// The tenant column looked for, and the keys that leave it out.
    pub(crate) tenant_column: String,
    pub(crate) tenant_keys: Vec<String>,
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

/// Unique keys of tables that have the tenant column (`$1`), and foreign
/// keys between two such tables, that leave the column out. Partitions are
/// skipped (their parent is reported); an expression in a key does not
/// count as the column.
pub(crate) const TENANT_KEYS_SQL: &str = "WITH tenant_tables AS ( \
      SELECT c.oid, a.attnum FROM pg_catalog.pg_class c \
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
        JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid \
       WHERE a.attname = $1 AND a.attnum > 0 AND NOT a.attisdropped \
         AND c.relkind IN ('r', 'p') AND NOT c.relispartition \
         AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
         AND n.nspname NOT LIKE 'pg_toast%') \
    SELECT 'unique key ' || i.indexrelid::pg_catalog.regclass::text \
           || ' on ' || i.indrelid::pg_catalog.regclass::text \
      FROM pg_catalog.pg_index i JOIN tenant_tables t ON t.oid = i.indrelid \
     WHERE i.indisunique AND NOT (t.attnum = ANY (i.indkey::int2[])) \
    UNION ALL \
    SELECT 'foreign key ' || pg_catalog.quote_ident(k.conname) \
           || ' on ' || k.conrelid::pg_catalog.regclass::text \
      FROM pg_catalog.pg_constraint k \
      JOIN tenant_tables t ON t.oid = k.conrelid \
      JOIN tenant_tables r ON r.oid = k.confrelid \
     WHERE k.contype = 'f' AND NOT (t.attnum = ANY (k.conkey) AND r.attnum = ANY (k.confkey)) \
     ORDER BY 1";

/// Runs the posture queries on `client`: `None` when the first returned
/// no row. `tenant_column` is bound, not spliced.
pub(crate) async fn query_posture(
    client: &Client,
    tenant_column: &str,
) -> Result<Option<Posture>, Error> {
    let msgs = client
        .simple_query(POSTURE_SQL)
        .await
        .map_err(Error::from)?;
    let Some(mut posture) = parse_posture(&msgs) else {
        return Ok(None);
    };
    // Unnamed statement: works behind PgBouncer in transaction mode too.
    let rows = client
        .query_typed(
            TENANT_KEYS_SQL,
            &[(&tenant_column, tokio_postgres::types::Type::TEXT)],
        )
        .await
        .map_err(Error::from)?;
    posture.tenant_column = tenant_column.to_owned();
    posture.tenant_keys = rows
        .iter()
        .map(|r| r.try_get::<_, String>(0))
        .collect::<Result<_, _>>()
        .map_err(Error::from)?;
    Ok(Some(posture))
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
        tenant_column: String::new(),
        tenant_keys: Vec::new(),
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
    if !p.tenant_keys.is_empty() {
        const SHOWN: usize = 10;
        let mut list = p.tenant_keys[..p.tenant_keys.len().min(SHOWN)].join(", ");
        if p.tenant_keys.len() > SHOWN {
            list.push_str(&format!(" and {} more", p.tenant_keys.len() - SHOWN));
        }
        let c = &p.tenant_column;
        f.push(Finding {
            code: FindingCode::TenantKeyOmitsTenant,
            severity: Severity::Warning,
            message: format!(
                "{} key(s) on tables with a {c} column leave {c} out: {list}. Unique and \
                 foreign-key checks see every tenant's rows (row-level security does not \
                 apply to them), so one tenant can learn whether another holds a value from \
                 unique-violation errors, ON CONFLICT upserts or foreign-key errors; put {c} \
                 in those keys, e.g. UNIQUE ({c}, sku) and FOREIGN KEY ({c}, owner_id) \
                 REFERENCES owners ({c}, id)",
                p.tenant_keys.len()
            ),
        });
    }
    if crate::tenant_scope::scoping_opted_out() {
        f.push(Finding {
            code: FindingCode::TenantScopingOptedOut,
            severity: Severity::Warning,
            message: "queries on tenant tables that are neither in a #[tenant_scoped] function \
                      nor marked `unscoped = \"reason\"` have run: a crate sets \
                      `tenant_scoping = \"opt-in\"` in its secure-pg metadata, so they \
                      compiled; each reads or changes every tenant's rows. Remove the setting \
                      and fix what the compiler then names"
                .into(),
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
