//! RDS IAM authentication with credentials from the AWS chain, against
//! fake ECS and IMDSv2 endpoints and a front end that checks each token's
//! SigV4 signature. Loopback only: nothing calls AWS.

use std::time::Duration;

use secure_pg::credentials::iam::{RdsIamProvider, REFRESH_BEFORE_EXPIRY};
use secure_pg::credentials::CredentialProvider;
use secure_pg::{ErrorKind, Pool};
use secure_pg_tests::aws_fake::{self, RotatingCredentials, ECS_AUTH_TOKEN};
use secure_pg_tests::certs::certs;

use crate::support::{checked, config};

const USER: &str = "iam_app";
const REGION: &str = "eu-west-1";

/// The chain reads the process environment: these tests take turns.
static ENV_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const CHAIN_VARS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_DISABLED",
];

/// Leaves only `vars` (and no shared files) for the chain to find.
fn chain_env(vars: &[(&str, String)]) {
    for v in CHAIN_VARS {
        std::env::remove_var(v);
    }
    std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/secure-pg-test/config");
    std::env::set_var(
        "AWS_SHARED_CREDENTIALS_FILE",
        "/nonexistent/secure-pg-test/credentials",
    );
    std::env::set_var("AWS_REGION", REGION);
    for (k, v) in vars {
        std::env::set_var(k, v);
    }
}

fn ecs_env(addr: std::net::SocketAddr) {
    chain_env(&[
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("http://{addr}/creds"),
        ),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", ECS_AUTH_TOKEN.into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]);
}

fn imds_env(addr: std::net::SocketAddr) {
    chain_env(&[(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        format!("http://{addr}/"),
    )]);
}

fn iam_url(port: u16) -> String {
    format!(
        "postgres://{USER}@localhost:{port}/app?sslmode=verify-full&sslrootcert={}&connect_timeout=10",
        certs().ca_file().display()
    )
}

/// Temporary credentials that enter the refresh margin three seconds after
/// they are served.
fn soon_refreshed() -> Duration {
    REFRESH_BEFORE_EXPIRY + Duration::from_secs(3)
}

/// Opens three physical connections: two before the credentials need a
/// refresh (one fetch, the first generation), one after (a refresh, which
/// the endpoint answers with the rotated generation).
async fn connections_across_a_rotation(creds: &RotatingCredentials, port: u16) {
    let pool = Pool::builder()
        .lazy(true)
        .max_size(3)
        .credentials(RdsIamProvider::from_config(&config(&iam_url(port)), REGION).unwrap())
        .build(config(&iam_url(port)))
        .await
        .unwrap();
    let c1 = pool.get().await.map_err(checked).unwrap();
    creds.rotate();
    let c2 = pool.get().await.map_err(checked).unwrap();
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let c3 = pool.get().await.map_err(checked).unwrap();
    drop((c1, c2, c3));
}

#[tokio::test]
async fn ecs_task_role_credentials_sign_tokens_and_rotate() {
    let _env = ENV_LOCK.lock().await;
    let creds = RotatingCredentials::new(soon_refreshed());
    let ecs = aws_fake::start_fake_ecs_endpoint(creds.clone()).await;
    let (db, log) = aws_fake::start_fake_iam_server(USER, REGION).await;
    ecs_env(ecs);
    connections_across_a_rotation(&creds, db.port()).await;
    let log = log.lock().unwrap();
    assert!(log.refused.is_empty(), "{:?}", log.refused);
    assert_eq!(log.accepted, ["ASIAFAKE0", "ASIAFAKE0", "ASIAFAKE1"]);
    assert_eq!(creds.served(), 2, "credentials are cached until the margin");
}

#[tokio::test]
async fn imds_v2_instance_profile_credentials_sign_tokens_and_rotate() {
    let _env = ENV_LOCK.lock().await;
    let creds = RotatingCredentials::new(soon_refreshed());
    let imds = aws_fake::start_fake_imds(creds.clone()).await;
    let (db, log) = aws_fake::start_fake_iam_server(USER, REGION).await;
    imds_env(imds);
    connections_across_a_rotation(&creds, db.port()).await;
    let log = log.lock().unwrap();
    assert!(log.refused.is_empty(), "{:?}", log.refused);
    assert_eq!(log.accepted, ["ASIAFAKE0", "ASIAFAKE0", "ASIAFAKE1"]);
    assert_eq!(creds.served(), 2, "credentials are cached until the margin");
}

/// The front end really checks the signature: a token signed with a secret
/// that is not the access key's is refused with 28P01.
#[tokio::test]
async fn a_token_signed_with_the_wrong_secret_is_refused() {
    use secure_pg::credentials::iam::{AwsCredentialSource, AwsCredentials};
    let (db, log) = aws_fake::start_fake_iam_server(USER, REGION).await;
    let bad = AwsCredentials::new(
        RotatingCredentials::access_key_id(0),
        "not-the-secret",
        Some(RotatingCredentials::session_token(0)),
    );
    let provider = RdsIamProvider::from_config(&config(&iam_url(db.port())), REGION)
        .unwrap()
        .with_credentials(AwsCredentialSource::from_provider(
            aws_credential_types::Credentials::new(
                bad.access_key_id.clone(),
                bad.secret_access_key.expose(),
                bad.session_token.as_ref().map(|s| s.expose().to_owned()),
                None,
                "test",
            ),
        ));
    let e = Pool::builder()
        .credentials(provider)
        .build(config(&iam_url(db.port())))
        .await
        .map(|_| ())
        .map_err(checked)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication, "{e:#}");
    let log = log.lock().unwrap();
    assert!(log.accepted.is_empty());
    assert!(
        log.refused
            .iter()
            .all(|r| r.contains("signature does not match")),
        "{:?}",
        log.refused
    );
}

fn assert_no_fake_secret(e: &secure_pg::Error) {
    let shown = format!("{e} {e:#} {e:?} {}", e.detail());
    for secret in ["fake-secret-key", "fake-session", ECS_AUTH_TOKEN] {
        assert!(!shown.contains(secret), "a secret leaked: {shown}");
    }
}

#[tokio::test]
async fn ecs_endpoint_down_is_a_connection_error_naming_no_secret() {
    let _env = ENV_LOCK.lock().await;
    let creds = RotatingCredentials::new(Duration::from_secs(3600));
    creds.set_down(true);
    let ecs = aws_fake::start_fake_ecs_endpoint(creds.clone()).await;
    ecs_env(ecs);
    let provider = RdsIamProvider::new("localhost", 5432, USER, REGION);
    let e = checked(provider.credential().await.unwrap_err());
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:#}");
    assert!(e.to_string().contains("fetching AWS credentials"), "{e}");
    assert_no_fake_secret(&e);

    // Nothing listening at all.
    let closed = secure_pg_tests::free_port();
    ecs_env(format!("127.0.0.1:{closed}").parse().unwrap());
    let provider = RdsIamProvider::new("localhost", 5432, USER, REGION);
    let e = checked(provider.credential().await.unwrap_err());
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:#}");
    assert_no_fake_secret(&e);
}

#[tokio::test]
async fn imds_endpoint_down_is_a_connection_error_naming_no_secret() {
    let _env = ENV_LOCK.lock().await;
    let creds = RotatingCredentials::new(Duration::from_secs(3600));
    creds.set_down(true);
    let imds = aws_fake::start_fake_imds(creds.clone()).await;
    imds_env(imds);
    let provider = RdsIamProvider::new("localhost", 5432, USER, REGION);
    let e = checked(provider.credential().await.unwrap_err());
    assert!(
        matches!(e.kind(), ErrorKind::Connection | ErrorKind::Configuration),
        "{e:#}"
    );
    assert_no_fake_secret(&e);
}

#[tokio::test]
async fn no_credentials_anywhere_is_a_configuration_error() {
    let _env = ENV_LOCK.lock().await;
    chain_env(&[("AWS_EC2_METADATA_DISABLED", "true".into())]);
    let provider = RdsIamProvider::new("localhost", 5432, USER, REGION);
    let e = checked(provider.credential().await.unwrap_err());
    assert_eq!(e.kind(), ErrorKind::Configuration, "{e:#}");
    assert!(e.to_string().contains("no AWS credentials found"), "{e}");
}
