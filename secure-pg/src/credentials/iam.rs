//! AWS RDS and RDS Proxy IAM database authentication.
//!
//! Instead of a stored password, the client signs a short-lived
//! *authentication token* with its AWS credentials (Signature Version 4,
//! service `rds-db`, action `connect`) and sends the token as the password.
//! The server checks the signature with AWS IAM; no database password
//! exists to leak or rotate.
//!
//! Two things matter in practice:
//!
//! * **TLS is mandatory.** RDS refuses IAM authentication over plaintext,
//!   and the token is a bearer credential for its lifetime, so it must
//!   only ever travel to a server whose identity was checked. Connect with
//!   `sslmode=verify-full` and the RDS CA bundle
//!   (`sslrootcert=/path/to/global-bundle.pem`, downloadable from
//!   `https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem`).
//! * **Tokens live 15 minutes** ([`TOKEN_LIFETIME`]). A token only has to
//!   be valid when a connection is *opened*; open connections are not cut
//!   when it expires. [`RdsIamProvider`] signs a new token for every new
//!   connection from the current AWS credentials.
//! * **Credentials come from the standard AWS chain**
//!   ([`AwsCredentialSource::default_chain`], built on `aws-config`):
//!   environment variables, the shared config and credentials files
//!   (profiles, SSO, `credential_process`), web identity (EKS IRSA), the
//!   ECS container endpoint (task roles; EKS Pod Identity) and EC2 IMDSv2.
//!   Temporary credentials are cached and refreshed
//!   [`REFRESH_BEFORE_EXPIRY`] (5 minutes) before they expire.
//!
//! ```no_run
//! use std::sync::Arc;
//! use secure_pg::credentials::{iam::RdsIamProvider, CredentialProvider};
//!
//! // On ECS the task role's credentials come from the container
//! // credentials endpoint; on EKS from web identity; on EC2 from IMDSv2.
//! let provider: Arc<dyn CredentialProvider> = Arc::new(RdsIamProvider::new(
//!     "mydb.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com",
//!     5432,
//!     "app_user",
//!     "eu-west-1",
//! ));
//! # drop(provider);
//! ```
//!
//! The token format is the one produced by `aws rds generate-db-auth-token`
//! (botocore's `generate_db_auth_token`), signed with the AWS SDK's
//! `aws-sigv4` crate; the tests compare against tokens computed by botocore
//! itself.

use std::fmt;
use std::time::{Duration, SystemTime};

mod source;
pub use source::{AwsCredentialSource, REFRESH_BEFORE_EXPIRY};

use super::{Credential, CredentialFuture, CredentialProvider};
use crate::config::{Config, Host, Secret};
use crate::error::{Error, ErrorKind};

/// How long a generated token is accepted by RDS: 15 minutes (the
/// `X-Amz-Expires` value, fixed by RDS at 900 seconds).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(900);

/// The PostgreSQL port used when the configuration names none.
const DEFAULT_PORT: u16 = 5432;

const SERVICE: &str = "rds-db";

/// The environment variables read by [`AwsCredentials::from_env`].
const ENV_ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
const ENV_SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
const ENV_SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";

/// The database endpoint and identity a token is generated for.
///
/// `host` and `port` must be exactly the ones the client connects to (the
/// instance, cluster or RDS Proxy endpoint): they are part of what is
/// signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenParams {
    /// The endpoint's DNS name, e.g.
    /// `mydb.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com`.
    pub host: String,
    /// The endpoint's port, usually 5432.
    pub port: u16,
    /// The database user, which must have been granted `rds_iam`.
    pub user: String,
    /// The AWS region of the database, e.g. `eu-west-1`.
    pub region: String,
}

/// AWS credentials used to sign tokens: long-term (access key and secret)
/// or temporary (with a session token, as issued by STS, instance
/// profiles, ECS task roles or EKS pod identities).
///
/// `Debug` shows the access key ID (an identifier, not a secret) and hides
/// the secret access key and the session token.
#[derive(Clone)]
pub struct AwsCredentials {
    /// The access key ID, e.g. `AKIA...` or `ASIA...`.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// The session token of temporary credentials.
    pub session_token: Option<Secret>,
}

impl AwsCredentials {
    /// Credentials from their parts.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        AwsCredentials {
            access_key_id: access_key_id.into(),
            secret_access_key: Secret::new(secret_access_key),
            session_token: session_token.map(Secret::new),
        }
    }

    /// Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and (optionally)
    /// `AWS_SESSION_TOKEN`. An empty `AWS_SESSION_TOKEN` counts as unset.
    ///
    /// # Errors
    ///
    /// An error of kind [`ErrorKind::Configuration`] naming the variable
    /// (never its value) when a required variable is unset, empty or not
    /// valid Unicode.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var_os(name))
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<std::ffi::OsString>) -> Result<Self, Error> {
        let read = |name: &'static str| -> Result<Option<String>, Error> {
            match lookup(name) {
                None => Ok(None),
                Some(v) if v.is_empty() => Ok(None),
                Some(v) => v.into_string().map(Some).map_err(|_| {
                    Error::new(
                        ErrorKind::Configuration,
                        format!("the environment variable {name} is not valid Unicode"),
                    )
                }),
            }
        };
        let required = |name: &'static str| -> Result<String, Error> {
            read(name)?.ok_or_else(|| {
                Error::new(
                    ErrorKind::Configuration,
                    format!(
                        "the environment variable {name} is not set \
                         (needed for RDS IAM authentication)"
                    ),
                )
            })
        };
        Ok(AwsCredentials::new(
            required(ENV_ACCESS_KEY_ID)?,
            required(ENV_SECRET_ACCESS_KEY)?,
            read(ENV_SESSION_TOKEN)?,
        ))
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"***")
            .field("session_token", &self.session_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Generates an RDS IAM authentication token, valid for [`TOKEN_LIFETIME`]
/// from `now` (rounded down to whole seconds).
///
/// This is the SigV4 query-string presign of
/// `GET https://{host}:{port}/?Action=connect&DBUser={user}` for service
/// `rds-db`, returned without the `https://` prefix — the same string as
/// botocore's `generate_db_auth_token` and
/// `aws rds generate-db-auth-token`. Pure: the result depends only on the
/// arguments. Send it as the password, over TLS only.
///
/// The signature (canonical request, string to sign, key derivation) is
/// computed by the AWS SDK's `aws-sigv4` crate; this function only builds
/// the request it signs and writes out the parameters it returns. Two
/// details make the result byte-identical to botocore's (the tests check
/// this against tokens computed by botocore):
///
/// * The `host` header is passed to `aws-sigv4` explicitly, lower case and
///   without port 443. Left to derive it from the URL, `aws-sigv4` keeps
///   the host's case (it drops port 443 too), so for `MyDB.Example.COM`
///   it would sign `MyDB.Example.COM` where botocore signs
///   `mydb.example.com`: a different, though equally valid, signature.
/// * `aws-sigv4` returns `X-Amz-Security-Token` after `X-Amz-Signature`;
///   botocore writes the signature last. The order of the parameters in
///   the token is not signed (the canonical query string is sorted), so
///   this only matters for byte equality; the token keeps botocore's
///   order.
///
/// # Errors
///
/// An error of kind [`ErrorKind::Configuration`] when the host is not a
/// DNS name or IP address (it is empty or contains characters such as
/// `/`, `@`, spaces or control characters), or `aws-sigv4` refuses the
/// request. The message names neither credentials nor the token.
///
/// # Panics
///
/// When `now` is outside the years 1 to 9999 (the range of the `time`
/// crate that `aws-sigv4` formats dates with).
pub fn generate_auth_token(
    params: &TokenParams,
    creds: &AwsCredentials,
    now: SystemTime,
) -> Result<String, Error> {
    use aws_sigv4::http_request::{
        sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
    };

    // A DNS name or an IP literal; anything else (`/`, `@`, `?`, spaces...)
    // would change what the URL means rather than name a host.
    let valid_host = !params.host.is_empty()
        && params.host.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':' | b'[' | b']')
        });
    if !valid_host {
        return Err(Error::new(
            ErrorKind::Configuration,
            format!(
                "cannot sign an RDS IAM token for host {:?}: not a DNS name or IP address",
                params.host
            ),
        ));
    }
    // IPv6 literals need brackets in a URL and in the Host header.
    let host = if params.host.contains(':') && !params.host.starts_with('[') {
        format!("[{}]", params.host)
    } else {
        params.host.clone()
    };
    let authority = format!("{host}:{}", params.port);
    // As in botocore (and HTTP clients): the Host header is lower case and
    // leaves out the scheme's default port.
    let host_header = if params.port == 443 {
        host.to_ascii_lowercase()
    } else {
        authority.to_ascii_lowercase()
    };
    let url = format!(
        "https://{authority}/?Action=connect&DBUser={}",
        uri_encode(&params.user)
    );
    let unsignable = |e: &dyn fmt::Display| {
        Error::new(
            ErrorKind::Configuration,
            format!(
                "cannot sign an RDS IAM token for host {:?}: {e}",
                params.host
            ),
        )
    };

    let identity = aws_credential_types::Credentials::new(
        creds.access_key_id.as_str(),
        creds.secret_access_key.expose(),
        creds.session_token.as_ref().map(|t| t.expose().to_owned()),
        None,
        "secure-pg",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(TOKEN_LIFETIME);
    let signing_params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(&params.region)
        .name(SERVICE)
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| unsignable(&e))?
        .into();
    let request = SignableRequest::new(
        "GET",
        url.as_str(),
        [("host", host_header.as_str())].into_iter(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| unsignable(&e))?;
    let (instructions, signature) = sign(request, &signing_params)
        .map_err(|e| unsignable(&e))?
        .into_parts();

    let mut token = url;
    token.drain(.."https://".len());
    for (name, value) in instructions.params() {
        if *name != "X-Amz-Signature" {
            push_param(&mut token, name, value);
        }
    }
    push_param(&mut token, "X-Amz-Signature", &signature);
    Ok(token)
}

fn push_param(out: &mut String, name: &str, value: &str) {
    out.push('&');
    out.push_str(&uri_encode(name));
    out.push('=');
    out.push_str(&uri_encode(value));
}

/// Percent-encodes every byte of the UTF-8 form except the RFC 3986
/// unreserved characters (`A-Z a-z 0-9 - . _ ~`), with upper-case hex, as
/// SigV4 requires. `/`, `+`, `=`, `@` and spaces are all encoded.
fn uri_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

/// A [`CredentialProvider`] that signs a fresh RDS IAM authentication
/// token for every new connection, for an RDS instance, Aurora cluster or
/// RDS Proxy endpoint.
///
/// The AWS credentials come from an [`AwsCredentialSource`]: by default
/// the standard AWS chain (environment, shared files and SSO, web
/// identity, the ECS container endpoint, EC2 IMDSv2), cached and refreshed
/// [`REFRESH_BEFORE_EXPIRY`] before they expire. Each call signs a new
/// token from the current credentials (signing is local and takes
/// microseconds), so a connection opened after a rotation is signed with
/// the new credentials; tokens are not reused across connections.
///
/// It works only with `sslmode=verify-full` (against the RDS CA bundle):
/// the token is a bearer credential, sent as a cleartext password inside
/// TLS, that grants access to whoever holds it until it expires, so
/// [`RdsIamProvider::from_config`] and every pool refuse it with a weaker
/// `sslmode`, in every environment.
///
/// `Debug` shows the endpoint, user, region and credential source; never
/// credentials or tokens.
#[derive(Debug, Clone)]
pub struct RdsIamProvider {
    params: TokenParams,
    source: AwsCredentialSource,
}

impl RdsIamProvider {
    /// A provider for `user` at `host:port` in AWS region `region`, signing
    /// with the default AWS credential chain
    /// ([`AwsCredentialSource::default_chain`]). `host` and `port` must be
    /// the endpoint actually connected to.
    pub fn new(
        host: impl Into<String>,
        port: u16,
        user: impl Into<String>,
        region: impl Into<String>,
    ) -> Self {
        let region = region.into();
        RdsIamProvider {
            source: AwsCredentialSource::default_chain(region.clone()),
            params: TokenParams {
                host: host.into(),
                port,
                user: user.into(),
                region,
            },
        }
    }

    /// Signs with credentials from `source` instead of the default chain.
    pub fn with_credentials(mut self, source: AwsCredentialSource) -> Self {
        self.source = source;
        self
    }

    /// A provider for the first host, its port (5432 if none is given) and
    /// the user of `config`, in AWS region `region`.
    ///
    /// # Errors
    ///
    /// An error of kind [`ErrorKind::Configuration`] when the configuration
    /// names no TCP host first (a Unix socket cannot use IAM
    /// authentication) or no user, or when its `sslmode` is below
    /// `verify-full` (the token is a bearer credential sent as a cleartext
    /// password; pools refuse the provider with such a configuration too).
    pub fn from_config(config: &Config, region: impl Into<String>) -> Result<Self, Error> {
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(_) => {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    "RDS IAM authentication needs a TCP host, not a Unix socket",
                ))
            }
            None => {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    "RDS IAM authentication needs a host name in the configuration",
                ))
            }
        };
        if config.get_sslmode() != crate::config::SslMode::VerifyFull {
            return Err(crate::credentials::bearer_needs_verify_full(
                config.get_sslmode(),
            ));
        }
        let port = config.get_ports().first().copied().unwrap_or(DEFAULT_PORT);
        let user = config.get_user().ok_or_else(|| {
            Error::new(
                ErrorKind::Configuration,
                "RDS IAM authentication needs a user name in the configuration",
            )
        })?;
        Ok(RdsIamProvider::new(host, port, user, region))
    }

    /// The endpoint, user and region tokens are generated for.
    pub fn params(&self) -> &TokenParams {
        &self.params
    }

    /// Where the AWS credentials come from.
    pub fn credential_source(&self) -> &AwsCredentialSource {
        &self.source
    }

    fn credential_from(
        &self,
        creds: &AwsCredentials,
        now: SystemTime,
    ) -> Result<Credential, Error> {
        // `expires_at: None`: the pool asks again for every new connection.
        Ok(Credential::new(generate_auth_token(
            &self.params,
            creds,
            now,
        )?))
    }
}

impl CredentialProvider for RdsIamProvider {
    /// An IAM token is a bearer credential sent as a cleartext password.
    fn requires_verify_full(&self) -> bool {
        true
    }

    fn credential(&self) -> CredentialFuture<'_> {
        Box::pin(async move {
            let creds = self.source.current().await?;
            self.credential_from(&creds, SystemTime::now())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::ffi::OsString;
    use std::time::UNIX_EPOCH;

    // Expected tokens were computed by botocore 1.44.5 (Python 3, no boto3),
    // with the clock frozen at 2026-11-23T12:34:56Z:
    //
    //   import datetime
    //   from unittest import mock
    //   import botocore.session
    //   NOW = datetime.datetime(2026, 11, 23, 12, 34, 56)  # naive UTC
    //   with mock.patch("botocore.auth.get_current_datetime", return_value=NOW):
    //       s = botocore.session.get_session()
    //       s.set_credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN_OR_NONE)
    //       c = s.create_client("rds", region_name=REGION)
    //       print(c.generate_db_auth_token(
    //           DBHostname=HOST, Port=PORT, DBUsername=USER, Region=REGION))
    //
    // (Older botocore versions read the clock through
    // `botocore.auth.datetime.datetime.utcnow` instead.)

    /// 2026-11-23T12:34:56Z.
    fn fixed_now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_795_437_296)
    }

    fn params(host: &str, port: u16, user: &str, region: &str) -> TokenParams {
        TokenParams {
            host: host.into(),
            port,
            user: user.into(),
            region: region.into(),
        }
    }

    const EXAMPLE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    #[test]
    fn token_matches_botocore_without_session_token() {
        let p = params(
            "mydb.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com",
            5432,
            "app_user",
            "eu-west-1",
        );
        let c = AwsCredentials::new("AKIDEXAMPLE", EXAMPLE_SECRET, None);
        assert_eq!(
            generate_auth_token(&p, &c, fixed_now()).unwrap(),
            "mydb.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com:5432/\
             ?Action=connect&DBUser=app_user&X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIDEXAMPLE%2F20261123%2Feu-west-1%2Frds-db%2Faws4_request\
             &X-Amz-Date=20261123T123456Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=adec1c67c40bf14b477835a59494d7e8ea3eba6f80ce4dded2e941de253f6ddd"
        );
    }

    #[test]
    fn token_matches_botocore_with_session_token() {
        let p = params(
            "mydb.cluster-abcdefghijkl.us-east-1.rds.amazonaws.com",
            5432,
            "iam_reader",
            "us-east-1",
        );
        let c = AwsCredentials::new(
            "ASIAEXAMPLE",
            "secret/with+chars=",
            Some("FwoGZXIvYXdzEJr//////////wEaDN+abc/def+ghi==".into()),
        );
        assert_eq!(
            generate_auth_token(&p, &c, fixed_now()).unwrap(),
            "mydb.cluster-abcdefghijkl.us-east-1.rds.amazonaws.com:5432/\
             ?Action=connect&DBUser=iam_reader&X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=ASIAEXAMPLE%2F20261123%2Fus-east-1%2Frds-db%2Faws4_request\
             &X-Amz-Date=20261123T123456Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host\
             &X-Amz-Security-Token=FwoGZXIvYXdzEJr%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaDN%2Babc%2Fdef%2Bghi%3D%3D\
             &X-Amz-Signature=c31ed8444535b21c870c6e0a027b13a38d7ab67f519a2e18cd1a1e8c75bf9e8c"
        );
    }

    #[test]
    fn token_matches_botocore_for_proxy_and_encoded_user() {
        let p = params(
            "my-proxy.proxy-abcdefghijkl.ap-southeast-2.rds.amazonaws.com",
            6432,
            "app_user+1@x",
            "ap-southeast-2",
        );
        let c = AwsCredentials::new("AKIDEXAMPLE", EXAMPLE_SECRET, Some("tok/en+x=".into()));
        assert_eq!(
            generate_auth_token(&p, &c, fixed_now()).unwrap(),
            "my-proxy.proxy-abcdefghijkl.ap-southeast-2.rds.amazonaws.com:6432/\
             ?Action=connect&DBUser=app_user%2B1%40x&X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIDEXAMPLE%2F20261123%2Fap-southeast-2%2Frds-db%2Faws4_request\
             &X-Amz-Date=20261123T123456Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host\
             &X-Amz-Security-Token=tok%2Fen%2Bx%3D\
             &X-Amz-Signature=36b6964d4656e44c451685197cbf050a3680265fe738cd9b6bc67490af80ab16"
        );
    }

    /// botocore signs a lower-case Host header without the default HTTPS
    /// port, but keeps the host as given in the token.
    #[test]
    fn token_matches_botocore_for_mixed_case_host_on_port_443() {
        let p = params("MyDB.Example.COM", 443, "postgres", "eu-central-1");
        let c = AwsCredentials::new("AKIDEXAMPLE", EXAMPLE_SECRET, None);
        assert_eq!(
            generate_auth_token(&p, &c, fixed_now()).unwrap(),
            "MyDB.Example.COM:443/\
             ?Action=connect&DBUser=postgres&X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIDEXAMPLE%2F20261123%2Feu-central-1%2Frds-db%2Faws4_request\
             &X-Amz-Date=20261123T123456Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=80cc65d411ad742a4e094e48a9133744017982d65e4e48b713243257a3295ac4"
        );
    }

    #[test]
    fn sub_second_part_of_now_is_ignored() {
        let p = params("h.example", 5432, "u", "eu-west-1");
        let c = AwsCredentials::new("AKID", "secret", None);
        assert_eq!(
            generate_auth_token(&p, &c, fixed_now()).unwrap(),
            generate_auth_token(&p, &c, fixed_now() + Duration::from_millis(999)).unwrap(),
        );
    }

    #[test]
    fn unsignable_host_is_a_configuration_error_without_secrets() {
        let c = AwsCredentials::new(
            "AKIDEXAMPLE",
            "very-secret-key",
            Some("very-secret-session".into()),
        );
        for host in [
            "bad host",
            "a/b",
            "u@h",
            "h?x",
            "ctl\u{1}x",
            "é.example",
            "",
        ] {
            let e = generate_auth_token(&params(host, 5432, "u", "eu-west-1"), &c, fixed_now())
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Configuration, "{host:?}");
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("very-secret"), "{shown}");
        }
    }

    #[test]
    fn ipv6_literal_is_bracketed() {
        let c = AwsCredentials::new("AKIDEXAMPLE", EXAMPLE_SECRET, None);
        let t =
            generate_auth_token(&params("::1", 5432, "u", "eu-west-1"), &c, fixed_now()).unwrap();
        assert!(t.starts_with("[::1]:5432/?Action=connect&DBUser=u&"), "{t}");
        assert!(t.contains("&X-Amz-Signature="), "{t}");
    }

    #[test]
    fn uri_encode_keeps_only_unreserved_characters() {
        assert_eq!(uri_encode("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(uri_encode("a/b+c=d"), "a%2Fb%2Bc%3Dd");
        assert_eq!(uri_encode("app_user+1@x"), "app_user%2B1%40x");
        assert_eq!(uri_encode("a b&c%:?#"), "a%20b%26c%25%3A%3F%23");
        assert_eq!(uri_encode("é"), "%C3%A9");
        assert_eq!(uri_encode(""), "");
    }

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn credentials_from_environment() {
        let c = AwsCredentials::from_lookup(lookup(&[
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "very-secret-key"),
            ("AWS_SESSION_TOKEN", "very-secret-session"),
        ]))
        .unwrap();
        assert_eq!(c.access_key_id, "AKIDEXAMPLE");
        assert_eq!(c.secret_access_key.expose(), "very-secret-key");
        assert_eq!(c.session_token.unwrap().expose(), "very-secret-session");

        let c = AwsCredentials::from_lookup(lookup(&[
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "very-secret-key"),
            ("AWS_SESSION_TOKEN", ""),
        ]))
        .unwrap();
        assert!(c.session_token.is_none());
    }

    #[test]
    fn missing_variables_are_named_without_values() {
        let e =
            AwsCredentials::from_lookup(lookup(&[("AWS_SECRET_ACCESS_KEY", "very-secret-key")]))
                .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(e.to_string().contains("AWS_ACCESS_KEY_ID"), "{e}");

        let e = AwsCredentials::from_lookup(lookup(&[
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", ""),
        ]))
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        let shown = format!("{e} {e:#} {e:?}");
        assert!(shown.contains("AWS_SECRET_ACCESS_KEY"), "{shown}");
        assert!(!shown.contains("AKIDEXAMPLE"), "{shown}");
    }

    #[test]
    fn debug_shows_no_secret_and_no_token() {
        let creds = AwsCredentials::new(
            "AKIDEXAMPLE",
            "very-secret-key",
            Some("very-secret-session".into()),
        );
        let shown = format!("{creds:?} {creds:#?}");
        assert!(shown.contains("AKIDEXAMPLE"), "{shown}");
        assert!(!shown.contains("very-secret"), "{shown}");

        let provider = RdsIamProvider::new("db.example", 5432, "app", "eu-west-1");
        let credential = provider.credential_from(&creds, fixed_now()).unwrap();
        let token = credential.password.expose().to_owned();
        assert!(token.contains("X-Amz-Signature="));
        let shown = format!("{provider:?} {provider:#?} {credential:?}");
        assert!(shown.contains("db.example"), "{shown}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(!shown.contains("X-Amz"), "{shown}");
        assert!(!shown.contains(&token), "{shown}");
    }

    #[test]
    fn provider_mints_a_token_per_connection() {
        let provider = RdsIamProvider::new(
            "mydb.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com",
            5432,
            "app_user",
            "eu-west-1",
        );
        let creds = AwsCredentials::new("AKIDEXAMPLE", EXAMPLE_SECRET, None);
        let c = provider.credential_from(&creds, fixed_now()).unwrap();
        // Not cached by the pool: every new connection gets a new token.
        assert_eq!(c.expires_at, None);
        assert_eq!(
            c.password.expose(),
            generate_auth_token(provider.params(), &creds, fixed_now()).unwrap()
        );
    }

    #[tokio::test]
    async fn environment_source_errors_name_the_variable() {
        let provider = RdsIamProvider::new("db.example", 5432, "app", "eu-west-1")
            .with_credentials(AwsCredentialSource::environment());
        if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
            let e = provider.credential().await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Configuration);
            assert!(e.to_string().contains("AWS_ACCESS_KEY_ID"), "{e}");
        }
        assert!(format!("{provider:?}").contains("environment variables"));
    }

    #[test]
    fn from_config_uses_first_host_port_and_user() {
        let config: Config = "postgres://app@db1.example:6432,db2.example:6433/shop"
            .parse()
            .unwrap();
        let p = RdsIamProvider::from_config(&config, "eu-west-1").unwrap();
        assert_eq!(p.params(), &params("db1.example", 6432, "app", "eu-west-1"));

        let config: Config = "postgres://app@db.example/shop".parse().unwrap();
        let p = RdsIamProvider::from_config(&config, "eu-west-1").unwrap();
        assert_eq!(p.params().port, 5432);

        let config: Config = "postgres://db.example/shop".parse().unwrap();
        let e = RdsIamProvider::from_config(&config, "eu-west-1").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
    }
}
