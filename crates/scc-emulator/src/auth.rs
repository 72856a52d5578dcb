//! API keys and tokens: JWT-shaped access tokens with an expiry, rotating refresh tokens, scopes
//! (member reads, admin writes) and the reach of a token (its organization and, for a MANAGER, the
//! organizations it manages).

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

use crate::App;
use crate::error::{ApiError, ApiResult};
use crate::ids::IdGen;
use crate::model::{AccessToken, Organization, Scope, State};

/// Seconds a refresh token lives (the reference's example: 60 days less a second).
pub(crate) const REFRESH_TOKEN_TTL: i64 = 5_183_999;

pub(crate) fn new_refresh_token(ids: &mut IdGen) -> String {
    let text = format!("{}{}", ids.uuid(), ids.opaque(24));
    STANDARD_NO_PAD.encode(text)
}

/// Issues an access token for an API key. With `with_expiry`, the JWT carries `iat` and `exp` so a
/// client can read when it expires; the fixtures' first tokens leave them out to stay the same on every
/// start. Expired tokens of all keys are dropped here, so the table stays small.
pub(crate) fn mint_access_token(state: &mut State, key_id: &str, now: i64, ttl: i64, with_expiry: bool) -> String {
    state.access_tokens.retain(|token| token.expires_at > now);
    let Some(key) = state.api_keys.get(key_id) else {
        return String::new();
    };
    let (org_id, scope) = (key.org_id.clone(), key.scope);
    let mut claims = serde_json::json!({
        "iss": "scc-emulator",
        "sub": key_id,
        "org": org_id,
        "scope": scope.as_str(),
        "jti": state.ids.uuid(),
    });
    if with_expiry {
        claims["iat"] = now.into();
        claims["exp"] = (now + ttl).into();
    }
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(state.ids.opaque(32));
    let token = format!("{header}.{payload}.{signature}");
    state.access_tokens.insert(
        token.clone(),
        AccessToken {
            key_id: key_id.to_owned(),
            org_id,
            scope,
            expires_at: now + ttl,
        },
    );
    token
}

/// The bearer token of a request, or the reason there is none.
pub(crate) fn bearer(parts: &Parts) -> ApiResult<&str> {
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing Authorization header"))?;
    let value = header
        .to_str()
        .map_err(|_| ApiError::unauthorized("malformed Authorization header"))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`"))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized(
            "the Authorization header must be `Bearer <token>`",
        ));
    }
    Ok(token.trim())
}

/// The API key a request acts for.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) org_id: String,
    pub(crate) scope: Scope,
}

impl Caller {
    /// Writes need an admin key.
    pub(crate) fn require_write(&self) -> ApiResult<()> {
        match self.scope {
            Scope::Admin => Ok(()),
            Scope::Member => Err(ApiError::forbidden(format!(
                "the API key's scope {} does not allow changes",
                self.scope.as_str()
            ))),
        }
    }

    /// True when the token reaches this organization.
    pub(crate) fn reaches(&self, org: &Organization) -> bool {
        org.id == self.org_id || org.manager_org_id.as_deref() == Some(self.org_id.as_str())
    }

    /// The organization, when it exists and the token reaches it; any other id is a 404, so the
    /// answer never tells whether an organization out of reach exists.
    pub(crate) fn org<'s>(&self, state: &'s State, org_id: &str) -> ApiResult<&'s Organization> {
        state
            .organizations
            .get(org_id)
            .filter(|org| self.reaches(org))
            .ok_or_else(|| ApiError::not_found(format!("organization {org_id} not found")))
    }
}

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let now = app.now();
        app.store.read(|state| {
            let found = state
                .access_tokens
                .get(token)
                .ok_or_else(|| ApiError::unauthorized("invalid access token"))?;
            if found.expires_at <= now {
                return Err(ApiError::unauthorized("the access token has expired"));
            }
            if !state.api_keys.contains_key(&found.key_id) {
                return Err(ApiError::unauthorized("the API key of this token no longer exists"));
            }
            Ok(Caller {
                org_id: found.org_id.clone(),
                scope: found.scope,
            })
        })
    }
}
