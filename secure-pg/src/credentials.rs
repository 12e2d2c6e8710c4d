//! Credentials fetched for every new physical connection, so that a rotated
//! secret is picked up without a restart.
//!
//! The pool asks its [`CredentialProvider`] each time it opens a connection.
//! A provider may say how long its answer stays good
//! ([`Credential::expires_at`]); the pool then reuses it until shortly
//! before that, so a burst of new connections does not call the provider
//! (or a secrets service) once per connection. When the server rejects the
//! password (SQLSTATE 28P01) the pool asks once more, bypassing its cache,
//! and retries before reporting the failure.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::Secret;
use crate::error::{Error, ErrorKind};

#[cfg(feature = "aws-iam")]
pub mod iam;

/// A password (or token) and how long it may be reused.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Credential {
    /// The secret sent to the server.
    pub password: Secret,
    /// When the secret stops working; `None` means "ask again for every
    /// new connection".
    pub expires_at: Option<Instant>,
}

impl Credential {
    /// A secret that must be fetched anew for every connection.
    pub fn new(password: impl Into<String>) -> Self {
        Credential {
            password: Secret::new(password),
            expires_at: None,
        }
    }

    /// A secret that stays valid until `expires_at`.
    pub fn expiring(password: impl Into<String>, expires_at: Instant) -> Self {
        Credential {
            password: Secret::new(password),
            expires_at: Some(expires_at),
        }
    }
}

/// The future returned by [`CredentialProvider::credential`].
pub type CredentialFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credential, Error>> + Send + 'a>>;

/// Supplies the password for each new physical connection. Object safe, so
/// a pool holds an `Arc<dyn CredentialProvider>`.
///
/// ```
/// use secure_pg::credentials::{Credential, CredentialFuture, CredentialProvider};
///
/// #[derive(Debug)]
/// struct FromVault;
///
/// impl CredentialProvider for FromVault {
///     fn credential(&self) -> CredentialFuture<'_> {
///         Box::pin(async { Ok(Credential::new("fetched-from-vault")) })
///     }
/// }
/// ```
pub trait CredentialProvider: Send + Sync + fmt::Debug {
    /// Fetches the current secret.
    fn credential(&self) -> CredentialFuture<'_>;

    /// Whether the secret is a bearer credential (it grants access to
    /// whoever holds it, like an RDS IAM token) that must only be sent to a
    /// server proven to be the one named: a pool refuses such a provider
    /// with an `sslmode` below `verify-full`, in every environment.
    /// Default `false`.
    fn requires_verify_full(&self) -> bool {
        false
    }
}

/// Refuses a bearer-credential provider over a connection that does not
/// prove the server's identity (see
/// [`CredentialProvider::requires_verify_full`]).
pub(crate) fn check_transport(
    provider: &dyn CredentialProvider,
    config: &crate::config::Config,
) -> Result<(), Error> {
    if provider.requires_verify_full() && config.sslmode != crate::config::SslMode::VerifyFull {
        return Err(bearer_needs_verify_full(config.sslmode));
    }
    Ok(())
}

/// The error for a bearer credential under a weak `sslmode`.
pub(crate) fn bearer_needs_verify_full(sslmode: crate::config::SslMode) -> Error {
    Error::new(
        ErrorKind::Configuration,
        format!(
            "sslmode={sslmode} is refused with a bearer credential such as an RDS IAM token: \
             the token is sent as a cleartext password inside TLS, so a server that is not \
             proven to be the one named (anything below verify-full) could take it and log \
             in as you until it expires; use sslmode=verify-full with sslrootcert"
        ),
    )
}

/// The password written in the connection string or builder (or none).
#[derive(Clone)]
pub struct StaticPassword(Option<Secret>);

impl StaticPassword {
    /// A fixed password.
    pub fn new(password: Option<Secret>) -> Self {
        StaticPassword(password)
    }
}

impl fmt::Debug for StaticPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticPassword(***)")
    }
}

impl CredentialProvider for StaticPassword {
    fn credential(&self) -> CredentialFuture<'_> {
        Box::pin(async move {
            Ok(Credential {
                password: self.0.clone().unwrap_or_else(|| Secret::new("")),
                expires_at: None,
            })
        })
    }
}

/// An environment variable, read again for every new connection.
#[derive(Debug, Clone)]
pub struct EnvPassword {
    var: String,
}

impl EnvPassword {
    /// Reads the password from `var`.
    pub fn new(var: impl Into<String>) -> Self {
        EnvPassword { var: var.into() }
    }
}

impl CredentialProvider for EnvPassword {
    fn credential(&self) -> CredentialFuture<'_> {
        Box::pin(async move {
            match std::env::var(&self.var) {
                Ok(v) => Ok(Credential::new(v)),
                Err(_) => Err(Error::new(
                    ErrorKind::Configuration,
                    format!("the password environment variable {} is not set", self.var),
                )),
            }
        })
    }
}

/// A file read again for every new connection: the usual mount of
/// Kubernetes, Docker and Vault-agent secrets, which rotate by replacing
/// the file. One trailing newline (`\n` or `\r\n`) is removed.
#[derive(Debug, Clone)]
pub struct FilePassword {
    path: PathBuf,
}

impl FilePassword {
    /// Reads the password from `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FilePassword { path: path.into() }
    }
}

impl CredentialProvider for FilePassword {
    fn credential(&self) -> CredentialFuture<'_> {
        Box::pin(async move {
            let content = tokio::fs::read_to_string(&self.path).await.map_err(|e| {
                Error::new(ErrorKind::Configuration, "cannot read the password file")
                    .with_detail(format!("file {}: {e}", self.path.display()))
            })?;
            let trimmed = content
                .strip_suffix("\r\n")
                .or_else(|| content.strip_suffix('\n'))
                .unwrap_or(&content);
            Ok(Credential::new(trimmed))
        })
    }
}

/// A user-supplied async function.
///
/// ```
/// use secure_pg::credentials::{Credential, FnProvider};
/// let provider = FnProvider::new(|| async {
///     Ok::<_, secure_pg::Error>(Credential::new("from-somewhere"))
/// });
/// ```
pub struct FnProvider<F>(F);

impl<F> FnProvider<F> {
    /// Wraps `f`, called once per new connection (subject to expiry caching).
    pub fn new(f: F) -> Self {
        FnProvider(f)
    }
}

impl<F> fmt::Debug for FnProvider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnProvider(..)")
    }
}

impl<F, Fut> CredentialProvider for FnProvider<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<Credential, Error>> + Send + 'static,
{
    fn credential(&self) -> CredentialFuture<'_> {
        Box::pin((self.0)())
    }
}

/// Caches a provider's answer until shortly before it expires.
#[derive(Debug)]
pub(crate) struct CachedProvider {
    inner: Arc<dyn CredentialProvider>,
    cached: tokio::sync::Mutex<Option<Credential>>,
    stats: Option<Arc<crate::metrics::PoolStats>>,
}

/// Reuse a credential only while it has at least this long to live.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

impl CachedProvider {
    pub(crate) fn new(inner: Arc<dyn CredentialProvider>) -> Self {
        CachedProvider {
            inner,
            cached: tokio::sync::Mutex::new(None),
            stats: None,
        }
    }

    /// Counts every provider call (and failure) in the pool's counters.
    pub(crate) fn counting(mut self, stats: Arc<crate::metrics::PoolStats>) -> Self {
        self.stats = Some(stats);
        self
    }

    /// The current secret; `fresh` bypasses the cache (after an
    /// authentication failure).
    pub(crate) async fn get(&self, fresh: bool) -> Result<Secret, Error> {
        // Holding the async lock across the fetch makes concurrent
        // connection attempts share one provider call.
        let mut cached = self.cached.lock().await;
        if !fresh {
            if let Some(c) = cached.as_ref() {
                if c.expires_at
                    .is_some_and(|t| t > Instant::now() + EXPIRY_MARGIN)
                {
                    return Ok(c.password.clone());
                }
            }
        }
        let c = self.inner.credential().await;
        if let Some(stats) = &self.stats {
            stats.credential_fetched(c.is_ok());
        }
        let c = c?;
        let password = c.password.clone();
        *cached = c.expires_at.is_some().then_some(c);
        Ok(password)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn file_provider_trims_one_trailing_newline_and_rereads() {
        let dir = std::env::temp_dir().join(format!("secure-pg-cred-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pw");
        let p = FilePassword::new(&path);
        std::fs::write(&path, "first\n").unwrap();
        assert_eq!(p.credential().await.unwrap().password.expose(), "first");
        std::fs::write(&path, "second\r\n").unwrap();
        assert_eq!(p.credential().await.unwrap().password.expose(), "second");
        std::fs::write(&path, "keeps inner\nnewline\n\n").unwrap();
        assert_eq!(
            p.credential().await.unwrap().password.expose(),
            "keeps inner\nnewline\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        let e = p.credential().await.unwrap_err();
        assert_eq!(e.to_string(), "cannot read the password file");
    }

    #[tokio::test]
    async fn cache_honours_expiry_and_fresh() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c2 = calls.clone();
        let provider = FnProvider::new(move || {
            let n = c2.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(Credential::expiring(
                    format!("token-{n}"),
                    Instant::now() + Duration::from_secs(900),
                ))
            }
        });
        let cache = CachedProvider::new(Arc::new(provider));
        assert_eq!(cache.get(false).await.unwrap().expose(), "token-0");
        assert_eq!(cache.get(false).await.unwrap().expose(), "token-0");
        assert_eq!(cache.get(true).await.unwrap().expose(), "token-1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn credentials_without_expiry_are_fetched_every_time() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c2 = calls.clone();
        let cache = CachedProvider::new(Arc::new(FnProvider::new(move || {
            c2.fetch_add(1, Ordering::SeqCst);
            async { Ok(Credential::new("pw")) }
        })));
        cache.get(false).await.unwrap();
        cache.get(false).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
