//! With a subscriber at TRACE, the captured output, every `Debug` and every error `Display` hold no
//! token. Its own test binary: tracing caches callsite interest process-wide, so a thread-local
//! subscriber is only reliable when no other test runs beside it.

use std::io::Write;
use std::sync::{Arc, Mutex};

use scc_sdk::{Client, Credentials};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const OLD_ACCESS: &str = "old-access-token-aaaa";
const OLD_REFRESH: &str = "old-refresh-token-bbbb";
const NEW_REFRESH: &str = "new-refresh-token-dddd";

async fn server(new_access: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/organizations/o1/apiKeys/k1/token"))
        .and(header("authorization", format!("Bearer {OLD_REFRESH}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": new_access, "expires_in": 64799, "refresh_token": NEW_REFRESH,
            "refresh_token_expires_in": 5183999, "token_type": "Bearer"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", format!("Bearer {new_access}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "o1", "name": "Acme"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "token expired"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "bad refresh token"})))
        .mount(&server)
        .await;
    server
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_token_in_traces_debug_or_errors() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = server("new-opaque-access-cccc").await;
    let client = Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::new("o1", "k1", OLD_ACCESS, OLD_REFRESH))
        .build()
        .expect("client");
    client
        .organizations()
        .get("o1")
        .await
        .expect("succeeds after a refresh");
    let pair = client
        .tokens()
        .refresh("o1", "k1", "unused-refresh-eeee")
        .await
        .expect_err("an unknown refresh token is refused");
    let credentials = client.credentials().await.expect("refreshing");

    let mut texts = vec![
        String::from_utf8_lossy(&capture.0.lock().expect("lock")).into_owned(),
        format!("{client:?}"),
        format!("{credentials:?}"),
        format!("{pair:?}"),
        pair.to_string(),
    ];
    let tokens: scc_sdk::types::TokenPair = serde_json::from_value(json!({
        "access_token": "new-opaque-access-cccc", "refresh_token": NEW_REFRESH}))
    .expect("pair");
    texts.push(format!("{tokens:?}"));
    assert!(
        texts[0].contains("scc.request") && texts[0].contains("response body"),
        "trace output was captured: {}",
        texts[0]
    );
    for text in &texts {
        for secret in [
            OLD_ACCESS,
            OLD_REFRESH,
            NEW_REFRESH,
            "new-opaque-access-cccc",
            "unused-refresh-eeee",
        ] {
            assert!(!text.contains(secret), "{secret} leaked into: {text}");
        }
    }
}
