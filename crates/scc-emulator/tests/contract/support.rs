//! A spawned emulator and a raw HTTP client.

use reqwest::Method;
use scc_emulator::{Emulator, EmulatorOptions, ReadyInfo};
use serde_json::Value;

pub(crate) struct Emu {
    pub(crate) emulator: Emulator,
    pub(crate) http: reqwest::Client,
}

pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

impl Answer {
    /// Asserts the status and, for errors, the SCC envelope with the request path.
    pub(crate) fn expect(self, status: u16) -> Self {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        self
    }
}

impl Emu {
    pub(crate) async fn start() -> Self {
        Self::with(EmulatorOptions::default()).await
    }

    pub(crate) async fn with(options: EmulatorOptions) -> Self {
        let emulator = scc_emulator::spawn(options).await.expect("emulator starts");
        Self {
            emulator,
            http: reqwest::Client::new(),
        }
    }

    pub(crate) fn ready(&self) -> &ReadyInfo {
        self.emulator.ready()
    }

    pub(crate) fn admin(&self) -> String {
        self.ready().admin.access_token.clone()
    }

    pub(crate) fn member(&self) -> String {
        self.ready().member.access_token.clone()
    }

    pub(crate) fn org(&self) -> String {
        self.ready().org_id.clone()
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.ready().base_url)
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub(crate) async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        let raw = body.map(|body| body.to_string());
        self.raw(method, path, token, raw.as_deref(), "application/json").await
    }

    pub(crate) async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
        content_type: &str,
    ) -> Answer {
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, self.url(path));
        // The control plane takes its own credential; a test that gives a token means to send that one.
        let token = match token {
            None if path.starts_with("/_emulator") => Some(self.ready().control_token.as_str()),
            other => other,
        };
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.header("content-type", content_type).body(body.to_owned());
        }
        let response = request.send().await.expect("the emulator answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
        };
        Answer { status, headers, body }
    }

    pub(crate) async fn get(&self, path: &str) -> Value {
        self.call("GET", path, Some(&self.admin()), None).await.expect(200).body
    }

    /// The state without the parts every request may touch (token tables are pruned on use).
    pub(crate) fn state(&self) -> Value {
        let mut state = self.emulator.state_json();
        if let Some(map) = state.as_object_mut() {
            map.remove("access_tokens");
        }
        state
    }
}

/// Reads a file of the workspace's `fixtures/`.
pub(crate) fn fixture(name: &str) -> Value {
    let path = format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Asserts that `actual` has every key of `expected` with a value of the same JSON type, recursively
/// (arrays: every item against the fixture's first item). Extra keys are allowed.
pub(crate) fn assert_shape(actual: &Value, expected: &Value, at: &str) {
    assert_eq!(kind(actual), kind(expected), "type at {at}: {actual} vs {expected}");
    match (actual, expected) {
        (Value::Object(actual), Value::Object(expected)) => {
            for (key, value) in expected {
                let found = actual
                    .get(key)
                    .unwrap_or_else(|| panic!("missing key {at}.{key} in {actual:?}"));
                assert_shape(found, value, &format!("{at}.{key}"));
            }
        }
        (Value::Array(actual), Value::Array(expected)) => {
            if let Some(model) = expected.first() {
                assert!(!actual.is_empty(), "{at} is empty; the fixture has items");
                for (index, item) in actual.iter().enumerate() {
                    assert_shape(item, model, &format!("{at}[{index}]"));
                }
            }
        }
        _ => {}
    }
}

/// Asserts the SCC error envelope of an answer.
pub(crate) fn assert_envelope(answer: &Answer, path: &str) {
    let shape = fixture("error_invalid_claim_code.json");
    assert_shape(&answer.body, &shape, "error");
    assert_eq!(answer.body["statusCode"], answer.status, "{}", answer.body);
    assert_eq!(answer.body["path"], path, "{}", answer.body);
    let timestamp = answer.body["timestamp"].as_str().unwrap_or_default();
    assert!(timestamp.parse::<jiff::Timestamp>().is_ok(), "{timestamp}");
}
