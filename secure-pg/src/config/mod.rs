//! Connection configuration: libpq connection strings and URLs, libpq
//! environment variables, a code-first builder, and the checks that keep the
//! defaults secure.
//!
//! Precedence is the same as libpq: an option written in the connection
//! string wins over its `PG*` environment variable, which wins over the
//! default. The default `sslmode` is `verify-full`.

mod options;
mod parse;
#[cfg(test)]
mod tests;

pub use options::LIBPQ_ENV_VARS;

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use crate::error::{Error, ErrorKind};

/// Default bound on establishing a connection (TCP, TLS, authentication and
/// the TLS check), used when `connect_timeout` is not given. libpq waits
/// forever by default; a service should not.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How much the client insists on TLS, with libpq's names.
///
/// | mode | encrypted | server certificate chain checked | host name checked | accepted |
/// |---|---|---|---|---|
/// | `disable`, `allow`, `prefer` | no / maybe | no | no | only to loopback or a Unix socket (the `hostaddr` when given), never in production |
/// | `require` | yes | no | no | yes, with a warning: it does not stop a man in the middle; in production only with [`Config::dangerous_allow_sslmode_below_verify_full`] |
/// | `verify-ca` | yes | yes | no | yes; in production as `require` |
/// | `verify-full` (default) | yes | yes | yes (DNS and IP SANs) | yes |
///
/// Unlike libpq, `require` never turns into `verify-ca` because a root
/// certificate file happens to exist: each mode means one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SslMode {
    /// Plaintext only. Loopback and Unix sockets only, never in production.
    Disable,
    /// libpq tries plaintext first; here it is treated like `prefer` (TLS
    /// first, plaintext if the server has none). Loopback only.
    Allow,
    /// TLS if the server offers it, plaintext otherwise. Loopback only.
    Prefer,
    /// TLS without authenticating the server.
    Require,
    /// TLS, and the server certificate must chain to a trusted root.
    VerifyCa,
    /// TLS, trusted chain, and the certificate must name the host.
    VerifyFull,
}

impl SslMode {
    const ALL: &'static [SslMode] = &[
        SslMode::Disable,
        SslMode::Allow,
        SslMode::Prefer,
        SslMode::Require,
        SslMode::VerifyCa,
        SslMode::VerifyFull,
    ];

    /// The libpq spelling of the mode (`verify-full`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// Whether a connection in this mode is always encrypted.
    pub fn requires_tls(self) -> bool {
        matches!(
            self,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull
        )
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SslMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        options::one_of("sslmode", s, SslMode::ALL, SslMode::as_str)
    }
}

/// Where trusted root certificates come from (`sslrootcert`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RootCerts {
    /// A PEM file holding one or more certificates. Every certificate in it
    /// is a trust anchor, including intermediates.
    File(PathBuf),
    /// The platform's trust store (`sslrootcert=system`). Only valid with
    /// `verify-full`, as in libpq: a public CA will sign for anyone's host.
    System,
}

/// Channel binding (`channel_binding`): ties SCRAM authentication to the
/// TLS session so that a man in the middle holding a valid certificate still
/// cannot relay the login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChannelBinding {
    /// Never use it.
    Disable,
    /// Use it when the server supports it (the default, as in libpq).
    Prefer,
    /// Fail unless the server authenticates with SCRAM-SHA-256-PLUS.
    Require,
}

impl ChannelBinding {
    const ALL: &'static [ChannelBinding] = &[
        ChannelBinding::Disable,
        ChannelBinding::Prefer,
        ChannelBinding::Require,
    ];

    /// The libpq spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ChannelBinding::Disable => "disable",
            ChannelBinding::Prefer => "prefer",
            ChannelBinding::Require => "require",
        }
    }
}

/// Which of several hosts to use (`target_session_attrs`), as in libpq.
///
/// The hosts are tried in order; a server that does not have the wanted
/// property is skipped. "Read-only" and "standby" are decided by the
/// server's `transaction_read_only`, so a primary configured with
/// `default_transaction_read_only = on` counts as read-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TargetSessionAttrs {
    /// The first server that accepts the connection (the default).
    #[default]
    Any,
    /// A server that accepts writes.
    ReadWrite,
    /// A server that refuses writes.
    ReadOnly,
    /// The primary (a server that accepts writes).
    Primary,
    /// A standby (a server that refuses writes).
    Standby,
    /// A standby if one is up, otherwise any server.
    PreferStandby,
}

impl TargetSessionAttrs {
    const ALL: &'static [TargetSessionAttrs] = &[
        TargetSessionAttrs::Any,
        TargetSessionAttrs::ReadWrite,
        TargetSessionAttrs::ReadOnly,
        TargetSessionAttrs::Primary,
        TargetSessionAttrs::Standby,
        TargetSessionAttrs::PreferStandby,
    ];

    /// The libpq spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetSessionAttrs::Any => "any",
            TargetSessionAttrs::ReadWrite => "read-write",
            TargetSessionAttrs::ReadOnly => "read-only",
            TargetSessionAttrs::Primary => "primary",
            TargetSessionAttrs::Standby => "standby",
            TargetSessionAttrs::PreferStandby => "prefer-standby",
        }
    }
}

/// One server address.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Host {
    /// A DNS name or IP address.
    Tcp(String),
    /// A directory holding the server's Unix socket.
    Unix(PathBuf),
}

impl Host {
    /// Whether the host is this machine: a Unix socket, `localhost`, or a
    /// loopback address.
    pub fn is_local(&self) -> bool {
        match self {
            Host::Unix(_) => true,
            Host::Tcp(h) => {
                h.eq_ignore_ascii_case("localhost")
                    || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
            }
        }
    }
}

/// A password or token that never appears in `Debug`, `Display` or errors.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself. Only call this to hand it to the server.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The `APP_ENV` values that mean development (compared without case and
/// surrounding spaces). Every other value, `production`, `prod`, `prd`,
/// `live`, `staging` and typos included, means production; an unset or
/// empty `APP_ENV` means development.
pub const DEVELOPMENT_APP_ENVS: &[&str] = &["development", "dev", "local", "test"];

/// Whether an `APP_ENV` value means production (see
/// [`DEVELOPMENT_APP_ENVS`]). The one place that decides it.
pub(crate) fn app_env_is_production(value: Option<&str>) -> bool {
    match value.map(str::trim) {
        None | Some("") => false,
        Some(v) => !DEVELOPMENT_APP_ENVS
            .iter()
            .any(|d| d.eq_ignore_ascii_case(v)),
    }
}

/// Where the program runs, for the checks that are stricter in production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// Decide from `APP_ENV`: unset, empty or one of
    /// [`DEVELOPMENT_APP_ENVS`] (`development`, `dev`, `local`, `test`)
    /// means development; any other value means production.
    FromEnv,
    /// Production rules regardless of `APP_ENV`.
    Production,
    /// Development rules regardless of `APP_ENV`.
    Development,
}

impl Environment {
    pub(crate) fn is_production(self) -> bool {
        match self {
            Environment::Production => true,
            Environment::Development => false,
            Environment::FromEnv => match std::env::var("APP_ENV") {
                Ok(v) => app_env_is_production(Some(&v)),
                // Set but not UTF-8: not one of the development names.
                Err(std::env::VarError::NotUnicode(_)) => true,
                Err(std::env::VarError::NotPresent) => false,
            },
        }
    }
}

/// A complete, validated-on-use description of how to reach PostgreSQL.
///
/// Build one from a string ([`Config::parse`], [`FromStr`]), from the
/// environment ([`Config::from_env`]) or in code ([`Config::builder`]).
///
/// `Debug` and `Display` never show the password; `Display` renders a URL
/// with the password replaced by `***`.
///
/// ```
/// use secure_pg::{Config, SslMode};
///
/// let config: Config = "postgres://app:s3cret@db.internal:5432/shop?sslrootcert=/etc/ca.pem"
///     .parse()
///     .unwrap();
/// assert_eq!(config.get_sslmode(), SslMode::VerifyFull); // the default
/// assert!(!format!("{config} {config:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) hosts: Vec<Host>,
    pub(crate) hostaddrs: Vec<IpAddr>,
    pub(crate) ports: Vec<u16>,
    pub(crate) user: Option<String>,
    pub(crate) password: Option<Secret>,
    pub(crate) dbname: Option<String>,
    pub(crate) sslmode: SslMode,
    pub(crate) sslrootcert: Option<RootCerts>,
    pub(crate) sslcert: Option<PathBuf>,
    pub(crate) sslkey: Option<PathBuf>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) application_name: Option<String>,
    pub(crate) keepalives: bool,
    pub(crate) keepalives_idle: Option<Duration>,
    pub(crate) keepalives_interval: Option<Duration>,
    pub(crate) keepalives_retries: Option<u32>,
    pub(crate) options: Option<String>,
    pub(crate) statement_timeout: Option<Duration>,
    pub(crate) idle_in_transaction_session_timeout: Option<Duration>,
    pub(crate) channel_binding: ChannelBinding,
    pub(crate) target_session_attrs: TargetSessionAttrs,
    pub(crate) environment: Environment,
    pub(crate) allow_weak_sslmode: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            hosts: Vec::new(),
            hostaddrs: Vec::new(),
            ports: Vec::new(),
            user: None,
            password: None,
            dbname: None,
            sslmode: SslMode::VerifyFull,
            sslrootcert: None,
            sslcert: None,
            sslkey: None,
            connect_timeout: None,
            application_name: None,
            keepalives: true,
            keepalives_idle: None,
            keepalives_interval: None,
            keepalives_retries: None,
            options: None,
            statement_timeout: None,
            idle_in_transaction_session_timeout: None,
            channel_binding: ChannelBinding::Prefer,
            target_session_attrs: TargetSessionAttrs::Any,
            environment: Environment::FromEnv,
            allow_weak_sslmode: false,
        }
    }
}

impl Config {
    /// An empty configuration with secure defaults, to fill in with setters.
    pub fn new() -> Self {
        Config::default()
    }

    /// A by-value builder for code-first configuration.
    ///
    /// ```
    /// use secure_pg::{Config, SslMode};
    /// use std::time::Duration;
    ///
    /// let config = Config::builder()
    ///     .host("db.internal")
    ///     .user("app")
    ///     .password("s3cret")
    ///     .dbname("shop")
    ///     .sslrootcert("/etc/ssl/db-ca.pem")
    ///     .statement_timeout(Duration::from_secs(5))
    ///     .build();
    /// assert_eq!(config.get_sslmode(), SslMode::VerifyFull);
    /// ```
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder {
            config: Config::default(),
        }
    }

    /// Reads `DATABASE_URL` (a URL or a `key=value` string) and the libpq
    /// environment variables.
    pub fn from_env() -> Result<Self, Error> {
        match std::env::var("DATABASE_URL") {
            Ok(url) => Config::parse(&url),
            Err(std::env::VarError::NotPresent) => Err(Error::new(
                ErrorKind::Configuration,
                "DATABASE_URL environment variable must be set",
            )),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::new(
                ErrorKind::Configuration,
                "DATABASE_URL environment variable is not valid UTF-8",
            )),
        }
    }

    /// Parses a `postgres://` / `postgresql://` URL or a libpq `key=value`
    /// string, filling unset options from the libpq environment variables.
    pub fn parse(s: &str) -> Result<Self, Error> {
        Config::parse_with_env(s, |name| std::env::var(name).ok())
    }

    /// Like [`Config::parse`], with the environment supplied by the caller
    /// (useful in tests, or to ignore the environment with `|_| None`).
    pub fn parse_with_env(s: &str, env: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let pairs = parse::parse_pairs(s)?;
        let mut config = Config::default();
        for pair in &pairs {
            if options::find(&pair.key).is_none() {
                let known: Vec<&str> = options::OPTIONS.iter().map(|o| o.key).collect();
                return Err(Error::new(
                    ErrorKind::Configuration,
                    format!("unknown connection option {}", pair.key_for_error()),
                )
                .with_detail(format!("known options: {}", known.join(", "))));
            }
        }
        for option in options::OPTIONS {
            let Some(var) = option.env else { continue };
            if pairs.iter().any(|p| p.key == option.key) {
                continue;
            }
            if let Some(value) = env(var).filter(|v| !v.is_empty()) {
                (option.set)(&mut config, &value)
                    .map_err(|e| e.with_context(&format!("from environment variable {var}")))?;
            }
        }
        for pair in &pairs {
            config.set(&pair.key, &pair.value)?;
        }
        Ok(config)
    }

    /// Sets one option by its libpq name, validating the value.
    pub fn set(&mut self, key: &str, value: &str) -> Result<&mut Self, Error> {
        let option = options::find(key).ok_or_else(|| unknown_option(key))?;
        (option.set)(self, value)?;
        Ok(self)
    }

    /// The hosts, in order.
    pub fn get_hosts(&self) -> &[Host] {
        &self.hosts
    }
    /// The ports (one, or one per host).
    pub fn get_ports(&self) -> &[u16] {
        &self.ports
    }
    /// The user name.
    pub fn get_user(&self) -> Option<&str> {
        self.user.as_deref()
    }
    /// Whether a password is set (the password itself is never returned).
    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }
    /// The database name.
    pub fn get_dbname(&self) -> Option<&str> {
        self.dbname.as_deref()
    }
    /// The TLS mode.
    pub fn get_sslmode(&self) -> SslMode {
        self.sslmode
    }
    /// The trusted roots.
    pub fn get_sslrootcert(&self) -> Option<&RootCerts> {
        self.sslrootcert.as_ref()
    }
    /// The effective connect timeout (the configured one or
    /// [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn get_connect_timeout(&self) -> Duration {
        self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT)
    }
    /// `statement_timeout` applied to every session.
    pub fn get_statement_timeout(&self) -> Option<Duration> {
        self.statement_timeout
    }
    /// `idle_in_transaction_session_timeout` applied to every session.
    pub fn get_idle_in_transaction_session_timeout(&self) -> Option<Duration> {
        self.idle_in_transaction_session_timeout
    }
    /// The application name reported to the server.
    pub fn get_application_name(&self) -> Option<&str> {
        self.application_name.as_deref()
    }
    /// Channel binding policy.
    pub fn get_channel_binding(&self) -> ChannelBinding {
        self.channel_binding
    }
    /// Which host of several to use.
    pub fn get_target_session_attrs(&self) -> TargetSessionAttrs {
        self.target_session_attrs
    }
    /// Server settings passed at startup (`options`).
    pub fn get_options(&self) -> Option<&str> {
        self.options.as_deref()
    }

    /// Connect to database `name` instead (the rest of the configuration
    /// unchanged).
    pub fn set_dbname(&mut self, name: impl Into<String>) {
        self.dbname = Some(name.into());
    }

    /// Production or development rules (default: from `APP_ENV`).
    pub fn set_environment(&mut self, env: Environment) {
        self.environment = env;
    }

    /// Accept `sslmode=require` or `verify-ca` in production, where they are
    /// otherwise refused before connecting. Neither proves the server is the
    /// one you meant; say why in a comment next to this call. Plaintext
    /// modes stay refused in production. Honoured by [`crate::connect`],
    /// [`crate::Connector`] and every pool built from this configuration.
    pub fn dangerous_allow_sslmode_below_verify_full(&mut self) -> &mut Self {
        self.allow_weak_sslmode = true;
        self
    }

    /// Whether production rules apply to this configuration.
    pub(crate) fn is_production(&self) -> bool {
        self.environment.is_production()
    }

    /// Replaces the password (used by credential providers).
    pub fn set_password(&mut self, password: Option<Secret>) {
        self.password = password;
    }

    /// Checks the combination of options: the TLS mode against the hosts and
    /// the environment, and that the options a mode needs are present.
    /// Every way of connecting ([`crate::connect`], [`crate::Connector`],
    /// lazy and eager pools) calls this before any connection; call it
    /// yourself to fail at startup.
    ///
    /// In production (see [`Environment`]) an `sslmode` below `verify-full`
    /// is refused: plaintext modes always, `require` and `verify-ca` unless
    /// [`Config::dangerous_allow_sslmode_below_verify_full`]. Host rules
    /// (plaintext only to loopback) judge the address the socket connects
    /// to: the `hostaddr` when one is given, not the `host` name.
    pub fn validate(&self) -> Result<(), Error> {
        let production = self.is_production();
        if !self.hostaddrs.is_empty()
            && !self.hosts.is_empty()
            && self.hostaddrs.len() != self.hosts.len()
        {
            return Err(Error::new(
                ErrorKind::Configuration,
                "invalid value for `hostaddr`: give one address per host",
            ));
        }
        if production && self.sslmode != SslMode::VerifyFull {
            let allowed = self.sslmode.requires_tls() && self.allow_weak_sslmode;
            if !allowed {
                let how = if self.sslmode.requires_tls() {
                    "it encrypts but does not prove the server is the one named. \
                     Write sslmode=verify-full&sslrootcert=system if the provider's \
                     certificates come from a public CA (no file needed: the platform \
                     store, or the bundled Mozilla roots where the image has none), or \
                     sslmode=verify-full&sslrootcert=/path/to/provider-ca.pem with the \
                     provider's CA bundle otherwise (RDS: AWS's global-bundle.pem); \
                     or accept the risk with dangerous_allow_sslmode_below_verify_full()"
                } else {
                    "the connection could be read or changed on the network. \
                     Write sslmode=verify-full&sslrootcert=system if the server's \
                     certificate comes from a public CA, or \
                     sslmode=verify-full&sslrootcert=/path/to/ca.pem otherwise"
                };
                return Err(Error::new(
                    ErrorKind::Configuration,
                    format!(
                        "sslmode={} is refused in production [sslmode-not-verify-full]: {how}",
                        self.sslmode
                    ),
                )
                .with_detail(
                    "production rules apply: APP_ENV is set to a value other than \
                     development, dev, local or test, or Environment::Production was chosen",
                ));
            }
        }
        if !self.sslmode.requires_tls() {
            let targets = self.connect_targets();
            if let Some(h) = targets.iter().find(|h| !h.is_local()) {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    format!(
                        "sslmode={} is refused for a host that is not loopback: \
                         plaintext can be read or changed on the network; \
                         use sslmode=verify-full with sslrootcert",
                        self.sslmode
                    ),
                )
                .with_detail(format!("host: {}", host_display(h))));
            }
        }
        if self.sslrootcert == Some(RootCerts::System) && self.sslmode != SslMode::VerifyFull {
            return Err(Error::new(
                ErrorKind::Configuration,
                format!(
                    "sslrootcert=system requires sslmode=verify-full (got {}): \
                     any public CA can sign a certificate for someone else's host, \
                     so the host name must be checked",
                    self.sslmode
                ),
            ));
        }
        if self.sslcert.is_some() != self.sslkey.is_some() {
            return Err(Error::new(
                ErrorKind::Configuration,
                "sslcert and sslkey must be given together",
            ));
        }
        if self.ports.len() > 1 && self.ports.len() != self.effective_hosts().len() {
            return Err(Error::new(
                ErrorKind::Configuration,
                "invalid value for `port`: give one port, or one per host",
            ));
        }
        Ok(())
    }

    /// What each socket really connects to, one entry per host: the
    /// `hostaddr` when given (the host name then only names the server for
    /// TLS), otherwise the host.
    pub(crate) fn connect_targets(&self) -> Vec<Host> {
        if self.hostaddrs.is_empty() {
            return self.effective_hosts();
        }
        self.hostaddrs
            .iter()
            .map(|a| Host::Tcp(a.to_string()))
            .collect()
    }

    pub(crate) fn effective_hosts(&self) -> Vec<Host> {
        if self.hosts.is_empty() {
            if self.hostaddrs.is_empty() {
                vec![Host::Tcp("localhost".into())]
            } else {
                self.hostaddrs
                    .iter()
                    .map(|a| Host::Tcp(a.to_string()))
                    .collect()
            }
        } else {
            self.hosts.clone()
        }
    }

    /// The root certificate source, resolving libpq's default location
    /// (`~/.postgresql/root.crt`) when none was given.
    pub(crate) fn resolved_root_certs(&self) -> Option<RootCerts> {
        if let Some(r) = &self.sslrootcert {
            return Some(r.clone());
        }
        let home = std::env::var_os("HOME")?;
        let default = Path::new(&home).join(".postgresql").join("root.crt");
        default.exists().then_some(RootCerts::File(default))
    }

    /// The redacted URL form used by `Display`: user, hosts, ports and
    /// database in the URL's authority and path, every other option that
    /// differs from its default (and always `sslmode`) as a parameter, in
    /// the order of the option table. Secrets are never written.
    fn write_url(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("postgres://")?;
        if let Some(user) = &self.user {
            f.write_str(&parse::percent_encode(user))?;
            if self.password.is_some() {
                f.write_str(":***")?;
            }
            f.write_str("@")?;
        }
        let mut first = true;
        for (i, h) in self.hosts.iter().enumerate() {
            if !first {
                f.write_str(",")?;
            }
            first = false;
            match h {
                Host::Tcp(name) if name.contains(':') => write!(f, "[{name}]")?,
                Host::Tcp(name) => f.write_str(&parse::percent_encode(name))?,
                Host::Unix(p) => f.write_str(&parse::percent_encode(&p.to_string_lossy()))?,
            }
            if let Some(port) = self.ports.get(i).or(if self.ports.len() == 1 {
                self.ports.first()
            } else {
                None
            }) {
                write!(f, ":{port}")?;
            }
        }
        if self.hosts.is_empty() && self.ports.len() == 1 {
            write!(f, ":{}", self.ports[0])?;
        }
        f.write_str("/")?;
        if let Some(db) = &self.dbname {
            f.write_str(&parse::percent_encode(db))?;
        }
        let mut params: Vec<(&str, String)> = Vec::new();
        if self.hosts.is_empty() && self.ports.len() > 1 {
            // One port per `hostaddr`: no host list to attach them to.
            params.extend((options::find("port").expect("port").get)(self).map(|p| ("port", p)));
        }
        let default = Config::default();
        for option in options::OPTIONS {
            if option.secret || option.in_url == options::InUrl::Authority {
                continue;
            }
            let value = (option.get)(self);
            if option.in_url == options::InUrl::QueryAlways || value != (option.get)(&default) {
                if let Some(v) = value {
                    params.push((option.key, v));
                }
            }
        }
        for (i, (k, v)) in params.iter().enumerate() {
            let sep = if i == 0 { '?' } else { '&' };
            write!(f, "{sep}{k}={}", parse::percent_encode(v))?;
        }
        Ok(())
    }
}

pub(crate) fn host_display(h: &Host) -> String {
    match h {
        Host::Tcp(s) => s.clone(),
        Host::Unix(p) => p.display().to_string(),
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_url(f)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Config");
        for option in options::OPTIONS {
            d.field(option.field, (option.debug)(self));
        }
        d.field("environment", &self.environment);
        if self.allow_weak_sslmode {
            d.field("allow_weak_sslmode", &true);
        }
        d.finish()
    }
}

impl FromStr for Config {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Config::parse(s)
    }
}

fn unknown_option(key: &str) -> Error {
    Error::new(
        ErrorKind::Configuration,
        format!("unknown connection option `{key}`"),
    )
}

pub(crate) fn invalid_value(option: &str, expected: &str) -> Error {
    Error::new(
        ErrorKind::Configuration,
        format!("invalid value for `{option}`: {expected}"),
    )
}

/// Code-first configuration; every option of the string form has a method.
#[derive(Debug, Clone)]
#[must_use]
pub struct ConfigBuilder {
    config: Config,
}

impl ConfigBuilder {
    /// Adds a host (DNS name, IP address, or a Unix socket directory
    /// starting with `/`). Call it once per host for several.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        let host = host.into();
        self.config.hosts.push(parse::host_from_str(&host));
        self
    }
    /// Adds a numeric address to connect to, without a DNS lookup.
    pub fn hostaddr(mut self, addr: IpAddr) -> Self {
        self.config.hostaddrs.push(addr);
        self
    }
    /// Adds a port (one for all hosts, or one per host).
    pub fn port(mut self, port: u16) -> Self {
        self.config.ports.push(port);
        self
    }
    /// The user name.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.config.user = Some(user.into());
        self
    }
    /// A fixed password. For rotated secrets use a credential provider.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.config.password = Some(Secret::new(password));
        self
    }
    /// The database name.
    pub fn dbname(mut self, dbname: impl Into<String>) -> Self {
        self.config.dbname = Some(dbname.into());
        self
    }
    /// The TLS mode (default `verify-full`).
    pub fn sslmode(mut self, mode: SslMode) -> Self {
        self.config.sslmode = mode;
        self
    }
    /// A PEM file of trusted roots (`sslrootcert`).
    pub fn sslrootcert(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.sslrootcert = Some(RootCerts::File(path.into()));
        self
    }
    /// Trust the platform's roots (`sslrootcert=system`, `verify-full` only).
    pub fn sslrootcert_system(mut self) -> Self {
        self.config.sslrootcert = Some(RootCerts::System);
        self
    }
    /// A client certificate, a PEM file (`sslcert`). Give its key with
    /// [`ConfigBuilder::sslkey`], or both at once with
    /// [`ConfigBuilder::client_cert`].
    pub fn sslcert(mut self, cert: impl Into<PathBuf>) -> Self {
        self.config.sslcert = Some(cert.into());
        self
    }
    /// The client certificate's private key, a PEM file (`sslkey`).
    pub fn sslkey(mut self, key: impl Into<PathBuf>) -> Self {
        self.config.sslkey = Some(key.into());
        self
    }
    /// A client certificate and its key, both PEM files.
    pub fn client_cert(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.config.sslcert = Some(cert.into());
        self.config.sslkey = Some(key.into());
        self
    }
    /// Bound on establishing a connection, TLS and authentication included.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = Some(timeout);
        self
    }
    /// `application_name` shown in `pg_stat_activity`.
    pub fn application_name(mut self, name: impl Into<String>) -> Self {
        self.config.application_name = Some(name.into());
        self
    }
    /// TCP keepalives (on by default).
    pub fn keepalives(mut self, on: bool) -> Self {
        self.config.keepalives = on;
        self
    }
    /// Idle time before the first keepalive probe.
    pub fn keepalives_idle(mut self, idle: Duration) -> Self {
        self.config.keepalives_idle = Some(idle);
        self
    }
    /// Time between unanswered keepalive probes (`keepalives_interval`).
    pub fn keepalives_interval(mut self, interval: Duration) -> Self {
        self.config.keepalives_interval = Some(interval);
        self
    }
    /// Unanswered keepalive probes before the connection counts as dead
    /// (`keepalives_count`).
    pub fn keepalives_count(mut self, count: u32) -> Self {
        self.config.keepalives_retries = Some(count);
        self
    }
    /// Server settings for every session, as libpq's `options`
    /// (e.g. `-c search_path=app`).
    pub fn options(mut self, options: impl Into<String>) -> Self {
        self.config.options = Some(options.into());
        self
    }
    /// Server-side `statement_timeout` for every session.
    pub fn statement_timeout(mut self, timeout: Duration) -> Self {
        self.config.statement_timeout = Some(timeout);
        self
    }
    /// Server-side `idle_in_transaction_session_timeout` for every session.
    pub fn idle_in_transaction_session_timeout(mut self, timeout: Duration) -> Self {
        self.config.idle_in_transaction_session_timeout = Some(timeout);
        self
    }
    /// Channel binding policy (default `prefer`).
    pub fn channel_binding(mut self, cb: ChannelBinding) -> Self {
        self.config.channel_binding = cb;
        self
    }
    /// Which of several hosts to use (default `any`).
    pub fn target_session_attrs(mut self, attrs: TargetSessionAttrs) -> Self {
        self.config.target_session_attrs = attrs;
        self
    }
    /// Production or development rules (default: from `APP_ENV`).
    pub fn environment(mut self, env: Environment) -> Self {
        self.config.environment = env;
        self
    }
    /// See [`Config::dangerous_allow_sslmode_below_verify_full`].
    pub fn dangerous_allow_sslmode_below_verify_full(mut self) -> Self {
        self.config.allow_weak_sslmode = true;
        self
    }
    /// Finishes the configuration. Combinations are checked when connecting
    /// (or by [`Config::validate`]).
    pub fn build(self) -> Config {
        self.config
    }
}
