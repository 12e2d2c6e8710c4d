//! The TLS handshake against PostgreSQL's default `ssl_ecdh_curve`
//! (prime256v1) needs no HelloRetryRequest: one key exchange per
//! connection. Its own binary, because the counters are process-wide (and
//! its tests take turns, see `SERIAL`).

use secure_pg::Config;
use secure_pg_tests::{certs::certs, Cluster, ClusterSpec, ServerCert};

/// The counters are the process's: one test at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
async fn one_key_exchange_per_handshake() {
    let _turn = SERIAL.lock().await;
    let cluster = Cluster::start(ClusterSpec::tls(ServerCert::Valid));
    let url = cluster.url_with(
        "localhost",
        &format!("sslrootcert={}", certs().ca_file().display()),
    );
    let config = Config::parse_with_env(&url, |_| None).unwrap();
    let before = secure_pg::__private::key_exchanges_started();
    for _ in 0..5 {
        let (client, info) = secure_pg::connect(&config).await.unwrap();
        assert_eq!(info.tls.unwrap().version, "TLSv1.3");
        drop(client);
    }
    let after = secure_pg::__private::key_exchanges_started();
    assert_eq!(
        after - before,
        5,
        "a HelloRetryRequest doubled the key exchanges"
    );
}

/// One connector (a pool's) remembers the group each host chose, so only
/// its first connection offers two key shares; the others offer the one
/// the server takes. (The memory rustls keeps for it is one entry per
/// configured host.)
#[tokio::test]
async fn a_connector_offers_the_servers_group_after_its_first_connection() {
    let cluster = Cluster::start(ClusterSpec::tls(ServerCert::Valid));
    let url = cluster.url_with(
        "localhost",
        &format!("sslrootcert={}", certs().ca_file().display()),
    );
    let config = Config::parse_with_env(&url, |_| None).unwrap();
    let connector = secure_pg::Connector::new(config).unwrap();
    let _turn = SERIAL.lock().await;
    let hybrid_before = secure_pg::__private::hybrid_key_exchanges_started();
    let before = secure_pg::__private::key_exchanges_started();
    for _ in 0..5 {
        let (client, info) = connector.connect().await.unwrap();
        assert_eq!(info.tls.unwrap().version, "TLSv1.3");
        drop(client);
    }
    let hybrid = secure_pg::__private::hybrid_key_exchanges_started() - hybrid_before;
    let all = secure_pg::__private::key_exchanges_started() - before;
    assert_eq!(all, 5, "a HelloRetryRequest doubled the key exchanges");
    assert_eq!(hybrid, 1, "the connector forgot the server's group");
}
