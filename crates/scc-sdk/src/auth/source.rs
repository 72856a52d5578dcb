//! The identity of a client's requests: a fixed token, or API-key credentials that refresh
//! themselves (before expiry and after a 401, once for all callers, rotated pairs stored first).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::catalog;
use crate::identity::Bearer;
use crate::request::Request;
use crate::retry::RetryConfig;
use crate::transport::{FixedHeader, Identity, Transport};
use crate::types::{ApiKeyId, OrgId, TokenPair};
use crate::{Error, Result};

use super::client_credentials::TokenCache;
use super::credentials::*;
use super::store::*;

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

    /// The claims of the SCC access token sent now (a fixed token's, or the refreshing credentials'
    /// current one); none for XDR's client credentials or a token that is not a JWT.
    pub(crate) async fn claims(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        match self {
            Self::Static(bearer) => jwt_claims(bearer.token.expose_secret()),
            Self::Refreshing(refresher) => {
                let credentials = refresher.credentials.lock().await;
                jwt_claims(credentials.access_token().expose_secret())
            }
            Self::ClientCredentials(_) => None,
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
    Ok(Request::of(&catalog::TOKENS_REFRESH)
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
                // Said once: the service's own words when they already say it.
                let said = api.message.to_lowercase();
                if !(said.contains("refresh token") && (said.contains("invalid") || said.contains("expired"))) {
                    api.message = format!("the refresh token is invalid or expired ({})", api.message);
                }
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
