//! Who a request acts for, read from its `Authorization` header: an SCC API key's access token, or an
//! XDR bearer token.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::app::App;
use crate::domain::access::Caller;
use crate::domain::xdr::XdrCaller;
use crate::domain::{tokens, xdr};
use crate::error::{ApiError, ApiResult};

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

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let now = app.now();
        app.store.read(|state| tokens::authenticate(state, token, now))
    }
}

impl FromRequestParts<Arc<App>> for XdrCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        let missing =
            || ApiError::unauthorized("No JWT found in HTTP Authorization header").with_code("invalid_request");
        let value = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(missing)?;
        let token = value
            .split_once(' ')
            .filter(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
            .map(|(_, token)| token.trim())
            .ok_or_else(missing)?;
        let now = app.now();
        app.store.read(|state| xdr::authenticate(state, token, now))
    }
}
