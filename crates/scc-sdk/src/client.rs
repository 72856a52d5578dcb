//! [`Client`] and [`ClientBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::answer::Response;
use crate::auth::{Credentials, Refresher, TokenSource, TokenStore};
use crate::config::{self, Config};
use crate::identity::Bearer;
use crate::ratelimit::{RateLimit, TokenBucket};
use crate::request::Request;
use crate::retry::{self, Clock, RetryConfig, Sleep};
use crate::transport::Transport;
use crate::{Error, Result};

/// The SCC Platform Management client.
///
/// Cheap to clone (one `Arc` inside), `Send + Sync`: build one and share it. Each resource has an
/// accessor named as in the Python SDK. `Debug` never shows the token.
///
/// ```no_run
/// # async fn run() -> scc_sdk::Result<()> {
/// let client = scc_sdk::Client::new("your_bearer_token_here")?;
/// let org = client.organizations().get("550e8400-e29b-41d4-a716-446655440000").await?;
/// println!("{}", org.name.unwrap_or_default());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
    /// A retry policy for the calls made through this clone only ([`Client::with_retry`]).
    retry_override: Option<RetryConfig>,
}

pub(crate) struct ClientInner {
    pub(crate) transport: Transport,
    /// Shared with the clients made by [`Client::with_own_connections`]: one refresh serves all.
    pub(crate) identity: Arc<TokenSource>,
}

impl Client {
    /// A client for the production service with an access token. An empty token is an
    /// [`Error::InvalidInput`].
    ///
    /// ```no_run
    /// let client = scc_sdk::Client::new("your_bearer_token_here")?;
    /// # Ok::<(), scc_sdk::Error>(())
    /// ```
    pub fn new(access_token: impl Into<String>) -> Result<Self> {
        Self::builder().access_token(access_token).build()
    }

    /// A builder for every setting.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let client = scc_sdk::Client::builder()
    ///     .access_token("token")
    ///     .base_url("http://127.0.0.1:8080")
    ///     .timeout(Duration::from_secs(5))
    ///     .build()?;
    /// # Ok::<(), scc_sdk::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from the environment: `SCC_ACCESS_TOKEN` (required), `SCC_BASE_URL` and
    /// `SCC_BASE_PATH` (optional).
    ///
    /// ```no_run
    /// let client = scc_sdk::Client::from_env()?;
    /// # Ok::<(), scc_sdk::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        Self::builder().from_env()?.build()
    }

    /// The settings this client was built with.
    pub fn config(&self) -> &Config {
        &self.inner.transport.config
    }

    /// A clone of this client whose calls use another retry policy (per call: `client.with_retry(
    /// RetryConfig::disabled()).users().patch(…)`). It shares everything else, the rate limit and the
    /// credentials included.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use scc_sdk::retry::RetryConfig;
    /// let org = client.with_retry(RetryConfig::new().max_attempts(5)).organizations().get("org-uuid").await?;
    /// # Ok(()) }
    /// ```
    pub fn with_retry(&self, retry: RetryConfig) -> Self {
        Self {
            inner: self.inner.clone(),
            retry_override: Some(retry),
        }
    }

    pub(crate) fn retry_config(&self) -> RetryConfig {
        self.retry_override.unwrap_or(self.inner.transport.config.retry)
    }

    /// The current credentials of a client built with refreshing [`Credentials`] (after any rotation),
    /// or `None` for a fixed token.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) {
    /// if let Some(credentials) = client.credentials().await {
    ///     println!("access token expires at {:?}", credentials.access_expires_at());
    /// }
    /// # }
    /// ```
    pub async fn credentials(&self) -> Option<Credentials> {
        self.inner.identity.credentials().await
    }

    /// What the client's API key may do, as its access token says (read without checking the
    /// signature); `None` when the token states no scope. A face refuses a write ahead with it.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) {
    /// if client.key_scope().await.is_some_and(|scope| !scope.may_write()) {
    ///     println!("this key only reads");
    /// }
    /// # }
    /// ```
    pub async fn key_scope(&self) -> Option<crate::auth::KeyScope> {
        let claims = self.inner.identity.claims().await?;
        crate::auth::KeyScope::of_claims(&claims)
    }

    /// The organization the client's API key belongs to: its access token's `org` claim, else the
    /// organization of its refreshing credentials; `None` when neither says (never the organization a
    /// call is about).
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) {
    /// println!("{:?}", client.key_org().await);
    /// # }
    /// ```
    pub async fn key_org(&self) -> Option<String> {
        let claimed = self
            .inner
            .identity
            .claims()
            .await
            .and_then(|claims| Some(claims.get("org")?.as_str()?.to_owned()));
        match claimed {
            Some(org) => Some(org),
            None => Some(self.credentials().await?.org_id().to_string()),
        }
    }

    /// How many times refreshing credentials were refreshed by this client.
    pub fn refresh_count(&self) -> u64 {
        self.inner.identity.fetch_count()
    }

    /// Sends a request with this client's identity and retry rules: the one path of every operation.
    pub(crate) fn execute(&self, request: Request) -> impl Future<Output = Result<Response>> + Send + '_ {
        let retry = self.retry_config();
        let Some(deadline) = self.inner.transport.config.deadline else {
            return futures_util::future::Either::Left(self.inner.transport.execute(
                request,
                retry,
                &*self.inner.identity,
            ));
        };
        let operation = request.operation();
        let write = request.is_write();
        let sending = self.inner.transport.execute(request, retry, &*self.inner.identity);
        // Boxed: a call without a deadline keeps its small future (see transport's size test).
        futures_util::future::Either::Right(Box::pin(async move {
            tokio::time::timeout(deadline, sending)
                .await
                .unwrap_or(Err(Error::DeadlineExceeded {
                    operation,
                    deadline,
                    write,
                }))
        }))
    }

    /// Trades `credentials`' refresh token for a new pair and returns the rotated credentials (the
    /// old refresh token stops working): what refreshing credentials do by themselves, for callers
    /// that keep credentials elsewhere (`scc token refresh`).
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let credentials = scc_sdk::Credentials::new("org-uuid", "key-uuid", "access", "refresh");
    /// let rotated = client.refresh_credentials(&credentials).await?;
    /// scc_sdk::FileTokenStore::new("credentials.json").save(&rotated).expect("saved");
    /// # Ok(()) }
    /// ```
    pub async fn refresh_credentials(&self, credentials: &Credentials) -> Result<Credentials> {
        crate::auth::rotate(&self.inner.transport, self.retry_config(), credentials).await
    }
}

impl Client {
    /// A client with this one's settings, credentials (a refresh made through either serves both),
    /// rate limit and retry policy, and a connection pool of its own: for a caller that drives its
    /// requests on a runtime of its own, one per thread, since a pooled connection is served by the
    /// runtime that opened it. A client built with [`ClientBuilder::http_client`] cannot make one
    /// (that HTTP client is the caller's): [`Error::Configuration`].
    ///
    /// ```no_run
    /// # fn run(client: &scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let here = client.with_own_connections()?;
    /// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    /// runtime.block_on(here.organizations().get("org-uuid").send())?;
    /// # Ok(()) }
    /// ```
    pub fn with_own_connections(&self) -> Result<Client> {
        let transport = &self.inner.transport;
        if transport.http_given {
            return Err(Error::Configuration(
                "a client built with http_client uses that HTTP client's connections only".into(),
            ));
        }
        Ok(Client {
            inner: Arc::new(ClientInner {
                transport: Transport {
                    http: http_client(&transport.config)?,
                    http_given: false,
                    config: transport.config.clone(),
                    api_root: transport.api_root.clone(),
                    user_agent: transport.user_agent.clone(),
                    rate_limiter: transport.rate_limiter.clone(),
                    sleep: transport.sleep.clone(),
                    clock: transport.clock.clone(),
                    dry_run: transport.dry_run,
                },
                identity: self.inner.identity.clone(),
            }),
            retry_override: self.retry_override,
        })
    }
}

/// The HTTP client of a [`Client`] built with these settings.
fn http_client(config: &Config) -> Result<reqwest::Client> {
    // Redirects are followed by the transport, which knows a read from a write.
    reqwest::Client::builder()
        .connect_timeout(config.connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .tls_backend_preconfigured(shared_tls(config.ca_bundle.as_deref())?.as_ref().clone())
        .build()
        .map_err(|error| Error::Configuration(format!("cannot build the HTTP client: {error}")))
}

/// How many TLS configurations (one per set of extra roots) the process keeps.
const SHARED_TLS: usize = 16;

/// The TLS configuration for the platform's roots and these extra ones, built once per process and
/// shared by every client: the platform verifier reads the system's CA store, which costs
/// milliseconds and a few hundred kilobytes a time, and a service holding one client per customer
/// would pay it per client. Keyed by the bundle's path, size and modification time, so a changed
/// bundle is read anew and an unchanged one is not read again.
fn shared_tls(ca_bundle: Option<&std::path::Path>) -> Result<Arc<rustls::ClientConfig>> {
    type Key = Option<(std::path::PathBuf, u64, Option<std::time::SystemTime>)>;
    static SHARED: std::sync::Mutex<Vec<(Key, Arc<rustls::ClientConfig>)>> = std::sync::Mutex::new(Vec::new());
    let key: Key = match ca_bundle {
        None => None,
        Some(path) => {
            let metadata = std::fs::metadata(path)
                .map_err(|error| Error::invalid("ca_bundle", format!("cannot read {}: {error}", path.display())))?;
            Some((path.to_owned(), metadata.len(), metadata.modified().ok()))
        }
    };
    if let Some((_, tls)) = SHARED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .find(|(known, _)| *known == key)
    {
        return Ok(tls.clone());
    }
    let pem = ca_bundle.map(read_ca_bundle).transpose()?;
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    let unusable = |error: &dyn fmt::Display| Error::Configuration(format!("cannot set up TLS: {error}"));
    let verifier = match &pem {
        None => rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|error| unusable(&error))?,
        Some(pem) => {
            use rustls::pki_types::pem::PemObject;
            let roots = rustls::pki_types::CertificateDer::pem_slice_iter(pem)
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|error| Error::invalid("ca_bundle", format!("is not a PEM bundle: {error}")))?;
            rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider.clone())
                .map_err(|error| unusable(&error))?
        }
    };
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| unusable(&error))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let tls = Arc::new(tls);
    let mut shared = SHARED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if shared.len() == SHARED_TLS {
        shared.remove(0);
    }
    shared.push((key, tls.clone()));
    Ok(tls)
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_root", &self.inner.transport.api_root.as_str())
            .field("timeout", &self.inner.transport.config.timeout)
            .field("connect_timeout", &self.inner.transport.config.connect_timeout)
            .field("user_agent", &self.inner.transport.config.user_agent)
            .field("retry", &self.retry_config())
            .field("rate_limit", &self.inner.transport.config.rate_limit)
            .field("tokens", &self.inner.identity)
            .finish()
    }
}

/// Settings for a [`Client`]. Defaults: base URL `https://api.security.cisco.com`, base path `v1`,
/// 30 s per attempt, 10 s to connect, user agent `scc-sdk/<version>`.
#[derive(Default)]
pub struct ClientBuilder {
    access_token: Option<SecretString>,
    credentials: Option<Credentials>,
    token_store: Option<Arc<dyn TokenStore>>,
    retry: Option<RetryConfig>,
    rate_limit: Option<RateLimit>,
    sleep: Option<Arc<dyn Sleep>>,
    clock: Option<Arc<dyn Clock>>,
    dry_run: bool,
    provider: Option<TokenSource>,
    base_url: Option<String>,
    base_path: Option<String>,
    timeout: Option<Option<Duration>>,
    deadline: Option<Duration>,
    ca_bundle: Option<std::path::PathBuf>,
    connect_timeout: Option<Duration>,
    max_response_bytes: Option<usize>,
    user_agent: Option<String>,
    http_client: Option<reqwest::Client>,
    insecure_http: bool,
}

impl ClientBuilder {
    /// Allows a plain `http://` base URL to a host other than this machine, where the token crosses
    /// the network in clear (refused otherwise; loopback addresses are always allowed).
    pub fn insecure_http(mut self, allow: bool) -> Self {
        self.insecure_http = allow;
        self
    }

    /// The access token sent as `Authorization: Bearer …`.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = Some(SecretString::from(token.into()));
        self
    }

    /// API-key credentials that refresh themselves: 60 s before the access token expires (its JWT
    /// `exp`, else the refresh's `expires_in`) and after a 401, once for all concurrent callers. Takes
    /// the place of [`access_token`](Self::access_token).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Where rotated credentials are handed after every refresh, before the request is replayed:
    /// [`FileTokenStore`](crate::auth::FileTokenStore) or any `Fn(&Credentials) -> io::Result<()>`.
    pub fn token_store(mut self, store: impl TokenStore + 'static) -> Self {
        self.token_store = Some(Arc::new(store));
        self
    }

    /// The retry policy of every call (default: 3 attempts, 0.5 s to 20 s backoff).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// A client-side rate limit shared by every clone of the client.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// How the client waits (tests replace it to take no time).
    pub fn sleep_impl(mut self, sleep: Arc<dyn Sleep>) -> Self {
        self.sleep = Some(sleep);
        self
    }

    /// What time the client thinks it is (token expiry, `Retry-After` dates).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// A token source made by another part of the SDK (the XDR client's client credentials).
    pub(crate) fn token_provider(mut self, provider: TokenSource) -> Self {
        self.provider = Some(provider);
        self
    }

    /// Dry-run mode: every write is built as it would be sent and returned as [`Error::DryRun`] with the
    /// [`PlannedRequest`](crate::PlannedRequest); nothing that changes state is sent. Reads — GETs and
    /// the POSTs that change nothing, such as `read_claim_code` — still are.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// The service's address (default `https://api.security.cisco.com`); the emulator's `base_url`
    /// goes here.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The version path (default `v1`).
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        self.base_path = Some(path.into());
        self
    }

    /// How long one attempt may take, including the body (default 30 s). Each retry has its own;
    /// [`deadline`](Self::deadline) bounds the whole call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(Some(timeout));
        self
    }

    /// No limit on one attempt: it waits as long as the server takes (`timeout=None` of `requests`).
    pub fn no_timeout(mut self) -> Self {
        self.timeout = Some(None);
        self
    }

    /// How long a whole call may take, every attempt and every wait between them included (default:
    /// no limit beyond the attempts' own). When it passes, the call fails with
    /// [`ErrorKind::Timeout`](crate::ErrorKind::Timeout); a write may then have been applied.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// A PEM file of CA certificates to trust besides the platform's: the CA of a company's TLS
    /// inspection proxy, or of a private endpoint. Read when the client is built; a file that cannot be
    /// read or holds no certificate fails the build naming `ca_bundle`. Applies only to the HTTP client
    /// the SDK builds. `SCC_CA_BUNDLE` sets it in [`from_env`](Self::from_env).
    pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.ca_bundle = Some(path.into());
        self
    }

    /// How long connecting may take (default 10 s). Applies only to the HTTP client the SDK builds;
    /// a client given with [`http_client`](Self::http_client) keeps its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The largest response body the client reads (default 64 MiB,
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](crate::config::DEFAULT_MAX_RESPONSE_BYTES)). Reading stops at the
    /// limit and the call fails with [`ErrorKind::ResponseTooLarge`](crate::ErrorKind::ResponseTooLarge).
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// `User-Agent` (default `scc-sdk/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// A `reqwest::Client` of the caller's (proxies, custom roots, shared pool). Give it
    /// `redirect(reqwest::redirect::Policy::none())`: the SDK then follows redirects itself, for reads
    /// only and on the same origin; a client that follows them on its own would re-send a write as a
    /// GET after a 302.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Reads `SCC_ACCESS_TOKEN`, `SCC_BASE_URL` and `SCC_BASE_PATH`; a variable that is set wins over
    /// what the builder holds. A missing token is an error only when the builder has none either.
    pub fn from_env(self) -> Result<Self> {
        self.read_lookup(|name| std::env::var(name).ok())
    }

    fn read_lookup(mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        if let Some(token) = read(config::ENV_ACCESS_TOKEN) {
            self = self.access_token(token);
        } else if self.access_token.is_none() {
            return Err(Error::Configuration(format!("{} is not set", config::ENV_ACCESS_TOKEN)));
        }
        if let Some(url) = read(config::ENV_BASE_URL) {
            self = self.base_url(url);
        }
        if let Some(path) = read(config::ENV_BASE_PATH) {
            self = self.base_path(path);
        }
        if let Some(bundle) = read(config::ENV_CA_BUNDLE) {
            self = self.ca_bundle(bundle);
        }
        Ok(self)
    }

    /// Builds the client; fails on an empty token, a bad base URL or a zero timeout. Nothing panics.
    pub fn build(self) -> Result<Client> {
        let check = |field: &str, token: &SecretString| -> Result<()> {
            if token.expose_secret().trim().is_empty() {
                return Err(Error::invalid(field, "must not be empty"));
            }
            if token.expose_secret().chars().any(|c| c.is_control() || c == ' ') {
                return Err(Error::invalid(field, "must not contain spaces or control characters"));
            }
            Ok(())
        };
        let clock = self.clock.unwrap_or_else(retry::default_clock);
        let tokens = match (self.provider, self.credentials, self.access_token) {
            (Some(provider), ..) => provider,
            (None, Some(credentials), _) => {
                check("access_token", credentials.access_token())?;
                check("refresh_token", credentials.refresh_token())?;
                crate::validate::non_empty("org_id", credentials.org_id().as_str())?;
                crate::validate::non_empty("api_key_id", credentials.api_key_id().as_str())?;
                TokenSource::Refreshing(Refresher::new(credentials, self.token_store))
            }
            (None, None, Some(token)) => {
                check("access_token", &token)?;
                TokenSource::Static(Arc::new(Bearer::new(token)?))
            }
            (None, None, None) => return Err(Error::invalid("access_token", "must not be empty")),
        };
        let base_path = self.base_path.unwrap_or_else(|| config::DEFAULT_BASE_PATH.to_owned());
        let base_url = config::without_base_path(
            config::parse_base_url(self.base_url.as_deref().unwrap_or(config::DEFAULT_BASE_URL))?,
            &base_path,
        );
        config::check_plain_http(&base_url, self.insecure_http)?;
        let timeout = self.timeout.unwrap_or(Some(config::DEFAULT_TIMEOUT));
        let connect_timeout = self.connect_timeout.unwrap_or(config::DEFAULT_CONNECT_TIMEOUT);
        if timeout.is_some_and(|timeout| timeout.is_zero()) {
            return Err(Error::invalid("timeout", "must be more than zero"));
        }
        if self.deadline.is_some_and(|deadline| deadline.is_zero()) {
            return Err(Error::invalid("deadline", "must be more than zero"));
        }
        if connect_timeout.is_zero() {
            return Err(Error::invalid("connect_timeout", "must be more than zero"));
        }
        let max_response_bytes = self.max_response_bytes.unwrap_or(config::DEFAULT_MAX_RESPONSE_BYTES);
        if max_response_bytes == 0 {
            return Err(Error::invalid("max_response_bytes", "must be more than zero"));
        }
        let config = Config {
            base_url,
            base_path,
            timeout,
            deadline: self.deadline,
            ca_bundle: self.ca_bundle,
            connect_timeout,
            user_agent: self.user_agent.unwrap_or_else(|| config::USER_AGENT.to_owned()),
            retry: self.retry.unwrap_or_default(),
            rate_limit: self.rate_limit,
            max_response_bytes,
        };
        let http_given = self.http_client.is_some();
        let http = match self.http_client {
            Some(http) => http,
            None => http_client(&config)?,
        };
        let user_agent = reqwest::header::HeaderValue::from_str(&config.user_agent)
            .map_err(|_| Error::invalid("user_agent", "contains characters not allowed in an HTTP header"))?;
        Ok(Client {
            inner: Arc::new(ClientInner {
                transport: Transport {
                    http,
                    http_given,
                    api_root: config.api_root(),
                    user_agent,
                    rate_limiter: config.rate_limit.map(|limit| Arc::new(TokenBucket::new(limit))),
                    sleep: self.sleep.unwrap_or_else(retry::default_sleep),
                    clock,
                    dry_run: self.dry_run,
                    config,
                },
                identity: Arc::new(tokens),
            }),
            retry_override: None,
        })
    }
}

/// The certificates of a PEM bundle; an unreadable file or one without a certificate is refused.
/// The bundle's bytes, checked to hold PEM certificates.
fn read_ca_bundle(path: &std::path::Path) -> Result<Vec<u8>> {
    let shown = path.display();
    let pem =
        std::fs::read(path).map_err(|error| Error::invalid("ca_bundle", format!("cannot read {shown}: {error}")))?;
    let certificates = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|error| Error::invalid("ca_bundle", format!("{shown} is not a PEM bundle: {error}")))?;
    if certificates.is_empty() {
        return Err(Error::invalid("ca_bundle", format!("{shown} holds no PEM certificate")));
    }
    Ok(pem)
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("access_token", &self.access_token.as_ref().map(|_| "[redacted]"))
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("base_url", &self.base_url)
            .field("base_path", &self.base_path)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("ca_bundle", &self.ca_bundle)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const _: () = {
        const fn assert_traits<T: Clone + Send + Sync + 'static>() {}
        assert_traits::<Client>();
    };

    #[test]
    fn empty_token_is_an_error_not_a_panic() {
        for token in ["", "   "] {
            let error = Client::new(token).err();
            assert!(
                matches!(&error, Some(Error::InvalidInput { field, .. }) if field == "access_token"),
                "{error:?}"
            );
        }
        assert!(Client::builder().build().is_err());
    }

    #[test]
    fn debug_never_shows_the_token() {
        let client = Client::new("s3cr3t-token-value").expect("builds");
        let debug = format!("{client:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        assert!(debug.contains("https://api.security.cisco.com/v1"));
        let builder = format!("{:?}", Client::builder().access_token("s3cr3t-token-value"));
        assert!(!builder.contains("s3cr3t"), "{builder}");
    }

    #[test]
    fn from_env_reads_the_three_variables() {
        let env = |name: &str| match name {
            "SCC_ACCESS_TOKEN" => Some("env-token".to_owned()),
            "SCC_BASE_URL" => Some("http://127.0.0.1:9999".to_owned()),
            "SCC_BASE_PATH" => Some("v2".to_owned()),
            _ => None,
        };
        let client = Client::builder()
            .read_lookup(env)
            .and_then(ClientBuilder::build)
            .expect("builds");
        assert_eq!(client.inner.transport.api_root.as_str(), "http://127.0.0.1:9999/v2");
        assert!(
            matches!(&*client.inner.identity, TokenSource::Static(bearer) if bearer.token.expose_secret() == "env-token")
        );

        let only_token = |name: &str| (name == "SCC_ACCESS_TOKEN").then(|| "t".to_owned());
        let client = Client::builder()
            .read_lookup(only_token)
            .and_then(ClientBuilder::build)
            .expect("builds");
        assert_eq!(
            client.inner.transport.api_root.as_str(),
            "https://api.security.cisco.com/v1"
        );

        let nothing = |_: &str| None;
        let error = Client::builder()
            .read_lookup(nothing)
            .err()
            .map(|error| error.to_string());
        assert_eq!(
            error.as_deref(),
            Some("configuration error: SCC_ACCESS_TOKEN is not set")
        );
        let kept = Client::builder()
            .access_token("given")
            .read_lookup(nothing)
            .and_then(ClientBuilder::build);
        assert!(
            kept.is_ok(),
            "a token given to the builder stands when the variable is unset"
        );
    }

    #[test]
    fn from_env_reads_the_ca_bundle() {
        let env = |name: &str| match name {
            "SCC_ACCESS_TOKEN" => Some("t".to_owned()),
            "SCC_CA_BUNDLE" => Some("/nonexistent/company-ca.pem".to_owned()),
            _ => None,
        };
        let error = Client::builder()
            .read_lookup(env)
            .and_then(ClientBuilder::build)
            .expect_err("the bundle is read when the client is built");
        assert!(
            error.to_string().contains("`ca_bundle`") && error.to_string().contains("/nonexistent/company-ca.pem"),
            "{error}"
        );
    }

    #[test]
    fn defaults() {
        let client = Client::new("t").expect("builds");
        let config = client.config();
        assert_eq!(config.base_url.as_str(), "https://api.security.cisco.com/");
        assert_eq!(config.base_path, "v1");
        assert_eq!(config.timeout, Some(Duration::from_secs(30)));
        assert_eq!(config.connect_timeout, Duration::from_secs(10));
        assert_eq!(config.user_agent, concat!("scc-sdk/", env!("CARGO_PKG_VERSION")));
    }
}
