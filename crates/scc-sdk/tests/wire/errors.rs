use scc_sdk::{Client, Error, ErrorKind};
use serde_json::json;
use wiremock::ResponseTemplate;

use crate::support::{Harness, TOKEN, fixture};

#[tokio::test]
async fn every_status_maps_to_its_kind_with_the_envelope() {
    for (status, kind) in [
        (400, ErrorKind::Validation),
        (401, ErrorKind::Authentication),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Conflict),
        (429, ErrorKind::RateLimited),
        (500, ErrorKind::Server),
        (502, ErrorKind::Server),
        (503, ErrorKind::Server),
        (504, ErrorKind::Server),
        (418, ErrorKind::OtherStatus),
    ] {
        let body = json!({"trackingId": format!("track-{status}"), "message": format!("failure {status}"),
                          "timestamp": "2026-02-05T22:53:38.923039436Z", "statusCode": status,
                          "path": "/v1/organizations/o1"});
        let harness = Harness::json(status, body).await;
        let error = harness.client.organizations().get("o1").await.expect_err("fails");
        assert_eq!(error.kind(), kind, "{status}");
        assert_eq!(error.status(), Some(status));
        assert_eq!(error.tracking_id(), Some(format!("track-{status}").as_str()));
        assert_eq!(
            error.to_string(),
            format!("HTTP {status}: failure {status} (tracking id track-{status})")
        );
        let api = error.as_api_error().expect("api error");
        assert_eq!(api.timestamp.as_deref(), Some("2026-02-05T22:53:38.923039436Z"));
        assert_eq!(api.path.as_deref(), Some("/v1/organizations/o1"));
    }
}

#[tokio::test]
async fn predicates_agree_with_kinds() {
    let harness = Harness::json(404, json!({"message": "organization not found"})).await;
    let error = harness.client.organizations().get("o1").await.expect_err("fails");
    assert!(error.is_not_found() && !error.is_retryable() && error.may_have_reached_server());
    assert!(!error.is_validation() && !error.is_authentication() && !error.is_forbidden());

    let harness = Harness::with(
        ResponseTemplate::new(429)
            .insert_header("Retry-After", "12")
            .set_body_json(json!({"message": "slow down"})),
    )
    .await;
    let error = harness.client.organizations().get("o1").await.expect_err("fails");
    assert!(error.is_rate_limited() && error.is_retryable());
    assert_eq!(error.retry_after(), Some(std::time::Duration::from_secs(12)));
}

#[tokio::test]
async fn the_seed_claim_code_error_reads_fully() {
    let harness = Harness::json(400, fixture("error_invalid_claim_code.json")).await;
    let error = harness
        .client
        .subscriptions()
        .read_claim_code("94ff7d60-aebb-41d0-82cf-e06c74b63d81", "INVALID-CODE")
        .await
        .expect_err("fails");
    assert!(error.is_validation());
    let api = error.as_api_error().expect("api error");
    assert_eq!(api.message, "invalid claim code provided");
    assert_eq!(api.tracking_id.as_deref(), Some("bb7d315e-502c-4427-9683-cc6fc824495f"));
    assert_eq!(
        api.path.as_deref(),
        Some("/v1/organizations/94ff7d60-aebb-41d0-82cf-e06c74b63d81/subscriptions/claimInfo")
    );
    let dict = api.to_dict();
    assert_eq!(dict["status_code"], 400);
    assert_eq!(dict["response"], fixture("error_invalid_claim_code.json"));
}

#[tokio::test]
async fn empty_html_and_truncated_bodies_keep_status_and_body() {
    for (status, body, content_type, message) in [
        (401, "", "application/json", "Unauthorized"),
        (
            502,
            "<html><h1>Bad Gateway</h1></html>",
            "text/html",
            "Bad Gateway; body starts with: <html><h1>Bad Gateway</h1></html>",
        ),
        (
            500,
            "{\"message\": \"boo",
            "application/json",
            "Internal Server Error; body starts with: {\"message\": \"boo",
        ),
        (
            503,
            "upstream connect error",
            "text/plain",
            "Service Unavailable; body starts with: upstream connect error",
        ),
    ] {
        let harness = Harness::raw(status, body, content_type).await;
        let error = harness.client.organizations().get("o1").await.expect_err("fails");
        let api = error.as_api_error().expect("api error");
        assert_eq!(api.status, status);
        assert_eq!(api.body, body);
        assert_eq!(api.message, message);
        assert_eq!(api.tracking_id, None);
        assert_eq!(
            api.path.as_deref(),
            Some("/v1/organizations/o1"),
            "the request path stands in"
        );
    }
}

#[tokio::test]
async fn a_bad_2xx_body_is_a_decode_error_naming_the_field_and_status() {
    let harness = Harness::json(200, json!({"organizations": [{"id": "o1", "name": 42}]})).await;
    let error = harness.client.organizations().list().send().await.expect_err("fails");
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.status(), Some(200));
    match &error {
        Error::Decode { field, path, .. } => {
            assert_eq!(field, "organizations[0].name");
            assert_eq!(path, "/v1/organizations");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(error.to_string().contains("organizations[0].name"), "{error}");

    let harness = Harness::raw(200, "<html>login page</html>", "text/html").await;
    let error = harness.client.organizations().get("o1").await.expect_err("fails");
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.to_string().contains("<html>login page</html>"), "{error}");
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error_that_never_reached_the_server() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(format!("http://{address}"))
        .build()
        .expect("client");
    let error = client.organizations().get("o1").await.expect_err("fails");
    assert_eq!(error.kind(), ErrorKind::Connect);
    assert!(!error.may_have_reached_server());
    assert!(error.is_retryable());
    assert!(
        error
            .to_string()
            .starts_with("GET /v1/organizations/o1: could not connect"),
        "{error}"
    );
    assert!(!error.to_string().contains(TOKEN));
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout_that_may_have_reached_the_server() {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .timeout(std::time::Duration::from_millis(100))
        .build()
        .expect("client");
    let error = client.users().disable("o1", "a@example.com").await.expect_err("fails");
    assert!(error.is_timeout());
    assert!(error.may_have_reached_server());
    assert!(error.to_string().contains("may have reached the server"), "{error}");
}

#[tokio::test]
async fn no_error_or_debug_shows_the_token() {
    let harness = Harness::json(401, json!({"message": "invalid token"})).await;
    let error = harness.client.organizations().get("o1").await.expect_err("fails");
    for text in [error.to_string(), format!("{error:?}"), format!("{:?}", harness.client)] {
        assert!(!text.contains(TOKEN), "{text}");
    }
}
