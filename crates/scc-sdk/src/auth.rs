//! Where the bearer token of each request comes from.

use std::fmt;

use secrecy::SecretString;

/// The source of the access token every request carries.
#[derive(Clone)]
pub(crate) enum TokenProvider {
    /// One token, used as it is until it stops working.
    Static(SecretString),
}

impl TokenProvider {
    pub(crate) fn access_token(&self) -> SecretString {
        match self {
            Self::Static(token) => token.clone(),
        }
    }
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Static(_) => f.write_str("Static([redacted])"),
        }
    }
}
