//! `sslrootcert=system` with the platform store replaced through
//! `SSL_CERT_FILE` / `SSL_CERT_DIR` (which rustls-native-certs reads on every
//! load). It changes the process environment, so it is a binary of its own
//! with one test: nothing else runs while the variables change.

use secure_pg::{Config, Connector, ErrorKind};
use secure_pg_tests::capture::Capture;
use secure_pg_tests::certs::certs;
use secure_pg_tests::{shared, temp_dir, ClusterSpec, ServerCert};

fn system_config(url: &str) -> Config {
    Config::parse_with_env(url, |_| None).expect("test URL parses")
}

fn roots_logs(capture: &Capture, source: &str) -> usize {
    capture
        .events()
        .iter()
        .filter(|e| e.fields.get("roots_source").map(String::as_str) == Some(source))
        .count()
}

#[tokio::test]
async fn sslrootcert_system_uses_the_platform_store_or_the_bundled_roots() {
    let capture = Capture::new();
    tracing::subscriber::set_global_default(capture.clone()).unwrap();
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    let url = cluster.url_with("localhost", "sslmode=verify-full&sslrootcert=system");

    // (a) An empty platform store (an empty SSL_CERT_FILE and an empty
    // SSL_CERT_DIR, as in a distroless image): the bundled Mozilla roots
    // are used, and that is logged once however many connectors are made.
    let dir = temp_dir("roots");
    let empty_file = dir.join("empty.pem");
    std::fs::write(&empty_file, "").unwrap();
    let empty_dir = dir.join("empty.d");
    std::fs::create_dir_all(&empty_dir).unwrap();
    std::env::set_var("SSL_CERT_FILE", &empty_file);
    std::env::set_var("SSL_CERT_DIR", &empty_dir);
    let first = Connector::new(system_config(&url)).expect("bundled roots are used");
    let _second = Connector::new(system_config(&url)).expect("bundled roots are used");
    assert_eq!(
        roots_logs(&capture, "bundled"),
        1,
        "{}",
        capture.everything()
    );
    assert_eq!(
        roots_logs(&capture, "platform"),
        0,
        "{}",
        capture.everything()
    );
    let log = capture
        .events()
        .into_iter()
        .find(|e| e.fields.get("roots_source").map(String::as_str) == Some("bundled"))
        .unwrap();
    assert!(log.fields["message"].contains("webpki-roots"), "{log:?}");
    let roots: usize = log.fields["roots"].parse().unwrap();
    assert!(
        roots > 100,
        "the Mozilla set has well over 100 roots: {roots}"
    );

    // (b) Our test CA is not a public CA: the harness server is refused.
    let e = first
        .connect()
        .await
        .expect_err("a private CA is not in the bundled roots");
    assert_eq!(e.kind(), ErrorKind::TlsVerification, "{e:#}");

    // (c) The platform store holding our test CA (SSL_CERT_FILE, as an
    // image's ca-certificates would): sslrootcert=system verifies.
    std::env::remove_var("SSL_CERT_DIR");
    std::env::set_var("SSL_CERT_FILE", certs().ca_file());
    let connector = Connector::new(system_config(&url)).expect("platform roots");
    let (client, info) = connector
        .connect()
        .await
        .expect("verifies with platform roots");
    assert!(info.tls.is_some());
    drop(client);
    let _again = Connector::new(system_config(&url)).unwrap();
    assert_eq!(
        roots_logs(&capture, "platform"),
        1,
        "{}",
        capture.everything()
    );
    assert_eq!(roots_logs(&capture, "bundled"), 1);

    std::env::remove_var("SSL_CERT_FILE");
}
