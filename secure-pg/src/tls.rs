//! TLS with rustls under libpq's `sslmode` semantics.
//!
//! * `verify-full`: webpki verification of the chain against `sslrootcert`
//!   and of the host name against the certificate's DNS and IP SANs. A
//!   certificate with only a Common Name is refused (libpq would fall back to
//!   the CN; webpki, like browsers, does not).
//! * `verify-ca`: the same chain verification; only a host-name mismatch is
//!   forgiven.
//! * `require`: encrypted, and the handshake signature is checked against
//!   the presented key, but nothing ties that key to the server.
//!
//! Every certificate in the `sslrootcert` file is a trust anchor, so a
//! bundle holding the intermediate verifies a server that sends only its
//! leaf, and a file holding only an intermediate is accepted as trusting
//! that intermediate (OpenSSL, and so libpq, would demand the self-signed
//! root as well).
//!
//! Key exchange (rustls over aws-lc-rs) offers two key shares in the first
//! flight: the post-quantum hybrid X25519MLKEM768, taken by servers that
//! support it, and P-256, PostgreSQL's default `ssl_ecdh_curve` (and one of
//! the two groups of PostgreSQL 18's default `ssl_groups`), so the common
//! handshake with a PostgreSQL server needs no HelloRetryRequest. rustls
//! remembers the group each server chose, so a server that takes neither
//! (X25519 only) costs the extra round trip once per pool, not per
//! connection.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{ActiveKeyExchange, CryptoProvider, SupportedKxGroup};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, NamedGroup, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

use crate::config::{Config, RootCerts, SslMode};
use crate::error::{Error, ErrorKind};

/// Builds the rustls configuration for `config`, reading the certificate
/// files once. `None` when the mode never uses TLS.
pub(crate) fn client_config(config: &Config) -> Result<Option<Arc<ClientConfig>>, Error> {
    if config.sslmode == SslMode::Disable {
        return Ok(None);
    }
    let provider = Arc::new(provider());
    let verifier: Arc<dyn ServerCertVerifier> = match config.sslmode {
        SslMode::VerifyFull | SslMode::VerifyCa => {
            let roots = load_roots(config)?;
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| {
                        Error::new(
                    ErrorKind::Configuration,
                    "invalid value for `sslrootcert`: the certificates cannot be used as roots",
                )
                .with_detail(e.to_string())
                    })?;
            if config.sslmode == SslMode::VerifyFull {
                webpki
            } else {
                Arc::new(ChainOnly(webpki))
            }
        }
        _ => Arc::new(EncryptOnly(provider.clone())),
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::new(ErrorKind::Configuration, "TLS setup failed").with_source(e))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut tls = match (&config.sslcert, &config.sslkey) {
        (Some(cert), Some(key)) => {
            let chain = read_certs("sslcert", cert)?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
                Error::new(
                    ErrorKind::Configuration,
                    "cannot read the private key given by `sslkey`",
                )
                .with_detail(format!("file {}: {e}", key.display()))
            })?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                Error::new(
                    ErrorKind::Configuration,
                    "`sslcert` and `sslkey` do not form a usable client certificate",
                )
                .with_source(e)
            })?
        }
        _ => builder.with_no_client_auth(),
    };
    tls.resumption = resumption(config);
    Ok(Some(Arc::new(tls)))
}

/// What rustls remembers per server between connections: one entry per
/// configured host, not rustls's default of 256 (a 14 KB table per pool).
/// PostgreSQL never resumes a TLS session (the server turns tickets and
/// its session cache off), so what an entry holds that is of use is the
/// key-exchange group the server chose: the next connection to it offers
/// that group's share alone instead of two.
fn resumption(config: &Config) -> rustls::client::Resumption {
    rustls::client::Resumption::in_memory_sessions(config.hosts.len().max(1))
}

/// rustls with aws-lc-rs; the hybrid and P-256 offered together, then
/// X25519 and P-384 (see the module docs).
fn provider() -> CryptoProvider {
    use rustls::crypto::aws_lc_rs::kx_group::{SECP256R1, SECP384R1, X25519};
    static HYBRID: HybridAndP256 = HybridAndP256;
    static P256: CountingKx = CountingKx(SECP256R1);
    static X: CountingKx = CountingKx(X25519);
    static P384: CountingKx = CountingKx(SECP384R1);
    CryptoProvider {
        kx_groups: vec![&HYBRID, &P256, &X, &P384],
        ..rustls::crypto::aws_lc_rs::default_provider()
    }
}

/// X25519MLKEM768 with a P-256 key share beside it in the same ClientHello.
///
/// rustls sends the first group's share and, for a hybrid, a second share
/// for the group its `hybrid_component` names (X25519 for this hybrid,
/// which PostgreSQL's default `ssl_ecdh_curve` does not accept). Naming a
/// fresh P-256 exchange there instead makes the first flight carry the two
/// shares a PostgreSQL server is likely to take: the hybrid where the
/// server has it, P-256 otherwise. The two exchanges are independent; the
/// one the server picks is completed and the other dropped.
#[derive(Debug)]
struct HybridAndP256;

impl SupportedKxGroup for HybridAndP256 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, rustls::Error> {
        use rustls::crypto::aws_lc_rs::kx_group::{SECP256R1, X25519MLKEM768};
        KEY_EXCHANGES.fetch_add(1, Ordering::Relaxed);
        HYBRID_EXCHANGES.fetch_add(1, Ordering::Relaxed);
        Ok(Box::new(HybridAndP256Exchange {
            hybrid: X25519MLKEM768.start()?,
            p256: SECP256R1.start()?,
        }))
    }
    fn name(&self) -> NamedGroup {
        NamedGroup::X25519MLKEM768
    }
    fn fips(&self) -> bool {
        use rustls::crypto::aws_lc_rs::kx_group::{SECP256R1, X25519MLKEM768};
        X25519MLKEM768.fips() && SECP256R1.fips()
    }
    fn usable_for_version(&self, version: rustls::ProtocolVersion) -> bool {
        rustls::crypto::aws_lc_rs::kx_group::X25519MLKEM768.usable_for_version(version)
    }
}

/// The two exchanges [`HybridAndP256`] started.
struct HybridAndP256Exchange {
    hybrid: Box<dyn ActiveKeyExchange>,
    p256: Box<dyn ActiveKeyExchange>,
}

impl ActiveKeyExchange for HybridAndP256Exchange {
    fn complete(
        self: Box<Self>,
        peer_pub_key: &[u8],
    ) -> Result<rustls::crypto::SharedSecret, rustls::Error> {
        self.hybrid.complete(peer_pub_key)
    }
    fn hybrid_component(&self) -> Option<(NamedGroup, &[u8])> {
        Some((NamedGroup::secp256r1, self.p256.pub_key()))
    }
    fn complete_hybrid_component(
        self: Box<Self>,
        peer_pub_key: &[u8],
    ) -> Result<rustls::crypto::SharedSecret, rustls::Error> {
        self.p256.complete(peer_pub_key)
    }
    fn pub_key(&self) -> &[u8] {
        self.hybrid.pub_key()
    }
    fn group(&self) -> NamedGroup {
        self.hybrid.group()
    }
}

static KEY_EXCHANGES: AtomicU64 = AtomicU64::new(0);

/// Number of TLS key exchanges started by this process. A handshake that
/// needed a HelloRetryRequest starts two; tests use this to prove the
/// common handshake needs one.
#[doc(hidden)]
pub fn key_exchanges_started() -> u64 {
    KEY_EXCHANGES.load(Ordering::Relaxed)
}

static HYBRID_EXCHANGES: AtomicU64 = AtomicU64::new(0);

/// Number of handshakes this process began by offering the hybrid and
/// P-256 shares together: a connector's first connection to a host. Its
/// later connections offer the group that host chose (see `resumption`).
#[doc(hidden)]
pub fn hybrid_key_exchanges_started() -> u64 {
    HYBRID_EXCHANGES.load(Ordering::Relaxed)
}

#[derive(Debug)]
struct CountingKx(&'static dyn SupportedKxGroup);

impl SupportedKxGroup for CountingKx {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, rustls::Error> {
        KEY_EXCHANGES.fetch_add(1, Ordering::Relaxed);
        self.0.start()
    }
    fn name(&self) -> NamedGroup {
        self.0.name()
    }
    fn fips(&self) -> bool {
        self.0.fips()
    }
}

fn read_certs(option: &str, path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::new(
            ErrorKind::Configuration,
            format!("cannot read the file given by `{option}`"),
        )
        .with_detail(format!("file {}: {e}", path.display()))
    })?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| {
            Error::new(
                ErrorKind::Configuration,
                format!("the file given by `{option}` is not valid PEM"),
            )
            .with_detail(format!("file {}: {e}", path.display()))
        })?;
    if certs.is_empty() {
        return Err(Error::new(
            ErrorKind::Configuration,
            format!("the file given by `{option}` holds no PEM certificates"),
        )
        .with_detail(format!("file {}", path.display())));
    }
    Ok(certs)
}

fn load_roots(config: &Config) -> Result<rustls::RootCertStore, Error> {
    let mut store = rustls::RootCertStore::empty();
    match config.resolved_root_certs() {
        None => {
            return Err(Error::new(
                ErrorKind::Configuration,
                format!(
                    "sslmode={} needs trusted root certificates: set `sslrootcert` to the \
                     CA certificate file of the server (or sslrootcert=system for a \
                     publicly signed server)",
                    config.sslmode
                ),
            ))
        }
        Some(RootCerts::File(path)) => {
            for cert in read_certs("sslrootcert", &path)? {
                store.add(cert).map_err(|e| {
                    Error::new(
                        ErrorKind::Configuration,
                        "the file given by `sslrootcert` holds an unusable certificate",
                    )
                    .with_detail(format!("file {}: {e}", path.display()))
                })?;
            }
        }
        Some(RootCerts::System) => system_roots(&mut store)?,
    }
    Ok(store)
}

/// Where the roots of `sslrootcert=system` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SystemRoots {
    /// The platform's store (rustls-native-certs; `SSL_CERT_FILE` and
    /// `SSL_CERT_DIR` replace it when set).
    Platform,
    /// The platform had none: the Mozilla root set built in
    /// (`webpki-roots`, feature `bundled-roots`).
    #[cfg_attr(not(feature = "bundled-roots"), allow(dead_code))]
    Bundled,
}

/// `sslrootcert=system`: the platform's trust store, or, where it has none
/// (distroless and scratch images), the bundled Mozilla roots. Which one
/// was used is logged once per process (and once more if it changes).
fn system_roots(store: &mut rustls::RootCertStore) -> Result<(), Error> {
    let found = rustls_native_certs::load_native_certs();
    let (added, _) = store.add_parsable_certificates(found.certs);
    let source = if added > 0 {
        SystemRoots::Platform
    } else {
        bundled_roots(store).ok_or_else(|| {
            Error::new(
                ErrorKind::Configuration,
                "sslrootcert=system found no certificates in the platform trust store \
                 (and secure-pg was built without its `bundled-roots` feature)",
            )
            .with_detail(format!("errors: {:?}", found.errors))
        })?
    };
    log_system_roots_once(source, store.len(), &found.errors);
    Ok(())
}

#[cfg(feature = "bundled-roots")]
fn bundled_roots(store: &mut rustls::RootCertStore) -> Option<SystemRoots> {
    store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    Some(SystemRoots::Bundled)
}

#[cfg(not(feature = "bundled-roots"))]
fn bundled_roots(_: &mut rustls::RootCertStore) -> Option<SystemRoots> {
    None
}

fn log_system_roots_once(source: SystemRoots, roots: usize, errors: &[rustls_native_certs::Error]) {
    use std::sync::atomic::AtomicBool;
    static PLATFORM: AtomicBool = AtomicBool::new(false);
    static BUNDLED: AtomicBool = AtomicBool::new(false);
    let flag = match source {
        SystemRoots::Platform => &PLATFORM,
        SystemRoots::Bundled => &BUNDLED,
    };
    if flag.swap(true, Ordering::Relaxed) {
        return;
    }
    match source {
        SystemRoots::Platform => tracing::info!(
            roots_source = "platform",
            roots,
            "sslrootcert=system: using the platform trust store"
        ),
        SystemRoots::Bundled => tracing::info!(
            roots_source = "bundled",
            roots,
            platform_errors = ?errors,
            "sslrootcert=system: the platform trust store is empty; using the bundled \
             Mozilla root set (webpki-roots)"
        ),
    }
}

/// `verify-ca`: the chain must verify; the host name need not match.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // webpki checks the chain (and expiry) before the name, so a name
        // error means everything else passed.
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `require`: any certificate, but the handshake must be signed by its key.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// What happened to TLS during one connection attempt, so that a failure
/// reported by tokio-postgres can be classified exactly.
#[derive(Debug, Default)]
pub(crate) struct Probe {
    pub(crate) state: Mutex<ProbeState>,
}

#[derive(Debug, Default)]
pub(crate) enum ProbeState {
    /// The server never agreed to TLS (or the attempt ended before).
    #[default]
    NotStarted,
    Handshaking,
    Failed(rustls::Error),
    FailedIo(String),
    Established,
}

/// A `MakeTlsConnect` for one connection attempt.
#[derive(Debug, Clone)]
pub(crate) struct MakeRustls {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) probe: Arc<Probe>,
}

impl<S> MakeTlsConnect<S> for MakeRustls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnect;
    type Error = io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> Result<RustlsConnect, io::Error> {
        let name = ServerName::try_from(domain.to_string())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "invalid server name"))?;
        Ok(RustlsConnect {
            config: self.config.clone(),
            probe: self.probe.clone(),
            name,
        })
    }
}

#[derive(Debug)]
pub(crate) struct RustlsConnect {
    config: Arc<ClientConfig>,
    probe: Arc<Probe>,
    name: ServerName<'static>,
}

impl<S> TlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            *self.probe.state.lock().unwrap_or_else(|p| p.into_inner()) = ProbeState::Handshaking;
            let connector = tokio_rustls::TlsConnector::from(self.config);
            let result = connector.connect(self.name, stream).await;
            let mut state = self.probe.state.lock().unwrap_or_else(|p| p.into_inner());
            match result {
                Ok(tls) => {
                    *state = ProbeState::Established;
                    Ok(RustlsStream(tls))
                }
                Err(e) => {
                    *state = match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                        Some(tls) => ProbeState::Failed(tls.clone()),
                        None => ProbeState::FailedIo(e.to_string()),
                    };
                    Err(e)
                }
            }
        })
    }
}

/// The TLS stream handed to tokio-postgres.
#[derive(Debug)]
pub(crate) struct RustlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for RustlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        let (_, conn) = self.0.get_ref();
        match conn
            .peer_certificates()
            .and_then(|c| c.first())
            .and_then(|c| tls_server_end_point(c.as_ref()))
        {
            Some(hash) => ChannelBinding::tls_server_end_point(hash),
            None => ChannelBinding::none(),
        }
    }
}

/// RFC 5929 `tls-server-end-point`: the certificate hashed with the hash of
/// its signature algorithm, SHA-256 for MD5 and SHA-1 (and for algorithms
/// without a separate hash, as PostgreSQL does). RSA-PSS names its hash in
/// the algorithm's parameters.
fn tls_server_end_point(cert: &[u8]) -> Option<Vec<u8>> {
    use aws_lc_rs::digest;
    let alg = match signature_hash(cert)? {
        SigHash::Sha384 => &digest::SHA384,
        SigHash::Sha512 => &digest::SHA512,
        SigHash::Sha256 => &digest::SHA256,
    };
    Some(digest::digest(alg, cert).as_ref().to_vec())
}

/// The hash `tls-server-end-point` uses for a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SigHash {
    Sha256,
    Sha384,
    Sha512,
}

/// OIDs (DER content bytes).
mod oid {
    pub(super) const SHA384_WITH_RSA: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
    pub(super) const SHA512_WITH_RSA: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
    pub(super) const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    pub(super) const ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
    pub(super) const ECDSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];
    pub(super) const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    pub(super) const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
}

/// The hash of the certificate's signature algorithm, as RFC 5929 maps it.
fn signature_hash(cert: &[u8]) -> Option<SigHash> {
    let (oid, params) = signature_algorithm(cert)?;
    Some(match oid {
        oid::SHA384_WITH_RSA | oid::ECDSA_SHA384 => SigHash::Sha384,
        oid::SHA512_WITH_RSA | oid::ECDSA_SHA512 => SigHash::Sha512,
        oid::RSASSA_PSS => pss_hash(params)?,
        _ => SigHash::Sha256,
    })
}

/// The `hashAlgorithm` of RSASSA-PSS-params (RFC 4055): `[0]` explicit,
/// absent meaning SHA-1 (hence SHA-256 here). Unparseable parameters give
/// `None`, so no binding is offered rather than a wrong one.
fn pss_hash(params: &[u8]) -> Option<SigHash> {
    let (tag, hl, len) = der_header(params)?;
    if tag != 0x30 {
        return None;
    }
    let seq = params.get(hl..hl + len)?;
    if seq.is_empty() {
        return Some(SigHash::Sha256);
    }
    let (tag, hl, len) = der_header(seq)?;
    if tag != 0xa0 {
        // No hashAlgorithm: the default, SHA-1.
        return Some(SigHash::Sha256);
    }
    let hash_alg = seq.get(hl..hl + len)?;
    let (tag, hl, len) = der_header(hash_alg)?;
    if tag != 0x30 {
        return None;
    }
    let ident = hash_alg.get(hl..hl + len)?;
    let (tag, hl, len) = der_header(ident)?;
    if tag != 0x06 {
        return None;
    }
    Some(match ident.get(hl..hl + len)? {
        oid::SHA384 => SigHash::Sha384,
        oid::SHA512 => SigHash::Sha512,
        _ => SigHash::Sha256,
    })
}

/// One DER header: (tag, header length, content length).
fn der_header(input: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *input.first()?;
    let first = *input.get(1)? as usize;
    if first < 0x80 {
        return Some((tag, 2, first));
    }
    let n = first & 0x7f;
    if n == 0 || n > 4 {
        return None;
    }
    let mut len = 0usize;
    for i in 0..n {
        len = (len << 8) | *input.get(2 + i)? as usize;
    }
    Some((tag, 2 + n, len))
}

/// The OID of `Certificate.signatureAlgorithm`, by walking just enough DER.
#[cfg(test)]
fn signature_algorithm_oid(cert: &[u8]) -> Option<&[u8]> {
    signature_algorithm(cert).map(|(oid, _)| oid)
}

/// `Certificate.signatureAlgorithm`: its OID and the raw parameters (empty
/// when absent), by walking just enough DER.
fn signature_algorithm(cert: &[u8]) -> Option<(&[u8], &[u8])> {
    let header = der_header;
    let (tag, hl, len) = header(cert)?;
    if tag != 0x30 {
        return None;
    }
    let body = cert.get(hl..hl + len)?;
    let (_, tbs_hl, tbs_len) = header(body)?;
    let rest = body.get(tbs_hl + tbs_len..)?;
    let (tag, alg_hl, alg_len) = header(rest)?;
    if tag != 0x30 {
        return None;
    }
    let alg = rest.get(alg_hl..alg_hl + alg_len)?;
    let (tag, oid_hl, oid_len) = header(alg)?;
    if tag != 0x06 {
        return None;
    }
    let oid = alg.get(oid_hl..oid_hl + oid_len)?;
    Some((oid, alg.get(oid_hl + oid_len..)?))
}

/// A human explanation of a certificate error, for the operator-facing
/// detail (it may name hosts).
pub(crate) fn explain(err: &rustls::Error, config: &Config) -> String {
    let roots = match config.resolved_root_certs() {
        Some(RootCerts::File(p)) => format!("the CA certificates in {}", p.display()),
        Some(RootCerts::System) => "the platform's trusted CAs".into(),
        None => "the configured roots".into(),
    };
    match err {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::NotValidForNameContext {
                expected,
                presented,
            } => format!(
                "the server certificate is for {}, not for the host {expected:?} that was \
                 connected to (sslmode=verify-full checks the host name): connect using a \
                 name the certificate lists, or have the certificate reissued with this \
                 host in its subjectAltName",
                if presented.is_empty() {
                    "no host names (it has no subjectAltName; a Common Name alone is not \
                     accepted)"
                        .to_string()
                } else {
                    presented.join(", ")
                }
            ),
            CertificateError::NotValidForName => {
                "the server certificate does not name the host that was connected to".into()
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                format!("the server certificate has expired ({c:?}); renew it on the server")
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                format!("the server certificate is not valid yet ({c:?}); check the clocks")
            }
            CertificateError::UnknownIssuer => format!(
                "the server certificate was not issued by {roots}: point `sslrootcert` at the \
                 CA that signed the server's certificate"
            ),
            other => format!("the server certificate was rejected: {other:?}"),
        },
        other => format!("TLS error: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_offers_the_hybrid_then_p256() {
        let p = provider();
        let names: Vec<_> = p.kx_groups.iter().map(|g| g.name()).collect();
        assert_eq!(
            names,
            [
                NamedGroup::X25519MLKEM768,
                NamedGroup::secp256r1,
                NamedGroup::X25519,
                NamedGroup::secp384r1
            ]
        );
        let share = p.kx_groups[0].start().unwrap();
        // ML-KEM-768's encapsulation key (1184 bytes) and an X25519 key.
        assert_eq!(share.pub_key().len(), 1184 + 32);
        let (group, p256) = share.hybrid_component().unwrap();
        assert_eq!(group, NamedGroup::secp256r1);
        assert_eq!(p256.len(), 65, "an uncompressed P-256 point");
        assert!(!p.kx_groups[0].usable_for_version(rustls::ProtocolVersion::TLSv1_2));
    }

    /// Runs a whole handshake in memory between a client with
    /// [`provider`] and a rustls server that accepts only `server_groups`,
    /// and says which group was agreed and whether it took a retry.
    fn handshake(
        server_groups: Vec<&'static dyn SupportedKxGroup>,
    ) -> (NamedGroup, rustls::HandshakeKind) {
        let key = rcgen::generate_simple_self_signed(vec!["db.test".to_string()]).unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(key.cert.der().clone()).unwrap();
        let client = ClientConfig::builder_with_provider(Arc::new(provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let server_provider = CryptoProvider {
            kx_groups: server_groups,
            ..rustls::crypto::aws_lc_rs::default_provider()
        };
        let server = rustls::ServerConfig::builder_with_provider(Arc::new(server_provider))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![key.cert.der().clone()],
                PrivateKeyDer::Pkcs8(key.key_pair.serialize_der().into()),
            )
            .unwrap();
        let mut c = rustls::ClientConnection::new(
            Arc::new(client),
            ServerName::try_from("db.test").unwrap(),
        )
        .unwrap();
        let mut s = rustls::ServerConnection::new(Arc::new(server)).unwrap();
        for _ in 0..10 {
            if !c.is_handshaking() && !s.is_handshaking() {
                break;
            }
            let mut buf = Vec::new();
            while c.wants_write() {
                c.write_tls(&mut buf).unwrap();
            }
            s.read_tls(&mut &buf[..]).unwrap();
            s.process_new_packets().unwrap();
            let mut buf = Vec::new();
            while s.wants_write() {
                s.write_tls(&mut buf).unwrap();
            }
            c.read_tls(&mut &buf[..]).unwrap();
            c.process_new_packets().unwrap();
        }
        assert!(!c.is_handshaking(), "the handshake did not finish");
        (
            c.negotiated_key_exchange_group().unwrap().name(),
            c.handshake_kind().unwrap(),
        )
    }

    #[test]
    fn a_server_with_the_hybrid_agrees_to_it_without_a_retry() {
        use rustls::crypto::aws_lc_rs::{kx_group, DEFAULT_KX_GROUPS};
        assert_eq!(
            handshake(DEFAULT_KX_GROUPS.to_vec()),
            (NamedGroup::X25519MLKEM768, rustls::HandshakeKind::Full)
        );
        assert_eq!(
            handshake(vec![kx_group::X25519MLKEM768]),
            (NamedGroup::X25519MLKEM768, rustls::HandshakeKind::Full)
        );
    }

    #[test]
    fn a_p256_only_server_agrees_to_p256_without_a_retry() {
        use rustls::crypto::aws_lc_rs::kx_group;
        assert_eq!(
            handshake(vec![kx_group::SECP256R1]),
            (NamedGroup::secp256r1, rustls::HandshakeKind::Full)
        );
    }

    #[test]
    fn an_x25519_only_server_costs_one_retry() {
        use rustls::crypto::aws_lc_rs::kx_group;
        assert_eq!(
            handshake(vec![kx_group::X25519]),
            (
                NamedGroup::X25519,
                rustls::HandshakeKind::FullWithHelloRetryRequest
            )
        );
    }

    #[test]
    fn signature_oid_of_garbage_is_none() {
        assert_eq!(signature_algorithm_oid(&[]), None);
        assert_eq!(signature_algorithm_oid(&[0x30, 0x85, 1, 2]), None);
        assert_eq!(signature_algorithm_oid(&[0x31, 0x00]), None);
    }

    fn pss_params(hash_oid: &[u8], null: bool) -> Vec<u8> {
        let mut ident = vec![0x06, hash_oid.len() as u8];
        ident.extend_from_slice(hash_oid);
        if null {
            ident.extend_from_slice(&[0x05, 0x00]);
        }
        let mut seq = vec![0x30, ident.len() as u8];
        seq.extend(ident);
        let mut tagged = vec![0xa0, seq.len() as u8];
        tagged.extend(seq);
        // saltLength [2] INTEGER 48 after the hash, as OpenSSL writes it.
        tagged.extend_from_slice(&[0xa2, 0x03, 0x02, 0x01, 0x30]);
        let mut out = vec![0x30, tagged.len() as u8];
        out.extend(tagged);
        out
    }

    #[test]
    fn rsa_pss_uses_the_hash_named_in_its_parameters() {
        assert_eq!(
            pss_hash(&pss_params(oid::SHA384, false)),
            Some(SigHash::Sha384)
        );
        assert_eq!(
            pss_hash(&pss_params(oid::SHA512, true)),
            Some(SigHash::Sha512)
        );
        let sha256 = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
        assert_eq!(pss_hash(&pss_params(&sha256, false)), Some(SigHash::Sha256));
        // Absent hashAlgorithm: SHA-1 by default, so SHA-256.
        assert_eq!(pss_hash(&[0x30, 0x00]), Some(SigHash::Sha256));
        // Parameters that are not a SEQUENCE: no binding rather than a guess.
        assert_eq!(pss_hash(&[]), None);
        assert_eq!(pss_hash(&[0x05, 0x00]), None);
    }
}
