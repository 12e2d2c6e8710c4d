//! Helpers shared by the integration tests.

use secure_pg::{Config, ConnectionInfo, Error};
use secure_pg_tests::{APP_PASSWORD, SUPERUSER_PASSWORD};

/// Parses `url` ignoring the process environment, so that `PG*` variables
/// of the machine running the tests cannot change the outcome.
pub(crate) fn config(url: &str) -> Config {
    Config::parse_with_env(url, |_| None).expect("test URL parses")
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
