//! The harness: a mock server that answers every request with one canned response and records what
//! it received, and a client pointed at it.

use std::collections::BTreeMap;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use scc_sdk::Client;
use scc_sdk::retry::{RetryConfig, Sleep, SleepFuture};
use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub(crate) const TOKEN: &str = "test-access-token-9f8e7d";

/// Reads a file of the workspace's `fixtures/`.
pub(crate) fn fixture(name: &str) -> Value {
    let path = format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path}: {error}"))
}

pub(crate) struct Harness {
    pub(crate) server: MockServer,
    pub(crate) client: Client,
}

impl Harness {
    /// A server answering every request with `status` and a JSON body.
    pub(crate) async fn json(status: u16, body: Value) -> Self {
        Self::with(ResponseTemplate::new(status).set_body_json(body)).await
    }

    /// A server answering every request with `status` and a raw body.
    pub(crate) async fn raw(status: u16, body: &str, content_type: &str) -> Self {
        Self::with(ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), content_type)).await
    }

    pub(crate) async fn with(response: ResponseTemplate) -> Self {
        let server = MockServer::start().await;
        Mock::given(any()).respond_with(response).mount(&server).await;
        let client = Client::builder()
            .access_token(TOKEN)
            .base_url(server.uri())
            .retry(RetryConfig::disabled())
            .build()
            .expect("client builds");
        Self { server, client }
    }

    /// The one request the server received.
    pub(crate) async fn request(&self) -> Recorded {
        let mut requests = self.server.received_requests().await.expect("recording is on");
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request, got {}",
            requests.len()
        );
        let request = requests.remove(0);
        Recorded {
            method: request.method.to_string(),
            path: request.url.path().to_owned(),
            query: request
                .url
                .query_pairs()
                .map(|(key, value)| (key.into_owned(), value.into_owned()))
                .collect(),
            headers: request
                .headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        value.to_str().unwrap_or("<binary>").to_owned(),
                    )
                })
                .collect(),
            body: request.body,
        }
    }

    /// How many requests reached the server.
    pub(crate) async fn request_count(&self) -> usize {
        self.server
            .received_requests()
            .await
            .map_or(0, |requests| requests.len())
    }
}

#[derive(Debug)]
pub(crate) struct Recorded {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: Vec<u8>,
}

impl Recorded {
    /// Asserts method, path, exact query (nothing more, nothing less) and the standard headers; with
    /// `body` set, the exact JSON body and its content type, else no body at all.
    pub(crate) fn assert(&self, method: &str, path: &str, query: &[(&str, &str)], body: Option<Value>) {
        assert_eq!(self.method, method, "method");
        assert_eq!(self.path, path, "path");
        let mut expected: Vec<(String, String)> = query
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        let mut actual = self.query.clone();
        expected.sort();
        actual.sort();
        assert_eq!(actual, expected, "query");
        assert_eq!(
            self.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str()),
            "authorization"
        );
        assert_eq!(self.header("accept"), Some("application/json"), "accept");
        assert_eq!(
            self.header("user-agent"),
            Some(concat!("scc-sdk/", env!("CARGO_PKG_VERSION"))),
            "user agent"
        );
        match body {
            Some(expected) => {
                assert_eq!(self.header("content-type"), Some("application/json"), "content type");
                pretty_assertions::assert_eq!(self.json(), expected, "body");
            }
            None => {
                assert!(
                    self.body.is_empty(),
                    "no body expected, got {:?}",
                    String::from_utf8_lossy(&self.body)
                );
                assert_eq!(self.header("content-type"), None, "no content type without a body");
            }
        }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }
}

/// A sleep that takes no time and records what it was asked to wait.
#[derive(Debug, Default)]
pub(crate) struct RecordingSleep {
    pub(crate) waits: Mutex<Vec<Duration>>,
}

impl RecordingSleep {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
    pub(crate) fn waits(&self) -> Vec<Duration> {
        self.waits.lock().map(|waits| waits.clone()).unwrap_or_default()
    }
}

impl Sleep for RecordingSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        if let Ok(mut waits) = self.waits.lock() {
            waits.push(duration);
        }
        Box::pin(tokio::task::yield_now())
    }
}
