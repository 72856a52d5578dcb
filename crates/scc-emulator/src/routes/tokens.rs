//! `POST /v1/organizations/{orgId}/apiKeys/{apiKeyId}/token`: the refresh token (as the bearer) buys a
//! new access token and a new refresh token; the old refresh token stops working.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use bytes::Bytes;

use super::callers::bearer;
use super::{form_value, json};
use crate::app::App;
use crate::domain::tokens::{self, REFRESH_TOKEN_TTL};
use crate::error::{ApiError, ApiResult};
use crate::views::TokenView;

fn grant_type(body: &[u8]) -> ApiResult<()> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::bad_request("the body must be form-encoded text"))?;
    match form_value(text, "grant_type") {
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
) -> ApiResult<Response> {
    let presented = bearer(&parts)?;
    grant_type(&body)?;
    let now = app.now();
    let ttl = app.token_ttl;
    let refreshed = app
        .store
        .write(|state| tokens::refresh(state, &org_id, &key_id, presented, now, ttl))?;
    Ok(json(&TokenView {
        access_token: &refreshed.access_token,
        expires_in: ttl,
        refresh_token: &refreshed.refresh_token,
        refresh_token_expires_in: REFRESH_TOKEN_TTL,
        token_type: "Bearer",
    }))
}
