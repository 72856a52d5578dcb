//! The one path every request takes, as smithy's orchestrator: [`Transport::execute`] is the retry
//! loop (rate limit, the 401 replay, the DELETE-after-a-lost-answer rule, the retry decision) and
//! [`Transport::attempt`] one attempt on the wire (headers, send, redirects, the body read within its
//! bound, a non-2xx answer turned into an [`ApiError`]). The request is built in `request`, the
//! identity comes from `identity`, the answer is decoded in `answer`.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::Either;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, LINK, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use tracing::Instrument;
use url::Url;

use crate::answer::Response;
use crate::config::Config;
use crate::error::ApiError;
use crate::identity::Bearer;
use crate::ratelimit::TokenBucket;
use crate::request::{Auth, Body, FORM, JSON, Request};
use crate::retry::{self, Clock, Decision, Failure, RetryConfig, Sleep};
use crate::{Error, ErrorKind, Result};

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

/// The connection side of a client: its settings, HTTP client, URL root, user agent, rate limiter,
/// sleep and clock, dry run. It knows nothing of tokens: each call is given its [`Identity`].
pub(crate) struct Transport {
    pub(crate) config: Config,
    pub(crate) http: reqwest::Client,
    /// `http` is the caller's ([`crate::ClientBuilder::http_client`]), not one built from `config`.
    pub(crate) http_given: bool,
    /// `config`'s base URL joined with its base path, parsed once.
    pub(crate) api_root: Url,
    /// `config`'s user agent as a header value, parsed once.
    pub(crate) user_agent: HeaderValue,
    /// Shared with the clients made by `Client::with_own_connections`.
    pub(crate) rate_limiter: Option<Arc<TokenBucket>>,
    pub(crate) sleep: Arc<dyn Sleep>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) dry_run: bool,
}

/// What the retry loop knows of the attempts of one call.
#[derive(Default)]
struct Attempts {
    /// Attempts made (a replay after a refresh is not another attempt).
    count: u32,
    /// The next attempt replays the last one with refreshed credentials.
    replaying: bool,
    /// The credentials were refreshed once already in this call.
    refreshed: bool,
    /// An earlier attempt may have reached the service although its answer was lost.
    may_have_landed: bool,
}

impl Attempts {
    fn begin(&mut self) {
        if !self.replaying {
            self.count += 1;
        }
        self.replaying = false;
    }

    /// A DELETE retried after an attempt whose answer was lost, now answered 404: the lost attempt
    /// deleted it, and the caller asked for exactly that.
    fn deleted_by_a_lost_attempt(&self, method: &Method, failure: Failure) -> bool {
        *method == Method::DELETE && self.may_have_landed && matches!(failure, Failure::Status { status: 404, .. })
    }

    fn failed(&mut self, failure: Failure) {
        if matches!(
            failure,
            Failure::Timeout | Failure::Transport | Failure::Status { status: 500..=599, .. }
        ) {
            self.may_have_landed = true;
        }
    }

    /// A 401 to the client's own token, the first of the call: the identity may refresh.
    fn may_refresh(&mut self, failure: Failure, auth: &Auth) -> bool {
        let first_401 = matches!(failure, Failure::Status { status: 401, .. }) && !self.refreshed;
        if first_401 && matches!(auth, Auth::AccessToken) {
            self.refreshed = true;
            return true;
        }
        false
    }

    fn replay(&mut self) {
        self.replaying = true;
    }
}

/// One failed attempt: the error to return, what the retry policy needs to know of it, and the
/// header it was sent with (for the 401 replay).
struct AttemptError {
    error: Error,
    failure: Failure,
    bearer: Option<Arc<Bearer>>,
}

impl AttemptError {
    /// A request that failed in transport (no answer, or an answer cut short).
    fn transport(method: &str, path: &str, source: reqwest::Error) -> Self {
        let error = Error::transport(method, path, source);
        let failure = match error.kind() {
            ErrorKind::Connect if error.is_connect_refused_for_good() => Failure::ConnectRefusedForGood,
            ErrorKind::Connect if error.is_connection_refused() => Failure::Refused,
            ErrorKind::Connect => Failure::Connect,
            ErrorKind::Timeout => Failure::Timeout,
            _ => Failure::Transport,
        };
        Self {
            error,
            failure,
            bearer: None,
        }
    }

    fn by(self, bearer: Arc<Bearer>) -> Self {
        Self {
            bearer: Some(bearer),
            ..self
        }
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
            let mut attempts = Attempts::default();
            loop {
                attempts.begin();
                span.record("attempt", attempts.count);
                // Boxed: inline, one attempt's future would make every call's future several
                // kilobytes, past the allocator's fast sizes.
                let AttemptError { error, failure, bearer } =
                    match Box::pin(self.try_attempt(&request, &url, &path, identity)).await? {
                        Ok(response) => {
                            span.record("status", response.status.as_u16());
                            span.record("latency_ms", started.elapsed().as_millis() as u64);
                            // One line per answer, as an HTTP access log has it: the concrete path,
                            // the status and the size (never a header, so never the token).
                            tracing::debug!(
                                status = response.status.as_u16(),
                                bytes = response.body.len(),
                                latency_ms = started.elapsed().as_millis() as u64,
                                "\"{} {}\" {} {}",
                                request.method,
                                path,
                                response.status.as_u16(),
                                response.body.len()
                            );
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
                if attempts.deleted_by_a_lost_attempt(&request.method, failure) {
                    tracing::debug!(
                        attempts.count,
                        "404 after a lost answer: the earlier attempt deleted it"
                    );
                    span.record("latency_ms", started.elapsed().as_millis() as u64);
                    return Ok(Response {
                        status: StatusCode::NO_CONTENT,
                        link: None,
                        headers: Box::default(),
                        body: Bytes::new(),
                        path: path.clone(),
                    });
                }
                attempts.failed(failure);
                if let Some(tracking_id) = error.tracking_id() {
                    span.record("tracking_id", tracking_id);
                }
                if let Some(bearer) = bearer.filter(|_| attempts.may_refresh(failure, &request.auth))
                    && Box::pin(identity.after_unauthorized(self, &bearer)).await?
                {
                    tracing::debug!("401: credentials refreshed, replaying the request once");
                    attempts.replay();
                    continue;
                }
                let policy_method = if request.read_only {
                    &Method::GET
                } else {
                    &request.method
                };
                match retry::decide(policy_method, failure, attempts.count, &retry, fastrand::f64()) {
                    Decision::Retry(delay) => {
                        tracing::debug!(
                            attempts.count,
                            ?failure,
                            delay_ms = delay.as_millis() as u64,
                            "retrying"
                        );
                        // Not kept across the wait: the future stays smaller.
                        drop(error);
                        self.sleep.sleep(delay).await;
                    }
                    Decision::Stop(reason) => {
                        tracing::debug!(attempts.count, ?failure, ?reason, "not retrying");
                        span.record("latency_ms", started.elapsed().as_millis() as u64);
                        let write = request.method != Method::GET && !request.read_only;
                        return Err(error.with_attempts(attempts.count).for_request(write));
                    }
                }
            }
        }
        .instrument(span);
        Either::Right(sending)
    }

    /// One attempt as the caller's identity: the rate limiter's turn, the `Authorization` header (a
    /// refresh when one is due, boxed: it is rare), then the request on the wire. The header used is
    /// returned with the outcome, for the 401 replay.
    async fn try_attempt<I: Identity>(
        &self,
        request: &Request,
        url: &Url,
        path: &str,
        identity: &I,
    ) -> Result<Result<Response, AttemptError>> {
        if let Some(bucket) = &self.rate_limiter {
            bucket.acquire(self.sleep.as_ref()).await;
        }
        let bearer = match &request.auth {
            Auth::AccessToken => match identity.ready(self) {
                Some(bearer) => bearer,
                None => Box::pin(identity.authorization(self)).await?,
            },
            Auth::Bearer(token) => Arc::new(Bearer::new(token.clone())?),
            Auth::Basic(user, password) => Arc::new(Bearer::basic(user, password)?),
        };
        Ok(self
            .attempt(request, url, path, &bearer.header)
            .await
            .map_err(|failed| failed.by(bearer)))
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
                        bearer: None,
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
        let headers: Vec<(String, String)> = if status.is_success() {
            Vec::new()
        } else {
            response
                .headers()
                .iter()
                .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
                .collect()
        };
        // Moved out, not copied; boxed, so the future of an attempt stays small across the body's read.
        let kept_headers = Box::new(std::mem::take(response.headers_mut()));
        let body = self.read_body(response, method, path).await?;
        if !status.is_success() {
            let retry_after = retry_after.and_then(|value| retry::parse_retry_after(&value, self.clock.now()));
            let mut error = ApiError::from_response(status.as_u16(), path, &body, retry_after);
            error.headers = headers;
            return Err(AttemptError {
                error: error.into(),
                failure: Failure::Status {
                    status: status.as_u16(),
                    retry_after,
                },
                bearer: None,
            });
        }
        Ok(Response {
            status,
            link,
            headers: kept_headers,
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
        let builder = match &request.body {
            Body::Empty => builder,
            Body::Json(bytes) => builder.header(CONTENT_TYPE, JSON).body(bytes.clone()),
            Body::Form(text) => builder.header(CONTENT_TYPE, FORM).body(text.clone()),
        };
        match &request.headers {
            // Replaces a header of the same name (Accept, Content-Type); the SDK's own are refused
            // when they are added ([`crate::Operation::header`]).
            Some(extra) => builder.headers((**extra).clone()),
            None => builder,
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
            bearer: None,
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
        let url = attempt_request
            .url(&Url::parse("https://h.example/v1").expect("valid"))
            .expect("url");
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
