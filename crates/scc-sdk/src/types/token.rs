//! The token pair returned by a refresh.

use std::fmt;

use secrecy::SecretString;
use serde::Deserialize;

use super::Extra;

/// A new access token and refresh token (`POST …/apiKeys/{apiKeyId}/token`).
///
/// The old refresh token stops working once this pair is issued: store the new one before anything
/// else. `Debug` shows neither token, and the type is not `Serialize`, so it cannot end up in output
/// by accident; read the secrets with [`secrecy::ExposeSecret`].
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct TokenPair {
    /// `access_token` (a JWT).
    pub access_token: SecretString,
    /// `refresh_token`.
    pub refresh_token: SecretString,
    /// `expires_in`: seconds the access token stays valid.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// `refresh_token_expires_in`: seconds the refresh token stays valid.
    #[serde(default)]
    pub refresh_token_expires_in: Option<u64>,
    /// `token_type`, `Bearer`.
    #[serde(default)]
    pub token_type: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenPair")
            .field("access_token", &"[redacted]")
            .field("refresh_token", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .field("refresh_token_expires_in", &self.refresh_token_expires_in)
            .field("token_type", &self.token_type)
            .finish_non_exhaustive()
    }
}
