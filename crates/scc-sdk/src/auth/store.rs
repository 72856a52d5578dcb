//! Where rotated credentials are kept: the [`TokenStore`] trait, the credentials file (its format,
//! written atomically with 0600 permissions) and the lock that makes one process refresh for all.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::credentials::*;
use crate::files::write_private_atomically;

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
