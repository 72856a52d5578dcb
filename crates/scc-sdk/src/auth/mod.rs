//! Where the bearer token of each request comes from: a fixed token, API-key credentials that refresh
//! themselves, or OAuth2 client credentials (XDR). Each is an identity the transport asks before every
//! attempt; the token requests these sources send go through the same transport with a fixed header.
//!
//! Refreshing credentials (organization id, API key id, access token, refresh token) refresh 60 s
//! before the access token expires and after a 401, once for all concurrent callers (the first caller
//! refreshes under a lock; the others wait and use its result). Every rotated pair goes to the
//! [`TokenStore`] before the request is replayed, because the old refresh token stops working at once.

mod client_credentials;
mod credentials;
mod source;
mod store;

pub use crate::files::write_private_atomically;
pub(crate) use client_credentials::TokenCache;
pub use credentials::{Credentials, KeyScope, REFRESH_MARGIN, jwt_claims, jwt_expiry, jwt_org, later};
pub(crate) use source::{Refresher, TokenSource, refresh_request, rotate};
pub use store::{FileTokenStore, RefreshLock, StoredCredentials, TokenStore};

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use base64::Engine;
    use secrecy::ExposeSecret;

    use super::credentials::*;
    use super::store::*;

    fn jwt(claims: &str) -> String {
        let encode = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
        format!("{}.{}.{}", encode(r#"{"alg":"RS256"}"#), encode(claims), encode("sig"))
    }

    #[test]
    fn a_key_scope_and_organization_come_from_the_jwt() {
        let member = jwt(r#"{"scope": "security:enterprise:member", "org": "o-1"}"#);
        let scope = KeyScope::of_token(&member).expect("a scope");
        assert_eq!(scope, KeyScope::Member("security:enterprise:member".into()));
        assert!(!scope.may_write());
        assert_eq!(jwt_org(&member).as_deref(), Some("o-1"));
        let admin = KeyScope::of_token(&jwt(r#"{"scope": "security:enterprise:admin"}"#)).expect("a scope");
        assert!(admin.may_write());
        let other = KeyScope::of_token(&jwt(r#"{"scope": "custom"}"#)).expect("a scope");
        assert!(other.may_write(), "an unknown scope is left to the service");
        assert_eq!(other.as_str(), "custom");
        assert_eq!(KeyScope::of_token(&jwt(r#"{"sub": "x"}"#)), None);
    }

    #[tokio::test]
    async fn a_clients_key_organization_is_its_tokens_else_its_credentials_never_another() {
        let claimed = crate::Client::builder()
            .access_token(jwt(r#"{"org": "o-token"}"#))
            .build()
            .expect("client");
        assert_eq!(claimed.key_org().await.as_deref(), Some("o-token"));
        let opaque = crate::Client::builder()
            .credentials(Credentials::new("o-credentials", "k", "opaque-token", "r"))
            .build()
            .expect("client");
        assert_eq!(opaque.key_org().await.as_deref(), Some("o-credentials"));
        let bare = crate::Client::builder()
            .access_token("opaque-token")
            .build()
            .expect("client");
        assert_eq!(bare.key_org().await, None);
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
