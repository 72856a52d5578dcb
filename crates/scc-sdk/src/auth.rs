//! Where the bearer token of each request comes from: a fixed token, API-key credentials that refresh
//! themselves, or OAuth2 client credentials (XDR). Each is an identity the transport asks before every
//! attempt; the token requests these sources send go through the same transport with a fixed header.
//!
//! Refreshing credentials (organization id, API key id, access token, refresh token) refresh 60 s
//! before the access token expires and after a 401, once for all concurrent callers (the first caller
//! refreshes under a lock; the others wait and use its result). Every rotated pair goes to the
//! [`TokenStore`] before the request is replayed, because the old refresh token stops working at once.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::identity::Bearer;
use crate::request::Request;
use crate::retry::RetryConfig;
use crate::transport::{FixedHeader, Identity, Transport};
use crate::types::{ApiKeyId, OrgId, TokenPair};
use crate::{Error, Result};

/// How long before expiry the access token is refreshed.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// API-key credentials: what `Client::builder().credentials(…)` refreshes by itself.
#[derive(Clone)]
pub struct Credentials {
    org_id: OrgId,
    api_key_id: ApiKeyId,
    access_token: SecretString,
    refresh_token: SecretString,
    access_expires_at: Option<SystemTime>,
    refresh_expires_at: Option<SystemTime>,
}

impl Credentials {
    /// Credentials of an API key. The access token's expiry is read from its JWT `exp` claim when it
    /// has one; otherwise it is unknown until the first refresh (and a 401 triggers the refresh).
    pub fn new(
        org_id: impl Into<OrgId>,
        api_key_id: impl Into<ApiKeyId>,
        access_token: impl Into<String>,
        refresh_token: impl Into<String>,
    ) -> Self {
        let access_token = access_token.into();
        Self {
            org_id: org_id.into(),
            api_key_id: api_key_id.into(),
            access_expires_at: jwt_expiry(&access_token),
            access_token: SecretString::from(access_token),
            refresh_token: SecretString::from(refresh_token.into()),
            refresh_expires_at: None,
        }
    }

    /// Sets when the access token expires (overrides the JWT claim).
    pub fn with_access_expiry(mut self, expires_at: SystemTime) -> Self {
        self.access_expires_at = Some(expires_at);
        self
    }

    /// Sets when the refresh token expires.
    pub fn with_refresh_expiry(mut self, expires_at: SystemTime) -> Self {
        self.refresh_expires_at = Some(expires_at);
        self
    }

    /// The organization of the API key.
    pub fn org_id(&self) -> &OrgId {
        &self.org_id
    }
    /// The API key id.
    pub fn api_key_id(&self) -> &ApiKeyId {
        &self.api_key_id
    }
    /// The access token (a secret).
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }
    /// The refresh token (a secret).
    pub fn refresh_token(&self) -> &SecretString {
        &self.refresh_token
    }
    /// When the access token expires, when known.
    pub fn access_expires_at(&self) -> Option<SystemTime> {
        self.access_expires_at
    }
    /// When the refresh token expires, when known.
    pub fn refresh_expires_at(&self) -> Option<SystemTime> {
        self.refresh_expires_at
    }

    pub(crate) fn expiring(&self, now: SystemTime) -> bool {
        self.access_expires_at
            .is_some_and(|expires| now + REFRESH_MARGIN >= expires)
    }

    /// These credentials after a refresh answered `pair` at `now`: the new tokens, their expiry (the
    /// JWT's `exp`, else `expires_in`), the same organization and key.
    ///
    /// ```
    /// use scc_sdk::Credentials;
    /// use scc_sdk::types::TokenPair;
    /// let pair: TokenPair = serde_json::from_str(
    ///     r#"{"access_token": "new-a", "refresh_token": "new-r", "expires_in": 60}"#).unwrap();
    /// let now = std::time::SystemTime::UNIX_EPOCH;
    /// let rotated = Credentials::new("org", "key", "old-a", "old-r").rotated(&pair, now);
    /// assert_eq!(rotated.access_expires_at(), Some(now + std::time::Duration::from_secs(60)));
    /// ```
    pub fn rotated(&self, pair: &TokenPair, now: SystemTime) -> Self {
        let access = pair.access_token.expose_secret().to_owned();
        let access_expires_at = jwt_expiry(&access).or_else(|| pair.expires_in.map(|seconds| later(now, seconds)));
        Self {
            org_id: self.org_id.clone(),
            api_key_id: self.api_key_id.clone(),
            access_token: pair.access_token.clone(),
            refresh_token: pair.refresh_token.clone(),
            access_expires_at,
            refresh_expires_at: pair.refresh_token_expires_in.map(|seconds| later(now, seconds)),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("org_id", &self.org_id)
            .field("api_key_id", &self.api_key_id)
            .field("access_token", &"[redacted]")
            .field("refresh_token", &"[redacted]")
            .field("access_expires_at", &self.access_expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .finish()
    }
}

/// `base` and `seconds` later, saturated at a century: an absurd expiry from a server or a file means
/// "not soon", never an overflow.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// assert_eq!(scc_sdk::auth::later(UNIX_EPOCH, 60), UNIX_EPOCH + Duration::from_secs(60));
/// assert!(scc_sdk::auth::later(UNIX_EPOCH, u64::MAX) > UNIX_EPOCH + Duration::from_secs(3_000_000_000));
/// ```
pub fn later(base: SystemTime, seconds: u64) -> SystemTime {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    base.checked_add(Duration::from_secs(seconds).min(CENTURY))
        .unwrap_or(base)
}

/// The `exp` claim of a JWT-shaped token, when it has one.
///
/// ```
/// assert_eq!(scc_sdk::auth::jwt_expiry("opaque-token"), None);
/// ```
pub fn jwt_expiry(token: &str) -> Option<SystemTime> {
    let exp = jwt_claims(token)?.get("exp")?.as_u64()?;
    Some(later(UNIX_EPOCH, exp))
}

/// The claims of a JWT-shaped token, read without checking its signature (for display: who the
/// token says it is; the service decides what it may do).
///
/// ```
/// assert!(scc_sdk::auth::jwt_claims("opaque-token").is_none());
/// ```
pub fn jwt_claims(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        serde_json::Value::Object(claims) => Some(claims),
        _ => None,
    }
}

/// Where rotated credentials go, so a refresh token is never lost: called after every refresh, before
/// the request that needed it is replayed. A failure is returned to that request as
/// [`ErrorKind::TokenStore`](crate::ErrorKind::TokenStore); the client keeps working with the new
/// tokens in memory.
pub trait TokenStore: Send + Sync {
    /// Stores the new credentials.
    fn store(&self, credentials: &Credentials) -> std::io::Result<()>;

    /// The newest credentials the store holds, when it can tell: another process sharing the store
    /// may have rotated the pair since this client read it. The default: none to tell.
    fn newest(&self) -> std::io::Result<Option<Credentials>> {
        Ok(None)
    }

    /// Tries to take the store's refresh lock, held from before a refresh until its pair is stored,
    /// so processes sharing the store refresh one at a time (each after reading the newest pair)
    /// instead of spending the same refresh token. `Ok(None)`: another holder has it now. The
    /// default: a store with no lock.
    fn try_lock_for_refresh(&self) -> std::io::Result<Option<RefreshLock>> {
        Ok(Some(RefreshLock::default()))
    }
}

/// A store's refresh lock, held until it is dropped.
#[derive(Default)]
pub struct RefreshLock {
    held: Option<std::fs::File>,
}

impl RefreshLock {
    /// The lock held by an open, locked file (unlocked when the file is closed).
    pub fn file(file: std::fs::File) -> Self {
        Self { held: Some(file) }
    }
}

impl fmt::Debug for RefreshLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshLock")
            .field("held", &self.held.is_some())
            .finish()
    }
}

impl<F> TokenStore for F
where
    F: Fn(&Credentials) -> std::io::Result<()> + Send + Sync,
{
    fn store(&self, credentials: &Credentials) -> std::io::Result<()> {
        self(credentials)
    }
}

/// A JSON file of credentials, written atomically (temp file, fsync, rename) with 0600 permissions.
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
}

/// The credentials file's content: what [`FileTokenStore`] writes, and also what a profile holding
/// only an access token keeps (the refresh fields are then absent).
#[derive(Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoredCredentials {
    /// The organization of the API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// The API key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_id: Option<String>,
    /// The access token.
    pub access_token: String,
    /// The refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When the access token expires, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_expires_at: Option<u64>,
    /// When the refresh token expires, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_expires_at: Option<u64>,
}

impl fmt::Debug for StoredCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredCredentials")
            .field("org_id", &self.org_id)
            .field("api_key_id", &self.api_key_id)
            .field("access_token", &"[redacted]")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "[redacted]"))
            .finish_non_exhaustive()
    }
}

impl StoredCredentials {
    /// An access token alone (no automatic refresh).
    pub fn access_token_only(access_token: impl Into<String>) -> Self {
        Self {
            access_token: access_token.into(),
            ..Self::default()
        }
    }

    /// Refreshing credentials, when the file holds what a refresh needs (`org_fallback` stands in
    /// for a missing organization id).
    pub fn refreshing(&self, org_fallback: Option<&str>) -> Option<Credentials> {
        let org = self.org_id.as_deref().or(org_fallback)?;
        let key = self.api_key_id.as_deref()?;
        let refresh = self.refresh_token.as_deref().filter(|token| !token.is_empty())?;
        let mut credentials = Credentials::new(org, key, self.access_token.as_str(), refresh);
        if let Some(seconds) = self.access_token_expires_at {
            credentials.access_expires_at = Some(later(UNIX_EPOCH, seconds));
        }
        credentials.refresh_expires_at = self.refresh_token_expires_at.map(|seconds| later(UNIX_EPOCH, seconds));
        Some(credentials)
    }

    /// When the access token expires: the stored time, else the JWT's `exp`.
    pub fn access_expiry(&self) -> Option<SystemTime> {
        self.access_token_expires_at
            .map(|seconds| later(UNIX_EPOCH, seconds))
            .or_else(|| jwt_expiry(&self.access_token))
    }
}

impl From<&Credentials> for StoredCredentials {
    fn from(credentials: &Credentials) -> Self {
        Self {
            org_id: Some(credentials.org_id.to_string()),
            api_key_id: Some(credentials.api_key_id.to_string()),
            access_token: credentials.access_token.expose_secret().to_owned(),
            refresh_token: Some(credentials.refresh_token.expose_secret().to_owned()),
            access_token_expires_at: epoch_seconds(credentials.access_expires_at),
            refresh_token_expires_at: epoch_seconds(credentials.refresh_expires_at),
        }
    }
}

fn epoch_seconds(time: Option<SystemTime>) -> Option<u64> {
    time.and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
}

impl FileTokenStore {
    /// A store at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the credentials back.
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// use scc_sdk::secrecy::ExposeSecret;
    /// let dir = std::env::temp_dir().join(format!("scc-doc-{}", std::process::id()));
    /// let store = scc_sdk::FileTokenStore::new(dir.join("credentials.json"));
    /// store.save(&scc_sdk::Credentials::new("org", "key", "access", "refresh"))?;
    /// assert_eq!(store.load()?.refresh_token().expose_secret(), "refresh");
    /// # std::fs::remove_dir_all(dir)
    /// # }
    /// ```
    pub fn load(&self) -> std::io::Result<Credentials> {
        self.read()?.refreshing(None).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "{}: no organization id, API key id and refresh token to refresh with",
                    self.path.display()
                ),
            )
        })
    }

    /// Reads the file as it is, also when it holds only an access token.
    pub fn read(&self) -> std::io::Result<StoredCredentials> {
        let bytes = std::fs::read(&self.path)?;
        serde_json::from_slice(&bytes).map_err(|error| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: {error}", self.path.display()),
            )
        })
    }

    /// Writes `credentials` (atomically, 0600).
    pub fn save(&self, credentials: &Credentials) -> std::io::Result<()> {
        self.write(&StoredCredentials::from(credentials))
    }

    /// Writes any stored credentials (atomically, 0600).
    pub fn write(&self, stored: &StoredCredentials) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(stored).map_err(std::io::Error::other)?;
        write_private_atomically(&self.path, &bytes)
    }
}

impl TokenStore for FileTokenStore {
    fn store(&self, credentials: &Credentials) -> std::io::Result<()> {
        self.save(credentials)
    }

    fn newest(&self) -> std::io::Result<Option<Credentials>> {
        match self.read() {
            Ok(stored) => Ok(stored.refreshing(None)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// `FILE.lock` beside the credentials file, locked exclusively (advisory, released when the process
    /// ends however it ends).
    fn try_lock_for_refresh(&self) -> std::io::Result<Option<RefreshLock>> {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let path = self.path.with_file_name(name);
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(RefreshLock::file(file))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(error)) => Err(error),
        }
    }
}

/// Writes `bytes` to `path` through a temp file in the same folder (created 0600), fsync, rename, and
/// an fsync of the folder: readers see the old file or the new one, never a part.
pub fn write_private_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let directory = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(directory)?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = directory.join(format!(".{name}.{}.{}.tmp", std::process::id(), fastrand::u64(..)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)?;
        if let Ok(dir) = std::fs::File::open(directory) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// The source of the access token every request carries.
pub(crate) enum TokenSource {
    /// A fixed token.
    Static(Arc<Bearer>),
    /// API-key credentials that refresh themselves.
    Refreshing(Refresher),
    /// OAuth2 client credentials (XDR), fetched and cached.
    ClientCredentials(TokenCache),
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Static(_) => f.write_str("Static([redacted])"),
            Self::Refreshing(_) => f.write_str("Refreshing([redacted])"),
            Self::ClientCredentials(_) => f.write_str("ClientCredentials([redacted])"),
        }
    }
}

impl TokenSource {
    /// How many tokens this source obtained (refreshes, or client-credentials fetches).
    pub(crate) fn fetch_count(&self) -> u64 {
        match self {
            Self::Static(_) => 0,
            Self::Refreshing(refresher) => refresher.refreshes.load(Ordering::SeqCst),
            Self::ClientCredentials(cache) => cache.fetches.load(Ordering::SeqCst),
        }
    }

    /// The refreshing credentials as they are now.
    pub(crate) async fn credentials(&self) -> Option<Credentials> {
        match self {
            Self::Refreshing(refresher) => Some(refresher.credentials.lock().await.clone()),
            _ => None,
        }
    }
}

impl Identity for TokenSource {
    fn ready(&self, transport: &Transport) -> Option<Arc<Bearer>> {
        match self {
            Self::Static(bearer) => Some(bearer.clone()),
            // Unless a refresh is running or due: then the caller waits for it.
            Self::Refreshing(refresher) => {
                let credentials = refresher.credentials.try_lock().ok()?;
                if credentials.expiring(transport.clock.now()) {
                    return None;
                }
                refresher.header_of(&credentials).ok()
            }
            Self::ClientCredentials(cache) => cache.ready(transport),
        }
    }

    async fn authorization(&self, transport: &Transport) -> Result<Arc<Bearer>> {
        match self {
            Self::Static(bearer) => Ok(bearer.clone()),
            Self::Refreshing(refresher) => {
                let mut credentials = refresher.credentials.lock().await;
                if credentials.expiring(transport.clock.now()) {
                    refresher.refresh_locked(transport, &mut credentials).await?;
                }
                refresher.header_of(&credentials)
            }
            Self::ClientCredentials(cache) => cache.current(transport).await,
        }
    }

    async fn after_unauthorized(&self, transport: &Transport, used: &Bearer) -> Result<bool> {
        match self {
            Self::Static(_) => Ok(false),
            Self::Refreshing(refresher) => {
                let mut credentials = refresher.credentials.lock().await;
                // Another caller may have refreshed already: only a token equal to the refused one is
                // refreshed, so one 401 storm costs one refresh.
                if credentials.access_token.expose_secret() == used.token.expose_secret() {
                    refresher.refresh_locked(transport, &mut credentials).await?;
                }
                Ok(true)
            }
            Self::ClientCredentials(cache) => cache.after_unauthorized(transport, used).await.map(|()| true),
        }
    }
}

/// `POST organizations/{orgId}/apiKeys/{apiKeyId}/token` with the refresh token as bearer: the one
/// refresh request, sent by `client.tokens().refresh()` and by refreshing credentials alike.
pub(crate) fn refresh_request(org_id: &OrgId, api_key_id: &ApiKeyId, refresh_token: SecretString) -> Result<Request> {
    crate::validate::non_empty("refresh_token", refresh_token.expose_secret())?;
    Ok(Request::new(
        "tokens.refresh",
        Method::POST,
        "organizations/{org_id}/apiKeys/{api_key_id}/token",
    )
    .param("org_id", org_id)
    .param("api_key_id", api_key_id)
    .form(&[("grant_type", "refresh_token")])
    .bearer(refresh_token)
    .sensitive())
}

/// Trades `credentials`' refresh token for a new pair through `transport` and returns the rotated
/// credentials. The old refresh token stops working when this succeeds.
pub(crate) async fn rotate(
    transport: &Transport,
    retry: RetryConfig,
    credentials: &Credentials,
) -> Result<Credentials> {
    let request = refresh_request(
        &credentials.org_id,
        &credentials.api_key_id,
        credentials.refresh_token.clone(),
    )?;
    let pair: TokenPair = transport
        .execute(request, retry, &FixedHeader)
        .await
        .and_then(|response| response.decode())
        .map_err(|error| match error {
            Error::Api(api) if api.status == 401 => {
                let mut api = *api;
                api.message = format!("the refresh token is invalid or expired ({})", api.message);
                Error::Api(Box::new(api))
            }
            Error::Api(api) if api.status < 500 => Error::Api(api),
            other if other.may_have_reached_server() => Error::RefreshUnknown {
                source: Box::new(other),
            },
            other => other,
        })?;
    Ok(credentials.rotated(&pair, transport.clock.now()))
}

/// Refreshing credentials: refreshed under one lock, so concurrent callers share one refresh.
pub(crate) struct Refresher {
    credentials: tokio::sync::Mutex<Credentials>,
    /// The `Authorization` header of the current access token, made once per token.
    header: std::sync::Mutex<Option<Arc<Bearer>>>,
    store: Option<Arc<dyn TokenStore>>,
    refreshes: AtomicU64,
}

impl Refresher {
    pub(crate) fn new(credentials: Credentials, store: Option<Arc<dyn TokenStore>>) -> Self {
        Self {
            credentials: tokio::sync::Mutex::new(credentials),
            header: std::sync::Mutex::new(None),
            store,
            refreshes: AtomicU64::new(0),
        }
    }

    /// The header of `credentials`' access token: the one made before while the token is the same.
    fn header_of(&self, credentials: &Credentials) -> Result<Arc<Bearer>> {
        let mut header = self.header.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(bearer) = header.as_ref()
            && bearer.token.expose_secret() == credentials.access_token.expose_secret()
        {
            return Ok(bearer.clone());
        }
        let bearer = Arc::new(Bearer::new(credentials.access_token.clone())?);
        *header = Some(bearer.clone());
        Ok(bearer)
    }

    async fn refresh_locked(&self, transport: &Transport, credentials: &mut Credentials) -> Result<()> {
        // Boxed: a refresh is a whole request of its own; inline, its state would make the future of
        // every request that might refresh (all of them) several kilobytes larger.
        Box::pin(self.refresh_shared(transport, credentials)).await
    }

    /// A refresh under the store's lock: another process sharing the store may have rotated the pair
    /// already (then its pair is taken, and refreshed only if it is due too); a refused refresh token
    /// is looked up once more in the store (a process that took no lock may have rotated it), so a
    /// refusal reported is one of the newest refresh token.
    async fn refresh_shared(&self, transport: &Transport, credentials: &mut Credentials) -> Result<()> {
        let _lock = match &self.store {
            Some(store) => Some(lock_for_refresh(store.as_ref(), transport).await),
            None => None,
        };
        if self.adopt_newer(credentials) && !credentials.expiring(transport.clock.now()) {
            return Ok(());
        }
        let rotated = match rotate(transport, transport.config.retry, credentials).await {
            Ok(rotated) => rotated,
            Err(refused) if refused.is_refresh_rejected() && self.adopt_newer(credentials) => {
                rotate(transport, transport.config.retry, credentials).await?
            }
            Err(failed) => return Err(failed),
        };
        // Memory first, so the client never loses the only refresh token that still works.
        *credentials = rotated;
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        tracing::debug!(api_key_id = %credentials.api_key_id, "access token refreshed");
        if let Some(store) = &self.store {
            store
                .store(credentials)
                .map_err(|source| Error::TokenStore { source })?;
        }
        Ok(())
    }

    /// Takes the store's pair when it is another one of the same key (rotated by another process).
    fn adopt_newer(&self, credentials: &mut Credentials) -> bool {
        let Some(Ok(Some(newest))) = self.store.as_ref().map(|store| store.newest()) else {
            return false;
        };
        let other = newest.org_id == credentials.org_id
            && newest.api_key_id == credentials.api_key_id
            && newest.refresh_token.expose_secret() != credentials.refresh_token.expose_secret();
        if other {
            tracing::debug!(api_key_id = %credentials.api_key_id, "took the pair another process rotated");
            *credentials = newest;
        }
        other
    }
}

/// Waits for the store's refresh lock (polling: the wait never blocks a runtime thread), at most
/// 30 s; past that, or when the lock cannot be had at all, the refresh goes on without it.
async fn lock_for_refresh(store: &dyn TokenStore, transport: &Transport) -> Option<RefreshLock> {
    const POLL: Duration = Duration::from_millis(25);
    for _ in 0..(30_000 / POLL.as_millis() as usize) {
        match store.try_lock_for_refresh() {
            Ok(Some(lock)) => return Some(lock),
            Ok(None) => transport.sleep.sleep(POLL).await,
            Err(error) => {
                tracing::debug!(%error, "refreshing without the store's lock");
                return None;
            }
        }
    }
    tracing::debug!("the store's refresh lock stayed taken for 30 s; refreshing without it");
    None
}

#[derive(Deserialize)]
struct ClientCredentialsAnswer {
    access_token: SecretString,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// A token that expires at `expires` (if ever) is still used at `now`: not within the margin.
fn fresh(expires: Option<SystemTime>, now: SystemTime) -> bool {
    expires.is_none_or(|expires| now + REFRESH_MARGIN < expires)
}

/// OAuth2 client credentials (the XDR token endpoint): a token fetched with HTTP Basic, cached until
/// [`REFRESH_MARGIN`] before `expires_in`, fetched again once after a 401 for all concurrent callers.
pub(crate) struct TokenCache {
    client_id: String,
    secret: SecretString,
    token: tokio::sync::Mutex<Option<(Arc<Bearer>, Option<SystemTime>)>>,
    fetches: AtomicU64,
}

impl TokenCache {
    pub(crate) fn new(client_id: String, secret: SecretString) -> Self {
        Self {
            client_id,
            secret,
            token: tokio::sync::Mutex::new(None),
            fetches: AtomicU64::new(0),
        }
    }

    async fn fetch(&self, transport: &Transport) -> Result<(Arc<Bearer>, Option<SystemTime>)> {
        let request = Request::new("xdr.token", Method::POST, "iroh/oauth2/token")
            .form(&[("grant_type", "client_credentials")])
            .basic(&self.client_id, self.secret.clone())
            .read_only()
            .sensitive();
        let answer: ClientCredentialsAnswer = transport
            .execute(request, transport.config.retry, &FixedHeader)
            .await?
            .decode()?;
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let expires = answer.expires_in.map(|seconds| later(transport.clock.now(), seconds));
        Ok((Arc::new(Bearer::new(answer.access_token)?), expires))
    }

    /// The cached token when it is fresh and no fetch is running.
    fn ready(&self, transport: &Transport) -> Option<Arc<Bearer>> {
        let cached = self.token.try_lock().ok()?;
        let (bearer, expires) = cached.as_ref()?;
        fresh(*expires, transport.clock.now()).then(|| bearer.clone())
    }

    async fn current(&self, transport: &Transport) -> Result<Arc<Bearer>> {
        let mut cached = self.token.lock().await;
        let now = transport.clock.now();
        let fresh = cached.as_ref().is_some_and(|(_, expires)| fresh(*expires, now));
        if !fresh {
            *cached = Some(Box::pin(self.fetch(transport)).await?);
        }
        cached
            .as_ref()
            .map(|(bearer, _)| bearer.clone())
            .ok_or_else(|| Error::Configuration("no XDR token".into()))
    }

    async fn after_unauthorized(&self, transport: &Transport, used: &Bearer) -> Result<()> {
        let mut cached = self.token.lock().await;
        let stale = cached
            .as_ref()
            .is_none_or(|(bearer, _)| bearer.token.expose_secret() == used.token.expose_secret());
        if stale {
            *cached = Some(Box::pin(self.fetch(transport)).await?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let encode = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
        format!("{}.{}.{}", encode(r#"{"alg":"RS256"}"#), encode(claims), encode("sig"))
    }

    #[test]
    fn expiry_comes_from_the_jwt() {
        assert_eq!(
            jwt_expiry(&jwt(r#"{"exp": 1000}"#)),
            Some(UNIX_EPOCH + Duration::from_secs(1000))
        );
        assert_eq!(jwt_expiry(&jwt(r#"{"sub": "x"}"#)), None);
        assert_eq!(jwt_expiry("opaque-token"), None);
        assert_eq!(jwt_expiry("a.!!!.c"), None);
        let credentials = Credentials::new("o", "k", jwt(r#"{"exp": 1000}"#), "r");
        assert!(credentials.expiring(UNIX_EPOCH + Duration::from_secs(941)));
        assert!(!credentials.expiring(UNIX_EPOCH + Duration::from_secs(939)));
    }

    #[test]
    fn debug_redacts_both_tokens() {
        let credentials = Credentials::new("o", "k", "access-secret-1", "refresh-secret-2");
        let text = format!("{credentials:?}");
        assert!(!text.contains("secret-1") && !text.contains("secret-2"), "{text}");
    }

    #[test]
    fn the_file_store_round_trips_with_0600() {
        let dir = tempfile::tempdir().expect("dir");
        let store = FileTokenStore::new(dir.path().join("nested/credentials.json"));
        let credentials = Credentials::new("o", "k", "a", "r").with_access_expiry(UNIX_EPOCH + Duration::from_secs(5));
        store.save(&credentials).expect("saves");
        let loaded = store.load().expect("loads");
        assert_eq!(loaded.refresh_token().expose_secret(), "r");
        assert_eq!(loaded.access_expires_at(), Some(UNIX_EPOCH + Duration::from_secs(5)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path()).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("nested")).expect("dir").collect();
        assert_eq!(leftovers.len(), 1, "no temp file left");
    }
}
