//! API keys and their tokens: JWT-shaped access tokens with an expiry, rotating refresh tokens.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

use super::access::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ids::IdGen;
use crate::model::{AccessToken, ApiKey, Scope, State};

/// Seconds a refresh token lives (the reference's example: 60 days less a second).
pub(crate) const REFRESH_TOKEN_TTL: i64 = 5_183_999;

fn new_refresh_token(ids: &mut IdGen) -> String {
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

/// A new API key of an organization, with a first access token. That token carries no `exp`, so it is
/// the same on every start for a seed; it expires `ttl` seconds after `now` all the same.
pub(crate) fn add_key(state: &mut State, org_id: &str, scope: Scope, now: i64, ttl: i64) -> String {
    let id = state.ids.uuid();
    let refresh_token = new_refresh_token(&mut state.ids);
    state.api_keys.insert(
        id.clone(),
        ApiKey {
            id: id.clone(),
            org_id: org_id.into(),
            scope,
            refresh_token,
            refresh_expires_at: now + REFRESH_TOKEN_TTL,
        },
    );
    mint_access_token(state, &id, now, ttl, false);
    id
}

/// The caller an access token stands for.
pub(crate) fn authenticate(state: &State, token: &str, now: i64) -> ApiResult<Caller> {
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
}

/// What a refresh buys: a new access token and a new refresh token.
pub(crate) struct Refreshed {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
}

/// Trades the current refresh token of a key for new tokens; the old refresh token stops working.
pub(crate) fn refresh(
    state: &mut State,
    org_id: &str,
    key_id: &str,
    presented: &str,
    now: i64,
    ttl: i64,
) -> ApiResult<Refreshed> {
    let key = state
        .api_keys
        .get(key_id)
        .filter(|key| key.org_id == org_id)
        .ok_or_else(|| ApiError::not_found(format!("API key {key_id} not found")))?;
    if key.refresh_token != presented || key.refresh_expires_at <= now {
        return Err(ApiError::unauthorized("the refresh token is invalid or expired"));
    }
    let refresh_token = new_refresh_token(&mut state.ids);
    if let Some(key) = state.api_keys.get_mut(key_id) {
        key.refresh_token = refresh_token.clone();
        key.refresh_expires_at = now + REFRESH_TOKEN_TTL;
    }
    let access_token = mint_access_token(state, key_id, now, ttl, true);
    Ok(Refreshed {
        access_token,
        refresh_token,
    })
}

/// The key's newest access token that is still valid at `now`.
pub(crate) fn valid_access_token(state: &State, key_id: &str, now: i64) -> Option<String> {
    state
        .access_tokens
        .iter()
        .filter(|(_, token)| token.key_id == key_id && token.expires_at > now)
        .max_by_key(|(_, token)| token.expires_at)
        .map(|(token, _)| token.to_owned())
}
