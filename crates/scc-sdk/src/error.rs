//! Errors: one [`Error`] type for everything the SDK can fail at, and [`ApiError`] for answers of the
//! service that are not 2xx.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use serde::Serialize;

/// The result type of every SDK call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many bytes of an unparseable body an error message quotes.
const BODY_SNIPPET_LEN: usize = 200;

/// What went wrong, in the terms a caller branches on.
///
/// The API statuses map to the Python SDK's exception classes: 400 → [`Validation`](Self::Validation)
/// (`ValidationError`), 401 → [`Authentication`](Self::Authentication), 403 → [`Forbidden`](Self::Forbidden),
/// 404 → [`NotFound`](Self::NotFound), 5xx → [`Server`](Self::Server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The SDK refused the input before sending anything.
    InvalidInput,
    /// The client could not be configured (bad base URL, missing token, ..).
    Configuration,
    /// HTTP 400: the service rejected the request as malformed or invalid.
    Validation,
    /// HTTP 401: missing, invalid or expired token.
    Authentication,
    /// HTTP 403: the token may not do this.
    Forbidden,
    /// HTTP 404: the resource does not exist or is out of the token's reach.
    NotFound,
    /// HTTP 409: the resource already exists or the claim code is already used.
    Conflict,
    /// HTTP 429: too many requests.
    RateLimited,
    /// HTTP 5xx.
    Server,
    /// Any other non-2xx status.
    OtherStatus,
    /// The request did not complete in time; it may have reached the server.
    Timeout,
    /// No connection could be made; the request never reached the server.
    Connect,
    /// The connection failed mid-way; the request may have reached the server.
    Transport,
    /// A 2xx answer whose body is not what the API documents.
    Decode,
    /// Rotated tokens could not be stored (the client still holds them in memory).
    TokenStore,
    /// The client is in dry-run mode: the write was built, not sent.
    DryRun,
    /// The answer's body was longer than the client reads (`max_response_bytes`); the request did
    /// reach the server.
    ResponseTooLarge,
}

impl ErrorKind {
    fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            400 => Self::Validation,
            401 => Self::Authentication,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            409 => Self::Conflict,
            429 => Self::RateLimited,
            500..=599 => Self::Server,
            _ => Self::OtherStatus,
        }
    }
}

/// Every failure of the SDK.
///
/// `Display` is complete on its own (status, message, tracking id); [`std::error::Error::source`] keeps the
/// underlying cause. No variant ever contains a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input cannot be right; nothing was sent.
    #[error("invalid input: `{field}` {reason}")]
    InvalidInput {
        /// The parameter or wire field at fault, e.g. `max` or `users[3].email`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The client could not be built.
    #[error("configuration error: {0}")]
    Configuration(String),
    /// The service answered with a non-2xx status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The request failed in transport (timeout, refused connection, broken connection).
    #[error("{method} {path}: {} ({}){}", transport_summary(*.kind), redact_source(.source), attempts_suffix(*.attempts))]
    Transport {
        /// Timeout, Connect or Transport.
        kind: ErrorKind,
        /// The HTTP method.
        method: String,
        /// The request path (no host, no query).
        path: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
        /// Attempts made in all.
        attempts: u32,
        /// False when the request was a read (it changed nothing, whatever became of it).
        write: bool,
    },
    /// The call's deadline passed (retries and their waits included) before an answer came.
    #[error("{operation}: no answer within the deadline of {} s{}", .deadline.as_secs_f64(), deadline_suffix(*.write))]
    DeadlineExceeded {
        /// The Python SDK's name of the operation.
        operation: &'static str,
        /// The deadline that passed.
        deadline: std::time::Duration,
        /// False when the call was a read.
        write: bool,
    },
    /// A 2xx body that could not be decoded into the documented shape.
    #[error("HTTP {status} {path}: cannot decode the response at `{field}`: {message}; body starts with: {snippet}")]
    Decode {
        /// The HTTP status of the response.
        status: u16,
        /// The request path.
        path: String,
        /// The JSON path of the offending field (`.` when the whole body is wrong).
        field: String,
        /// The decoder's message.
        message: String,
        /// The start of the body, to see what arrived.
        snippet: String,
    },
    /// Dry-run mode: the request a write would send, built and not sent.
    #[error("dry run: {} {} was not sent", .0.method, .0.url)]
    DryRun(Box<crate::planned::PlannedRequest>),
    /// The answer's body was longer than the client's limit; reading stopped there.
    #[error(
        "{method} {path}: HTTP {status} answer larger than {limit} bytes; reading stopped (raise max_response_bytes if the service really sends this much)"
    )]
    ResponseTooLarge {
        /// The HTTP method.
        method: String,
        /// The request path.
        path: String,
        /// The status of the answer.
        status: u16,
        /// The limit in bytes.
        limit: usize,
    },
    /// The answer to a token refresh was lost (timeout, broken connection, 5xx): the service may have
    /// rotated the refresh token, and then the one the caller holds no longer works.
    #[error(
        "{source}; the answer to the token refresh was lost, so the service may have rotated the refresh token (refresh tokens are single use): the one held now may be spent"
    )]
    RefreshUnknown {
        /// The failure of the refresh request.
        #[source]
        source: Box<Error>,
    },
    /// A refresh succeeded but the rotated tokens could not be stored; the client keeps them in memory.
    #[error("the access token was refreshed but the new tokens could not be stored: {source}")]
    TokenStore {
        /// What the store reported.
        #[source]
        source: std::io::Error,
    },
}

fn attempts_suffix(attempts: u32) -> String {
    if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    }
}

fn deadline_suffix(write: bool) -> &'static str {
    if write {
        "; the request may have reached the server (read the state before repeating it)"
    } else {
        ""
    }
}

fn transport_summary(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Timeout => "timed out; the request may have reached the server",
        ErrorKind::Connect => "could not connect; the request did not reach the server",
        _ => "connection failed; the request may have reached the server",
    }
}

/// reqwest's `Display` carries the URL; it never carries headers, so no token can leak through it.
fn redact_source(source: &reqwest::Error) -> String {
    let mut text = source.to_string();
    let mut cause = std::error::Error::source(source);
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

impl Error {
    /// What kind of failure this is.
    ///
    /// ```
    /// let error = scc_sdk::Client::new("").unwrap_err();
    /// assert_eq!(error.kind(), scc_sdk::ErrorKind::InvalidInput);
    /// assert!(error.is_invalid_input() && !error.may_have_reached_server());
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidInput { .. } => ErrorKind::InvalidInput,
            Self::Configuration(_) => ErrorKind::Configuration,
            Self::Api(api) => api.kind(),
            Self::Transport { kind, .. } => *kind,
            Self::DeadlineExceeded { .. } => ErrorKind::Timeout,
            Self::Decode { .. } => ErrorKind::Decode,
            Self::TokenStore { .. } => ErrorKind::TokenStore,
            Self::DryRun(_) => ErrorKind::DryRun,
            Self::ResponseTooLarge { .. } => ErrorKind::ResponseTooLarge,
            Self::RefreshUnknown { source } => source.kind(),
        }
    }

    /// How many attempts were made before this error (1 when there was no retry).
    pub fn attempts(&self) -> u32 {
        match self {
            Self::Api(api) => api.attempts,
            Self::Transport { attempts, .. } => *attempts,
            Self::RefreshUnknown { source } => source.attempts(),
            _ => 1,
        }
    }

    /// False when the failed request was a read: it changed nothing, whatever became of it, and
    /// repeating it is safe. True for writes and whenever it is not known.
    pub fn was_write(&self) -> bool {
        match self {
            Self::Api(api) => api.write,
            Self::Transport { write, .. } | Self::DeadlineExceeded { write, .. } => *write,
            Self::RefreshUnknown { .. } => true,
            Self::ResponseTooLarge { method, .. } => method != "GET",
            _ => false,
        }
    }

    pub(crate) fn for_request(mut self, write: bool) -> Self {
        match &mut self {
            Self::Api(api) => api.write = write,
            Self::Transport { write: flag, .. } => *flag = write,
            _ => {}
        }
        self
    }

    pub(crate) fn with_attempts(mut self, count: u32) -> Self {
        match &mut self {
            Self::Api(api) => api.attempts = count,
            Self::Transport { attempts, .. } => *attempts = count,
            _ => {}
        }
        self
    }

    /// The service's error, when the failure is a non-2xx answer.
    pub fn as_api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api(api) => Some(api),
            Self::RefreshUnknown { source } => source.as_api_error(),
            _ => None,
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(api) => Some(api.status),
            Self::Decode { status, .. } | Self::ResponseTooLarge { status, .. } => Some(*status),
            Self::RefreshUnknown { source } => source.status(),
            _ => None,
        }
    }

    /// The API's tracking id, to quote to Cisco support.
    pub fn tracking_id(&self) -> Option<&str> {
        self.as_api_error().and_then(|api| api.tracking_id.as_deref())
    }

    /// True for input the SDK refused before sending.
    pub fn is_invalid_input(&self) -> bool {
        self.kind() == ErrorKind::InvalidInput
    }
    /// True for HTTP 400.
    pub fn is_validation(&self) -> bool {
        self.kind() == ErrorKind::Validation
    }
    /// True for HTTP 401.
    pub fn is_authentication(&self) -> bool {
        self.kind() == ErrorKind::Authentication
    }
    /// True for HTTP 403.
    pub fn is_forbidden(&self) -> bool {
        self.kind() == ErrorKind::Forbidden
    }
    /// True for HTTP 404.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }
    /// True for HTTP 409.
    pub fn is_conflict(&self) -> bool {
        self.kind() == ErrorKind::Conflict
    }
    /// True for HTTP 429.
    pub fn is_rate_limited(&self) -> bool {
        self.kind() == ErrorKind::RateLimited
    }
    /// True for HTTP 5xx.
    pub fn is_server(&self) -> bool {
        self.kind() == ErrorKind::Server
    }
    /// True for a connection that no new attempt can make: the server's certificate was refused
    /// (an unknown issuer: give the CA with `ca_bundle`), or its host name does not resolve.
    pub fn is_connect_refused_for_good(&self) -> bool {
        // The TLS and DNS layers' error types are not public through reqwest: their messages are
        // what tells them apart (held to by tests with a real TLS server).
        self.connect_cause(|error| {
            let text = error.to_string();
            text.contains("invalid peer certificate")
                || text.contains("certificate verify failed")
                || text.starts_with("dns error")
                || text.contains("failed to lookup address")
        })
    }

    /// True when the host refused the connection (nothing listens on its port).
    pub fn is_connection_refused(&self) -> bool {
        self.connect_cause(|error| {
            error
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        })
    }

    /// True for a failed connection some error of whose chain of causes is `found`.
    fn connect_cause(&self, found: impl Fn(&(dyn std::error::Error + 'static)) -> bool) -> bool {
        let Self::Transport {
            kind: ErrorKind::Connect,
            source,
            ..
        } = self
        else {
            return false;
        };
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(source);
        while let Some(error) = cause {
            if found(error) {
                return true;
            }
            cause = error.source();
        }
        false
    }

    /// True for a timeout.
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout
    }

    /// True when a new attempt of the same request could succeed: throttling, server errors and
    /// transport failures. Whether it is *safe* to repeat depends on the method as well.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::RateLimited | ErrorKind::Server | ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::Transport
        )
    }

    /// False only when the SDK knows the request never reached the server (refused input, no
    /// connection). A write that failed with `true` may have been applied: read the state before
    /// repeating it.
    pub fn may_have_reached_server(&self) -> bool {
        !matches!(
            self.kind(),
            ErrorKind::InvalidInput
                | ErrorKind::Configuration
                | ErrorKind::Connect
                | ErrorKind::TokenStore
                | ErrorKind::DryRun
        )
    }

    /// True when a token refresh may have rotated the refresh token although its answer was lost:
    /// the refresh token held now may be spent.
    pub fn refresh_token_may_be_spent(&self) -> bool {
        matches!(self, Self::RefreshUnknown { .. })
    }

    /// True when the service refused the refresh token itself (401 on the token refresh): it is
    /// spent or expired, and only a new API key brings working credentials.
    pub fn is_refresh_rejected(&self) -> bool {
        self.as_api_error().is_some_and(|api| {
            api.status == 401
                && api
                    .path
                    .as_deref()
                    .is_some_and(|path| path.contains("/apiKeys/") && path.ends_with("/token"))
        })
    }

    /// How long the service asked to wait (`Retry-After`), for a 429 or 503.
    pub fn retry_after(&self) -> Option<Duration> {
        self.as_api_error().and_then(|api| api.retry_after)
    }

    /// Input refused before sending: `field` and why (for layers above the SDK, such as the Python
    /// package, that check their own arguments the same way).
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn transport(method: &str, path: &str, source: reqwest::Error) -> Self {
        let kind = if source.is_timeout() {
            ErrorKind::Timeout
        } else if source.is_connect() {
            ErrorKind::Connect
        } else {
            ErrorKind::Transport
        };
        Self::Transport {
            kind,
            method: method.to_owned(),
            path: path.to_owned(),
            source: source.without_url(),
            attempts: 1,
            write: method != "GET",
        }
    }

    pub(crate) fn decode(
        status: u16,
        path: &str,
        body: &[u8],
        source: serde_path_to_error::Error<serde_json::Error>,
    ) -> Self {
        let field = source.path().to_string();
        Self::decode_at(status, path, &field, source.into_inner().to_string(), body)
    }

    /// A decode error at `field` (`.` for the whole body), quoting the start of the body.
    pub(crate) fn decode_at(status: u16, path: &str, field: &str, message: String, body: &[u8]) -> Self {
        Self::Decode {
            status,
            path: path.to_owned(),
            field: field.to_owned(),
            message,
            snippet: snippet(body),
        }
    }
}

impl From<ApiError> for Error {
    fn from(api: ApiError) -> Self {
        Self::Api(Box::new(api))
    }
}

/// The IROH error codes with which XDR's token endpoint refuses client credentials (with a 400).
const REFUSED_CLIENT_CREDENTIALS: [&str; 3] = ["invalid_client", "wrong_client_creds", "access_denied"];

/// The service's answer to a request that failed (any non-2xx status).
///
/// Built from every error response, whatever its body: the SCC envelope (`trackingId`, `message`,
/// `timestamp`, `statusCode`, `path`) is read when present, and the raw body is always kept, even
/// when it is empty, HTML or truncated JSON. It serializes to the keys of the Python SDK's
/// `SCCError.to_dict()`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status code.
    #[serde(rename = "status_code")]
    pub status: u16,
    /// The service's message, or the status's reason phrase when the body has none.
    pub message: String,
    /// `trackingId`: the id Cisco support asks for.
    pub tracking_id: Option<String>,
    /// `timestamp` as the service wrote it (RFC 3339).
    pub timestamp: Option<String>,
    /// `path` as the service wrote it, or the request path when the body has none.
    pub path: Option<String>,
    /// The body as received (lossy UTF-8).
    #[serde(rename = "response")]
    pub body: String,
    /// `Retry-After`, when the response carried one.
    #[serde(skip)]
    pub retry_after: Option<Duration>,
    /// Attempts made in all (1 when there was no retry).
    #[serde(skip)]
    pub attempts: u32,
    /// False when the request was a read (it changed nothing, whatever became of it).
    #[serde(skip)]
    pub write: bool,
    /// The answer's headers (names in lower case), for callers that read them as `requests` users
    /// did (`Retry-After`, `Content-Type`, the tracking headers).
    #[serde(skip)]
    pub headers: Vec<(String, String)>,
}

impl ApiError {
    /// Builds the error from a status, the request path and the raw body.
    ///
    /// ```
    /// // Any body: an HTML error page keeps its status and text.
    /// let error = scc_sdk::ApiError::from_response(502, "/v1/organizations", b"<html>Bad gateway</html>", None);
    /// assert_eq!(error.kind(), scc_sdk::ErrorKind::Server);
    /// assert_eq!(error.body, "<html>Bad gateway</html>");
    /// ```
    pub fn from_response(status: u16, request_path: &str, body: &[u8], retry_after: Option<Duration>) -> Self {
        let text = String::from_utf8_lossy(body).into_owned();
        let envelope = serde_json::from_slice::<serde_json::Value>(body).ok();
        let field = |name: &str| {
            envelope
                .as_ref()
                .and_then(|value| value.get(name))
                .and_then(|value| value.as_str())
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let message = field("message")
            .or_else(|| field("error_description"))
            .or_else(|| field("error"))
            .unwrap_or_else(|| {
                let reason = StatusCode::from_u16(status)
                    .ok()
                    .and_then(|code| code.canonical_reason())
                    .unwrap_or("unexpected status");
                if text.trim().is_empty() || envelope.is_some() {
                    reason.to_owned()
                } else {
                    format!("{reason}; body starts with: {}", snippet(body))
                }
            });
        Self {
            status,
            message,
            tracking_id: field("trackingId").or_else(|| field("trace_id")),
            timestamp: field("timestamp"),
            path: field("path").or_else(|| Some(request_path.to_owned())),
            body: text,
            retry_after,
            attempts: 1,
            write: true,
            headers: Vec::new(),
        }
    }

    /// What kind of failure the status means. XDR's token endpoint refuses client credentials with 400
    /// and an `error` of `invalid_client`, `wrong_client_creds` or `access_denied`: an authentication
    /// failure, whatever the status says.
    pub fn kind(&self) -> ErrorKind {
        if self.status == 400
            && self
                .error_code()
                .is_some_and(|code| REFUSED_CLIENT_CREDENTIALS.contains(&code.as_str()))
        {
            return ErrorKind::Authentication;
        }
        StatusCode::from_u16(self.status).map_or(ErrorKind::OtherStatus, ErrorKind::from_status)
    }

    /// The IROH `error` code of an XDR error (`invalid_client`, `missing_scope`, …).
    pub fn error_code(&self) -> Option<String> {
        self.body_json()?.get("error")?.as_str().map(str::to_owned)
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// The error as the Python SDK's `to_dict()` gives it: `message`, `status_code`, `tracking_id`,
    /// `timestamp`, `path`, `response`.
    ///
    /// ```
    /// let body = br#"{"trackingId": "t-1", "message": "invalid claim code provided", "statusCode": 400}"#;
    /// let error = scc_sdk::ApiError::from_response(400, "/v1/organizations/o/subscriptions/claimInfo", body, None);
    /// let dict = error.to_dict();
    /// assert_eq!(dict["status_code"], 400);
    /// assert_eq!(dict["tracking_id"], "t-1");
    /// assert_eq!(dict["response"]["message"], "invalid claim code provided");
    /// ```
    pub fn to_dict(&self) -> serde_json::Value {
        let mut value = serde_json::json!({
            "message": self.message,
            "status_code": self.status,
            "tracking_id": self.tracking_id,
            "timestamp": self.timestamp,
            "path": self.path,
        });
        value["response"] = self
            .body_json()
            .unwrap_or_else(|| serde_json::Value::String(self.body.clone()));
        value
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The service's words, on one line: a newline or an escape sequence in them forges nothing.
        write!(f, "HTTP {}: {}", self.status, crate::text::one_line(&self.message))?;
        if let Some(tracking_id) = &self.tracking_id {
            write!(f, " (tracking id {tracking_id})")?;
        }
        f.write_str(&attempts_suffix(self.attempts))
    }
}

impl std::error::Error for ApiError {}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return "(empty)".to_owned();
    }
    let mut end = trimmed.len().min(BODY_SNIPPET_LEN);
    while !trimmed.is_char_boundary(end) {
        end -= 1;
    }
    let mut out: String = trimmed[..end]
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if end < trimmed.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_fields_are_read() {
        let body = br#"{"trackingId":"bb7d","message":"invalid claim code provided","timestamp":"2026-02-05T22:53:38.923039436Z","statusCode":400,"path":"/v1/organizations/x/subscriptions/claimInfo"}"#;
        let error = ApiError::from_response(400, "/v1/request", body, None);
        assert_eq!(error.kind(), ErrorKind::Validation);
        assert_eq!(error.message, "invalid claim code provided");
        assert_eq!(error.tracking_id.as_deref(), Some("bb7d"));
        assert_eq!(
            error.path.as_deref(),
            Some("/v1/organizations/x/subscriptions/claimInfo")
        );
        assert_eq!(
            error.to_string(),
            "HTTP 400: invalid claim code provided (tracking id bb7d)"
        );
    }

    #[test]
    fn odd_bodies_keep_status_and_body() {
        for (body, expected) in [
            (&b""[..], "Bad Gateway"),
            (
                b"<html><body>Bad gateway</body></html>",
                "Bad Gateway; body starts with: <html><body>Bad gateway</body></html>",
            ),
            (
                b"{\"message\": \"trunc",
                "Bad Gateway; body starts with: {\"message\": \"trunc",
            ),
            (b"[1,2]", "Bad Gateway"),
        ] {
            let error = ApiError::from_response(502, "/v1/x", body, None);
            assert_eq!(error.kind(), ErrorKind::Server);
            assert_eq!(error.message, expected);
            assert_eq!(error.body.as_bytes(), body);
            assert_eq!(error.path.as_deref(), Some("/v1/x"));
        }
    }

    #[test]
    fn status_maps_to_kind() {
        for (status, kind) in [
            (400, ErrorKind::Validation),
            (401, ErrorKind::Authentication),
            (403, ErrorKind::Forbidden),
            (404, ErrorKind::NotFound),
            (409, ErrorKind::Conflict),
            (429, ErrorKind::RateLimited),
            (500, ErrorKind::Server),
            (503, ErrorKind::Server),
            (418, ErrorKind::OtherStatus),
        ] {
            assert_eq!(ApiError::from_response(status, "/", b"", None).kind(), kind, "{status}");
        }
    }

    #[test]
    fn xdr_refusals_of_client_credentials_are_authentication_failures() {
        for code in ["invalid_client", "wrong_client_creds", "access_denied"] {
            let body = format!(r#"{{"error": "{code}", "error_description": "no"}}"#);
            let error = ApiError::from_response(400, "/iroh/oauth2/token", body.as_bytes(), None);
            assert_eq!(error.kind(), ErrorKind::Authentication, "{code}");
        }
        let other = ApiError::from_response(
            400,
            "/iroh/oauth2/token",
            br#"{"error": "unsupported_grant_type"}"#,
            None,
        );
        assert_eq!(other.kind(), ErrorKind::Validation);
    }

    #[test]
    fn to_dict_has_the_python_keys() {
        let body = br#"{"trackingId":"t-1","message":"nope","timestamp":"2026-01-01T00:00:00Z","statusCode":404,"path":"/v1/a"}"#;
        let dict = ApiError::from_response(404, "/v1/a", body, None).to_dict();
        let mut keys: Vec<_> = dict
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        assert_eq!(
            keys,
            ["message", "path", "response", "status_code", "timestamp", "tracking_id"]
        );
        assert_eq!(dict["response"]["trackingId"], "t-1");
        let serialized = serde_json::to_value(ApiError::from_response(404, "/v1/a", body, None)).unwrap_or_default();
        assert_eq!(serialized["status_code"], 404);
        assert_eq!(serialized["tracking_id"], "t-1");
    }

    #[test]
    fn snippet_is_bounded_and_char_safe() {
        let long = "é".repeat(500);
        let cut = snippet(long.as_bytes());
        assert!(cut.ends_with('…'));
        assert!(cut.len() <= BODY_SNIPPET_LEN + '…'.len_utf8());
    }
}
