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
