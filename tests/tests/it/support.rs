//! Helpers shared by the integration tests.

use secure_pg::{Config, ConnectionInfo, Error};
use secure_pg_tests::proxy::FaultProxy;
use secure_pg_tests::{
    certs::certs, shared, ClusterSpec, ServerCert, APP_DB, APP_PASSWORD, APP_USER,
    SUPERUSER_PASSWORD,
};

/// Parses `url` ignoring the process environment, so that `PG*` variables
/// of the machine running the tests cannot change the outcome.
pub(crate) fn config(url: &str) -> Config {
    Config::parse_with_env(url, |_| None).expect("test URL parses")
}

/// A fault proxy in front of the shared TLS cluster.
pub(crate) async fn tls_proxy() -> FaultProxy {
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    FaultProxy::start(format!("127.0.0.1:{}", c.port).parse().unwrap()).await
}

/// The application's `verify-full` URL through `proxy`, with `extra`
/// (`&key=value...`) appended.
pub(crate) fn proxy_url(proxy: &FaultProxy, extra: &str) -> String {
    format!(
        "postgres://{APP_USER}:{APP_PASSWORD}@localhost:{}/{APP_DB}?sslrootcert={}{extra}",
        proxy.addr().port(),
        certs().ca_file().display()
    )
}

/// Connects with `url`.
pub(crate) async fn try_connect(
    url: &str,
) -> Result<(tokio_postgres::Client, ConnectionInfo), Error> {
    let config = Config::parse_with_env(url, |_| None)?;
    secure_pg::connect(&config).await
}

/// Every failure case of the suite passes its error through here: none of
/// its renderings may carry a password, and the user-facing one carries no
/// host name either.
pub(crate) fn checked(e: Error) -> Error {
    let renderings = [
        e.to_string(),
        format!("{e:#}"),
        format!("{e:?}"),
        e.detail().to_string(),
    ];
    for r in &renderings {
        for secret in [APP_PASSWORD, SUPERUSER_PASSWORD] {
            assert!(!r.contains(secret), "a password leaked into an error: {r}");
        }
    }
    let public = e.to_string();
    for host in ["localhost", "127.0.0.1", "::1", "example.com"] {
        assert!(
            !public.contains(host),
            "a host name leaked into Display: {public}"
        );
    }
    e
}

/// Expects an error and returns it after the secret check.
pub(crate) fn expect_err<T>(r: Result<T, Error>) -> Error {
    match r {
        Ok(_) => panic!("expected an error, got success"),
        Err(e) => checked(e),
    }
}

/// The first column of the first row of a simple query.
pub(crate) async fn scalar(client: &tokio_postgres::Client, sql: &str) -> String {
    let msgs = client.simple_query(sql).await.expect("query");
    msgs.iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
            _ => None,
        })
        .expect("a row")
}
