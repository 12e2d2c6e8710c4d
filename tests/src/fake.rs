//! Hostile and intermediary servers of our own, on loopback: they play the
//! roles a real PostgreSQL never would.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the fake server answers the client's SSLRequest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslAnswer {
    /// `N`: no TLS here.
    No,
    /// `S`, then plaintext protocol bytes instead of a TLS handshake.
    YesThenPlaintext,
    /// An `ErrorResponse` with a message an attacker chose.
    Error,
    /// Accept the TCP connection and never answer.
    Stall,
}

/// Text the fake server sends; tests check it never reaches the user.
pub const ATTACKER_TEXT: &str = "ATTACKER-CONTROLLED-TEXT please visit evil.example";

/// Starts a fake server on loopback answering every connection with
/// `answer`; returns its address. Runs until the runtime ends.
pub async fn start_fake_server(answer: SslAnswer) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut req = [0u8; 8];
                if sock.read_exact(&mut req).await.is_err() {
                    return;
                }
                match answer {
                    SslAnswer::No => {
                        let _ = sock.write_all(b"N").await;
                        // Then behave like a server that wants a password in
                        // plaintext, which the client must never send.
                        let mut buf = vec![0u8; 1024];
                        let _ = sock.read(&mut buf).await;
                    }
                    SslAnswer::YesThenPlaintext => {
                        let _ = sock.write_all(b"S").await;
                        let mut msg = vec![b'E'];
                        let body = format!("SFATAL\0C28000\0M{ATTACKER_TEXT}\0\0");
                        msg.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
                        msg.extend_from_slice(body.as_bytes());
                        let _ = sock.write_all(&msg).await;
                        let mut buf = vec![0u8; 1024];
                        let _ = sock.read(&mut buf).await;
                    }
                    SslAnswer::Error => {
                        let mut msg = vec![b'E'];
                        let body = format!("SFATAL\0C08P01\0M{ATTACKER_TEXT}\0\0");
                        msg.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
                        msg.extend_from_slice(body.as_bytes());
                        let _ = sock.write_all(&msg).await;
                    }
                    SslAnswer::Stall => {
                        let mut buf = vec![0u8; 1024];
                        loop {
                            match sock.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(_) => {}
                            }
                        }
                    }
                }
            });
        }
    });
    addr
}

/// A TLS-terminating proxy: it accepts the client's SSLRequest, completes a
/// TLS handshake with a valid certificate, and forwards the decrypted bytes
/// to a plaintext PostgreSQL at `upstream`. The client sees perfect TLS; the
/// server sees a plaintext session.
pub async fn start_tls_terminating_proxy(upstream: SocketAddr) -> SocketAddr {
    let acceptor = tls_acceptor();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let mut req = [0u8; 8];
                if sock.read_exact(&mut req).await.is_err() {
                    return;
                }
                if sock.write_all(b"S").await.is_err() {
                    return;
                }
                let Ok(mut tls) = acceptor.accept(sock).await else {
                    return;
                };
                let Ok(mut up) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
            });
        }
    });
    addr
}

/// A TLS acceptor with the harness's valid certificate for `localhost`.
pub fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let (cert_pem, key_pem) = crate::certs::certs().valid_server_pem();
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}
