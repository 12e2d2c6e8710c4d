//! Making one physical connection: TCP (with `TCP_NODELAY`), TLS under the
//! configured `sslmode`, authentication, and then the server's own word
//! that the session is encrypted (`pg_stat_ssl`).
//!
//! What that server-side check proves: the server itself terminates TLS.
//! It catches misconfiguration, such as a TLS-terminating proxy in front of
//! a plaintext server. What it does not prove: that no one is in the
//! middle. Under `require` or `verify-ca` an active attacker can terminate
//! the client's TLS, open its own TLS session to the real server and relay
//! everything, the check's honest answer included; only `verify-full` (and
//! `channel_binding=require`) stops that.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::config::{ChannelBinding as PgChannelBinding, SslMode as PgSslMode};
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect, TlsStream};
use tokio_postgres::Client;
use tokio_postgres::Socket;
use tracing::Instrument;

use crate::config::{ChannelBinding, Config, Secret, SslMode};
use crate::error::{has_io_source, Error, ErrorKind};
use crate::tls::{self, MakeRustls, Probe, ProbeState, RustlsConnect, RustlsStream};

/// What the server reported about one physical connection, checked when it
/// was made.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConnectionInfo {
    /// The server process serving this connection.
    pub backend_pid: i32,
    /// `server_version_num`, e.g. 150018.
    pub server_version_num: i32,
    /// The TLS state as the server reports it in `pg_stat_ssl`; `None` for a
    /// plaintext connection (only possible to loopback, outside production).
    pub tls: Option<TlsInfo>,
    /// The mode the connection was verified under.
    pub sslmode: SslMode,
    /// When the connection was made.
    pub connected_at: Instant,
    /// How long connecting took, TLS check included.
    pub connect_duration: Duration,
}

/// TLS parameters of a connection, from the server's `pg_stat_ssl`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsInfo {
    /// Protocol version, e.g. `TLSv1.3`.
    pub version: String,
    /// Cipher suite name as OpenSSL spells it, e.g. `TLS_AES_256_GCM_SHA384`.
    pub cipher: String,
}

/// Makes verified connections for one configuration, outside any pool.
///
/// The TLS configuration is built once (the certificate files read once)
/// and shared by every connection, so rustls can resume sessions and
/// remember each server's key-exchange group: keep one `Connector` when
/// connecting repeatedly. [`connect`] is the one-shot form.
///
/// ```no_run
/// # async fn demo() -> Result<(), secure_pg::Error> {
/// let connector = secure_pg::Connector::new(secure_pg::Config::from_env()?)?;
/// for _ in 0..3 {
///     let (client, info) = connector.connect().await?;
///     assert!(info.tls.is_some());
/// #   drop(client);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Connector {
    pub(crate) config: Arc<Config>,
    tls: Option<Arc<ClientConfig>>,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Connector {
    /// Validates `config` ([`Config::validate`]: in production an `sslmode`
    /// below `verify-full` is refused here, before any connection) and
    /// builds its TLS configuration. In production every connection it
    /// makes is also refused for a superuser or `BYPASSRLS` role.
    pub fn new(config: Config) -> Result<Self, Error> {
        config.validate()?;
        if config.sslmode == SslMode::Require {
            tracing::warn!(
                "sslmode=require encrypts the connection but does not authenticate the \
                 server: a man in the middle can read everything; use verify-full"
            );
        }
        let tls = tls::client_config(&config)?;
        Ok(Connector {
            config: Arc::new(config),
            tls,
        })
    }

    /// Makes one verified connection with the configuration's password.
    pub async fn connect(&self) -> Result<(Client, ConnectionInfo), Error> {
        self.connect_with(None).await
    }

    /// Makes one physical connection with `password` (from the credential
    /// provider, or the configuration's own).
    pub(crate) async fn connect_with(
        &self,
        password: Option<&Secret>,
    ) -> Result<(Client, ConnectionInfo), Error> {
        self.connect_within(password, self.config.get_connect_timeout())
            .await
    }

    /// [`Connector::connect_with`] within `timeout`, what is left of the
    /// connect timeout after the credential fetch.
    pub(crate) async fn connect_within(
        &self,
        password: Option<&Secret>,
        timeout: Duration,
    ) -> Result<(Client, ConnectionInfo), Error> {
        let started = Instant::now();
        let span = tracing::debug_span!("secure_pg.connect", sslmode = %self.config.sslmode);
        let probe = Arc::new(Probe::default());
        let attempt = self
            .connect_inner(password, probe.clone(), started)
            .instrument(span);
        match tokio::time::timeout(timeout, attempt).await {
            Ok(result) => {
                let elapsed = started.elapsed();
                match &result {
                    Ok(_) => tracing::debug!(duration_ms = elapsed.as_millis() as u64, "connected"),
                    Err(e) => {
                        tracing::warn!(kind = ?e.kind(), error = %e.detail(), "connect failed")
                    }
                }
                result
            }
            Err(_) => {
                let stage = match &*probe.state.lock().unwrap_or_else(|p| p.into_inner()) {
                    ProbeState::Handshaking => "during the TLS handshake",
                    ProbeState::Established => "after the TLS handshake (authentication)",
                    _ => "before TLS started",
                };
                let e = Error::new(
                    ErrorKind::Connection,
                    "could not connect to the database in time",
                )
                .with_detail(format!(
                    "connect_timeout of {:?} elapsed {stage}",
                    self.config.get_connect_timeout()
                ));
                tracing::warn!(error = %e.detail(), "connect timed out");
                Err(e)
            }
        }
    }

    async fn connect_inner(
        &self,
        password: Option<&Secret>,
        probe: Arc<Probe>,
        started: Instant,
    ) -> Result<(Client, ConnectionInfo), Error> {
        use crate::config::TargetSessionAttrs as T;
        use tokio_postgres::config::TargetSessionAttrs as PgT;
        let mut pg = self.pg_config(password);
        let attrs = self.config.target_session_attrs;
        pg.target_session_attrs(match attrs {
            T::Any => PgT::Any,
            T::ReadWrite | T::Primary => PgT::ReadWrite,
            T::ReadOnly | T::Standby | T::PreferStandby => PgT::ReadOnly,
        });
        match self.open(&pg, &probe).await {
            Err(e) if attrs == T::PreferStandby && e.kind() == ErrorKind::Connection => {
                // No standby reachable: any server will do.
                pg.target_session_attrs(PgT::Any);
                let probe = Arc::new(Probe::default());
                let (client, version) = self.open(&pg, &probe).await?;
                let info = self.verify(&client, version, &probe, started).await?;
                Ok((client, info))
            }
            Err(e) => Err(e),
            Ok((client, version)) => {
                let info = self.verify(&client, version, &probe, started).await?;
                Ok((client, info))
            }
        }
    }

    /// Connects and authenticates; returns the client and the server's
    /// `server_version_num`, read from the version it reported at startup
    /// (0 if it reported none this crate can read).
    async fn open(
        &self,
        pg: &tokio_postgres::Config,
        probe: &Arc<Probe>,
    ) -> Result<(Client, i32), Error> {
        let result = match &self.tls {
            Some(tls) => {
                let make = MakeRustls {
                    config: tls.clone(),
                    probe: probe.clone(),
                };
                pg.connect(make)
                    .await
                    .map(|(client, conn)| (client, spawn_connection(conn)))
            }
            None => pg
                .connect(tokio_postgres::NoTls)
                .await
                .map(|(client, conn)| (client, spawn_connection(conn))),
        };
        result.map_err(|e| self.classify(e, probe))
    }

    fn pg_config(&self, password: Option<&Secret>) -> tokio_postgres::Config {
        let c = &self.config;
        let mut pg = tokio_postgres::Config::new();
        for h in &c.hosts {
            match h {
                crate::config::Host::Tcp(name) => {
                    pg.host(name);
                }
                crate::config::Host::Unix(path) => {
                    pg.host_path(path);
                }
            }
        }
        for a in &c.hostaddrs {
            pg.hostaddr(*a);
        }
        if c.hosts.is_empty() && c.hostaddrs.is_empty() {
            pg.host("localhost");
        }
        for p in &c.ports {
            pg.port(*p);
        }
        if let Some(u) = &c.user {
            pg.user(u);
        }
        if let Some(p) = password.or(c.password.as_ref()) {
            pg.password(p.expose());
        }
        if let Some(d) = &c.dbname {
            pg.dbname(d);
        }
        if let Some(a) = &c.application_name {
            pg.application_name(a);
        }
        let mut options = c.options.clone().unwrap_or_default();
        // Server-side timeouts travel in the startup packet: no round trip.
        for (name, value) in [
            ("statement_timeout", c.statement_timeout),
            (
                "idle_in_transaction_session_timeout",
                c.idle_in_transaction_session_timeout,
            ),
        ] {
            if let Some(v) = value {
                if !options.is_empty() {
                    options.push(' ');
                }
                options.push_str(&format!("-c {name}={}", v.as_millis()));
            }
        }
        if !options.is_empty() {
            pg.options(&options);
        }
        pg.ssl_mode(match c.sslmode {
            SslMode::Disable => PgSslMode::Disable,
            SslMode::Allow | SslMode::Prefer => PgSslMode::Prefer,
            _ => PgSslMode::Require,
        });
        pg.channel_binding(match c.channel_binding {
            ChannelBinding::Disable => PgChannelBinding::Disable,
            ChannelBinding::Prefer => PgChannelBinding::Prefer,
            ChannelBinding::Require => PgChannelBinding::Require,
        });
        pg.connect_timeout(c.get_connect_timeout());
        pg.keepalives(c.keepalives);
        if let Some(i) = c.keepalives_idle {
            pg.keepalives_idle(i);
        }
        if let Some(i) = c.keepalives_interval {
            pg.keepalives_interval(i);
        }
        if let Some(r) = c.keepalives_retries {
            pg.keepalives_retries(r);
        }
        pg
    }

    fn classify(&self, e: tokio_postgres::Error, probe: &Probe) -> Error {
        let state = std::mem::take(&mut *probe.state.lock().unwrap_or_else(|p| p.into_inner()));
        if e.as_db_error().is_some() {
            let err = Error::from(e);
            return if err.kind() == ErrorKind::Authentication {
                err.with_detail(
                    "the server rejected the user name or password (check the credentials \
                     and pg_hba.conf)",
                )
            } else {
                err
            };
        }
        match state {
            ProbeState::Failed(tls_err) => {
                let kind = match tls_err {
                    rustls::Error::InvalidCertificate(_) => ErrorKind::TlsVerification,
                    _ => ErrorKind::Tls,
                };
                Error::from_kind(kind)
                    .with_detail(format!(
                        "sslmode={}: {}",
                        self.config.sslmode,
                        tls::explain(&tls_err, &self.config)
                    ))
                    .with_source(tls_err)
            }
            ProbeState::FailedIo(msg) => Error::from_kind(ErrorKind::Tls).with_detail(format!(
                "the TLS handshake failed (the server may not speak TLS after agreeing to): {msg}"
            )),
            ProbeState::NotStarted
                if self.config.sslmode.requires_tls() && !has_io_source(&e) && !e.is_closed() =>
            {
                // The server answered the SSL request with something other
                // than `S`. Whatever it said is not echoed: it is
                // unauthenticated.
                Error::from_kind(ErrorKind::TlsRequired).with_detail(format!(
                    "the server refused TLS, which sslmode={} requires: enable ssl on the \
                     server (ssl = on in postgresql.conf)",
                    self.config.sslmode
                ))
            }
            ProbeState::Established if e.to_string().contains("channel binding") => {
                Error::from_kind(ErrorKind::Authentication)
                    .with_detail(format!("channel binding failed: {e}"))
            }
            _ => {
                let detail = if e.to_string().contains("channel binding") {
                    "channel_binding=require could not be satisfied"
                } else {
                    "could not connect"
                };
                Error::from_kind(ErrorKind::Connection)
                    .with_detail(detail)
                    .with_source(e)
            }
        }
    }

    /// Asks the server whether it sees this session as encrypted, and with
    /// what. One round trip per physical connection, never per checkout.
    async fn verify(
        &self,
        client: &Client,
        server_version_num: i32,
        probe: &Probe,
        started: Instant,
    ) -> Result<ConnectionInfo, Error> {
        // pg_stat_get_activity(pid) reads just this backend's entry; the
        // pg_stat_ssl view reads them all, and costs a fresh backend
        // noticeably more catalog work. In production the same round trip
        // also reads the role's attributes.
        let production = self.config.is_production();
        let sql = if production {
            VERIFY_SQL_PRODUCTION
        } else {
            VERIFY_SQL
        };
        let rows = client.simple_query(sql).await.map_err(Error::from)?;
        let row = rows
            .iter()
            .find_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => Some(r),
                _ => None,
            })
            .ok_or_else(|| {
                Error::from_kind(ErrorKind::TlsRequired)
                    .with_detail("pg_stat_ssl has no row for this session's backend")
            })?;
        let ssl = row.get(0) == Some("t");
        let version = row.get(1).unwrap_or_default().to_string();
        let cipher = row.get(2).unwrap_or_default().to_string();
        let backend_pid = row.get(3).and_then(|v| v.parse().ok()).unwrap_or_default();
        let client_side_tls = matches!(
            &*probe.state.lock().unwrap_or_else(|p| p.into_inner()),
            ProbeState::Established
        );
        if client_side_tls && !ssl {
            return Err(Error::from_kind(ErrorKind::TlsRequired).with_detail(
                "the TLS session ends before the database: the server reports this session \
                 as unencrypted (a TLS-terminating proxy in front of a plaintext server?); \
                 configure TLS on the server itself",
            ));
        }
        if self.config.sslmode.requires_tls() && !ssl {
            return Err(
                Error::from_kind(ErrorKind::TlsRequired).with_detail(format!(
                    "the server reports this session as unencrypted although sslmode={}",
                    self.config.sslmode
                )),
            );
        }
        if ssl && !matches!(version.as_str(), "TLSv1.2" | "TLSv1.3") {
            return Err(Error::from_kind(ErrorKind::Tls).with_detail(format!(
                "the server reports TLS version {version}; only TLS 1.2 and 1.3 are accepted"
            )));
        }
        if production {
            refuse_unsafe_role(row.get(4) == Some("t"), row.get(5) == Some("t"))?;
        }
        Ok(ConnectionInfo {
            backend_pid,
            server_version_num,
            tls: ssl.then_some(TlsInfo { version, cipher }),
            sslmode: self.config.sslmode,
            connected_at: Instant::now(),
            connect_duration: started.elapsed(),
        })
    }
}

/// The longest a cancel request may take (it is its own short connection:
/// TCP, TLS, one packet), when the connect timeout is longer.
const CANCEL_TIMEOUT_CAP: Duration = Duration::from_secs(2);

/// Sends cancel requests for one connection's statements: a separate short
/// connection to the server that served it, under the same `sslmode`
/// rules and TLS configuration (root store, host-name check) as the
/// connection itself; under `disable` it is plaintext, as the connection
/// was.
#[derive(Clone)]
pub(crate) struct Canceller {
    token: tokio_postgres::CancelToken,
    tls: Option<Arc<ClientConfig>>,
    timeout: Duration,
}

impl std::fmt::Debug for Canceller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Canceller")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Connector {
    /// The canceller for `client`, one of this connector's connections.
    pub(crate) fn canceller(&self, client: &Client) -> Canceller {
        Canceller {
            token: client.cancel_token(),
            tls: self.tls.clone(),
            timeout: self.config.get_connect_timeout().min(CANCEL_TIMEOUT_CAP),
        }
    }
}

impl Canceller {
    /// How long [`Canceller::cancel`] may take, and how long a caller waits
    /// for the cancelled statement to end afterwards.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Asks the server to cancel whatever statement the connection is
    /// running (a no-op if it is idle). `Ok(true)`: the server has
    /// processed the request (over TLS we wait, as libpq does, for the
    /// server to close the cancel connection, which it does only after
    /// signalling the backend). `Ok(false)`: the request was sent but its
    /// processing cannot be confirmed (a plaintext cancel: tokio-postgres
    /// returns as soon as it is written), so it may still land later, on
    /// whatever the connection runs next.
    pub(crate) async fn cancel(&self) -> Result<bool, Error> {
        let confirmed = Arc::new(AtomicBool::new(false));
        let send = async {
            match &self.tls {
                Some(tls) => {
                    let make = CancelTls {
                        inner: MakeRustls {
                            config: tls.clone(),
                            probe: Arc::new(Probe::default()),
                        },
                        confirmed: confirmed.clone(),
                    };
                    self.token.cancel_query(make).await
                }
                None => self.token.cancel_query(tokio_postgres::NoTls).await,
            }
        };
        match tokio::time::timeout(self.timeout, send).await {
            Ok(Ok(())) => Ok(confirmed.load(Ordering::Acquire)),
            Ok(Err(e)) => Err(Error::from_kind(ErrorKind::Connection)
                .with_detail("the cancel request could not be sent")
                .with_source(e)),
            Err(_) => Err(Error::from_kind(ErrorKind::Connection).with_detail(format!(
                "the cancel request was not delivered within {:?}",
                self.timeout
            ))),
        }
    }
}

/// Our rustls connector for a cancel request, with a stream that on
/// shutdown waits for the server to close the connection.
struct CancelTls {
    inner: MakeRustls,
    confirmed: Arc<AtomicBool>,
}

struct CancelTlsConnect {
    inner: RustlsConnect,
    confirmed: Arc<AtomicBool>,
}

/// A cancel connection's TLS stream: `shutdown` sends close_notify and
/// shuts the write side, then reads until the server closes.
struct AwaitClose<S> {
    inner: S,
    shut: bool,
    confirmed: Arc<AtomicBool>,
}

impl MakeTlsConnect<Socket> for CancelTls {
    type Stream = AwaitClose<RustlsStream<Socket>>;
    type TlsConnect = CancelTlsConnect;
    type Error = std::io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> Result<CancelTlsConnect, std::io::Error> {
        Ok(CancelTlsConnect {
            inner: MakeTlsConnect::<Socket>::make_tls_connect(&mut self.inner, domain)?,
            confirmed: self.confirmed.clone(),
        })
    }
}

impl TlsConnect<Socket> for CancelTlsConnect {
    type Stream = AwaitClose<RustlsStream<Socket>>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = std::io::Result<Self::Stream>> + Send>>;

    fn connect(self, stream: Socket) -> Self::Future {
        let handshake = self.inner.connect(stream);
        let confirmed = self.confirmed;
        Box::pin(async move {
            handshake.await.map(|inner| AwaitClose {
                inner,
                shut: false,
                confirmed,
            })
        })
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for AwaitClose<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for AwaitClose<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        if !this.shut {
            std::task::ready!(Pin::new(&mut this.inner).poll_shutdown(cx))?;
            this.shut = true;
        }
        let mut scratch = [0u8; 256];
        loop {
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut this.inner).poll_read(cx, &mut buf) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => continue,
                // End of stream, or the server closing without a
                // close_notify: either way it is done with the request.
                Poll::Ready(_) => {
                    this.confirmed.store(true, Ordering::Release);
                    return Poll::Ready(Ok(()));
                }
            }
        }
    }
}

impl<S: TlsStream + Unpin> TlsStream for AwaitClose<S> {
    fn channel_binding(&self) -> tokio_postgres::tls::ChannelBinding {
        self.inner.channel_binding()
    }
}

/// The session's TLS state and backend pid, from the server. Every
/// function a fresh backend calls for the first time costs it a catalog
/// lookup: the pid is the row's own column, and the server version comes
/// from the startup's `server_version` report ([`version_num`]), not from
/// `current_setting` (together about 0.1-0.2 ms less per connect).
const VERIFY_SQL: &str = "SELECT a.ssl, a.sslversion, a.sslcipher, a.pid \
     FROM pg_stat_get_activity(pg_backend_pid()) a";

/// [`VERIFY_SQL`] plus the role's `rolsuper` and `rolbypassrls`.
const VERIFY_SQL_PRODUCTION: &str = "SELECT a.ssl, a.sslversion, a.sslcipher, a.pid, \
     r.rolsuper, r.rolbypassrls \
     FROM pg_stat_get_activity(pg_backend_pid()) a \
     LEFT JOIN pg_catalog.pg_roles r ON r.rolname = current_user";

/// `server_version_num` from the `server_version` a server reports at
/// startup: "15.18 (Debian 15.18-1.pgdg120+1)" is 150018, "9.6.24" is
/// 90624, "17beta2" is 170000. 0 when it does not start with a number.
fn version_num(reported: &str) -> i32 {
    let numeric: &str = reported
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()
        .unwrap_or_default();
    let mut parts = numeric.split('.').map(|p| p.parse::<i32>().ok());
    let (Some(Some(major)), minor, patch) = (parts.next(), parts.next(), parts.next()) else {
        return 0;
    };
    let minor = minor.flatten().unwrap_or(0);
    if major >= 10 {
        major.saturating_mul(10_000).saturating_add(minor)
    } else {
        let patch = patch.flatten().unwrap_or(0);
        major
            .saturating_mul(10_000)
            .saturating_add(minor.saturating_mul(100))
            .saturating_add(patch)
    }
}

/// The production refusal of roles that defeat permissions or row-level
/// security, on every physical connection before it is handed out. The
/// codes and advice match the posture findings of the same names.
fn refuse_unsafe_role(superuser: bool, bypass_rls: bool) -> Result<(), Error> {
    let (code, advice) = if superuser {
        (
            "role-is-superuser",
            "the application connects as a superuser, which bypasses every permission and \
             row-level-security policy; create a dedicated role with only the privileges it needs",
        )
    } else if bypass_rls {
        (
            "role-bypasses-rls",
            "the application role has BYPASSRLS, so row-level-security policies do not apply \
             to it; ALTER ROLE ... NOBYPASSRLS",
        )
    } else {
        return Ok(());
    };
    Err(Error::new(
        ErrorKind::Configuration,
        format!("refusing to connect in production with an unsafe database role: {code}"),
    )
    .with_detail(advice))
}

/// Runs the connection's I/O in a task of its own; returns the
/// `server_version_num` the server reported at startup ([`version_num`]).
fn spawn_connection<S, T>(conn: tokio_postgres::Connection<S, T>) -> i32
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let version = conn.parameter("server_version").map_or(0, version_num);
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            // The session is gone; the client half will report errors of
            // the connection kind. Log why, without any query text.
            tracing::debug!(error = %e, "database connection ended");
        }
    });
    version
}

/// Connects once, outside any pool: TLS per the `sslmode`, then the
/// `pg_stat_ssl` check. The returned client is a plain
/// `tokio_postgres::Client`.
///
/// The production rules hold here as in a pool: an `sslmode` below
/// `verify-full` is refused before connecting (unless
/// [`Config::dangerous_allow_sslmode_below_verify_full`]), and a superuser
/// or `BYPASSRLS` role after connecting, before the client is returned.
///
/// ```no_run
/// # async fn demo() -> Result<(), secure_pg::Error> {
/// let config = secure_pg::Config::from_env()?;
/// let (client, info) = secure_pg::connect(&config).await?;
/// println!("TLS: {:?}", info.tls);
/// # drop(client); Ok(()) }
/// ```
pub async fn connect(config: &Config) -> Result<(Client, ConnectionInfo), Error> {
    Connector::new(config.clone())?.connect().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reported_server_version_gives_server_version_num() {
        for (reported, num) in [
            ("15.18 (Debian 15.18-1.pgdg120+1)", 150_018),
            ("17.0", 170_000),
            ("16.4", 160_004),
            ("17beta2", 170_000),
            ("18devel", 180_000),
            ("9.6.24", 90_624),
            ("9.6", 90_600),
            ("", 0),
            ("PgBouncer", 0),
            ("99999999999.1", 0),
            ("2147483647.5", i32::MAX),
        ] {
            assert_eq!(version_num(reported), num, "{reported:?}");
        }
    }
}
