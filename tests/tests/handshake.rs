//! The TLS handshake against PostgreSQL's default `ssl_ecdh_curve`
//! (prime256v1) needs no HelloRetryRequest: one key exchange per
//! connection. Its own binary, because the counter is process-wide.

use secure_pg::Config;
use secure_pg_tests::{certs::certs, Cluster, ClusterSpec, ServerCert};

#[tokio::test]
async fn one_key_exchange_per_handshake() {
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
