//! Where the bearer token of each request comes from: a fixed token, or API-key credentials that
//! refresh themselves.
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
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::retry::Clock;
use crate::types::{ApiKeyId, OrgId, TokenPair};
use crate::{Client, Error, Result};

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

    fn expiring(&self, now: SystemTime) -> bool {
        self.access_expires_at
            .is_some_and(|expires| now + REFRESH_MARGIN >= expires)
    }

    fn rotated(&self, pair: &TokenPair, now: SystemTime) -> Self {
        let access = pair.access_token.expose_secret().to_owned();
        let access_expires_at =
            jwt_expiry(&access).or_else(|| pair.expires_in.map(|seconds| now + Duration::from_secs(seconds)));
        Self {
            org_id: self.org_id.clone(),
            api_key_id: self.api_key_id.clone(),
            access_token: pair.access_token.clone(),
            refresh_token: pair.refresh_token.clone(),
            access_expires_at,
            refresh_expires_at: pair
                .refresh_token_expires_in
                .map(|seconds| now + Duration::from_secs(seconds)),
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

/// The `exp` claim of a JWT-shaped token, when it has one.
///
/// ```
/// assert_eq!(scc_sdk::auth::jwt_expiry("opaque-token"), None);
/// ```
pub fn jwt_expiry(token: &str) -> Option<SystemTime> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?.as_u64()?;
    Some(UNIX_EPOCH + Duration::from_secs(exp))
}

/// Where rotated credentials go, so a refresh token is never lost: called after every refresh, before
/// the request that needed it is replayed. A failure is returned to that request as
/// [`ErrorKind::TokenStore`](crate::ErrorKind::TokenStore); the client keeps working with the new
/// tokens in memory.
pub trait TokenStore: Send + Sync {
    /// Stores the new credentials.
    fn store(&self, credentials: &Credentials) -> std::io::Result<()>;
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

#[derive(Serialize, Deserialize)]
struct StoredCredentials {
    org_id: String,
    api_key_id: String,
    access_token: String,
    refresh_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access_token_expires_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token_expires_at: Option<u64>,
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
        let bytes = std::fs::read(&self.path)?;
        let stored: StoredCredentials = serde_json::from_slice(&bytes).map_err(|error| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: {error}", self.path.display()),
            )
        })?;
        let mut credentials = Credentials::new(
            stored.org_id,
            stored.api_key_id,
            stored.access_token,
            stored.refresh_token,
        );
        if let Some(seconds) = stored.access_token_expires_at {
            credentials.access_expires_at = Some(UNIX_EPOCH + Duration::from_secs(seconds));
        }
        credentials.refresh_expires_at = stored
            .refresh_token_expires_at
            .map(|s| UNIX_EPOCH + Duration::from_secs(s));
        Ok(credentials)
    }

    /// Writes the credentials atomically with 0600 permissions.
    pub fn save(&self, credentials: &Credentials) -> std::io::Result<()> {
        let stored = StoredCredentials {
            org_id: credentials.org_id.to_string(),
            api_key_id: credentials.api_key_id.to_string(),
            access_token: credentials.access_token.expose_secret().to_owned(),
            refresh_token: credentials.refresh_token.expose_secret().to_owned(),
            access_token_expires_at: epoch_seconds(credentials.access_expires_at),
            refresh_token_expires_at: epoch_seconds(credentials.refresh_expires_at),
        };
        let bytes = serde_json::to_vec_pretty(&stored).map_err(std::io::Error::other)?;
        write_private_atomically(&self.path, &bytes)
    }
}

impl TokenStore for FileTokenStore {
    fn store(&self, credentials: &Credentials) -> std::io::Result<()> {
        self.save(credentials)
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

/// A bearer token and its ready-made `Authorization` header (marked sensitive).
#[derive(Clone)]
pub(crate) struct Bearer {
    pub(crate) token: SecretString,
    pub(crate) header: reqwest::header::HeaderValue,
}

impl Bearer {
    /// `Basic base64(user:password)`, for client credentials.
    pub(crate) fn basic(user: &str, password: &SecretString) -> Result<Self> {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", password.expose_secret()));
        let mut header = reqwest::header::HeaderValue::from_str(&format!("Basic {encoded}"))
            .map_err(|_| Error::invalid("client_id", "contains characters not allowed in an HTTP header"))?;
        header.set_sensitive(true);
        Ok(Self {
            token: password.clone(),
            header,
        })
    }

    pub(crate) fn new(token: SecretString) -> Result<Self> {
        let mut header = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| Error::invalid("access_token", "contains characters not allowed in an HTTP header"))?;
        header.set_sensitive(true);
        Ok(Self { token, header })
    }
}

/// The source of the access token every request carries.
#[derive(Clone)]
pub(crate) enum TokenProvider {
    /// One token, used as it is until it stops working (its header built once).
    Static(Arc<Bearer>),
    /// API-key credentials that refresh themselves.
    Refreshing(Arc<Refresher>),
    /// OAuth2 client credentials (XDR): a token fetched and cached until shortly before it expires.
    ClientCredentials(Arc<crate::xdr::TokenCache>),
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Static(_) => f.write_str("Static([redacted])"),
            Self::Refreshing(_) => f.write_str("Refreshing([redacted])"),
            Self::ClientCredentials(_) => f.write_str("ClientCredentials([redacted])"),
        }
    }
}

pub(crate) struct Refresher {
    credentials: tokio::sync::Mutex<Credentials>,
    store: Option<Arc<dyn TokenStore>>,
    clock: Arc<dyn Clock>,
    refreshes: AtomicU64,
}

impl Refresher {
    pub(crate) fn new(credentials: Credentials, store: Option<Arc<dyn TokenStore>>, clock: Arc<dyn Clock>) -> Self {
        Self {
            credentials: tokio::sync::Mutex::new(credentials),
            store,
            clock,
            refreshes: AtomicU64::new(0),
        }
    }

    pub(crate) fn refresh_count(&self) -> u64 {
        self.refreshes.load(Ordering::SeqCst)
    }

    pub(crate) async fn snapshot(&self) -> Credentials {
        self.credentials.lock().await.clone()
    }
}

impl TokenProvider {
    /// The token to send now; refreshes first when it expires within [`REFRESH_MARGIN`].
    pub(crate) async fn access_token(&self, client: &Client) -> Result<Arc<Bearer>> {
        match self {
            Self::Static(bearer) => Ok(bearer.clone()),
            Self::Refreshing(refresher) => {
                let mut credentials = refresher.credentials.lock().await;
                if credentials.expiring(refresher.clock.now()) {
                    refresh_locked(refresher, &mut credentials, client).await?;
                }
                Bearer::new(credentials.access_token.clone()).map(Arc::new)
            }
            Self::ClientCredentials(cache) => cache.current(client).await,
        }
    }

    /// After a 401 with `used`: refreshes unless another caller already has (single flight). `None`
    /// when the token cannot be refreshed.
    pub(crate) async fn after_unauthorized(
        &self,
        client: &Client,
        used: &SecretString,
    ) -> Result<Option<SecretString>> {
        match self {
            Self::Static(_) => Ok(None),
            Self::Refreshing(refresher) => {
                let mut credentials = refresher.credentials.lock().await;
                if credentials.access_token.expose_secret() == used.expose_secret() {
                    refresh_locked(refresher, &mut credentials, client).await?;
                }
                Ok(Some(credentials.access_token.clone()))
            }
            Self::ClientCredentials(cache) => cache.after_unauthorized(client, used).await.map(Some),
        }
    }
}

async fn refresh_locked(refresher: &Refresher, credentials: &mut Credentials, client: &Client) -> Result<()> {
    let pair = client
        .tokens()
        .refresh(
            credentials.org_id.clone(),
            credentials.api_key_id.clone(),
            credentials.refresh_token.clone(),
        )
        .await
        .map_err(|error| match error {
            Error::Api(api) if api.status == 401 => {
                let mut api = *api;
                api.message = format!("the refresh token is invalid or expired ({})", api.message);
                Error::Api(Box::new(api))
            }
            other => other,
        })?;
    let rotated = credentials.rotated(&pair, refresher.clock.now());
    // Memory first, so the client never loses the only refresh token that still works.
    *credentials = rotated;
    refresher.refreshes.fetch_add(1, Ordering::SeqCst);
    tracing::debug!(api_key_id = %credentials.api_key_id, "access token refreshed");
    if let Some(store) = &refresher.store {
        store
            .store(credentials)
            .map_err(|source| Error::TokenStore { source })?;
    }
    Ok(())
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
