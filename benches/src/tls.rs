//! A minimal rustls `MakeTlsConnect` for the tokio-postgres based peers
//! (plain tokio-postgres, bb8-postgres, deadpool-postgres).
//!
//! It verifies the chain against the harness CA and the host name
//! (verify-full). It offers no channel binding, so those peers
//! authenticate with plain SCRAM-SHA-256; secure-pg uses SCRAM-SHA-256-PLUS.
//! The cost difference is one hash of the certificate per connection.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

/// Which key-exchange groups the client offers first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyShare {
    /// rustls' default order (X25519MLKEM768 with an X25519 share):
    /// PostgreSQL's default `ssl_ecdh_curve` (prime256v1) answers with a
    /// HelloRetryRequest.
    RustlsDefault,
    /// P-256 first: no HelloRetryRequest (secure-pg sends the hybrid's share
    /// as well, which this does not).
    P256First,
}

/// A rustls client configuration trusting only the CA in `ca_file`.
pub(crate) fn client_config(ca_file: &std::path::Path, share: KeyShare) -> Arc<ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_file).expect("read CA file") {
        roots.add(cert.expect("parse CA")).expect("add CA");
    }
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    if share == KeyShare::P256First {
        use rustls::crypto::aws_lc_rs::kx_group::{SECP256R1, SECP384R1, X25519};
        provider.kx_groups = vec![SECP256R1, X25519, SECP384R1];
    }
    let config = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// Hands out TLS connectors for tokio-postgres.
#[derive(Debug, Clone)]
pub(crate) struct Rustls(pub(crate) Arc<ClientConfig>);

impl<S> MakeTlsConnect<S> for Rustls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = Stream<S>;
    type TlsConnect = Connect;
    type Error = io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> io::Result<Connect> {
        let name = ServerName::try_from(domain.to_owned())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        Ok(Connect {
            config: self.0.clone(),
            name,
        })
    }
}

/// One pending handshake.
#[derive(Debug)]
pub(crate) struct Connect {
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
}

type Handshake<S> = Pin<Box<dyn Future<Output = io::Result<Stream<S>>> + Send>>;

impl<S> TlsConnect<S> for Connect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = Stream<S>;
    type Error = io::Error;
    type Future = Handshake<S>;

    fn connect(self, socket: S) -> Handshake<S> {
        let connector = tokio_rustls::TlsConnector::from(self.config);
        let name = self.name;
        Box::pin(async move { connector.connect(name, socket).await.map(Stream) })
    }
}

/// An established TLS session.
#[derive(Debug)]
pub(crate) struct Stream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Stream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Stream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for Stream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}
