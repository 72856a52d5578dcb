//! The raw escape hatch and dry-run mode.

use reqwest::Method;
use scc_sdk::{Client, Error};
use serde_json::json;
use wiremock::ResponseTemplate;

use crate::support::{Harness, TOKEN, fixture};

#[tokio::test]
async fn a_raw_request_takes_the_same_path() {
    let response = ResponseTemplate::new(200).set_body_json(json!({"organizations": [], "cursor": "n1"}));
    let harness = Harness::with(response).await;
    let answer = harness
        .client
        .request_raw(Method::GET, "/organizations?max=2&name=a%20b", None)
        .await
        .expect("answer");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.next_cursor.as_deref(), Some("n1"));
    harness
        .request()
        .await
        .assert("GET", "/v1/organizations", &[("max", "2"), ("name", "a b")], None);

    let harness = Harness::json(201, fixture("admin_group.json")).await;
    let body = fixture("admin_group_create_request.json");
    let answer = harness
        .client
        .request_raw(Method::POST, "organizations/o%201/adminGroups", Some(body.clone()))
        .await
        .expect("answer");
    assert_eq!(answer.body["type"], "Federated");
    harness
        .request()
        .await
        .assert("POST", "/v1/organizations/o%201/adminGroups", &[], Some(body));

    let harness = Harness::json(404, json!({"message": "nope", "trackingId": "t9"})).await;
    let error = harness
        .client
        .request_raw(Method::GET, "organizations/x", None)
        .await
        .expect_err("404");
    assert_eq!(error.tracking_id(), Some("t9"));
}

#[tokio::test]
async fn dry_run_builds_writes_and_sends_nothing_but_reads() {
    let harness = Harness::json(200, fixture("organization_create.json")).await;
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(harness.server.uri())
        .dry_run(true)
        .build()
        .expect("client");
    let error = client
        .organizations()
        .create("Acme", "NAM")
        .send()
        .await
        .expect_err("not sent");
    match &error {
        Error::DryRun(planned) => {
            assert_eq!(planned.method, "POST");
            assert_eq!(planned.operation, "organizations.create");
            assert_eq!(planned.url, format!("{}/v1/organizations", harness.server.uri()));
            assert_eq!(
                planned.body,
                Some(json!({"name": "Acme", "regionCode": "NAM", "type": "STANDALONE"}))
            );
        }
        other => panic!("expected a dry run, got {other:?}"),
    }
    assert!(!error.may_have_reached_server());
    assert_eq!(harness.request_count().await, 0);
    client.organizations().get("o1").await.expect("reads are sent");
    assert_eq!(harness.request_count().await, 1);
    // A POST that changes nothing is a read too.
    client
        .subscriptions()
        .read_claim_code("o1", "ABCD-EFGH-JKLM-NPQR")
        .await
        .expect("sent and answered, not planned");
    assert_eq!(harness.request_count().await, 2);
    let error = client
        .tokens()
        .refresh("o1", "k1", "refresh")
        .await
        .expect_err("a refresh rotates tokens");
    assert!(matches!(error, Error::DryRun(_)), "{error:?}");
    assert_eq!(harness.request_count().await, 2);
}

#[tokio::test]
async fn send_raw_returns_the_body_bytes_untouched_after_the_operations_own_checks() {
    // Key order, spacing and number forms that a decode and re-encode would change.
    let body = r#"{"organizations":[{"id":"o1","zeta":1.0,"alpha":12345678901234567890}],  "cursor":"n2"}"#;
    let harness = Harness::raw(200, body, "application/json").await;
    let raw = harness
        .client
        .organizations()
        .list()
        .name("Acme")
        .operation()
        .send_raw()
        .await
        .expect("answer");
    assert_eq!(raw.status, 200);
    assert_eq!(&raw.body[..], body.as_bytes());
    assert_eq!(raw.next_cursor.as_deref(), Some("n2"));
    harness
        .request()
        .await
        .assert("GET", "/v1/organizations", &[("name", "Acme"), ("max", "100")], None);

    // The operation's input checks run before anything is sent.
    let error = harness
        .client
        .organizations()
        .list()
        .max(0)
        .operation()
        .send_raw()
        .await
        .expect_err("max 0");
    assert!(
        matches!(&error, Error::InvalidInput { field, .. } if field == "max"),
        "{error}"
    );
    assert_eq!(harness.request_count().await, 1);
}

#[tokio::test]
async fn refresh_credentials_rotates_through_the_refresh_request() {
    let answer = json!({"access_token": "new-access", "refresh_token": "new-refresh", "expires_in": 600,
                        "refresh_token_expires_in": 3600, "token_type": "Bearer"});
    let harness = Harness::json(200, answer).await;
    let credentials = scc_sdk::Credentials::new("org-1", "key-1", "old-access", "old-refresh");
    let before = std::time::SystemTime::now();
    let rotated = harness.client.refresh_credentials(&credentials).await.expect("rotated");
    use scc_sdk::secrecy::ExposeSecret;
    assert_eq!(rotated.access_token().expose_secret(), "new-access");
    assert_eq!(rotated.refresh_token().expose_secret(), "new-refresh");
    assert_eq!(rotated.org_id().as_str(), "org-1");
    let expires = rotated.access_expires_at().expect("expiry");
    assert!(expires >= before + std::time::Duration::from_secs(600));
    let request = harness.request().await;
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/organizations/org-1/apiKeys/key-1/token");
    assert_eq!(request.header("authorization"), Some("Bearer old-refresh"));
    assert_eq!(request.body, b"grant_type=refresh_token");
}
