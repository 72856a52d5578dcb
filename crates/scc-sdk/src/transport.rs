//! The one path every request takes: build the URL (every id percent-encoded), attach the headers,
//! send, turn a non-2xx answer into an [`ApiError`], decode a 2xx body.

use std::borrow::Cow;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, LINK, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use std::sync::Arc;

use secrecy::SecretString;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::auth::Bearer;
use crate::error::ApiError;
use crate::operation::{Operation, RawBody};
use crate::pagination::{Listed, Page};
use crate::retry::{self, Decision, Failure};
use crate::{Client, Error, ErrorKind, Result, validate};

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
    pub(crate) fn raw(method: Method, path: &str) -> Self {
        let mut request = Self::new("api", method, "{raw}");
        request.raw_path = Some(path.trim_start_matches('/').to_owned());
        request
    }

    /// The full URL. A missing or empty path id fails here, naming the parameter, before anything is sent.
    fn url(&self, root: &Url) -> Result<Url> {
        let mut url = root.clone();
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|()| Error::Configuration("the base URL cannot carry a path".into()))?;
            if let Some(raw) = &self.raw_path {
                for piece in raw.split('/').filter(|piece| !piece.is_empty()) {
                    let decoded = percent_decode(piece);
                    segments.push(&decoded);
                }
            }
            for piece in self.template.split('/').filter(|_| self.raw_path.is_none()) {
                match piece.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) {
                    Some(name) => {
                        let value = self
                            .params
                            .iter()
                            .find(|(param, _)| *param == name)
                            .map(|(_, value)| value.as_str())
                            .unwrap_or_default();
                        validate::non_empty(name, value)?;
                        segments.push(value);
                    }
                    None => {
                        segments.push(piece);
                    }
                }
            }
        }
        if !self.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(self.query.iter().map(|(key, value)| (key.as_ref(), value.as_str())));
        }
        Ok(url)
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| text.to_owned())
}

/// What a write would have sent, returned instead of sending it when the client is in dry-run mode.
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
        let next_cursor = if self.body.first() == Some(&b'{') {
            serde_json::from_slice::<CursorFields>(&self.body)
                .ok()
                .and_then(|fields| crate::pagination::next_cursor(&fields.into_extra(), self.link.as_deref()))
        } else {
            self.link.as_deref().and_then(crate::pagination::next_cursor_from_link)
        };
        RawBody {
            status: self.status.as_u16(),
            body: self.body,
            next_cursor,
        }
    }
}

/// The only fields of a body that say where the next page is; the rest is skipped unread.
#[derive(serde::Deserialize)]
struct CursorFields {
    cursor: Option<serde_json::Value>,
    #[serde(rename = "nextCursor")]
    next_cursor: Option<serde_json::Value>,
}

impl CursorFields {
    fn into_extra(self) -> crate::types::Extra {
        let mut extra = crate::types::Extra::new();
        if let Some(cursor) = self.cursor {
            extra.insert("cursor".into(), cursor);
        }
        if let Some(cursor) = self.next_cursor {
            extra.insert("nextCursor".into(), cursor);
        }
        extra
    }
}

/// One failed attempt: the error to return and what the retry policy needs to know of it.
struct AttemptError {
    error: Error,
    failure: Failure,
}

impl Client {
    /// Sends a request and returns the 2xx answer; any other status becomes an [`Error::Api`]. Retries
    /// as [`crate::retry::decide`] says, waits for the rate limiter before every attempt, and after a
    /// 401 refreshes refreshing credentials (once for all callers) and replays the request once.
    ///
    /// Boxed with an explicit `Send`: a token refresh is itself a request, so this future contains
    /// itself.
    pub(crate) fn execute(&self, request: Request) -> Pin<Box<dyn Future<Output = Result<Response>> + Send + '_>> {
        Box::pin(self.execute_inner(request))
    }

    async fn execute_inner(&self, request: Request) -> Result<Response> {
        let url = request.url(&self.inner.api_root)?;
        if self.inner.dry_run && request.method != Method::GET && !request.read_only {
            let body = match &request.body {
                Body::Empty => None,
                Body::Json(bytes) => serde_json::from_slice(bytes).ok(),
                Body::Form(text) => Some(serde_json::Value::String(text.clone())),
            };
            return Err(Error::DryRun(Box::new(PlannedRequest {
                operation: request.operation.to_owned(),
                method: request.method.to_string(),
                url: url.to_string(),
                body,
            })));
        }
        let path = url.path().to_owned();
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
        let inner = &self.inner;
        async move {
            let span = tracing::Span::current();
            let started = std::time::Instant::now();
            let retry = self.retry_config();
            if let Body::Json(bytes) = &request.body {
                tracing::trace!(body = %String::from_utf8_lossy(bytes), "request body");
            }
            let mut attempt = 0u32;
            let mut replaying = false;
            let mut refreshed = false;
            loop {
                if !replaying {
                    attempt += 1;
                }
                replaying = false;
                span.record("attempt", attempt);
                if let Some(bucket) = &inner.rate_limiter {
                    bucket.acquire(inner.sleep.as_ref()).await;
                }
                let bearer = match &request.auth {
                    Auth::AccessToken => inner.tokens.access_token(self).await?,
                    Auth::Bearer(token) => Arc::new(Bearer::new(token.clone())?),
                    Auth::Basic(user, password) => Arc::new(Bearer::basic(user, password)?),
                };
                let AttemptError { error, failure } = match self.attempt(&request, &url, &path, &bearer.header).await {
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
                if let Some(tracking_id) = error.tracking_id() {
                    span.record("tracking_id", tracking_id);
                }
                let unauthorized = matches!(failure, Failure::Status { status: 401, .. });
                if unauthorized && !refreshed && matches!(request.auth, Auth::AccessToken) {
                    refreshed = true;
                    if inner.tokens.after_unauthorized(self, &bearer.token).await?.is_some() {
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
                        inner.sleep.sleep(delay).await;
                    }
                    Decision::Stop(reason) => {
                        tracing::debug!(attempt, ?failure, ?reason, "not retrying");
                        span.record("latency_ms", started.elapsed().as_millis() as u64);
                        return Err(error.with_attempts(attempt));
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    /// One attempt on the wire.
    async fn attempt(
        &self,
        request: &Request,
        url: &Url,
        path: &str,
        authorization: &HeaderValue,
    ) -> Result<Response, AttemptError> {
        let inner = &self.inner;
        let mut builder = inner
            .http
            .request(request.method.clone(), url.clone())
            .timeout(inner.config.timeout)
            .header(AUTHORIZATION, authorization.clone())
            .header(ACCEPT, JSON)
            .header(USER_AGENT, inner.user_agent.clone());
        builder = match &request.body {
            Body::Empty => builder,
            Body::Json(bytes) => builder.header(CONTENT_TYPE, JSON).body(bytes.clone()),
            Body::Form(text) => builder.header(CONTENT_TYPE, FORM).body(text.clone()),
        };
        let method = request.method.as_str();
        let transport = |source: reqwest::Error| {
            let error = Error::transport(method, path, source);
            let failure = match error.kind() {
                ErrorKind::Connect => Failure::Connect,
                ErrorKind::Timeout => Failure::Timeout,
                _ => Failure::Transport,
            };
            AttemptError { error, failure }
        };
        let response = builder.send().await.map_err(transport)?;
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
        let body = response.bytes().await.map_err(transport)?;
        if !status.is_success() {
            let retry_after = retry_after.and_then(|value| retry::parse_retry_after(&value, inner.clock.now()));
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

    pub(crate) async fn send<T: DeserializeOwned>(&self, request: Request) -> Result<T> {
        self.execute(request).await?.decode()
    }

    /// Any request below the base path, through the same path as every operation (auth, retries,
    /// refresh, rate limit, errors): the escape hatch for what the typed API does not cover. `path` may
    /// carry a query (`organizations?max=10`).
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let answer = client.request_raw(reqwest::Method::GET, "organizations?max=10", None).await?;
    /// println!("{} {}", answer.status, answer.body);
    /// # Ok(()) }
    /// ```
    pub async fn request_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<RawResponse> {
        let raw = self.raw_request(method, path, body.as_ref()).send_raw().await?;
        let body = if raw.body.iter().all(u8::is_ascii_whitespace) {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&raw.body)
                .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&raw.body).into_owned()))
        };
        Ok(RawResponse {
            status: raw.status,
            body,
            next_cursor: raw.next_cursor,
        })
    }

    /// The operation behind [`Client::request_raw`]: any method and path below the base path (a query
    /// may follow `?`), with an optional JSON body. Use [`Operation::send_raw`] for the body's bytes.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let raw = client.raw_request(reqwest::Method::GET, "organizations?max=10", None).send_raw().await?;
    /// println!("{} bytes", raw.body.len());
    /// # Ok(()) }
    /// ```
    pub fn raw_request(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Operation<serde_json::Value> {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let mut request = Request::raw(method, path);
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            request.query.push((Cow::Owned(key.into_owned()), value.into_owned()));
        }
        Operation::json(self, || match body {
            Some(body) => request.json(body),
            None => Ok(request),
        })
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
    fn empty_or_missing_ids_are_refused() {
        let empty = Request::new("organizations.get", Method::GET, "organizations/{org_id}").param("org_id", " ");
        assert!(matches!(empty.url(&root()), Err(Error::InvalidInput { ref field, .. }) if field == "org_id"));
        let missing = Request::new("organizations.get", Method::GET, "organizations/{org_id}");
        assert!(missing.url(&root()).is_err());
    }
}
