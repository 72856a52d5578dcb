//! Faults change nothing; the rate limit answers 429 with Retry-After; the control plane.

use scc_emulator::EmulatorOptions;
use serde_json::json;

use crate::support::{Emu, assert_envelope};

#[tokio::test]
async fn a_scripted_fault_answers_before_any_change() {
    let emu = Emu::start().await;
    let fault = json!({"method": "POST", "path": "/v1/organizations", "count": 2, "status": 503, "retry_after": 4});
    emu.call("POST", "/_emulator/faults", None, Some(fault))
        .await
        .expect(204);
    let before = emu.state();
    let body = json!({"name": "Faulted", "regionCode": "NAM"});
    for _ in 0..2 {
        let answer = emu
            .call("POST", "/v1/organizations", Some(&emu.admin()), Some(body.clone()))
            .await
            .expect(503);
        assert_eq!(
            answer.headers.get("retry-after").and_then(|v| v.to_str().ok()),
            Some("4")
        );
        assert_envelope(&answer, "/v1/organizations");
    }
    assert_eq!(emu.state(), before, "a faulted request changes nothing");
    emu.call("POST", "/v1/organizations", Some(&emu.admin()), Some(body))
        .await
        .expect(201);
    let faults = emu.call("GET", "/_emulator/faults", None, None).await.expect(200);
    assert_eq!(faults.body["faults"], json!([]), "the script is used up");
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error_and_changes_nothing() {
    let emu = Emu::start().await;
    let path = format!("/v1/organizations/{}/users", emu.org());
    let fault = json!({"path": path, "drop": true});
    emu.call("POST", "/_emulator/faults", None, Some(fault))
        .await
        .expect(204);
    let before = emu.state();
    let result = emu
        .http
        .patch(emu.url(&path))
        .bearer_auth(emu.admin())
        .json(&json!({"users": [{"email": "d@example.com", "operation": "invite", "firstName": "D", "lastName": "E"}]}))
        .send()
        .await;
    let failed = match result {
        Err(_) => true,
        Ok(response) => response.bytes().await.is_err(),
    };
    assert!(failed, "the connection is dropped");
    assert_eq!(emu.state(), before);
}

#[tokio::test]
async fn every_request_faulted_at_rate_one_changes_nothing() {
    let emu = Emu::with(EmulatorOptions::default().fault_rate(1.0)).await;
    let before = emu.state();
    let mut statuses = std::collections::BTreeSet::new();
    for index in 0..30 {
        let result = emu
            .http
            .post(emu.url("/v1/organizations"))
            .bearer_auth(emu.admin())
            .json(&json!({"name": format!("F{index}"), "regionCode": "NAM"}))
            .send()
            .await;
        let status = match result {
            Ok(response) => match response.bytes().await {
                Ok(_) => "answered",
                Err(_) => "dropped",
            },
            Err(_) => "dropped",
        };
        statuses.insert(status);
    }
    assert_eq!(emu.state(), before);
    assert!(statuses.contains("dropped"), "{statuses:?}");
    let answer = emu.call("GET", "/_emulator/requests", None, None).await.expect(200);
    let codes: std::collections::BTreeSet<u64> = answer.body["requests"]
        .as_array()
        .expect("journal")
        .iter()
        .filter_map(|r| r["status"].as_u64())
        .collect();
    assert!(codes.contains(&429) && codes.contains(&503), "{codes:?}");
    assert!(!codes.contains(&201));
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let emu = Emu::with(EmulatorOptions::default().rate_limit(Some(3))).await;
    let mut limited = None;
    for _ in 0..20 {
        let answer = emu.call("GET", "/v1/organizations", Some(&emu.admin()), None).await;
        if answer.status == 429 {
            limited = Some(answer);
            break;
        }
    }
    let answer = limited.expect("a 429 within 20 requests at 3 per second");
    assert_eq!(
        answer.headers.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    assert_envelope(&answer, "/v1/organizations");
}

#[tokio::test]
async fn the_journal_redacts_tokens_and_reset_restores_the_fixtures() {
    let emu = Emu::start().await;
    let initial = emu.state();
    emu.call(
        "POST",
        "/v1/organizations",
        Some(&emu.admin()),
        Some(json!({"name": "Temp", "regionCode": "NAM"})),
    )
    .await
    .expect(201);
    let journal = emu.call("GET", "/_emulator/requests", None, None).await.expect(200);
    let text = journal.body.to_string();
    assert!(!text.contains(&emu.admin()), "the token is redacted");
    assert!(text.contains("Bearer [redacted]"));
    let entry = &journal.body["requests"][0];
    assert_eq!(entry["method"], "POST");
    assert_eq!(entry["path"], "/v1/organizations");
    assert_eq!(entry["body"]["name"], "Temp");
    assert_eq!(entry["status"], 201);

    emu.call("POST", "/_emulator/reset", None, None).await.expect(204);
    assert_eq!(emu.state(), initial);
    let journal = emu.call("GET", "/_emulator/requests", None, None).await.expect(200);
    assert_eq!(journal.body["requests"], json!([]));
    emu.call("GET", "/v1/organizations", Some(&emu.admin()), None)
        .await
        .expect(200);
}
