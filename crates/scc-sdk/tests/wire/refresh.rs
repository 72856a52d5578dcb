//! Token lifecycle: one refresh for many concurrent callers, the rotated pair stored before the
//! replay, a clear error for a dead refresh token, and no token in traces, `Debug` or errors.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use scc_sdk::secrecy::ExposeSecret;
use scc_sdk::{Client, Credentials, ErrorKind, FileTokenStore};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::fixture;

const OLD_ACCESS: &str = "old-access-token-aaaa";
const OLD_REFRESH: &str = "old-refresh-token-bbbb";
const NEW_REFRESH: &str = "new-refresh-token-dddd";
const TOKEN_PATH: &str = "/v1/organizations/o1/apiKeys/k1/token";

fn jwt(exp: u64, marker: &str) -> String {
    let encode = |text: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    format!(
        "{}.{}.{}",
        encode(r#"{"alg":"RS256","typ":"JWT"}"#.into()),
        encode(json!({"exp": exp, "sub": marker}).to_string()),
        encode(format!("sig-{marker}"))
    )
}

fn in_an_hour() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
        + 3600
}

/// A server whose organization GET takes only `new_access`, and whose refresh endpoint takes only
/// the old refresh token (once) and answers with the new pair.
async fn server(new_access: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("authorization", format!("Bearer {OLD_REFRESH}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": new_access, "expires_in": 64799, "refresh_token": NEW_REFRESH,
            "refresh_token_expires_in": 5183999, "token_type": "Bearer"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", format!("Bearer {new_access}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("organization_create.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "token expired"})))
        .mount(&server)
        .await;
    server
}

async fn fifty_calls(client: &Client) {
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.organizations().get("o1").await })
    });
    for result in futures_util::future::join_all(calls).await {
        result.expect("task").expect("every call succeeds");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expired_jwt_is_refreshed_once_for_fifty_concurrent_calls() {
    let exp = in_an_hour();
    let new_access = jwt(exp, "new");
    let server = server(&new_access).await;
    let stored = Arc::new(Mutex::new(Vec::new()));
    let sink = stored.clone();
    let expired = jwt(1_000, "old");
    let client = Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::new("o1", "k1", expired, OLD_REFRESH))
        .token_store(move |credentials: &Credentials| {
            sink.lock()
                .expect("lock")
                .push(credentials.refresh_token().expose_secret().to_owned());
            Ok(())
        })
        .build()
        .expect("client");
    fifty_calls(&client).await;
    assert_eq!(client.refresh_count(), 1);
    assert_eq!(
        *stored.lock().expect("lock"),
        vec![NEW_REFRESH.to_owned()],
        "the rotated pair reached the callback once"
    );
    let credentials = client.credentials().await.expect("refreshing");
    assert_eq!(
        credentials.access_expires_at(),
        Some(UNIX_EPOCH + Duration::from_secs(exp)),
        "read from the JWT"
    );
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_401_triggers_one_refresh_for_fifty_concurrent_calls_and_each_replays() {
    let server = server("new-opaque-access-cccc").await;
    let dir = tempfile::tempdir().expect("dir");
    let store = FileTokenStore::new(dir.path().join("credentials.json"));
    let client = Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::new("o1", "k1", OLD_ACCESS, OLD_REFRESH))
        .token_store(store.clone())
        .build()
        .expect("client");
    fifty_calls(&client).await;
    assert_eq!(client.refresh_count(), 1);
    let saved = store.load().expect("the file store holds the new pair");
    assert_eq!(saved.refresh_token().expose_secret(), NEW_REFRESH);
    assert_eq!(saved.access_token().expose_secret(), "new-opaque-access-cccc");
    assert!(
        saved.access_expires_at().is_some(),
        "expires_in gives the expiry of an opaque token"
    );
    server.verify().await;
}

#[tokio::test]
async fn a_dead_refresh_token_is_an_authentication_error_that_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "unauthorized", "trackingId": "t-1"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::new("o1", "k1", OLD_ACCESS, OLD_REFRESH))
        .build()
        .expect("client");
    let error = client.organizations().get("o1").await.expect_err("fails");
    assert_eq!(error.kind(), ErrorKind::Authentication);
    assert!(
        error.to_string().contains("the refresh token is invalid or expired"),
        "{error}"
    );
    assert_eq!(error.tracking_id(), Some("t-1"));
}

#[tokio::test]
async fn a_failing_store_is_reported_and_the_client_keeps_the_new_tokens() {
    let server = server("new-opaque-access-cccc").await;
    let client = Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::new("o1", "k1", OLD_ACCESS, OLD_REFRESH))
        .token_store(|_: &Credentials| Err(std::io::Error::other("disk full")))
        .build()
        .expect("client");
    let error = client.organizations().get("o1").await.expect_err("the store failed");
    assert_eq!(error.kind(), ErrorKind::TokenStore);
    assert!(error.to_string().contains("disk full"));
    client
        .organizations()
        .get("o1")
        .await
        .expect("the new tokens are kept in memory");
    assert_eq!(client.refresh_count(), 1);
}

#[derive(Debug)]
struct FixedClock(SystemTime);

impl scc_sdk::retry::Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

#[tokio::test]
async fn the_token_is_refreshed_sixty_seconds_before_it_expires() {
    let exp = in_an_hour();
    let expiry = UNIX_EPOCH + Duration::from_secs(exp);
    // 59 s before expiry: inside the margin, so the refresh comes first and the old token is never sent.
    let early = server("new-opaque-access-cccc").await;
    let client = Client::builder()
        .base_url(early.uri())
        .credentials(Credentials::new("o1", "k1", jwt(exp, "old"), OLD_REFRESH))
        .clock(Arc::new(FixedClock(expiry - Duration::from_secs(59))))
        .build()
        .expect("client");
    client.organizations().get("o1").await.expect("succeeds");
    assert_eq!(client.refresh_count(), 1);
    let sent_old = early
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .any(|request| {
            request.method.as_str() == "GET"
                && request
                    .headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("old"))
        });
    assert!(!sent_old, "refreshed before sending");

    // 61 s before expiry: outside the margin, the token is used as it is (and refused by this server).
    let late = server("new-opaque-access-cccc").await;
    let client = Client::builder()
        .base_url(late.uri())
        .credentials(Credentials::new("o1", "k1", jwt(exp, "old"), OLD_REFRESH))
        .clock(Arc::new(FixedClock(expiry - Duration::from_secs(61))))
        .retry(scc_sdk::RetryConfig::disabled())
        .build()
        .expect("client");
    client
        .organizations()
        .get("o1")
        .await
        .expect("the 401 then refreshes and replays");
    let first = &late.received_requests().await.unwrap_or_default()[0];
    assert_eq!(first.method.as_str(), "GET", "the old token went out first");
}

#[tokio::test]
async fn a_refresh_whose_answer_is_lost_says_the_refresh_token_may_be_spent_and_stores_nothing() {
    let server = MockServer::start().await;
    // The service rotates (the answer is sent too late to arrive): the old refresh token is spent.
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_secs(5))
                .set_body_json(json!({
            "access_token": "never-seen", "expires_in": 64799, "refresh_token": NEW_REFRESH,
            "refresh_token_expires_in": 5183999, "token_type": "Bearer"})),
        )
        .mount(&server)
        .await;
    let stored = Arc::new(Mutex::new(0));
    let sink = stored.clone();
    let client = Client::builder()
        .base_url(server.uri())
        .timeout(Duration::from_millis(200))
        .credentials(Credentials::new("o1", "k1", jwt(1_000, "old"), OLD_REFRESH))
        .token_store(move |_: &Credentials| {
            *sink.lock().expect("lock") += 1;
            Ok(())
        })
        .build()
        .expect("client");
    let error = client
        .organizations()
        .get("o1")
        .await
        .expect_err("the refresh timed out");
    assert!(error.refresh_token_may_be_spent(), "{error}");
    assert_eq!(error.kind(), ErrorKind::Timeout);
    let text = error.to_string();
    assert!(text.contains("may have rotated the refresh token"), "{text}");
    assert!(!text.contains(OLD_REFRESH), "no token in the message: {text}");
    assert_eq!(*stored.lock().expect("lock"), 0, "nothing was handed to the store");
    // The POST of a refresh is never repeated: a second attempt would spend nothing but could not help.
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
}

#[tokio::test]
async fn a_refused_refresh_token_is_reported_as_rejected_not_as_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "invalid refresh token"})))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::new("o1", "k1", jwt(1_000, "old"), OLD_REFRESH))
        .build()
        .expect("client");
    let error = client.organizations().get("o1").await.expect_err("refused");
    assert!(error.is_refresh_rejected(), "{error}");
    assert!(!error.refresh_token_may_be_spent());
}

#[tokio::test]
async fn absurd_expiries_from_the_server_are_far_off_never_a_panic_and_the_rotated_pair_is_stored() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": jwt(u64::MAX, "far"), "expires_in": 9_223_372_036_854_775_807u64,
            "refresh_token": NEW_REFRESH, "refresh_token_expires_in": u64::MAX, "token_type": "Bearer"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", format!("Bearer {OLD_ACCESS}").as_str()))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "token expired"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("organization_create.json")))
        .mount(&server)
        .await;
    let folder = tempfile::tempdir().expect("dir");
    let store = FileTokenStore::new(folder.path().join("credentials.json"));
    let client = Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::new("o1", "k1", OLD_ACCESS, OLD_REFRESH))
        .token_store(store.clone())
        .build()
        .expect("client");
    client.organizations().get("o1").await.expect("refreshed, replayed");
    let stored = store.load().expect("stored");
    assert_eq!(stored.refresh_token().expose_secret(), NEW_REFRESH);
    let far = UNIX_EPOCH + Duration::from_secs(3_000_000_000);
    assert!(stored.access_expires_at().is_some_and(|at| at > far), "{stored:?}");
    // A token whose JWT says it never expires is used, not refreshed again.
    client.organizations().get("o1").await.expect("no second refresh");
    assert_eq!(client.refresh_count(), 1);
}
