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
async fn at_rate_one_a_fault_before_the_handler_changes_nothing_and_one_after_keeps_the_change() {
    let emu = Emu::with(EmulatorOptions::default().fault_rate(1.0)).await;
    let names: Vec<String> = (0..60).map(|index| format!("F{index}")).collect();
    let mut outcomes = std::collections::BTreeSet::new();
    for name in &names {
        let result = emu
            .http
            .post(emu.url("/v1/organizations"))
            .bearer_auth(emu.admin())
            .json(&json!({"name": name, "regionCode": "NAM"}))
            .send()
            .await;
        let outcome = match result {
            Ok(response) => match response.bytes().await {
                Ok(_) => "answered",
                Err(_) => "dropped",
            },
            Err(_) => "dropped",
        };
        outcomes.insert(outcome);
    }
    assert!(outcomes.contains("dropped"), "{outcomes:?}");
    let journal = emu
        .call("GET", "/_emulator/requests", None, None)
        .await
        .expect(200)
        .body;
    let entries = journal["requests"].as_array().expect("journal").clone();
    assert_eq!(entries.len(), names.len());
    let created: std::collections::BTreeSet<String> = emu.state()["organizations"]
        .as_object()
        .expect("organizations")
        .values()
        .filter_map(|org| org["name"].as_str().map(str::to_owned))
        .collect();
    let mut kinds = std::collections::BTreeSet::new();
    for (entry, name) in entries.iter().zip(&names) {
        let after = entry["after_commit"] == true;
        let dropped = entry["dropped"] == true;
        assert_eq!(created.contains(name), after, "{name}: {entry}");
        assert_ne!(entry["status"], 201, "no request was answered normally: {entry}");
        if dropped {
            assert!(entry["status"].is_null(), "a dropped request has no status: {entry}");
        }
        kinds.insert((after, dropped, entry["status"].as_u64()));
    }
    for wanted in [
        (false, false, Some(429)),
        (false, false, Some(503)),
        (false, true, None),
        (true, false, Some(503)),
        (true, false, Some(504)),
        (true, true, None),
    ] {
        assert!(kinds.contains(&wanted), "{wanted:?} not seen in {kinds:?}");
    }
}

#[tokio::test]
async fn a_scripted_fault_after_commit_keeps_the_change_and_loses_the_answer() {
    let emu = Emu::start().await;
    emu.call(
        "POST",
        "/_emulator/faults",
        None,
        Some(json!({"method": "POST", "path": "/v1/organizations", "drop": true, "after": true})),
    )
    .await
    .expect(204);
    let result = emu
        .http
        .post(emu.url("/v1/organizations"))
        .bearer_auth(emu.admin())
        .json(&json!({"name": "Lost Answer", "regionCode": "NAM"}))
        .send()
        .await;
    let lost = match result {
        Ok(response) => response.bytes().await.is_err(),
        Err(_) => true,
    };
    assert!(lost, "the answer is lost");
    let kept = emu.state()["organizations"]
        .as_object()
        .expect("organizations")
        .values()
        .filter(|org| org["name"] == "Lost Answer")
        .count();
    assert_eq!(kept, 1, "the change was kept");
}

#[tokio::test]
async fn the_control_plane_needs_the_control_token() {
    let emu = Emu::start().await;
    for token in [None, Some(emu.admin()), Some("ctl-0000000000000000".to_owned())] {
        let mut request = emu.http.get(emu.url("/_emulator/state"));
        if let Some(token) = &token {
            request = request.bearer_auth(token);
        }
        let answer = request.send().await.expect("answers");
        assert_eq!(answer.status(), 401, "{token:?}");
        let body: serde_json::Value = answer.json().await.expect("envelope");
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains("control token")),
            "{body}"
        );
        assert!(body.get("trackingId").is_some(), "the API's envelope: {body}");
    }
    emu.call("GET", "/_emulator/state", None, None).await.expect(200);
}

#[tokio::test]
async fn long_targets_and_headers_get_the_envelope_and_the_journal_keeps_no_secret() {
    let emu = Emu::start().await;
    let long = format!("/v1/organizations?name={}", "a".repeat(9 * 1024));
    let answer = emu.call("GET", &long, Some(&emu.admin()), None).await;
    assert_eq!(answer.status, 414);
    assert!(answer.body.get("trackingId").is_some(), "{}", answer.body);
    let answer = emu
        .http
        .get(emu.url("/v1/organizations"))
        .bearer_auth(emu.admin())
        .header("x-padding", "p".repeat(40 * 1024))
        .send()
        .await
        .expect("answers");
    assert_eq!(answer.status(), 431);
    let body: serde_json::Value = answer.json().await.expect("envelope");
    assert!(body.get("trackingId").is_some(), "{body}");

    let (client_id, client_secret) = emu.emulator.xdr_client("admin").expect("client");
    emu.http
        .post(emu.url("/iroh/oauth2/token"))
        .header("cookie", "session=cookie-secret-value")
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id.as_str()),
            ("client_secret", client_secret.as_str()),
        ])
        .send()
        .await
        .expect("answers");
    emu.http
        .post(emu.url(&format!(
            "/v1/organizations/{}/apiKeys/{}/token",
            emu.org(),
            emu.ready().admin.api_key_id
        )))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", emu.ready().admin.refresh_token.as_str()),
        ])
        .send()
        .await
        .expect("answers");
    let journal = emu
        .call("GET", "/_emulator/requests", None, None)
        .await
        .expect(200)
        .body
        .to_string();
    for secret in [
        client_secret.as_str(),
        "cookie-secret-value",
        emu.ready().admin.refresh_token.as_str(),
        emu.admin().as_str(),
    ] {
        assert!(!journal.contains(secret), "the journal holds a secret: {journal}");
    }
    assert!(journal.contains("grant_type=client_credentials"), "{journal}");
}

#[tokio::test]
async fn a_remote_host_is_refused_without_allow_remote() {
    let mut options = EmulatorOptions::default();
    options.host = std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
    options.port = 0;
    let error = scc_emulator::start(options).await.expect_err("refused");
    assert!(error.to_string().contains("--allow-remote"), "{error}");
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

#[tokio::test]
async fn the_journal_cuts_large_bodies_and_says_how_much() {
    let emu = Emu::start().await;
    let big = format!("{{\"name\": \"{}\", \"regionCode\": \"NAM\"}}", "n".repeat(200 * 1024));
    emu.raw(
        "POST",
        "/v1/organizations",
        Some(&emu.admin()),
        Some(&big),
        "application/json",
    )
    .await;
    let journal = emu
        .call("GET", "/_emulator/requests", None, None)
        .await
        .expect(200)
        .body;
    let entry = &journal["requests"][0];
    assert_eq!(entry["body"]["truncated"], true, "{}", entry["body"]);
    assert_eq!(entry["body"]["cut_bytes"].as_u64(), Some((big.len() - 8 * 1024) as u64));
    assert!(entry.to_string().len() < 20 * 1024, "the entry is small");
}
