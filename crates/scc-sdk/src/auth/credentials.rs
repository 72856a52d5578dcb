//! API-key credentials (organization, API key id, access and refresh tokens), when they are due,
//! and what a JWT access token says of its expiry.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};

use crate::types::{ApiKeyId, OrgId, TokenPair};

/// How long before expiry the access token is refreshed.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// API-key credentials: what `Client::builder().credentials(…)` refreshes by itself.
#[derive(Clone)]
pub struct Credentials {
    pub(super) org_id: OrgId,
    pub(super) api_key_id: ApiKeyId,
    pub(super) access_token: SecretString,
    pub(super) refresh_token: SecretString,
    pub(super) access_expires_at: Option<SystemTime>,
    pub(super) refresh_expires_at: Option<SystemTime>,
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

/// What an API key may do, as its token's `scope` claim says: `…:admin` reads and writes,
/// `…:member` only reads (SCC's two default roles). Read without checking the signature: a
/// face refuses a write ahead with it; the service still decides.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyScope {
    /// Reads and writes (`security:enterprise:admin`).
    Admin(String),
    /// Reads only (`security:enterprise:member`).
    Member(String),
    /// A scope this SDK does not know: what it allows is left to the service.
    Other(String),
}

impl KeyScope {
    /// The token's scope, when it is a JWT that states one.
    ///
    /// ```
    /// assert_eq!(scc_sdk::auth::KeyScope::of_token("opaque-token"), None);
    /// ```
    pub fn of_token(token: &str) -> Option<Self> {
        Self::of_claims(&jwt_claims(token)?)
    }

    /// The scope stated by a token's claims ([`jwt_claims`]).
    ///
    /// ```
    /// let claims = serde_json::json!({"scope": "security:enterprise:member"});
    /// let scope = scc_sdk::auth::KeyScope::of_claims(claims.as_object().unwrap()).unwrap();
    /// assert!(!scope.may_write());
    /// ```
    pub fn of_claims(claims: &serde_json::Map<String, serde_json::Value>) -> Option<Self> {
        let scope = claims.get("scope")?.as_str()?.to_owned();
        Some(match scope.rsplit(':').next() {
            Some("admin") => Self::Admin(scope),
            Some("member") => Self::Member(scope),
            _ => Self::Other(scope),
        })
    }

    /// Whether the service may accept a write made with it (false only for a read-only key).
    pub fn may_write(&self) -> bool {
        !matches!(self, Self::Member(_))
    }

    /// The scope as the token states it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Admin(scope) | Self::Member(scope) | Self::Other(scope) => scope,
        }
    }
}

/// The organization a JWT-shaped token says it belongs to (its `org` claim).
///
/// ```
/// assert_eq!(scc_sdk::auth::jwt_org("opaque-token"), None);
/// ```
pub fn jwt_org(token: &str) -> Option<String> {
    Some(jwt_claims(token)?.get("org")?.as_str()?.to_owned())
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
