//! Every endpoint × no token, malformed token, expired token, member writing, another organization:
//! the right status, the envelope, and the state unchanged.

use serde_json::{Value, json};

use crate::endpoints::ids;
use crate::support::{Emu, assert_envelope};

struct Endpoint {
    method: &'static str,
    path: String,
    body: Option<Value>,
}

fn is_write(method: &str) -> bool {
    method != "GET"
}

/// The 27 access-token endpoints (the 28th, token refresh, is checked below) with bodies that would
/// succeed, so a refusal can only come from the credentials.
async fn endpoints(emu: &Emu, org: &str) -> Vec<Endpoint> {
    let ids = ids(emu).await;
    let (sub, user, email, group, role) = (&ids.subscription, &ids.user, &ids.user_email, &ids.group, &ids.role);
    let code = &emu.ready().claim_codes.valid[0];
    let list: Vec<(&'static str, String, Option<Value>)> = vec![
        ("GET", "/v1/organizations".into(), None),
        (
            "POST",
            "/v1/organizations".into(),
            Some(json!({"name": "New", "regionCode": "NAM"})),
        ),
        ("GET", format!("/v1/organizations/{org}"), None),
        (
            "PUT",
            format!("/v1/organizations/{org}"),
            Some(json!({"name": "Renamed"})),
        ),
        ("GET", format!("/v1/organizations/{org}/subscriptions"), None),
        (
            "POST",
            format!("/v1/organizations/{org}/subscriptions"),
            Some(json!({"claimCode": code})),
        ),
        (
            "POST",
            format!("/v1/organizations/{org}/subscriptions/claimInfo"),
            Some(json!({"claimCode": code})),
        ),
        ("GET", format!("/v1/organizations/{org}/subscriptions/{sub}"), None),
        (
            "PUT",
            format!("/v1/organizations/{org}/subscriptions/{sub}"),
            Some(json!({"productId": "p", "status": true})),
        ),
        (
            "PATCH",
            format!("/v1/organizations/{org}/subscriptions/{sub}"),
            Some(json!({"entitlements": [{"id": "E3S-AIDEF-ADV", "quantity": 1}]})),
        ),
        ("GET", format!("/v1/organizations/{org}/users"), None),
        (
            "PATCH",
            format!("/v1/organizations/{org}/users"),
            Some(
                json!({"users": [{"email": "n@example.com", "operation": "invite", "firstName": "N", "lastName": "M"}]}),
            ),
        ),
        ("GET", format!("/v1/organizations/{org}/users/{user}"), None),
        (
            "PUT",
            format!("/v1/organizations/{org}/users/{user}"),
            Some(json!({"firstName": "X"})),
        ),
        ("GET", format!("/v1/organizations/{org}/users/{user}/groups"), None),
        ("GET", format!("/v1/organizations/{org}/adminGroups"), None),
        (
            "POST",
            format!("/v1/organizations/{org}/adminGroups"),
            Some(json!({"name": "Fresh"})),
        ),
        ("GET", format!("/v1/organizations/{org}/adminGroups/{group}"), None),
        (
            "PUT",
            format!("/v1/organizations/{org}/adminGroups/{group}"),
            Some(json!({"description": "d"})),
        ),
        (
            "PATCH",
            format!("/v1/organizations/{org}/adminGroups/{group}"),
            Some(json!({"users": [{"operation": "remove", "id": email}]})),
        ),
        ("DELETE", format!("/v1/organizations/{org}/adminGroups/{group}"), None),
        (
            "GET",
            format!("/v1/organizations/{org}/adminGroups/{group}/managedOrgs"),
            None,
        ),
        (
            "GET",
            format!("/v1/organizations/{org}/adminGroups/{group}/roles"),
            None,
        ),
        (
            "GET",
            format!("/v1/organizations/{org}/adminGroups/{group}/users"),
            None,
        ),
        ("GET", format!("/v1/organizations/{org}/roles"), None),
        ("GET", format!("/v1/organizations/{org}/roles/{role}"), None),
        (
            "PATCH",
            format!("/v1/organizations/{org}/roles/{role}"),
            Some(json!({"users": [{"operation": "add", "id": user}]})),
        ),
    ];
    list.into_iter()
        .map(|(method, path, body)| Endpoint { method, path, body })
        .collect()
}

fn standalone_org(emu: &Emu) -> String {
    let state = emu.emulator.state_json();
    state["organizations"]
        .as_object()
        .expect("organizations")
        .values()
        .find(|org| org["org_type"] == "STANDALONE")
        .and_then(|org| org["id"].as_str())
        .expect("a STANDALONE organization in the fixtures")
        .to_owned()
}

#[tokio::test]
async fn missing_and_malformed_tokens_are_401_and_change_nothing() {
    let emu = Emu::start().await;
    let before = emu.state();
    for endpoint in endpoints(&emu, &emu.org()).await {
        for token in [None, Some("not-a-token"), Some("")] {
            let answer = emu
                .call(endpoint.method, &endpoint.path, token, endpoint.body.clone())
                .await;
            assert_eq!(
                answer.status, 401,
                "{} {} with {token:?}: {}",
                endpoint.method, endpoint.path, answer.body
            );
            assert_envelope(&answer, &endpoint.path);
        }
        let basic = emu
            .http
            .request(
                reqwest::Method::from_bytes(endpoint.method.as_bytes()).expect("method"),
                emu.url(&endpoint.path),
            )
            .header("authorization", "Basic dXNlcjpwYXNz")
            .send()
            .await
            .expect("answer");
        assert_eq!(basic.status(), 401, "{} {} with Basic", endpoint.method, endpoint.path);
    }
    assert_eq!(emu.state(), before, "refused requests change nothing");
}

#[tokio::test]
async fn member_tokens_cannot_write() {
    let emu = Emu::start().await;
    let before = emu.state();
    for endpoint in endpoints(&emu, &emu.org()).await {
        let answer = emu
            .call(
                endpoint.method,
                &endpoint.path,
                Some(&emu.member()),
                endpoint.body.clone(),
            )
            .await;
        if is_write(endpoint.method) {
            assert_eq!(
                answer.status, 403,
                "{} {}: {}",
                endpoint.method, endpoint.path, answer.body
            );
            assert_envelope(&answer, &endpoint.path);
        } else {
            assert_eq!(
                answer.status, 200,
                "members read {} {}: {}",
                endpoint.method, endpoint.path, answer.body
            );
        }
    }
    assert_eq!(emu.state(), before);
}

#[tokio::test]
async fn other_organizations_are_not_found() {
    let emu = Emu::start().await;
    let other = standalone_org(&emu);
    let before = emu.state();
    for endpoint in endpoints(&emu, &other).await {
        if endpoint.path == "/v1/organizations" {
            continue;
        }
        let answer = emu
            .call(
                endpoint.method,
                &endpoint.path,
                Some(&emu.admin()),
                endpoint.body.clone(),
            )
            .await;
        assert_eq!(
            answer.status, 404,
            "{} {}: {}",
            endpoint.method, endpoint.path, answer.body
        );
        assert_envelope(&answer, &endpoint.path);
    }
    let list = emu.get("/v1/organizations").await;
    assert!(
        list["organizations"]
            .as_array()
            .expect("list")
            .iter()
            .all(|org| org["id"] != other.as_str()),
        "an organization out of reach is not listed"
    );
    assert_eq!(emu.state(), before);
}

#[tokio::test]
async fn expired_tokens_are_401() {
    let emu = Emu::start().await;
    let endpoints = endpoints(&emu, &emu.org()).await;
    let before = emu.state();
    emu.call(
        "POST",
        "/_emulator/clock",
        None,
        Some(json!({"advance_seconds": 64_800})),
    )
    .await
    .expect(200);
    for endpoint in endpoints {
        let answer = emu
            .call(
                endpoint.method,
                &endpoint.path,
                Some(&emu.admin()),
                endpoint.body.clone(),
            )
            .await;
        assert_eq!(
            answer.status, 401,
            "{} {}: {}",
            endpoint.method, endpoint.path, answer.body
        );
        assert_eq!(answer.body["message"], "the access token has expired");
    }
    assert_eq!(emu.state(), before);
}

#[tokio::test]
async fn token_refresh_needs_the_current_refresh_token_of_the_key() {
    let emu = Emu::start().await;
    let ready = emu.ready().clone();
    let path = format!(
        "/v1/organizations/{}/apiKeys/{}/token",
        ready.org_id, ready.admin.api_key_id
    );
    let form = "application/x-www-form-urlencoded";
    let before = emu.state();
    let no_token = emu
        .raw("POST", &path, None, Some("grant_type=refresh_token"), form)
        .await
        .expect(401);
    assert_envelope(&no_token, &path);
    let access_instead = emu
        .raw(
            "POST",
            &path,
            Some(&ready.admin.access_token),
            Some("grant_type=refresh_token"),
            form,
        )
        .await
        .expect(401);
    assert_eq!(
        access_instead.body["message"],
        "the refresh token is invalid or expired"
    );
    emu.raw(
        "POST",
        &path,
        Some(&ready.member.refresh_token),
        Some("grant_type=refresh_token"),
        form,
    )
    .await
    .expect(401);
    let other = standalone_org(&emu);
    let elsewhere = format!("/v1/organizations/{other}/apiKeys/{}/token", ready.admin.api_key_id);
    emu.raw(
        "POST",
        &elsewhere,
        Some(&ready.admin.refresh_token),
        Some("grant_type=refresh_token"),
        form,
    )
    .await
    .expect(404);
    emu.raw(
        "POST",
        &path,
        Some(&ready.admin.refresh_token),
        Some("grant_type=password"),
        form,
    )
    .await
    .expect(400);
    assert_eq!(emu.state(), before);
}
