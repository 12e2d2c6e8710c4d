//! Where the AWS credentials that sign IAM tokens come from: the standard
//! AWS chain of `aws-config`, cached until shortly before they expire.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider as TlsProvider};

use super::AwsCredentials;
use crate::error::{Error, ErrorKind};

/// Expiring credentials are refreshed once they have less than this left.
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);

/// If a refresh fails, credentials that still have this long to live are
/// used (a token needs them valid only while the connection is opened).
const MIN_REMAINING_ON_FAILED_REFRESH: Duration = Duration::from_secs(60);

/// The AWS credentials an [`RdsIamProvider`](super::RdsIamProvider) signs
/// with, and their cache.
///
/// Expiring credentials (ECS task role, EC2 instance profile, web
/// identity, SSO, `AWS_SESSION_TOKEN` with an expiry) are kept until
/// [`REFRESH_BEFORE_EXPIRY`] before they expire, then fetched anew; one
/// fetch at a time, concurrent callers wait for it. Credentials without an
/// expiry (long-term keys in the environment or a file) are read again on
/// every call, so a rotated key is picked up.
///
/// If a refresh fails while the cached credentials still have at least a
/// minute to live, those are used (and a warning is logged); otherwise the
/// caller gets the error: kind [`ErrorKind::Configuration`] when no source
/// of the chain has credentials or a source is misconfigured,
/// [`ErrorKind::Connection`] when a source (an endpoint such as ECS,
/// IMDS or STS) could not be reached, timed out or answered with an error.
/// The error names the failure, never a key, token or response body.
///
/// `Debug` shows which source is used, never credentials.
#[derive(Clone)]
pub struct AwsCredentialSource {
    inner: Arc<Inner>,
}

struct Inner {
    kind: SourceKind,
    cached: tokio::sync::Mutex<Option<Cached>>,
}

enum SourceKind {
    /// Built on first use: building reads the profile files and region.
    DefaultChain {
        region: String,
        chain: tokio::sync::OnceCell<SharedCredentialsProvider>,
    },
    Provider(SharedCredentialsProvider),
    Environment,
}

#[derive(Clone)]
struct Cached {
    creds: AwsCredentials,
    expiry: SystemTime,
}

impl fmt::Debug for AwsCredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.inner.kind {
            SourceKind::DefaultChain { .. } => "default AWS chain",
            SourceKind::Provider(_) => "custom provider",
            SourceKind::Environment => "environment variables",
        };
        f.debug_struct("AwsCredentialSource")
            .field("source", &source)
            .finish_non_exhaustive()
    }
}

impl AwsCredentialSource {
    fn with_kind(kind: SourceKind) -> Self {
        AwsCredentialSource {
            inner: Arc::new(Inner {
                kind,
                cached: tokio::sync::Mutex::new(None),
            }),
        }
    }

    /// The standard AWS credential chain, in its order: environment
    /// variables; the shared `config` / `credentials` files (profiles,
    /// `credential_process`, SSO, assumed roles); web identity
    /// (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, as on EKS with
    /// IRSA); the ECS / EKS Pod Identity container endpoint
    /// (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`, with
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]`); EC2 IMDSv2.
    ///
    /// `region` is used for the STS and SSO calls when the environment
    /// and profile name none. HTTPS goes through rustls with ring and the
    /// platform's root certificates.
    pub fn default_chain(region: impl Into<String>) -> Self {
        Self::with_kind(SourceKind::DefaultChain {
            region: region.into(),
            chain: tokio::sync::OnceCell::new(),
        })
    }

    /// Only `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
    /// `AWS_SESSION_TOKEN`, read on every call
    /// ([`AwsCredentials::from_env`]).
    pub fn environment() -> Self {
        Self::with_kind(SourceKind::Environment)
    }

    /// Any `aws-credential-types` provider, e.g. one built with
    /// `aws-config` (`aws_config::ecs::EcsCredentialsProvider`, an assumed
    /// role, ...), behind the same cache.
    pub fn from_provider(provider: impl ProvideCredentials + 'static) -> Self {
        Self::with_kind(SourceKind::Provider(SharedCredentialsProvider::new(
            provider,
        )))
    }

    /// The credentials to sign with now: the cached ones while they have
    /// more than [`REFRESH_BEFORE_EXPIRY`] to live, else fresh ones.
    ///
    /// # Errors
    ///
    /// See the type's documentation.
    pub async fn current(&self) -> Result<AwsCredentials, Error> {
        let provider = match &self.inner.kind {
            SourceKind::Environment => return AwsCredentials::from_env(),
            SourceKind::Provider(p) => p.clone(),
            SourceKind::DefaultChain { region, chain } => chain
                .get_or_init(|| build_default_chain(region.clone()))
                .await
                .clone(),
        };
        // Held across the fetch: concurrent callers share one refresh.
        let mut cached = self.inner.cached.lock().await;
        let now = SystemTime::now();
        if let Some(c) = cached.as_ref() {
            if c.expiry > now + REFRESH_BEFORE_EXPIRY {
                return Ok(c.creds.clone());
            }
        }
        match provider.provide_credentials().await {
            Ok(fresh) => {
                let creds = AwsCredentials::new(
                    fresh.access_key_id(),
                    fresh.secret_access_key(),
                    fresh.session_token().map(str::to_owned),
                );
                *cached = fresh.expiry().map(|expiry| Cached {
                    creds: creds.clone(),
                    expiry,
                });
                Ok(creds)
            }
            Err(e) => {
                if let Some(c) = cached.as_ref() {
                    if c.expiry > now + MIN_REMAINING_ON_FAILED_REFRESH {
                        tracing::warn!(
                            error = %failure_detail(&e),
                            "refreshing AWS credentials failed; signing with the cached ones until they expire"
                        );
                        return Ok(c.creds.clone());
                    }
                }
                Err(map_error(&e))
            }
        }
    }
}

async fn build_default_chain(region: String) -> SharedCredentialsProvider {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(TlsProvider::Rustls(CryptoMode::AwsLc))
        .build_https();
    let config = ProviderConfig::default().with_http_client(http);
    // `AWS_REGION` / `AWS_DEFAULT_REGION`, else the database's region (the
    // SDK's default region chain would build an IMDS client of its own,
    // without our HTTP client).
    let region = aws_config::meta::region::RegionProviderChain::first_try(
        aws_config::environment::region::EnvironmentVariableRegionProvider::new(),
    )
    .or_else(aws_config::Region::new(region));
    let chain = DefaultCredentialsChain::builder()
        .configure(config)
        .region(region)
        .build()
        .await;
    SharedCredentialsProvider::new(chain)
}

/// The failure as text for `detail()` and logs: the error and its causes.
/// The providers' messages name sources, variables, status codes and I/O
/// errors; they do not carry keys, tokens or response bodies.
fn failure_detail(e: &CredentialsError) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn map_error(e: &CredentialsError) -> Error {
    let (kind, message) = match e {
        CredentialsError::CredentialsNotLoaded(_) => (
            ErrorKind::Configuration,
            "no AWS credentials found for RDS IAM authentication: none of the environment, \
             the shared config files, web identity, the ECS container endpoint or EC2 \
             instance metadata provided any",
        ),
        CredentialsError::InvalidConfiguration(_) => (
            ErrorKind::Configuration,
            "the AWS credential configuration for RDS IAM authentication is invalid",
        ),
        CredentialsError::ProviderTimedOut(_) => (
            ErrorKind::Connection,
            "fetching AWS credentials for RDS IAM authentication timed out",
        ),
        _ => (
            ErrorKind::Connection,
            "fetching AWS credentials for RDS IAM authentication failed: \
             the credential source could not be reached or answered with an error",
        ),
    };
    Error::new(kind, message).with_detail(failure_detail(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::future::ProvideCredentials as ProvideFuture;
    use aws_credential_types::Credentials;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug)]
    struct Rotating {
        calls: Arc<AtomicUsize>,
        lifetime: Duration,
        fail_after: usize,
    }

    impl ProvideCredentials for Rotating {
        fn provide_credentials<'a>(&'a self) -> ProvideFuture<'a>
        where
            Self: 'a,
        {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if n >= self.fail_after {
                return ProvideFuture::ready(Err(CredentialsError::provider_error(
                    "endpoint down",
                )));
            }
            ProvideFuture::ready(Ok(Credentials::new(
                format!("ASIA{n}"),
                format!("very-secret-{n}"),
                Some(format!("session-{n}")),
                Some(SystemTime::now() + self.lifetime),
                "test",
            )))
        }
    }

    fn source(lifetime: Duration, fail_after: usize) -> (AwsCredentialSource, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let s = AwsCredentialSource::from_provider(Rotating {
            calls: calls.clone(),
            lifetime,
            fail_after,
        });
        (s, calls)
    }

    #[tokio::test]
    async fn credentials_are_reused_until_five_minutes_before_expiry() {
        let (s, calls) = source(Duration::from_secs(3600), usize::MAX);
        assert_eq!(s.current().await.unwrap().access_key_id, "ASIA0");
        assert_eq!(s.current().await.unwrap().access_key_id, "ASIA0");
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        // Four minutes to live: inside the margin, so every call refreshes.
        let (s, calls) = source(Duration::from_secs(240), usize::MAX);
        assert_eq!(s.current().await.unwrap().access_key_id, "ASIA0");
        assert_eq!(s.current().await.unwrap().access_key_id, "ASIA1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn failed_refresh_uses_still_valid_credentials_else_errors() {
        // Four minutes left: refresh is due, fails, the cached ones serve.
        let (s, _) = source(Duration::from_secs(240), 1);
        assert_eq!(s.current().await.unwrap().access_key_id, "ASIA0");
        assert_eq!(s.current().await.unwrap().access_key_id, "ASIA0");

        // Thirty seconds left: too little, the failure is reported.
        let (s, _) = source(Duration::from_secs(30), 1);
        s.current().await.unwrap();
        let e = s.current().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection);
        let shown = format!("{e} {e:#} {e:?} {}", e.detail());
        assert!(shown.contains("endpoint down"), "{shown}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(!shown.contains("session-"), "{shown}");
    }

    #[test]
    fn errors_map_to_kinds() {
        let e = map_error(&CredentialsError::not_loaded("no source"));
        assert_eq!(e.kind(), ErrorKind::Configuration);
        let e = map_error(&CredentialsError::invalid_configuration("bad profile"));
        assert_eq!(e.kind(), ErrorKind::Configuration);
        let e = map_error(&CredentialsError::provider_timed_out(Duration::from_secs(
            5,
        )));
        assert_eq!(e.kind(), ErrorKind::Connection);
        let e = map_error(&CredentialsError::provider_error("refused"));
        assert_eq!(e.kind(), ErrorKind::Connection);
        assert!(e.detail().to_string().contains("refused"));
    }

    #[test]
    fn debug_names_the_source_only() {
        let s = AwsCredentialSource::default_chain("eu-west-1");
        assert_eq!(
            format!("{s:?}"),
            "AwsCredentialSource { source: \"default AWS chain\", .. }"
        );
    }
}
