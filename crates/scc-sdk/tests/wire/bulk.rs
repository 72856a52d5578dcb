//! `patch_all`: any number of items, requests of at most 500, one outcome per input item in input
//! order, each exactly once.

use scc_sdk::types::UserOperation;
use scc_sdk::{Client, ItemOutcome};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::TOKEN;

/// Answers each item from the body: `failed` for e-mails starting with `bad`; a whole request with an
/// e-mail starting with `boom` gets a 503; one starting with `short` gets a result list one short.
struct Echo;

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let users = body["users"].as_array().cloned().unwrap_or_default();
        let emails: Vec<String> = users
            .iter()
            .map(|u| u["email"].as_str().unwrap_or_default().to_owned())
            .collect();
        if emails.iter().any(|email| email.starts_with("boom")) {
            return ResponseTemplate::new(503).set_body_json(json!({"message": "overloaded", "trackingId": "t-boom"}));
        }
        let mut results: Vec<Value> = users
            .iter()
            .map(|user| {
                let email = user["email"].as_str().unwrap_or_default();
                let mut item =
                    json!({"id": email, "type": "user", "operation": user["operation"], "status": "success"});
                if email.starts_with("bad") {
                    item["status"] = "failed".into();
                    item["errorDescription"] = "user already exists".into();
                }
                item
            })
            .collect();
        if emails.iter().any(|email| email.starts_with("short")) {
            results.retain(|item| !item["id"].as_str().unwrap_or_default().starts_with("short"));
        }
        ResponseTemplate::new(200).set_body_json(json!({ "results": results }))
    }
}

async fn server() -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(Echo).mount(&server).await;
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .build()
        .expect("client");
    (server, client)
}

#[tokio::test]
async fn twelve_hundred_items_go_in_three_requests_and_come_back_in_order() {
    let (server, client) = server().await;
    let operations: Vec<_> = (0..1200)
        .map(|i| {
            let prefix = if i % 100 == 7 { "bad" } else { "user" };
            UserOperation::invite(format!("{prefix}{i}@example.com"), "First", "Last")
        })
        .collect();
    let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = progress.clone();
    let report = client
        .users()
        .patch_all("o1", operations)
        .concurrency(3)
        .on_progress(move |done, total| seen.lock().expect("lock").push((done, total)))
        .send()
        .await;
    assert_eq!(report.requests, 3);
    let sizes: Vec<usize> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).map_or(0, |b| b["users"].as_array().map_or(0, Vec::len)))
        .collect();
    let mut sorted = sizes.clone();
    sorted.sort();
    assert_eq!(sorted, [200, 500, 500]);
    assert_eq!(report.items.len(), 1200);
    for (index, item) in report.items.iter().enumerate() {
        assert_eq!(item.index, index);
        assert!(item.email.ends_with(&format!("{index}@example.com")), "{}", item.email);
        assert_eq!(item.outcome.is_success(), index % 100 != 7, "{index}");
    }
    let summary = report.summary();
    assert_eq!((summary.total, summary.succeeded, summary.failed), (1200, 1188, 12));
    assert_eq!(progress.lock().expect("lock").last(), Some(&(1200, 1200)));
}

#[tokio::test]
async fn a_failed_request_marks_each_of_its_items_and_invalid_items_are_not_sent() {
    let (server, client) = server().await;
    let mut operations: Vec<_> = (0..10)
        .map(|i| UserOperation::enable(format!("u{i}@example.com")))
        .collect();
    operations[3] = UserOperation::enable("not-an-email");
    operations[12 - 5] = UserOperation::enable("boom@example.com");
    let report = client.users().patch_all("o1", operations).chunk_size(4).send().await;
    assert_eq!(report.items.len(), 10);
    assert!(matches!(report.items[3].outcome, ItemOutcome::NotSent(_)));
    // Valid items in order: 0,1,2,4 | 5,6,7,8 | 9 — the second request holds boom@ (index 7).
    for index in [5, 6, 7, 8] {
        match &report.items[index].outcome {
            ItemOutcome::RequestFailed(error) => {
                assert_eq!(error.status(), Some(503));
                assert_eq!(report.items[index].outcome.tracking_id(), Some("t-boom"));
            }
            other => panic!("item {index}: {other:?}"),
        }
    }
    for index in [0, 1, 2, 4, 9] {
        assert!(report.items[index].outcome.is_success(), "item {index}");
    }
    assert_eq!(
        server.received_requests().await.map(|r| r.len()),
        Some(3),
        "the 503 PATCH is not retried"
    );
    assert_eq!(report.summary().failed, 5);
}

#[tokio::test]
async fn a_missing_result_is_reported_not_dropped() {
    let (_server, client) = server().await;
    let operations = vec![
        UserOperation::disable("a@example.com"),
        UserOperation::disable("short@example.com"),
        UserOperation::disable("c@example.com"),
    ];
    let report = client.users().patch_all("o1", operations).send().await;
    assert!(report.items[0].outcome.is_success());
    assert!(matches!(report.items[1].outcome, ItemOutcome::NoResult));
    assert!(
        report.items[2].outcome.is_success(),
        "matched by e-mail when the counts differ"
    );
}
