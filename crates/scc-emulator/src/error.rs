//! Errors of the emulator's handlers. A handler returns an [`ApiError`]; the outer middleware renders
//! it with the request path as the SCC envelope (`trackingId`, `message`, `timestamp`, `statusCode`,
//! `path`) or, under `/iroh`, as the IROH envelope (`error`, `error_description`, `trace_id`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// What went wrong, before it is rendered.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    /// The IROH `error` code (`invalid_client`, `missing_scope`, ..); SCC errors have none.
    pub(crate) code: Option<&'static str>,
    /// A body sent as it is instead of an envelope (XDR's `{"errors": {...}}`).
    pub(crate) raw_body: Option<serde_json::Value>,
    /// `Retry-After` seconds.
    pub(crate) retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            code: None,
            raw_body: None,
            retry_after: None,
        }
    }
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }
    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }
    pub(crate) fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }
    pub(crate) fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let mut response = status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// Parses a JSON body into a wire struct; a failure names the field.
pub(crate) fn parse_json<'a, T: serde::Deserialize<'a>>(body: &'a [u8]) -> ApiResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("request body is required"));
    }
    // The plain parser first; only a body it refuses is parsed again to say where.
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::bad_request(format!("malformed JSON: {inner}"))
        } else if path == "." {
            ApiError::bad_request(format!("invalid request body: {inner}"))
        } else {
            ApiError::bad_request(format!("invalid field `{path}`: {inner}"))
        }
    })?;
    deserializer
        .end()
        .map_err(|error| ApiError::bad_request(format!("malformed JSON: {error}")))?;
    Ok(value)
}
