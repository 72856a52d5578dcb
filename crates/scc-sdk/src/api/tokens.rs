//! `client.tokens()`.

use secrecy::SecretString;

use crate::Client;
use crate::operation::Operation;
use crate::types::{ApiKeyId, OrgId, TokenPair};

/// Token refresh: `client.tokens()`.
#[derive(Debug, Clone)]
pub struct Tokens {
    client: Client,
}

impl Tokens {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `POST /organizations/{orgId}/apiKeys/{apiKeyId}/token`: trades a refresh token for a new
    /// access token and a new refresh token. The refresh token is sent as the bearer (not the
    /// client's access token) with the form body `grant_type=refresh_token`. The old refresh token
    /// stops working: store the new pair before anything else.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use secrecy::ExposeSecret;
    /// let tokens = client.tokens().refresh("org-uuid", "key-uuid", "your_refresh_token").await?;
    /// let client = scc_sdk::Client::new(tokens.access_token.expose_secret())?;
    /// # Ok(()) }
    /// ```
    pub fn refresh(
        &self,
        org_id: impl Into<OrgId>,
        api_key_id: impl Into<ApiKeyId>,
        refresh_token: impl Into<SecretString>,
    ) -> Operation<TokenPair> {
        Operation::json(&self.client, move || {
            crate::auth::refresh_request(&org_id.into(), &api_key_id.into(), refresh_token.into())
        })
    }
}
