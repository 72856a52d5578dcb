//! [`Operation`]: one API call, validated and built, not yet sent.
//!
//! Awaiting an operation sends it and decodes the answer into the SDK's model; [`Operation::send_raw`]
//! sends the very same request (same checks, URL, body, retries and token handling) and returns the
//! body's bytes untouched, for callers that decode it themselves (the Python package).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use futures_util::future::Either;
use serde::de::DeserializeOwned;

use crate::answer::{RawBody, RawResponse, Response};
use crate::pagination::{Listed, Page};
use crate::request::Request;
use crate::{Client, Result};
use reqwest::Method;

/// One API call. `.await` it (or call [`send`](Operation::send)) for the typed answer, or
/// [`send_raw`](Operation::send_raw) for the body's bytes.
///
/// Input that cannot be right was already found when the operation was built; the error is returned
/// when it is sent, and nothing reaches the wire.
///
/// ```no_run
/// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
/// let org = client.organizations().get("550e8400-e29b-41d4-a716-446655440000").await?;
/// let raw = client.organizations().get("550e8400-e29b-41d4-a716-446655440000").send_raw().await?;
/// assert_eq!(raw.status, 200);
/// # Ok(()) }
/// ```
#[must_use = "nothing is sent until the operation is awaited"]
pub struct Operation<T> {
    client: Client,
    request: Result<Request>,
    decode: fn(&Response) -> Result<T>,
}

impl<T> fmt::Debug for Operation<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operation")
            .field("request", &self.request.as_ref().map(Request::operation))
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> Operation<T> {
    /// An operation whose answer is one JSON document.
    pub(crate) fn json(client: &Client, build: impl FnOnce() -> Result<Request>) -> Self {
        Self {
            client: client.clone(),
            request: build(),
            decode: Response::decode::<T>,
        }
    }
}

impl<T: Listed> Operation<Page<T>> {
    /// An operation whose answer is a page of a list.
    pub(crate) fn page(client: &Client, build: impl FnOnce() -> Result<Request>) -> Self {
        Self {
            client: client.clone(),
            request: build(),
            decode: Response::decode_page::<T>,
        }
    }
}

impl Operation<()> {
    /// An operation whose answer's body does not matter (a delete).
    pub(crate) fn empty(client: &Client, build: impl FnOnce() -> Result<Request>) -> Self {
        Self {
            client: client.clone(),
            request: build(),
            decode: |_| Ok(()),
        }
    }
}

impl<T> Operation<T> {
    /// Sends the request and decodes the answer.
    ///
    /// A plain function returning a future rather than an `async fn`: the operation is then held
    /// once in the future, not twice.
    pub fn send(self) -> impl Future<Output = Result<T>> + Send
    where
        T: Send,
    {
        let Self {
            client,
            request,
            decode,
        } = self;
        match request {
            Err(refused) => Either::Left(std::future::ready(Err(refused))),
            Ok(request) => Either::Right(async move {
                let response = client.execute(request).await?;
                decode(&response)
            }),
        }
    }

    /// The request this operation would send (operation, method, full URL with its query, body),
    /// checked exactly as sending checks it, without sending anything. For test doubles that receive
    /// requests instead of a server, and for showing a call before making it.
    ///
    /// ```
    /// # fn run() -> scc_sdk::Result<()> {
    /// let client = scc_sdk::Client::new("token")?;
    /// let planned = client.groups().list("org-123").max(50).operation().plan()?;
    /// assert_eq!(planned.method, "GET");
    /// assert_eq!(planned.url, "https://api.security.cisco.com/v1/organizations/org-123/adminGroups?max=50");
    /// # Ok(()) }
    /// ```
    pub fn plan(self) -> Result<crate::PlannedRequest> {
        let Self { client, request, .. } = self;
        request?.plan(&client.config().api_root())
    }

    /// Sends `name: value` too (the raw escape hatch's `-H`), in place of a header of that name the
    /// SDK sends (`Accept`). Refused before anything is sent: a name or value no header may have,
    /// and the headers the client owns — `Authorization` (the token is the client's, and never on a
    /// command line), `Host`, `Content-Length`, `Transfer-Encoding`, `Connection`, `Cookie`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        use reqwest::header::{HeaderName, HeaderValue};
        const OWNED: [&str; 7] = [
            "authorization",
            "host",
            "content-length",
            "transfer-encoding",
            "connection",
            "cookie",
            "proxy-authorization",
        ];
        self.request = self.request.and_then(|mut request| {
            let field = format!("header {}", crate::text::one_line(name.trim()));
            let name = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| crate::Error::invalid(&field, "is not a header name (letters, digits and -)"))?;
            if OWNED.contains(&name.as_str()) {
                return Err(crate::Error::invalid(
                    &field,
                    "is the client's own: the token comes from the credentials in use, never from a header",
                ));
            }
            let value = HeaderValue::from_str(value.trim())
                .map_err(|_| crate::Error::invalid(&field, "has a value with a line break or a control character"))?;
            request.headers.get_or_insert_default().insert(name, value);
            Ok(request)
        });
        self
    }

    /// Sends the request and returns the body's bytes without decoding them.
    pub fn send_raw(self) -> impl Future<Output = Result<RawBody>> + Send {
        let Self { client, request, .. } = self;
        match request {
            Err(refused) => Either::Left(std::future::ready(Err(refused))),
            Ok(request) => Either::Right(async move {
                let response = client.execute(request).await?;
                Ok(response.into_raw())
            }),
        }
    }
}

impl<T: Send + 'static> IntoFuture for Operation<T> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl Client {
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
        Ok(self
            .raw_request(method, path, body.as_ref())
            .send_raw()
            .await?
            .into_response())
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
        let request = Request::raw(method, path, query);
        Operation::json(self, || match body {
            Some(body) => request.json(body),
            None => Ok(request),
        })
    }
}
