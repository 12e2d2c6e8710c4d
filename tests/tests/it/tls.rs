//! TLS under libpq's sslmode semantics, against real servers presenting good
//! and bad certificates, and against fake servers that misbehave during the
//! SSL negotiation.

use std::time::{Duration, Instant};

use secure_pg::{Config, Environment, ErrorKind, SslMode};
use secure_pg_tests::certs::certs;
use secure_pg_tests::fake::{self, SslAnswer, ATTACKER_TEXT};
use secure_pg_tests::{shared, ClusterSpec, ServerCert, APP_DB, APP_PASSWORD, APP_USER};

use crate::support::{checked, config, expect_err, scalar, try_connect};

fn url_for(spec: ClusterSpec, host: &str, options: &str) -> String {
    shared(spec).url_with(host, options)
}

fn ca_opt() -> String {
    format!("sslrootcert={}", certs().ca_file().display())
}

/// What each mode must do against each server: Ok, or the error kind and a
/// piece of the operator-facing detail that tells the user what to fix.
#[tokio::test]
async fn sslmode_matrix_against_real_servers() {
    use ServerCert::*;
    type Case = (
        &'static str,
        Option<ServerCert>,
        Result<(), (ErrorKind, &'static str)>,
    );
    let cases: Vec<Case> = vec![
        ("verify-full", Some(Valid), Ok(())),
        (
            "verify-full",
            Some(OtherCa),
            Err((ErrorKind::TlsVerification, "not issued by")),
        ),
        (
            "verify-full",
            Some(WrongHost),
            Err((ErrorKind::TlsVerification, "db.example.com")),
        ),
        (
            "verify-full",
            Some(Expired),
            Err((ErrorKind::TlsVerification, "expired")),
        ),
        (
            "verify-full",
            None,
            Err((ErrorKind::TlsRequired, "ssl = on")),
        ),
        ("verify-ca", Some(Valid), Ok(())),
        (
            "verify-ca",
            Some(OtherCa),
            Err((ErrorKind::TlsVerification, "not issued by")),
        ),
        ("verify-ca", Some(WrongHost), Ok(())),
        (
            "verify-ca",
            Some(Expired),
            Err((ErrorKind::TlsVerification, "expired")),
        ),
        ("verify-ca", None, Err((ErrorKind::TlsRequired, "ssl = on"))),
        ("require", Some(Valid), Ok(())),
        ("require", Some(OtherCa), Ok(())),
        ("require", Some(WrongHost), Ok(())),
        ("require", Some(Expired), Ok(())),
        ("require", None, Err((ErrorKind::TlsRequired, "ssl = on"))),
        // Weak modes, allowed to loopback outside production only.
        ("prefer", Some(Valid), Ok(())),
        ("prefer", None, Ok(())),
        ("allow", None, Ok(())),
        ("disable", None, Ok(())),
        // The TLS server's pg_hba rejects plaintext.
        (
            "disable",
            Some(Valid),
            Err((ErrorKind::Authentication, "no encryption")),
        ),
    ];
    for (mode, server, expected) in cases {
        let spec = match server {
            Some(c) => ClusterSpec::tls(c),
            None => ClusterSpec::plaintext(),
        };
        let url = url_for(spec, "localhost", &format!("sslmode={mode}&{}", ca_opt()));
        let mut cfg = config(&url);
        cfg = rebuild_dev(cfg);
        let got = secure_pg::connect(&cfg).await;
        match (expected, got) {
            (Ok(()), Ok((client, info))) => {
                let tls_expected = server.is_some() && mode != "disable";
                assert_eq!(info.tls.is_some(), tls_expected, "{mode} vs {server:?}");
                if let Some(tls) = &info.tls {
                    assert!(tls.version == "TLSv1.3" || tls.version == "TLSv1.2");
                    assert!(!tls.cipher.is_empty());
                }
                assert_eq!(scalar(&client, "SELECT current_user").await, APP_USER);
            }
            (Err((kind, hint)), Err(e)) => {
                let e = checked(e);
                assert_eq!(e.kind(), kind, "{mode} vs {server:?}: {e:#}");
                let detail = e.detail().to_string();
                assert!(
                    detail.contains(hint),
                    "{mode} vs {server:?}: `{hint}` not in {detail}"
                );
            }
            (Ok(()), Err(e)) => panic!("{mode} vs {server:?} should connect: {e:#}"),
            (Err((kind, _)), Ok(_)) => panic!("{mode} vs {server:?} should fail with {kind:?}"),
        }
    }
}

/// Forces development rules so that `APP_ENV` on the test machine does not
/// matter.
fn rebuild_dev(cfg: Config) -> Config {
    let mut cfg = cfg;
    cfg.set_environment(Environment::Development);
    cfg
}

#[tokio::test]
async fn the_default_mode_is_verify_full_and_ip_hosts_match_ip_sans() {
    let c = config("postgres://localhost/db");
    assert_eq!(c.get_sslmode(), SslMode::VerifyFull);
    for host in ["127.0.0.1", "::1", "localhost"] {
        let url = url_for(ClusterSpec::tls(ServerCert::Valid), host, &ca_opt());
        let (_client, info) = try_connect(&url)
            .await
            .unwrap_or_else(|e| panic!("{host}: {e:#}"));
        assert_eq!(info.sslmode, SslMode::VerifyFull);
        assert!(info.tls.is_some());
    }
}

/// What a connection reports about itself is what the server says, asked
/// on that connection: pid, version number, TLS version and cipher.
#[tokio::test]
async fn the_connection_info_matches_what_the_server_says() {
    let url = url_for(ClusterSpec::tls(ServerCert::Valid), "localhost", &ca_opt());
    let (client, info) = try_connect(&url).await.unwrap();
    let row = client
        .query_one(
            "SELECT pg_backend_pid(), current_setting('server_version_num')::int4, \
             s.version, s.cipher FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(info.backend_pid, row.get::<_, i32>(0));
    assert_eq!(info.server_version_num, row.get::<_, i32>(1));
    assert!(info.server_version_num >= 150_000, "{info:?}");
    let tls = info.tls.expect("TLS reported");
    assert_eq!(tls.version, row.get::<_, String>(2));
    assert_eq!(tls.cipher, row.get::<_, String>(3));
}

#[tokio::test]
async fn error_text_names_the_host_the_certificate_was_for() {
    let url = url_for(
        ClusterSpec::tls(ServerCert::WrongHost),
        "localhost",
        &ca_opt(),
    );
    let e = expect_err(try_connect(&url).await);
    assert_eq!(e.kind(), ErrorKind::TlsVerification);
    assert_eq!(
        e.to_string(),
        "the database server's certificate was not accepted"
    );
    let detail = e.detail().to_string();
    assert!(detail.contains("db.example.com"), "{detail}");
    assert!(detail.contains("\"localhost\""), "{detail}");
}

#[tokio::test]
async fn chains_as_libpq_accepts_them() {
    let server = ClusterSpec::tls(ServerCert::LeafOfIntermediate);
    let c = certs();
    // The server sends only its leaf; the bundle holds root + intermediate.
    let bundle = format!("sslrootcert={}", c.root_and_intermediate_file().display());
    try_connect(&url_for(server.clone(), "localhost", &bundle))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    // Root alone cannot complete a chain the server does not send.
    let root_only = format!("sslrootcert={}", c.ca_file().display());
    let e = expect_err(try_connect(&url_for(server.clone(), "localhost", &root_only)).await);
    assert_eq!(e.kind(), ErrorKind::TlsVerification);
    // Where we differ from libpq: an intermediate alone is a trust anchor.
    let inter = format!("sslrootcert={}", c.intermediate_only_file().display());
    try_connect(&url_for(server, "localhost", &inter))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    // A bundle of many CAs (like the AWS RDS global bundle).
    let multi = format!("sslrootcert={}", c.multi_ca_bundle_file().display());
    try_connect(&url_for(
        ClusterSpec::tls(ServerCert::Valid),
        "localhost",
        &multi,
    ))
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
}

#[tokio::test]
async fn where_rustls_and_libpq_differ_we_refuse_common_names() {
    // libpq falls back to the CN when there is no SAN; we do not.
    let cn = ClusterSpec::tls(ServerCert::CommonNameOnly);
    let e = expect_err(try_connect(&url_for(cn.clone(), "localhost", &ca_opt())).await);
    assert_eq!(e.kind(), ErrorKind::TlsVerification);
    assert!(e.detail().to_string().contains("no host names"), "{e:#}");
    // verify-ca does not look at names at all.
    let opts = format!("sslmode=verify-ca&{}", ca_opt());
    try_connect(&url_for(cn, "localhost", &opts))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    // An IP address host is never matched against a CN either.
    let ip_cn = ClusterSpec::tls(ServerCert::IpInCommonNameOnly);
    let e = expect_err(try_connect(&url_for(ip_cn, "127.0.0.1", &ca_opt())).await);
    assert_eq!(e.kind(), ErrorKind::TlsVerification);
}

#[tokio::test]
async fn sslrootcert_system_needs_verify_full() {
    for mode in ["verify-ca", "require"] {
        let e = expect_err(
            Config::parse_with_env(
                &format!("postgres://db.example.com/x?sslmode={mode}&sslrootcert=system"),
                |_| None,
            )
            .and_then(|c| c.validate()),
        );
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(e
            .to_string()
            .contains("sslrootcert=system requires sslmode=verify-full"));
    }
}

#[tokio::test]
async fn weak_modes_are_refused_off_loopback_and_in_production() {
    for mode in ["disable", "allow", "prefer"] {
        let mut c = config(&format!("postgres://db.example.com/x?sslmode={mode}"));
        c.set_environment(Environment::Development);
        let e = expect_err(secure_pg::connect(&c).await);
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(e.to_string().contains("not loopback"), "{e}");
    }
    // Loopback, but production.
    let url = url_for(ClusterSpec::plaintext(), "127.0.0.1", "sslmode=disable");
    let mut c = config(&url);
    c.set_environment(Environment::Production);
    let e = expect_err(secure_pg::connect(&c).await);
    assert_eq!(e.kind(), ErrorKind::Configuration);
    assert!(e.to_string().contains("refused in production"), "{e}");
    // The same outside production connects.
    c.set_environment(Environment::Development);
    let (_client, info) = secure_pg::connect(&c).await.unwrap();
    assert!(info.tls.is_none());
    // Production accepts require only when explicitly allowed (see
    // production_refuses_weak_sslmode_on_every_entry_point).
    let url = url_for(
        ClusterSpec::tls(ServerCert::Valid),
        "localhost",
        "sslmode=require",
    );
    let mut c = config(&url);
    c.set_environment(Environment::Production);
    c.dangerous_allow_sslmode_below_verify_full();
    secure_pg::connect(&c).await.unwrap();
}

#[tokio::test]
async fn a_tls_terminating_proxy_in_front_of_a_plaintext_server_is_refused() {
    let plain = shared(ClusterSpec::plaintext());
    let upstream = format!("127.0.0.1:{}", plain.port).parse().unwrap();
    let proxy = fake::start_tls_terminating_proxy(upstream).await;
    let url = format!(
        "postgres://{APP_USER}:{APP_PASSWORD}@localhost:{}/{APP_DB}?{}",
        proxy.port(),
        ca_opt()
    );
    let e = expect_err(try_connect(&url).await);
    assert_eq!(e.kind(), ErrorKind::TlsRequired, "{e:#}");
    assert!(e.detail().to_string().contains("unencrypted"), "{e:#}");
}

#[tokio::test]
async fn hostile_ssl_negotiation_ends_in_a_tls_error_without_echoing_the_server() {
    for answer in [SslAnswer::No, SslAnswer::YesThenPlaintext, SslAnswer::Error] {
        let addr = fake::start_fake_server(answer).await;
        for mode in ["require", "verify-ca", "verify-full"] {
            let url = format!(
                "postgres://{APP_USER}:{APP_PASSWORD}@localhost:{}/{APP_DB}?sslmode={mode}&{}&connect_timeout=5",
                addr.port(),
                ca_opt()
            );
            let e = expect_err(try_connect(&url).await);
            assert!(
                matches!(e.kind(), ErrorKind::TlsRequired | ErrorKind::Tls),
                "{answer:?}/{mode}: {e:#}"
            );
            for text in [e.to_string(), format!("{e:#}"), format!("{e:?}")] {
                assert!(!text.contains(ATTACKER_TEXT), "{answer:?}/{mode}: {text}");
            }
        }
    }
}

#[tokio::test]
async fn a_stalled_server_is_bounded_by_connect_timeout() {
    let addr = fake::start_fake_server(SslAnswer::Stall).await;
    let url = format!(
        "postgres://{APP_USER}:{APP_PASSWORD}@localhost:{}/{APP_DB}?connect_timeout=1&{}",
        addr.port(),
        ca_opt()
    );
    let started = Instant::now();
    let e = expect_err(try_connect(&url).await);
    let took = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert!(e.detail().to_string().contains("connect_timeout"), "{e:#}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[tokio::test]
async fn channel_binding_require_works_with_rustls() {
    let opts = format!("channel_binding=require&{}", ca_opt());
    let url = url_for(ClusterSpec::tls(ServerCert::Valid), "localhost", &opts);
    let (client, _) = try_connect(&url).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(scalar(&client, "SELECT 1").await, "1");
}

#[tokio::test]
async fn client_certificates_are_presented() {
    let (cert, key) = certs().client_cert_files();
    let opts = format!(
        "sslcert={}&sslkey={}&{}",
        cert.display(),
        key.display(),
        ca_opt()
    );
    let url = url_for(ClusterSpec::tls(ServerCert::Valid), "localhost", &opts);
    let (client, _) = try_connect(&url).await.unwrap_or_else(|e| panic!("{e:#}"));
    let dn = scalar(
        &client,
        "SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    )
    .await;
    assert_eq!(dn, format!("/CN={APP_USER}"));
}

#[tokio::test]
async fn session_settings_are_applied_at_startup() {
    let opts = format!(
        "statement_timeout=300&idle_in_transaction_session_timeout=5s&application_name=orders-api&options=-c%20search_path%3Dpublic&{}",
        ca_opt()
    );
    let url = url_for(ClusterSpec::tls(ServerCert::Valid), "localhost", &opts);
    let (client, _) = try_connect(&url).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(scalar(&client, "SHOW statement_timeout").await, "300ms");
    assert_eq!(
        scalar(&client, "SHOW idle_in_transaction_session_timeout").await,
        "5s"
    );
    assert_eq!(scalar(&client, "SHOW application_name").await, "orders-api");
    assert_eq!(scalar(&client, "SHOW search_path").await, "public");
    let e = checked(secure_pg::Error::from(
        client.simple_query("SELECT pg_sleep(2)").await.unwrap_err(),
    ));
    assert_eq!(e.kind(), ErrorKind::QueryTimeout);
    assert_eq!(
        e.to_string(),
        "the database operation timed out (SQLSTATE 57014)"
    );
}

#[tokio::test]
async fn wrong_password_says_authentication_failed_without_the_password() {
    let url = url_for(ClusterSpec::tls(ServerCert::Valid), "localhost", &ca_opt())
        .replace(APP_PASSWORD, "wrong-password-xyz");
    let e = expect_err(try_connect(&url).await);
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(
        e.to_string(),
        "authentication with the database failed (SQLSTATE 28P01)"
    );
    assert!(!format!("{e:#} {e:?}").contains("wrong-password-xyz"));
}

#[tokio::test]
async fn certificate_files_missing_or_unreadable_name_the_option() {
    let c = certs();
    let missing = "/nonexistent/ca.pem".to_string();
    let cases = [
        (format!("sslrootcert={missing}"), "sslrootcert"),
        (
            format!("sslrootcert={}", c.not_a_cert_file().display()),
            "sslrootcert",
        ),
        (
            format!("sslcert={missing}&sslkey={missing}&{}", ca_opt()),
            "sslcert",
        ),
        (
            format!(
                "sslcert={}&sslkey={}&{}",
                c.client_cert_files().0.display(),
                c.not_a_cert_file().display(),
                ca_opt()
            ),
            "sslkey",
        ),
    ];
    for (opts, option) in cases {
        let e = expect_err(
            try_connect(&format!("postgres://u:{APP_PASSWORD}@localhost/x?{opts}")).await,
        );
        assert_eq!(e.kind(), ErrorKind::Configuration, "{opts}");
        assert!(e.to_string().contains(option), "{opts}: {e}");
    }
    // No roots at all under verify-full: say what to set.
    let mut cfg = config("postgres://localhost/x");
    cfg.set_environment(Environment::Development);
    if cfg.get_sslrootcert().is_none()
        && std::env::var_os("HOME").is_some_and(|h| {
            !std::path::Path::new(&h)
                .join(".postgresql/root.crt")
                .exists()
        })
    {
        let e = expect_err(secure_pg::connect(&cfg).await);
        assert!(e.to_string().contains("set `sslrootcert`"), "{e}");
    }
}

/// RFC 5929 `tls-server-end-point` hashes the certificate with its
/// signature's hash (SHA-256 for MD5 and SHA-1). Against a real server for
/// each signature algorithm the harness can make, `channel_binding=require`
/// succeeds (a wrong hash fails SCRAM-SHA-256-PLUS), and libpq (`psql`)
/// agrees on the same server. ring's verifier does not do ECDSA with
/// SHA-512, so that certificate is tested under `require` (no chain
/// check; the binding still needs the right hash).
#[tokio::test]
async fn channel_binding_follows_the_certificate_signature_hash() {
    let ca = certs().sigalg_ca_file();
    for cert in ServerCert::SIGNATURE_ALGORITHMS {
        let cluster = shared(ClusterSpec::tls(*cert));
        let mode = if *cert == ServerCert::EcdsaP384Sha512 {
            "require"
        } else {
            "verify-full"
        };
        let opts = format!(
            "channel_binding=require&sslmode={mode}&sslrootcert={}",
            ca.display()
        );
        let mut cfg = config(&cluster.url_with("localhost", &opts));
        cfg.set_environment(Environment::Development);
        let (client, info) = secure_pg::connect(&cfg)
            .await
            .unwrap_or_else(|e| panic!("{cert:?}: {e:#}"));
        assert!(info.tls.is_some());
        assert_eq!(scalar(&client, "SELECT 1").await, "1", "{cert:?}");
        let out = std::process::Command::new(secure_pg_tests::pg_bin_dir().join("psql"))
            .arg(format!(
                "host=localhost port={} user={APP_USER} dbname={APP_DB} sslmode=verify-full \
                 sslrootcert={} channel_binding=require",
                cluster.port,
                ca.display()
            ))
            .args(["-X", "-A", "-t", "-c", "SELECT 1"])
            .env("PGPASSWORD", APP_PASSWORD)
            .output()
            .expect("run psql");
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "1",
            "psql with channel_binding=require against {cert:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Host rules judge the address the socket really connects to: a
/// `hostaddr` wins over `host`.
#[tokio::test]
async fn hostaddr_decides_the_plaintext_loopback_exemption() {
    let plain = shared(ClusterSpec::plaintext());
    // localhost by name, a remote address in fact: refused before any
    // connection is attempted (192.0.2.1 is TEST-NET-1, never reachable).
    let kv = format!(
        "host=localhost hostaddr=192.0.2.1 port={} user={APP_USER} password={APP_PASSWORD} \
         dbname={APP_DB} sslmode=disable connect_timeout=2",
        plain.port
    );
    let mut c = config(&kv);
    c.set_environment(Environment::Development);
    let e = expect_err(secure_pg::connect(&c).await);
    assert_eq!(e.kind(), ErrorKind::Configuration, "{e:#}");
    assert!(e.to_string().contains("not loopback"), "{e:#}");
    // PGHOSTADDR behind a localhost URL: the same.
    let url = plain.url_with("localhost", "sslmode=disable&connect_timeout=2");
    let mut c =
        Config::parse_with_env(&url, |v| (v == "PGHOSTADDR").then(|| "192.0.2.1".into())).unwrap();
    c.set_environment(Environment::Development);
    let e = expect_err(secure_pg::connect(&c).await);
    assert_eq!(e.kind(), ErrorKind::Configuration, "{e:#}");
    assert!(e.to_string().contains("not loopback"), "{e:#}");
    assert!(c.to_string().contains("hostaddr=192.0.2.1"), "{c}");
    // A remote-looking name that really goes to loopback is plaintext to
    // loopback, which is allowed outside production.
    let kv = format!(
        "host=db.example.com hostaddr=127.0.0.1 port={} user={APP_USER} \
         password={APP_PASSWORD} dbname={APP_DB} sslmode=disable",
        plain.port
    );
    let mut c = config(&kv);
    c.set_environment(Environment::Development);
    let (_client, info) = secure_pg::connect(&c)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(info.tls.is_none());
}

/// In production an sslmode below verify-full is refused on every way in,
/// before any connection: `connect()`, `Connector`, a lazy pool and the
/// eager pool.
#[tokio::test]
async fn production_refuses_weak_sslmode_on_every_entry_point() {
    let url = url_for(
        ClusterSpec::tls(ServerCert::Valid),
        "localhost",
        &format!("sslmode=require&{}", ca_opt()),
    );
    for mode in ["require", "verify-ca"] {
        let mut c = config(&url.replace("sslmode=require", &format!("sslmode={mode}")));
        c.set_environment(Environment::Production);
        let e = expect_err(secure_pg::connect(&c).await);
        assert_eq!(e.kind(), ErrorKind::Configuration, "{mode}: {e:#}");
        assert!(e.to_string().contains("production"), "{e}");
        let e = expect_err(secure_pg::Connector::new(c.clone()));
        assert_eq!(e.kind(), ErrorKind::Configuration, "{mode}: {e:#}");
        let e = expect_err(secure_pg::Pool::builder().lazy(true).build(c.clone()).await);
        assert_eq!(e.kind(), ErrorKind::Configuration, "{mode}: {e:#}");
        let e = expect_err(secure_pg::Pool::builder().build(c.clone()).await);
        assert_eq!(e.kind(), ErrorKind::Configuration, "{mode}: {e:#}");
        // The explicit exception works on every path too, from the
        // configuration or from the pool builder.
        let mut allowed = c.clone();
        allowed.dangerous_allow_sslmode_below_verify_full();
        secure_pg::connect(&allowed).await.unwrap();
        secure_pg::Connector::new(allowed.clone())
            .unwrap()
            .connect()
            .await
            .unwrap();
        let lazy = secure_pg::Pool::builder()
            .lazy(true)
            .build(allowed.clone())
            .await
            .unwrap();
        drop(lazy.get().await.unwrap());
        secure_pg::Pool::builder().build(allowed).await.unwrap();
        for lazy in [true, false] {
            secure_pg::Pool::builder()
                .lazy(lazy)
                .dangerous_allow_sslmode_below_verify_full()
                .build(c.clone())
                .await
                .unwrap();
        }
    }
}

/// Superuser and BYPASSRLS roles are refused in production on every way
/// in: `connect()`, `Connector`, each new connection of a lazy pool, and
/// the eager pool.
#[tokio::test]
async fn production_refuses_superuser_and_bypassrls_roles_on_every_entry_point() {
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    cluster.psql(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rls_bypasser') THEN \
         CREATE ROLE rls_bypasser LOGIN BYPASSRLS PASSWORD 'bypass-Pw-77'; END IF; END $$",
    );
    let bypass = format!(
        "postgres://rls_bypasser:bypass-Pw-77@localhost:{}/{APP_DB}?{}",
        cluster.port,
        ca_opt()
    );
    for (url, code) in [
        (cluster.superuser_url(), "role-is-superuser"),
        (bypass, "role-bypasses-rls"),
    ] {
        let mut c = config(&url);
        c.set_environment(Environment::Production);
        let e = expect_err(secure_pg::connect(&c).await);
        assert_eq!(e.kind(), ErrorKind::Configuration, "{e:#}");
        assert!(e.to_string().contains(code), "{e}");
        let connector = secure_pg::Connector::new(c.clone()).unwrap();
        let e = expect_err(connector.connect().await);
        assert!(e.to_string().contains(code), "{e}");
        let lazy = secure_pg::Pool::builder()
            .lazy(true)
            .checkout_timeout(Duration::from_secs(3))
            .build(c.clone())
            .await
            .unwrap();
        let e = expect_err(lazy.get().await);
        assert!(e.to_string().contains(code), "{e:#}");
        let e = expect_err(secure_pg::Pool::builder().build(c.clone()).await);
        assert!(e.to_string().contains(code), "{e}");
        // Development rules let the same role connect.
        c.set_environment(Environment::Development);
        secure_pg::connect(&c).await.unwrap();
    }
}

/// RDS IAM tokens are bearer credentials sent as a cleartext password: the
/// IAM provider refuses any sslmode below verify-full, in any environment.
#[tokio::test]
async fn rds_iam_refuses_sslmode_below_verify_full() {
    use secure_pg::credentials::iam::RdsIamProvider;
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    for mode in ["require", "verify-ca"] {
        let url = cluster.url_with("localhost", &format!("sslmode={mode}&{}", ca_opt()));
        let mut c = config(&url);
        c.set_environment(Environment::Development);
        let e = expect_err(RdsIamProvider::from_config(&c, "eu-west-1"));
        assert_eq!(e.kind(), ErrorKind::Configuration, "{e:#}");
        assert!(e.to_string().contains("verify-full"), "{e}");
        let provider = RdsIamProvider::new("localhost", cluster.port, APP_USER, "eu-west-1");
        for lazy in [false, true] {
            let e = expect_err(
                secure_pg::Pool::builder()
                    .lazy(lazy)
                    .credentials(provider.clone())
                    .build(c.clone())
                    .await,
            );
            assert_eq!(e.kind(), ErrorKind::Configuration, "{e:#}");
            assert!(e.to_string().contains("bearer"), "{e}");
        }
    }
}
