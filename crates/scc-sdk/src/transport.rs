//! The one path every request takes: build the URL (every id percent-encoded), attach the headers,
//! send, turn a non-2xx answer into an [`ApiError`], decode a 2xx body.

use std::borrow::Cow;
use std::fmt::Display;
use std::future::Future;

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, LINK, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use std::sync::Arc;

use base64::Engine;
use futures_util::future::Either;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::config::Config;
use crate::error::ApiError;
use crate::pagination::{Listed, Page};
use crate::ratelimit::TokenBucket;
use crate::retry::{self, Clock, Decision, Failure, RetryConfig, Sleep};
use crate::{Error, ErrorKind, Result, validate};

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// One API call, described before it is sent.
#[derive(Debug)]
pub(crate) struct Request {
    /// The Python SDK's name of the operation, e.g. `organizations.get`.
    operation: &'static str,
    method: Method,
    /// Path below the base path with `{name}` placeholders, e.g. `organizations/{org_id}`.
    template: &'static str,
    /// A path given as it is (the raw escape hatch), instead of the template.
    raw_path: Option<String>,
    params: Vec<(&'static str, String)>,
    query: Vec<(Cow<'static, str>, String)>,
    body: Body,
    auth: Auth,
    /// A POST that changes nothing (claim info, the XDR token exchange): retried like a GET and sent
    /// even in dry-run mode.
    read_only: bool,
    /// The answer holds secrets (tokens): never traced.
    sensitive: bool,
}

#[derive(Debug)]
enum Body {
    Empty,
    Json(Bytes),
    Form(String),
}

#[derive(Debug)]
enum Auth {
    /// The client's access token.
    AccessToken,
    /// A token given for this call (the refresh token of a token refresh).
    Bearer(SecretString),
    /// HTTP Basic client credentials (the XDR token endpoint).
    Basic(String, SecretString),
}

impl Request {
    pub(crate) fn new(operation: &'static str, method: Method, template: &'static str) -> Self {
        Self {
            operation,
            method,
            template,
            raw_path: None,
            params: Vec::new(),
            query: Vec::new(),
            body: Body::Empty,
            auth: Auth::AccessToken,
            read_only: false,
            sensitive: false,
        }
    }

    /// The Python SDK's name of the operation.
    pub(crate) fn operation(&self) -> &'static str {
        self.operation
    }

    /// True when the request may change something on the server.
    pub(crate) fn is_write(&self) -> bool {
        self.method != Method::GET && !self.read_only
    }

    /// Marks a request whose answer holds secrets, so its body is never traced.
    pub(crate) fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Marks a POST that changes nothing, so the retry policy may repeat it like a GET.
    pub(crate) fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// Fills the `{name}` placeholder of the path.
    pub(crate) fn param(mut self, name: &'static str, value: impl AsRef<str>) -> Self {
        self.params.push((name, value.as_ref().to_owned()));
        self
    }

    /// Adds a query parameter.
    pub(crate) fn query(mut self, name: &'static str, value: impl Display) -> Self {
        self.query.push((Cow::Borrowed(name), value.to_string()));
        self
    }

    /// Adds a query parameter when it is set and not empty (the Python SDK sends only truthy values).
    pub(crate) fn query_opt(self, name: &'static str, value: Option<impl Display>) -> Self {
        match value.map(|value| value.to_string()).filter(|value| !value.is_empty()) {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|error| Error::invalid("body", error.to_string()))?;
        self.body = Body::Json(Bytes::from(bytes));
        Ok(self)
    }

    pub(crate) fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.body = Body::Form(encoded);
        self
    }

    pub(crate) fn bearer(mut self, token: SecretString) -> Self {
        self.auth = Auth::Bearer(token);
        self
    }

    pub(crate) fn basic(mut self, user: &str, password: SecretString) -> Self {
        self.auth = Auth::Basic(user.to_owned(), password);
        self
    }

    /// A request to a path given as it is, below the base path (`scc api`).
    pub(crate) fn raw(method: Method, path: &str, query: &str) -> Self {
        let mut request = Self::new("api", method, "{raw}");
        request.raw_path = Some(path.trim_start_matches('/').to_owned());
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            request.query.push((Cow::Owned(key.into_owned()), value.into_owned()));
        }
        request
    }

    /// The full URL. A missing or empty path id fails here, naming the parameter, before anything is sent.
    /// The request's URL, written as text onto the root's own serialization (already encoded) and
    /// parsed once: cheaper than cloning a `Url` and pushing segments into it on every request.
    fn url(&self, root: &Url) -> Result<Url> {
        let mut text = String::with_capacity(root.as_str().len() + 96);
        text.push_str(root.as_str().trim_end_matches('/'));
        let mut push = |segment: &str| {
            text.push('/');
            text.extend(percent_encoding::utf8_percent_encode(segment, PATH_SEGMENT));
        };
        if let Some(raw) = &self.raw_path {
            for piece in raw.split('/').filter(|piece| !piece.is_empty()) {
                let piece = percent_decode(piece);
                // A URL reads `.` and `..` as folders: a raw path stays below the base path.
                if matches!(piece.as_str(), "." | "..") {
                    return Err(Error::invalid(
                        "path",
                        format!("{raw:?} climbs out of the base path ({piece:?} is not a path segment here)"),
                    ));
                }
                push(&piece);
            }
        } else {
            for piece in self.template.split('/') {
                match piece.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) {
                    Some(name) => {
                        let value = self
                            .params
                            .iter()
                            .find(|(param, _)| *param == name)
                            .map(|(_, value)| value.as_str())
                            .unwrap_or_default();
                        validate::non_empty(name, value)?;
                        // A URL reads `.` and `..` (encoded or not) as folders: no id can be one.
                        if matches!(value, "." | "..") {
                            return Err(Error::invalid(name, format!("{value:?} is not an id")));
                        }
                        push(value);
                    }
                    None => push(piece),
                }
            }
        }
        if !self.query.is_empty() {
            text.push('?');
            let start = text.len();
            let mut query = url::form_urlencoded::Serializer::for_suffix(text, start);
            query.extend_pairs(self.query.iter().map(|(key, value)| (key.as_ref(), value.as_str())));
            text = query.finish();
        }
        Url::parse(&text).map_err(|error| Error::Configuration(format!("cannot build the request URL: {error}")))
    }
}

impl Request {
    /// What this request sends, as a value (its URL already built).
    pub(crate) fn planned(&self, url: &Url) -> PlannedRequest {
        let body = match &self.body {
            Body::Empty => None,
            Body::Json(bytes) => serde_json::from_slice(bytes).ok(),
            Body::Form(text) => Some(serde_json::Value::String(text.clone())),
        };
        PlannedRequest {
            operation: self.operation.to_owned(),
            method: self.method.to_string(),
            url: url.to_string(),
            body,
        }
    }

    /// What this request would send below `root`, checked as sending checks it.
    pub(crate) fn plan(&self, root: &Url) -> Result<PlannedRequest> {
        Ok(self.planned(&self.url(root)?))
    }
}

/// Redirects a read follows before giving up.
const MAX_REDIRECTS: usize = 5;

/// Where a redirect answered to `url` leads, when the SDK follows it: only for a read, only on the
/// same origin (scheme, host and port: the token never goes to another host), at most
/// [`MAX_REDIRECTS`] times. Otherwise why not, for the error.
fn redirect_target(
    url: &Url,
    response: &reqwest::Response,
    write: bool,
    followed: usize,
) -> std::result::Result<Url, String> {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let Some(location) = location else {
        return Err(format!("HTTP {status} redirect without a Location"));
    };
    if write {
        return Err(format!(
            "the service answered the write with a redirect (HTTP {status} to {location}); a write is never \
             sent again elsewhere, and it may have been applied: read the state before repeating it"
        ));
    }
    let target = url
        .join(&location)
        .map_err(|error| format!("HTTP {status} redirect to an invalid Location {location:?}: {error}"))?;
    if target.origin() != url.origin() {
        return Err(format!(
            "HTTP {status} redirect to another origin ({location}) not followed: the token goes to the configured \
             service only (check the base URL)"
        ));
    }
    if followed >= MAX_REDIRECTS {
        return Err(format!("more than {MAX_REDIRECTS} redirects (the last to {location})"));
    }
    Ok(target)
}

/// What a path segment must encode (the URL standard's path-segment set, with `\\` for http).
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| text.to_owned())
}

/// What a request sends: returned instead of sending a write when the client is in dry-run mode, and
/// by [`Operation::plan`](crate::Operation::plan).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PlannedRequest {
    /// The SDK operation, e.g. `organizations.create`.
    pub operation: String,
    /// The HTTP method.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The body: JSON, or the form text of a token refresh.
    pub body: Option<serde_json::Value>,
}

/// The answer of a raw request: status, body (JSON, `null` when empty, a string when not JSON) and the
/// next cursor when the answer is a page.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: serde_json::Value,
    /// The next cursor (body `cursor`, `nextCursor`, or `Link`).
    pub next_cursor: Option<String>,
}

/// A 2xx answer as it came: status, body bytes, and the next cursor when it is a page.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RawBody {
    /// HTTP status.
    pub status: u16,
    /// The body exactly as received (empty for a 204).
    pub body: Bytes,
    /// The next page's cursor (body `cursor`, `nextCursor`, then the `Link` header), if any.
    pub next_cursor: Option<String>,
}

impl std::fmt::Debug for RawBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body may hold tokens (a token refresh): only its size is shown.
        f.debug_struct("RawBody")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("next_cursor", &self.next_cursor)
            .finish()
    }
}

/// A 2xx answer.
#[derive(Debug)]
pub(crate) struct Response {
    status: StatusCode,
    /// The `Link` header, for the next cursor.
    link: Option<String>,
    body: Bytes,
    path: String,
}

impl Response {
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        // An empty body (204, or a 200 with nothing) reads as `{}`, as in the Python SDK.
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &self.body
        };
        // The plain decoder first; only a body it refuses is decoded again to name the field.
        if let Ok(value) = serde_json::from_slice(body) {
            return Ok(value);
        }
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let value = serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|error| Error::decode(self.status.as_u16(), &self.path, body, error))?;
        deserializer
            .end()
            .map_err(|error| Error::decode_at(self.status.as_u16(), &self.path, ".", error.to_string(), body))?;
        Ok(value)
    }

    pub(crate) fn decode_page<T: Listed>(&self) -> Result<Page<T>> {
        let mut page: Page<T> = self.decode()?;
        page.resolve_cursor(self.link.as_deref());
        Ok(page)
    }

    /// The answer as received; the next cursor is read when the body is a JSON object.
    pub(crate) fn into_raw(self) -> RawBody {
        let fields = if self.body.first() == Some(&b'{') {
            serde_json::from_slice::<CursorFields>(&self.body).unwrap_or_default()
        } else {
            CursorFields::default()
        };
        let next_cursor = crate::pagination::next_cursor(
            fields.cursor.as_ref(),
            fields.next_cursor.as_ref(),
            self.link.as_deref(),
        );
        RawBody {
            status: self.status.as_u16(),
            body: self.body,
            next_cursor,
        }
    }
}

/// The only fields of a body that say where the next page is; the rest is skipped unread.
#[derive(Default, serde::Deserialize)]
struct CursorFields {
    cursor: Option<serde_json::Value>,
    #[serde(rename = "nextCursor")]
    next_cursor: Option<serde_json::Value>,
}

/// Where the `Authorization` header of each request comes from: a fixed token, refreshing API-key
/// credentials, or cached client credentials (see [`crate::auth`]). The transport asks for it before
/// every attempt and tells it about a 401; a source that must fetch a token sends that request through
/// the same transport, with a fixed header, so resolving an identity never needs an identity.
pub(crate) trait Identity: Send + Sync {
    /// The header for the next attempt when it is known without waiting (a fixed token, a token
    /// that is not due for refresh).
    fn ready(&self, _: &Transport) -> Option<Arc<Bearer>> {
        None
    }

    /// The header for the next attempt.
    fn authorization(&self, transport: &Transport) -> impl Future<Output = Result<Arc<Bearer>>> + Send;

    /// The service answered 401 to `used`: true when a fresh identity is ready and the request should
    /// be replayed once.
    fn after_unauthorized(&self, transport: &Transport, used: &Bearer) -> impl Future<Output = Result<bool>> + Send;
}

/// The identity of requests whose header is fixed (a token refresh, a client-credentials exchange).
pub(crate) struct FixedHeader;

impl Identity for FixedHeader {
    async fn authorization(&self, _: &Transport) -> Result<Arc<Bearer>> {
        Err(Error::Configuration(
            "this request carries its own authorization".into(),
        ))
    }

    async fn after_unauthorized(&self, _: &Transport, _: &Bearer) -> Result<bool> {
        Ok(false)
    }
}

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

/// The connection side of a client: its settings, HTTP client, URL root, user agent, rate limiter,
/// sleep and clock, dry run. It knows nothing of tokens: each call is given its [`Identity`].
pub(crate) struct Transport {
    pub(crate) config: Config,
    pub(crate) http: reqwest::Client,
    /// `config`'s base URL joined with its base path, parsed once.
    pub(crate) api_root: Url,
    /// `config`'s user agent as a header value, parsed once.
    pub(crate) user_agent: HeaderValue,
    pub(crate) rate_limiter: Option<TokenBucket>,
    pub(crate) sleep: Arc<dyn Sleep>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) dry_run: bool,
}

/// One failed attempt: the error to return and what the retry policy needs to know of it.
struct AttemptError {
    error: Error,
    failure: Failure,
}

impl AttemptError {
    /// A request that failed in transport (no answer, or an answer cut short).
    fn transport(method: &str, path: &str, source: reqwest::Error) -> Self {
        let error = Error::transport(method, path, source);
        let failure = match error.kind() {
            ErrorKind::Connect if error.is_connect_refused_for_good() => Failure::ConnectRefusedForGood,
            ErrorKind::Connect => Failure::Connect,
            ErrorKind::Timeout => Failure::Timeout,
            _ => Failure::Transport,
        };
        Self { error, failure }
    }
}

impl Transport {
    /// Sends a request and returns the 2xx answer; any other status becomes an [`Error::Api`]. Retries
    /// as [`crate::retry::decide`] says, waits for the rate limiter before every attempt, and after a
    /// 401 lets `identity` refresh (once for all callers) and replays the request once.
    ///
    /// A plain function returning one future (not an `async fn` around an `async` block): the
    /// request and its URL are then held once in the future, which stays small enough to be
    /// allocated and moved cheaply on every call.
    pub(crate) fn execute<'a, I: Identity>(
        &'a self,
        request: Request,
        retry: RetryConfig,
        identity: &'a I,
    ) -> impl Future<Output = Result<Response>> + Send + 'a {
        let (url, path) = match self.prepare(&request) {
            Ok(prepared) => prepared,
            Err(error) => return Either::Left(std::future::ready(Err(error))),
        };
        let span = tracing::debug_span!(
            "scc.request",
            operation = request.operation,
            method = %request.method,
            path = request.template,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            tracking_id = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let sending = async move {
            let span = tracing::Span::current();
            let started = std::time::Instant::now();
            if let Body::Json(bytes) = &request.body {
                tracing::trace!(body = %String::from_utf8_lossy(bytes), "request body");
            }
            let mut attempt = 0u32;
            let mut replaying = false;
            let mut refreshed = false;
            let mut earlier_attempt_may_have_landed = false;
            loop {
                if !replaying {
                    attempt += 1;
                }
                replaying = false;
                span.record("attempt", attempt);
                if let Some(bucket) = &self.rate_limiter {
                    bucket.acquire(self.sleep.as_ref()).await;
                }
                // The futures of rare paths (a refresh, a 401, a whole attempt) are boxed: inline, they
                // would make every call's future several kilobytes, past the allocator's fast sizes.
                let bearer = match &request.auth {
                    Auth::AccessToken => match identity.ready(self) {
                        Some(bearer) => bearer,
                        None => Box::pin(identity.authorization(self)).await?,
                    },
                    Auth::Bearer(token) => Arc::new(Bearer::new(token.clone())?),
                    Auth::Basic(user, password) => Arc::new(Bearer::basic(user, password)?),
                };
                let AttemptError { error, failure } =
                    match Box::pin(self.attempt(&request, &url, &path, &bearer.header)).await {
                        Ok(response) => {
                            span.record("status", response.status.as_u16());
                            span.record("latency_ms", started.elapsed().as_millis() as u64);
                            if !request.sensitive {
                                tracing::trace!(body = %String::from_utf8_lossy(&response.body), "response body");
                            }
                            return Ok(response);
                        }
                        Err(failed) => failed,
                    };
                if let Failure::Status { status, .. } = failure {
                    span.record("status", status);
                }
                // A delete retried after an attempt whose answer was lost, now answered 404: the lost
                // attempt deleted it, and the caller asked for exactly that.
                if request.method == Method::DELETE
                    && earlier_attempt_may_have_landed
                    && matches!(failure, Failure::Status { status: 404, .. })
                {
                    tracing::debug!(attempt, "404 after a lost answer: the earlier attempt deleted it");
                    span.record("latency_ms", started.elapsed().as_millis() as u64);
                    return Ok(Response {
                        status: StatusCode::NO_CONTENT,
                        link: None,
                        body: Bytes::new(),
                        path: path.clone(),
                    });
                }
                if matches!(
                    failure,
                    Failure::Timeout | Failure::Transport | Failure::Status { status: 500..=599, .. }
                ) {
                    earlier_attempt_may_have_landed = true;
                }
                if let Some(tracking_id) = error.tracking_id() {
                    span.record("tracking_id", tracking_id);
                }
                let unauthorized = matches!(failure, Failure::Status { status: 401, .. });
                if unauthorized && !refreshed && matches!(request.auth, Auth::AccessToken) {
                    refreshed = true;
                    if Box::pin(identity.after_unauthorized(self, &bearer)).await? {
                        tracing::debug!("401: credentials refreshed, replaying the request once");
                        replaying = true;
                        continue;
                    }
                }
                let policy_method = if request.read_only {
                    &Method::GET
                } else {
                    &request.method
                };
                match retry::decide(policy_method, failure, attempt, &retry, fastrand::f64()) {
                    Decision::Retry(delay) => {
                        tracing::debug!(attempt, ?failure, delay_ms = delay.as_millis() as u64, "retrying");
                        // Not kept across the wait: the future stays smaller.
                        drop(error);
                        self.sleep.sleep(delay).await;
                    }
                    Decision::Stop(reason) => {
                        tracing::debug!(attempt, ?failure, ?reason, "not retrying");
                        span.record("latency_ms", started.elapsed().as_millis() as u64);
                        let write = request.method != Method::GET && !request.read_only;
                        return Err(error.with_attempts(attempt).for_request(write));
                    }
                }
            }
        }
        .instrument(span);
        Either::Right(sending)
    }

    /// The request's URL and path, or why it must not be sent: an invalid id, or a write in a dry
    /// run (the error carries the request that would have been sent).
    fn prepare(&self, request: &Request) -> Result<(Url, String)> {
        let url = request.url(&self.api_root)?;
        if self.dry_run && request.method != Method::GET && !request.read_only {
            return Err(Error::DryRun(Box::new(request.planned(&url))));
        }
        let path = url.path().to_owned();
        Ok((url, path))
    }

    /// One attempt on the wire.
    async fn attempt(
        &self,
        request: &Request,
        url: &Url,
        path: &str,
        authorization: &HeaderValue,
    ) -> Result<Response, AttemptError> {
        let method = request.method.as_str();
        // Built by a plain function: its temporaries stay on the stack instead of in the future.
        let sent = self.outgoing(request, url, authorization).send();
        let mut response = sent
            .await
            .map_err(|source| AttemptError::transport(method, path, source))?;
        // Redirects are the SDK's to follow (its HTTP client follows none): a read follows them on
        // the same origin; a write never (its outcome is unknown then: it may have been applied).
        let mut followed = 0;
        while response.status().is_redirection() && response.status() != StatusCode::NOT_MODIFIED {
            let target = match redirect_target(url, &response, request.is_write(), followed) {
                Ok(target) => target,
                Err(refused) => {
                    let status = response.status().as_u16();
                    let mut error = ApiError::from_response(status, path, b"", None);
                    error.message = refused;
                    return Err(AttemptError {
                        error: error.into(),
                        failure: Failure::Status {
                            status,
                            retry_after: None,
                        },
                    });
                }
            };
            followed += 1;
            let sent = self.outgoing(request, &target, authorization).send();
            response = sent
                .await
                .map_err(|source| AttemptError::transport(method, path, source))?;
        }
        let status = response.status();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|value: &HeaderValue| value.to_str().ok())
                .map(str::to_owned)
        };
        let link = header(LINK);
        let retry_after = header(RETRY_AFTER);
        let body = self.read_body(response, method, path).await?;
        if !status.is_success() {
            let retry_after = retry_after.and_then(|value| retry::parse_retry_after(&value, self.clock.now()));
            let error = ApiError::from_response(status.as_u16(), path, &body, retry_after);
            return Err(AttemptError {
                error: error.into(),
                failure: Failure::Status {
                    status: status.as_u16(),
                    retry_after,
                },
            });
        }
        Ok(Response {
            status,
            link,
            body,
            path: path.to_owned(),
        })
    }

    /// The request of one attempt, with its headers and body.
    fn outgoing(&self, request: &Request, url: &Url, authorization: &HeaderValue) -> reqwest::RequestBuilder {
        let mut builder = self.http.request(request.method.clone(), url.clone());
        if let Some(timeout) = self.config.timeout {
            builder = builder.timeout(timeout);
        }
        let builder = builder
            .header(AUTHORIZATION, authorization.clone())
            .header(ACCEPT, JSON)
            .header(USER_AGENT, self.user_agent.clone());
        match &request.body {
            Body::Empty => builder,
            Body::Json(bytes) => builder.header(CONTENT_TYPE, JSON).body(bytes.clone()),
            Body::Form(text) => builder.header(CONTENT_TYPE, FORM).body(text.clone()),
        }
    }

    /// The body, read chunk by chunk up to `max_response_bytes`: a server sending without end costs
    /// the limit, not the machine's memory.
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        method: &str,
        path: &str,
    ) -> Result<Bytes, AttemptError> {
        let limit = self.config.max_response_bytes;
        let status = response.status().as_u16();
        let too_large = || AttemptError {
            error: Error::ResponseTooLarge {
                method: method.to_owned(),
                path: path.to_owned(),
                status,
                limit,
            },
            failure: Failure::Status {
                status,
                retry_after: None,
            },
        };
        if response.content_length().is_some_and(|length| length > limit as u64) {
            return Err(too_large());
        }
        let failed = |source| AttemptError::transport(method, path, source);
        // Most answers come in one chunk: that chunk is the body, with no copy.
        let first = match response.chunk().await.map_err(failed)? {
            None => return Ok(Bytes::new()),
            Some(chunk) if chunk.len() > limit => return Err(too_large()),
            Some(chunk) => chunk,
        };
        let Some(second) = response.chunk().await.map_err(failed)? else {
            return Ok(first);
        };
        let expected = response.content_length().map_or(0, |length| length as usize).min(limit);
        let mut body = bytes::BytesMut::with_capacity(expected.max(first.len() + second.len()));
        body.extend_from_slice(&first);
        let mut next = Some(second);
        while let Some(chunk) = next {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
            next = response.chunk().await.map_err(failed)?;
        }
        Ok(body.freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Url {
        Url::parse("https://h.example/v1").expect("valid")
    }

    #[test]
    fn ids_are_percent_encoded_and_query_kept() {
        let request = Request::new(
            "groups.get",
            Method::GET,
            "organizations/{org_id}/adminGroups/{group_id}",
        )
        .param("org_id", "a/b c")
        .param("group_id", "x?y#z%")
        .query("max", 10)
        .query_opt("name", Some("A&B"))
        .query_opt("cursor", None::<&str>)
        .query_opt("sortBy", Some(""));
        let url = request.url(&root()).expect("valid");
        assert_eq!(
            url.as_str(),
            "https://h.example/v1/organizations/a%2Fb%20c/adminGroups/x%3Fy%23z%25?max=10&name=A%26B"
        );
    }

    #[test]
    fn dot_segments_are_refused_never_resolved() {
        let request = Request::new(
            "groups.get",
            Method::GET,
            "organizations/{org_id}/adminGroups/{group_id}",
        )
        .param("org_id", "o")
        .param("group_id", "..");
        assert!(matches!(request.url(&root()), Err(Error::InvalidInput { ref field, .. }) if field == "group_id"));
        let root = Url::parse("http://127.0.0.1:8080/").expect("root");
        let request = Request::new("organizations.list", Method::GET, "organizations").query("max", 5);
        assert_eq!(
            request.url(&root).expect("valid").as_str(),
            "http://127.0.0.1:8080/organizations?max=5"
        );
    }

    #[test]
    fn a_raw_path_never_climbs_out_of_the_base_path() {
        let root = Url::parse("http://127.0.0.1:8080/v1").expect("root");
        for path in [
            "../../_emulator/state",
            "organizations/../../x",
            "./x",
            "%2e%2e/x",
            "a/%2E%2E/b",
        ] {
            let request = Request::raw(Method::GET, path, "");
            assert!(
                matches!(request.url(&root), Err(Error::InvalidInput { ref field, .. }) if field == "path"),
                "{path}"
            );
        }
        let request = Request::raw(Method::GET, "organizations/a..b/x.y", "");
        assert_eq!(
            request.url(&root).expect("dots inside a segment are fine").as_str(),
            "http://127.0.0.1:8080/v1/organizations/a..b/x.y"
        );
    }

    #[test]
    fn empty_or_missing_ids_are_refused() {
        let empty = Request::new("organizations.get", Method::GET, "organizations/{org_id}").param("org_id", " ");
        assert!(matches!(empty.url(&root()), Err(Error::InvalidInput { ref field, .. }) if field == "org_id"));
        let missing = Request::new("organizations.get", Method::GET, "organizations/{org_id}");
        assert!(missing.url(&root()).is_err());
    }

    /// Every call's future is allocated once (`.await` boxes it) and moved: past about 1 KiB the
    /// allocator leaves its fast path (glibc's tcache) and at 64 calls in flight that showed as a few
    /// percent of the client's time. A refresh, a 401 and the attempt are boxed to keep it small.
    #[test]
    fn the_future_of_a_call_stays_small() {
        let client = crate::Client::builder()
            .access_token("token")
            .base_url("http://127.0.0.1:9")
            .build()
            .expect("client");
        let call = client.organizations().get("org").send();
        assert!(
            std::mem::size_of_val(&call) <= 1024,
            "{} bytes",
            std::mem::size_of_val(&call)
        );
        let attempt_request =
            Request::new("organizations.get", Method::GET, "organizations/{org_id}").param("org_id", "o");
        let url = attempt_request.url(&root()).expect("url");
        let transport = &client.inner.transport;
        let header = HeaderValue::from_static("Bearer token");
        let attempt = transport.attempt(&attempt_request, &url, "/v1/organizations/o", &header);
        assert!(
            std::mem::size_of_val(&attempt) <= 1024,
            "{} bytes",
            std::mem::size_of_val(&attempt)
        );
    }
}

/// No answer a server can send panics the SDK: any status, any body (random bytes, or JSON shaped
/// like the API's with extreme numbers and odd types in its fields), decoded as every model, as an
/// error, as a page and as a token refresh whose expiries feed the credentials' arithmetic.
#[cfg(test)]
mod answers_never_panic {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::types::*;

    fn response(status: u16, body: Vec<u8>, link: Option<String>) -> Response {
        Response {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            link,
            body: Bytes::from(body),
            path: "/v1/organizations".to_owned(),
        }
    }

    fn number() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(json!(u64::MAX)),
            Just(json!(i64::MIN)),
            Just(json!(i64::MAX)),
            Just(json!(f64::MAX)),
            Just(json!(-1)),
            Just(json!(0)),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
        ]
    }

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            number(),
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            ".{0,12}".prop_map(Value::String),
            Just(json!("\u{1b}]0;x\u{7}")),
        ]
    }

    /// An object with the API's field names, each holding an arbitrary scalar, list or object.
    fn shaped() -> impl Strategy<Value = Value> {
        let names = prop::sample::select(vec![
            "id",
            "name",
            "type",
            "regionCode",
            "created",
            "organizations",
            "groups",
            "users",
            "roles",
            "results",
            "cursor",
            "nextCursor",
            "pagination",
            "next",
            "access_token",
            "refresh_token",
            "expires_in",
            "refresh_token_expires_in",
            "token_type",
            "products",
            "allowedRegions",
            "entitlements",
            "status",
            "errorDescription",
            "message",
            "statusCode",
            "trackingId",
            "timestamp",
            "path",
            "email",
            "isTrial",
            "quantity",
            "exp",
        ]);
        let leaf = scalar();
        leaf.prop_recursive(3, 24, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(names.clone().prop_map(str::to_owned), inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            shaped().prop_map(|value| serde_json::to_vec(&value).unwrap_or_default()),
        ]
    }

    fn every_decode(answer: &Response) {
        let _ = answer.decode::<Organization>();
        let _ = answer.decode_page::<Organization>();
        let _ = answer.decode_page::<AdminGroup>();
        let _ = answer.decode_page::<User>();
        let _ = answer.decode_page::<Role>();
        let _ = answer.decode::<Role>();
        let _ = answer.decode::<Subscription>();
        let _ = answer.decode::<ClaimInfo>();
        let _ = answer.decode::<crate::BulkResult>().map(|result| result.summary());
        if let Ok(pair) = answer.decode::<TokenPair>() {
            for now in [std::time::UNIX_EPOCH, std::time::SystemTime::now()] {
                let rotated = crate::Credentials::new("o", "k", "a", "r").rotated(&pair, now);
                let _ = rotated.expiring(now);
            }
        }
        let _ = ApiError::from_response(answer.status.as_u16(), &answer.path, &answer.body, None).to_string();
        let _ = crate::auth::jwt_expiry(&String::from_utf8_lossy(&answer.body));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_answer_is_decoded_or_refused(status in 100u16..600, body in body(), link in proptest::option::of(".{0,40}")) {
            every_decode(&response(status, body, link));
        }

        #[test]
        fn any_jwt_expiry_is_a_time(exp in number()) {
            let encode = |text: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
            let token = format!("{}.{}.sig", encode("{}".into()), encode(json!({"exp": exp}).to_string()));
            let credentials = crate::Credentials::new("o", "k", token, "r");
            let _ = credentials.expiring(std::time::SystemTime::now());
        }
    }
}
