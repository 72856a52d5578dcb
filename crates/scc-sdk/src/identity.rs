//! Who a request is sent as: the `Authorization` header value an identity gives the transport for
//! each attempt (a bearer token, or HTTP Basic client credentials), marked sensitive.

use base64::Engine;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::{Error, Result};

/// An `Authorization` header value (marked sensitive) and the secret it was made from.
#[derive(Clone)]
pub(crate) struct Bearer {
    pub(crate) token: SecretString,
    pub(crate) header: HeaderValue,
}

impl Bearer {
    pub(crate) fn new(token: SecretString) -> Result<Self> {
        let mut header = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| Error::invalid("access_token", "contains characters not allowed in an HTTP header"))?;
        header.set_sensitive(true);
        Ok(Self { token, header })
    }

    pub(crate) fn basic(user: &str, password: &SecretString) -> Result<Self> {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", password.expose_secret()));
        let mut header = HeaderValue::from_str(&format!("Basic {encoded}"))
            .map_err(|_| Error::invalid("client_id", "contains characters not allowed in an HTTP header"))?;
        header.set_sensitive(true);
        Ok(Self {
            token: password.clone(),
            header,
        })
    }
}
