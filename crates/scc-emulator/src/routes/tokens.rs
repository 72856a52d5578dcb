//! `POST /v1/organizations/{orgId}/apiKeys/{apiKeyId}/token`: the refresh token (as the bearer) buys a
//! new access token and a new refresh token; the old refresh token stops working.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::App;
use crate::auth::{self, REFRESH_TOKEN_TTL};
use crate::error::{ApiError, ApiResult};

fn grant_type(body: &[u8]) -> ApiResult<()> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::bad_request("the body must be form-encoded text"))?;
    let grant = text
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "grant_type")
        .map(|(_, value)| value);
    match grant {
        Some("refresh_token") => Ok(()),
        Some(other) => Err(ApiError::bad_request(format!(
            "unsupported grant_type {other:?}; expected refresh_token"
        ))),
        None => Err(ApiError::bad_request(
            "grant_type is required (grant_type=refresh_token)",
        )),
    }
}

pub(crate) async fn refresh(
    State(app): State<Arc<App>>,
    Path((org_id, key_id)): Path<(String, String)>,
    parts: Parts,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let presented = auth::bearer(&parts)?.to_owned();
    grant_type(&body)?;
    let now = app.now();
    let ttl = app.token_ttl;
    app.store.write(|state| {
        let key = state
            .api_keys
            .get(&key_id)
            .filter(|key| key.org_id == org_id)
            .ok_or_else(|| ApiError::not_found(format!("API key {key_id} not found")))?;
        if key.refresh_token != presented || key.refresh_expires_at <= now {
            return Err(ApiError::unauthorized("the refresh token is invalid or expired"));
        }
        let refresh_token = auth::new_refresh_token(&mut state.ids);
        if let Some(key) = state.api_keys.get_mut(&key_id) {
            key.refresh_token = refresh_token.clone();
            key.refresh_expires_at = now + REFRESH_TOKEN_TTL;
        }
        let access_token = auth::mint_access_token(state, &key_id, now, ttl, true);
        Ok(Json(json!({
            "access_token": access_token,
            "expires_in": ttl,
            "refresh_token": refresh_token,
            "refresh_token_expires_in": REFRESH_TOKEN_TTL,
            "token_type": "Bearer",
        })))
    })
}
