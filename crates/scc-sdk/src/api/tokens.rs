//! `client.tokens()`.

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};

use crate::operation::Operation;
use crate::transport::Request;
use crate::types::{ApiKeyId, OrgId, TokenPair};
use crate::{Client, validate};

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
            let refresh_token = refresh_token.into();
            validate::non_empty("refresh_token", refresh_token.expose_secret())?;
            let request = Request::new(
                "tokens.refresh",
                Method::POST,
                "organizations/{org_id}/apiKeys/{api_key_id}/token",
            )
            .param("org_id", org_id.into())
            .param("api_key_id", api_key_id.into())
            .form(&[("grant_type", "refresh_token")])
            .bearer(refresh_token)
            .sensitive();
            Ok(request)
        })
    }
}
