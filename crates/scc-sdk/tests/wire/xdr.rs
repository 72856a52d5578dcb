//! The XDR client: the token exchange on the wire, caching, one refetch after a 401 for every caller,
//! the IROH error envelope, and the seed's data model.

use scc_sdk::ErrorKind;
use scc_sdk::xdr::{OrgUpdate, XdrClient, XdrOrg, XdrRegion, XdrUser};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::fixture;

const ID: &str = "client-546e34fc-c6bf-4951-ac69-f6d7987a7814";
const SECRET: &str = "s3cret-client-password";

fn whoami() -> Value {
    json!({"user": fixture("xdr_user.json"), "org": fixture("xdr_org.json")})
}

async fn token_mock(server: &MockServer, token: &str, expect: u64) {
    Mock::given(method("POST"))
        .and(path("/iroh/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": token, "token_type": "bearer", "expires_in": 600, "scope": "profile"})))
        .expect(expect)
        .named("token")
        .mount(server)
        .await;
}

fn client(server: &MockServer) -> XdrClient {
    XdrClient::builder()
        .base_url(server.uri())
        .client_credentials(ID, SECRET)
        .build()
        .expect("client")
}

#[test]
fn the_seed_examples_decode_and_re_encode_to_the_same_keys() {
    for name in ["xdr_org.json", "xdr_user.json"] {
        let original = fixture(name);
        let encoded = if name == "xdr_org.json" {
            serde_json::to_value(serde_json::from_value::<XdrOrg>(original.clone()).expect("org")).expect("json")
        } else {
            serde_json::to_value(serde_json::from_value::<XdrUser>(original.clone()).expect("user")).expect("json")
        };
        assert_eq!(encoded, original, "{name}");
    }
    let org: XdrOrg = serde_json::from_value(fixture("xdr_org.json")).expect("org");
    assert_eq!(org.enabled, Some(true));
    assert_eq!(
        org.settings.as_ref().and_then(|s| s.allow_all_roles_to_login),
        Some(false)
    );
    let user: XdrUser = serde_json::from_value(fixture("xdr_user.json")).expect("user");
    assert_eq!(user.display_name(), "Jannie");
    assert_eq!(user.identity_provider(), Some("idb-amp"));
    let mut odd = fixture("xdr_org.json");
    odd["scim-status"] = json!("suspended");
    odd["created-at"] = json!("2026-01-01T00:00:00.000Z");
    let org: XdrOrg = serde_json::from_value(odd.clone()).expect("unknown values are kept");
    assert_eq!(serde_json::to_value(org).expect("json"), odd);
}

#[tokio::test]
async fn the_token_exchange_on_the_wire_and_the_cache() {
    let server = MockServer::start().await;
    token_mock(&server, "xdr-token-1", 1).await;
    Mock::given(method("GET"))
        .and(path("/iroh/profile/whoami"))
        .and(header("authorization", "Bearer xdr-token-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(whoami()))
        .expect(3)
        .mount(&server)
        .await;
    let xdr = client(&server);
    for _ in 0..3 {
        let me = xdr.profile().whoami().await.expect("whoami");
        assert_eq!(me.user.display_name(), "Jannie");
    }
    assert_eq!(xdr.token_fetch_count(), 1, "the token is cached");
    let requests = server.received_requests().await.unwrap_or_default();
    let token = &requests[0];
    assert_eq!(token.url.path(), "/iroh/oauth2/token");
    let basic = format!(
        "Basic {}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, format!("{ID}:{SECRET}"))
    );
    assert_eq!(
        token.headers.get("authorization").and_then(|v| v.to_str().ok()),
        Some(basic.as_str())
    );
    assert_eq!(
        token.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        token.headers.get("accept").and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    assert_eq!(token.body, b"grant_type=client_credentials");
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_401_refetches_the_token_once_for_all_concurrent_callers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/iroh/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "old", "expires_in": 600})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    token_mock(&server, "new", 1).await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("xdr_org.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_token", "error_description": "expired"})),
        )
        .mount(&server)
        .await;
    let xdr = client(&server);
    let calls = (0..20).map(|_| {
        let xdr = xdr.clone();
        tokio::spawn(async move { xdr.profile().org().await })
    });
    for call in futures_util::future::join_all(calls).await {
        call.expect("task").expect("every call succeeds with the new token");
    }
    assert_eq!(
        xdr.token_fetch_count(),
        2,
        "one initial fetch, one refetch after the 401"
    );
}

#[tokio::test]
async fn iroh_errors_keep_code_description_and_trace_id() {
    let server = MockServer::start().await;
    token_mock(&server, "t", 1).await;
    Mock::given(method("POST"))
        .and(path("/iroh/profile/org"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "error": "missing_scope", "error_description": "the token lacks the scope profile", "trace_id": "trace-7"})))
        .mount(&server)
        .await;
    let error = client(&server)
        .profile()
        .update_org(OrgUpdate::new().name("New name"))
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    assert_eq!(error.tracking_id(), Some("trace-7"));
    let api = error.as_api_error().expect("api error");
    assert_eq!(api.error_code().as_deref(), Some("missing_scope"));
    assert_eq!(
        error.to_string(),
        "HTTP 403: the token lacks the scope profile (tracking id trace-7)"
    );
    let sent: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap_or_default()[1].body).expect("json");
    assert_eq!(sent, json!({"name": "New name"}));
}

#[tokio::test]
async fn a_bearer_token_client_sends_it_as_is() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/iroh/profile/whoami"))
        .and(header("authorization", "Bearer ready-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(whoami()))
        .expect(1)
        .mount(&server)
        .await;
    let xdr = XdrClient::builder()
        .base_url(server.uri())
        .bearer_token("ready-token")
        .build()
        .expect("client");
    xdr.profile().whoami().await.expect("whoami");
}

#[test]
fn regions_and_inputs() {
    assert_eq!("".parse::<XdrRegion>().ok(), Some(XdrRegion::Us));
    assert_eq!(
        "EU".parse::<XdrRegion>().map(XdrRegion::base_url).ok(),
        Some("https://visibility.eu.amp.cisco.com")
    );
    assert_eq!(
        "apjc".parse::<XdrRegion>().map(XdrRegion::base_url).ok(),
        Some("https://visibility.apjc.amp.cisco.com")
    );
    assert!("mars".parse::<XdrRegion>().is_err());
    assert!(XdrClient::builder().build().is_err());
    assert!(XdrClient::builder().client_credentials("", "x").build().is_err());
    let debug = format!(
        "{:?}",
        XdrClient::builder()
            .client_credentials(ID, SECRET)
            .build()
            .expect("client")
    );
    assert!(!debug.contains(SECRET), "{debug}");
}
