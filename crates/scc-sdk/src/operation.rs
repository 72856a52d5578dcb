//! [`Operation`]: one API call, validated and built, not yet sent.
//!
//! Awaiting an operation sends it and decodes the answer into the SDK's model; [`Operation::send_raw`]
//! sends the very same request (same checks, URL, body, retries and token handling) and returns the
//! body's bytes untouched, for callers that decode it themselves (the Python package).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::pagination::{Listed, Page};
use crate::transport::{Request, Response};
use crate::{Client, Result};

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

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may hold tokens (a token refresh): only its size is shown.
        f.debug_struct("RawBody")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("next_cursor", &self.next_cursor)
            .finish()
    }
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
    /// The Python SDK's name of the operation, e.g. `organizations.get`.
    pub fn name(&self) -> Option<&'static str> {
        self.request.as_ref().ok().map(Request::operation)
    }

    /// Sends the request and decodes the answer.
    pub async fn send(self) -> Result<T> {
        let response = self.client.execute(self.request?).await?;
        (self.decode)(&response)
    }

    /// Sends the request and returns the body's bytes without decoding them.
    pub async fn send_raw(self) -> Result<RawBody> {
        let response = self.client.execute(self.request?).await?;
        Ok(response.into_raw())
    }
}

impl<T: Send + 'static> IntoFuture for Operation<T> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
