//! OAuth2 client credentials (XDR): the token exchanged for them, cached until shortly before it
//! expires.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::identity::Bearer;
use crate::request::Request;
use crate::transport::{FixedHeader, Transport};
use crate::{Error, Result};

use super::credentials::*;

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
    pub(super) fetches: AtomicU64,
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
    pub(super) fn ready(&self, transport: &Transport) -> Option<Arc<Bearer>> {
        let cached = self.token.try_lock().ok()?;
        let (bearer, expires) = cached.as_ref()?;
        fresh(*expires, transport.clock.now()).then(|| bearer.clone())
    }

    pub(super) async fn current(&self, transport: &Transport) -> Result<Arc<Bearer>> {
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

    pub(super) async fn after_unauthorized(&self, transport: &Transport, used: &Bearer) -> Result<()> {
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
