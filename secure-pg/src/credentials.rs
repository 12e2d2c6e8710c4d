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
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::{FutureExt, Shared};

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

/// Caches a provider's answer until shortly before it expires, and makes
/// concurrent connects share one fetch (single flight) without holding any
/// lock across it: the fetch runs in its own task, bounded by the connect
/// timeout, and every caller awaits a shared handle to it (each bounded by
/// its own connect timeout, so a hung provider delays no connect beyond
/// it).
#[derive(Debug)]
pub(crate) struct CachedProvider {
    inner: Arc<dyn CredentialProvider>,
    fetch_timeout: Duration,
    state: Arc<Mutex<CacheState>>,
    stats: Option<Arc<crate::metrics::PoolStats>>,
}

type Fetch = Shared<Pin<Box<dyn Future<Output = Result<Credential, Arc<Error>>> + Send>>>;

#[derive(Default)]
struct CacheState {
    /// The last expiring answer, with when its fetch started.
    cached: Option<(Credential, Instant)>,
    /// The fetch under way: its number, when it started, its result.
    inflight: Option<(u64, Instant, Fetch)>,
    fetches: u64,
}

impl fmt::Debug for CacheState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheState")
            .field("cached", &self.cached.is_some())
            .field("inflight", &self.inflight.is_some())
            .finish()
    }
}

/// Reuse a credential only while it has at least this long to live.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

impl CachedProvider {
    pub(crate) fn new(inner: Arc<dyn CredentialProvider>, fetch_timeout: Duration) -> Self {
        CachedProvider {
            inner,
            fetch_timeout,
            state: Arc::default(),
            stats: None,
        }
    }

    /// Counts every provider call (and failure) in the pool's counters.
    pub(crate) fn counting(mut self, stats: Arc<crate::metrics::PoolStats>) -> Self {
        self.stats = Some(stats);
        self
    }

    /// The current secret and when the fetch that produced it started.
    /// With `newer_than` (after an authentication failure with a secret
    /// fetched then), only a secret fetched after that instant is
    /// returned: the cache is bypassed, and a fetch under way joined only
    /// if it started later.
    pub(crate) async fn get(
        &self,
        newer_than: Option<Instant>,
    ) -> Result<(Secret, Instant), Error> {
        let fresh_enough = |at: Instant| newer_than.is_none_or(|t| at > t);
        let (started, fetch) = {
            let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((c, at)) = &s.cached {
                if fresh_enough(*at)
                    && c.expires_at
                        .is_some_and(|t| t > Instant::now() + EXPIRY_MARGIN)
                {
                    return Ok((c.password.clone(), *at));
                }
            }
            match &s.inflight {
                Some((_, at, f)) if fresh_enough(*at) => (*at, f.clone()),
                _ => {
                    s.fetches += 1;
                    let (n, at) = (s.fetches, Instant::now());
                    let f = self.start_fetch(n, at);
                    s.inflight = Some((n, at, f.clone()));
                    (at, f)
                }
            }
        };
        match fetch.await {
            Ok(c) => Ok((c.password, started)),
            Err(e) => Err(e.duplicate()),
        }
    }

    /// Fetch number `n`, started at `at`, in its own task: it progresses
    /// (and ends, by its timeout) whether or not anyone still awaits it.
    fn start_fetch(&self, n: u64, at: Instant) -> Fetch {
        let inner = self.inner.clone();
        let state = self.state.clone();
        let limit = self.fetch_timeout;
        let stats = self.stats.clone();
        let task = tokio::spawn(async move {
            let result = match tokio::time::timeout(limit, inner.credential()).await {
                Ok(r) => r,
                Err(_) => Err(Error::new(
                    ErrorKind::Connection,
                    "could not connect to the database in time",
                )
                .with_detail(format!(
                    "the credential provider did not answer within {limit:?} (connect_timeout)"
                ))),
            };
            if let Some(stats) = &stats {
                stats.credential_fetched(result.is_ok());
            }
            let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
            if s.inflight.as_ref().is_some_and(|(m, _, _)| *m == n) {
                s.inflight = None;
            }
            if let Ok(c) = &result {
                if s.cached.as_ref().is_none_or(|(_, t)| *t <= at) {
                    s.cached = c.expires_at.is_some().then(|| (c.clone(), at));
                }
            }
            result.map_err(Arc::new)
        });
        let joined: Pin<Box<dyn Future<Output = Result<Credential, Arc<Error>>> + Send>> =
            Box::pin(async move {
                match task.await {
                    Ok(r) => r,
                    Err(_) => Err(Arc::new(Error::new(
                        ErrorKind::Configuration,
                        "the credential provider panicked",
                    ))),
                }
            });
        joined.shared()
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
        let cache = CachedProvider::new(Arc::new(provider), Duration::from_secs(5));
        let (first, at) = cache.get(None).await.unwrap();
        assert_eq!(first.expose(), "token-0");
        assert_eq!(cache.get(None).await.unwrap().0.expose(), "token-0");
        assert_eq!(cache.get(Some(at)).await.unwrap().0.expose(), "token-1");
        assert_eq!(cache.get(None).await.unwrap().0.expose(), "token-1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn credentials_without_expiry_are_fetched_every_time() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c2 = calls.clone();
        let cache = CachedProvider::new(
            Arc::new(FnProvider::new(move || {
                c2.fetch_add(1, Ordering::SeqCst);
                async { Ok(Credential::new("pw")) }
            })),
            Duration::from_secs(5),
        );
        cache.get(None).await.unwrap();
        cache.get(None).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    /// A slow provider: concurrent callers share one call, and none of them
    /// holds a lock while it runs (a caller that gives up leaves the fetch
    /// to finish for the others).
    #[tokio::test]
    async fn concurrent_gets_share_one_fetch_without_holding_a_lock() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c2 = calls.clone();
        let cache = Arc::new(CachedProvider::new(
            Arc::new(FnProvider::new(move || {
                c2.fetch_add(1, Ordering::SeqCst);
                async {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    Ok(Credential::new("pw"))
                }
            })),
            Duration::from_secs(5),
        ));
        // One caller gives up early; the fetch goes on.
        assert!(
            tokio::time::timeout(Duration::from_millis(50), cache.get(None))
                .await
                .is_err()
        );
        let gets: Vec<_> = (0..8)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(
                    async move { cache.get(None).await.map(|(p, _)| p.expose().to_string()) },
                )
            })
            .collect();
        for g in gets {
            assert_eq!(g.await.unwrap().unwrap(), "pw");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    /// A provider that never answers is given up on after the fetch
    /// timeout, and the next call asks again.
    #[tokio::test]
    async fn a_hung_provider_is_bounded_and_asked_again() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c2 = calls.clone();
        let cache = CachedProvider::new(
            Arc::new(FnProvider::new(move || {
                let n = c2.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n == 0 {
                        std::future::pending::<()>().await;
                    }
                    Ok(Credential::new("pw"))
                }
            })),
            Duration::from_millis(200),
        );
        let t = Instant::now();
        let e = cache.get(None).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection);
        assert!(e.detail().to_string().contains("did not answer"), "{e:#}");
        assert!(t.elapsed() < Duration::from_secs(3));
        assert_eq!(cache.get(None).await.unwrap().0.expose(), "pw");
    }
}
