//! The one path every request takes: build the URL (every id percent-encoded), attach the headers,
//! send, turn a non-2xx answer into an [`ApiError`], decode a 2xx body.

use std::fmt::Display;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LINK, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::error::ApiError;
use crate::pagination::{Listed, Page};
use crate::{Client, Error, Result, validate};

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
    params: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
    body: Body,
    auth: Auth,
}

#[derive(Debug)]
enum Body {
    Empty,
    Json(Vec<u8>),
    Form(String),
}

#[derive(Debug)]
enum Auth {
    /// The client's access token.
    AccessToken,
    /// A token given for this call (the refresh token of a token refresh).
    Bearer(SecretString),
}

impl Request {
    pub(crate) fn new(operation: &'static str, method: Method, template: &'static str) -> Self {
        Self {
            operation,
            method,
            template,
            params: Vec::new(),
            query: Vec::new(),
            body: Body::Empty,
            auth: Auth::AccessToken,
        }
    }

    /// Fills the `{name}` placeholder of the path.
    pub(crate) fn param(mut self, name: &'static str, value: impl AsRef<str>) -> Self {
        self.params.push((name, value.as_ref().to_owned()));
        self
    }

    /// Adds a query parameter.
    pub(crate) fn query(mut self, name: &'static str, value: impl Display) -> Self {
        self.query.push((name, value.to_string()));
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
        self.body = Body::Json(bytes);
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

    /// The full URL. A missing or empty path id fails here, naming the parameter, before anything is sent.
    fn url(&self, root: &Url) -> Result<Url> {
        let mut url = root.clone();
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|()| Error::Configuration("the base URL cannot carry a path".into()))?;
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
                        segments.push(value);
                    }
                    None => {
                        segments.push(piece);
                    }
                }
            }
        }
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        Ok(url)
    }
}

/// A 2xx answer.
#[derive(Debug)]
pub(crate) struct Response {
    status: StatusCode,
    headers: HeaderMap,
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
        deserializer.end().map_err(|error| Error::Decode {
            status: self.status.as_u16(),
            path: self.path.clone(),
            field: ".".into(),
            message: error.to_string(),
            snippet: String::from_utf8_lossy(body).chars().take(200).collect(),
        })?;
        Ok(value)
    }

    pub(crate) fn decode_page<T: Listed>(&self) -> Result<Page<T>> {
        let mut page: Page<T> = self.decode()?;
        page.resolve_cursor(self.headers.get(LINK).and_then(|value| value.to_str().ok()));
        Ok(page)
    }
}

impl Client {
    /// Sends a request and returns the 2xx answer; any other status becomes an [`Error::Api`].
    pub(crate) async fn execute(&self, request: Request) -> Result<Response> {
        let url = request.url(&self.inner.api_root)?;
        let path = url.path().to_owned();
        let span = tracing::debug_span!(
            "scc.request",
            operation = request.operation,
            method = %request.method,
            path = request.template,
            status = tracing::field::Empty,
            tracking_id = tracing::field::Empty,
        );
        async move {
            let started = std::time::Instant::now();
            let token = match &request.auth {
                Auth::AccessToken => self.inner.tokens.access_token(),
                Auth::Bearer(token) => token.clone(),
            };
            let mut authorization = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
                .map_err(|_| Error::invalid("access_token", "contains characters not allowed in an HTTP header"))?;
            authorization.set_sensitive(true);

            let mut builder = self
                .inner
                .http
                .request(request.method.clone(), url)
                .timeout(self.inner.config.timeout)
                .header(AUTHORIZATION, authorization)
                .header(ACCEPT, JSON)
                .header(USER_AGENT, &self.inner.config.user_agent);
            builder = match request.body {
                Body::Empty => builder,
                Body::Json(bytes) => builder.header(CONTENT_TYPE, JSON).body(bytes),
                Body::Form(text) => builder.header(CONTENT_TYPE, FORM).body(text),
            };

            let method = request.method.as_str();
            let response = builder
                .send()
                .await
                .map_err(|error| Error::transport(method, &path, error))?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response
                .bytes()
                .await
                .map_err(|error| Error::transport(method, &path, error))?;
            let span = tracing::Span::current();
            span.record("status", status.as_u16());
            tracing::debug!(
                status = status.as_u16(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "response"
            );

            if !status.is_success() {
                let error = ApiError::from_response(status.as_u16(), &path, &body, retry_after(&headers));
                if let Some(tracking_id) = &error.tracking_id {
                    span.record("tracking_id", tracking_id.as_str());
                }
                return Err(error.into());
            }
            Ok(Response {
                status,
                headers,
                body,
                path,
            })
        }
        .instrument(span)
        .await
    }

    pub(crate) async fn send<T: DeserializeOwned>(&self, request: Request) -> Result<T> {
        self.execute(request).await?.decode()
    }

    pub(crate) async fn send_page<T: Listed>(&self, request: Request) -> Result<Page<T>> {
        self.execute(request).await?.decode_page()
    }

    pub(crate) async fn send_empty(&self, request: Request) -> Result<()> {
        self.execute(request).await.map(drop)
    }
}

/// `Retry-After` in seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = date.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
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

    #[test]
    fn retry_after_forms() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"));
        assert_eq!(
            retry_after(&headers),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }
}
