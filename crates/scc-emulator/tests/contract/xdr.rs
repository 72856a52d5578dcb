//! The XDR profile: client-credentials tokens, whoami, org read and update with the seed's rules.

use serde_json::{Value, json};

use crate::support::Emu;

async fn token_answer(emu: &Emu, id: &str, secret: &str, grant: &str) -> (u16, Value) {
    let response = emu
        .http
        .post(emu.url("/iroh/oauth2/token"))
        .basic_auth(id, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(format!("grant_type={grant}"))
        .send()
        .await
        .expect("answer");
    (response.status().as_u16(), response.json().await.expect("json"))
}

async fn token_for(emu: &Emu, who: &str) -> String {
    let (id, secret) = emu.emulator.xdr_client(who).expect("client");
    let (status, body) = token_answer(emu, &id, &secret, "client_credentials").await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn the_token_endpoint_follows_client_credentials() {
    let emu = Emu::start().await;
    let xdr = emu.ready().xdr.clone();
    let (status, body) = token_answer(&emu, &xdr.client_id, &xdr.client_secret, "client_credentials").await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 600);
    assert!(
        body["scope"]
            .as_str()
            .unwrap_or_default()
            .split(' ')
            .any(|scope| scope == "profile")
    );

    let (status, body) = token_answer(&emu, "client-unknown", "x", "client_credentials").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_client")));
    let (status, body) = token_answer(&emu, &xdr.client_id, "wrong", "client_credentials").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("wrong_client_creds")));
    let (status, body) = token_answer(&emu, &xdr.client_id, &xdr.client_secret, "password").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_grant_type")));
    assert!(body["trace_id"].is_string() && body["error_description"].is_string());
    let missing = emu.call("POST", "/iroh/oauth2/token", None, None).await;
    assert_eq!(
        (missing.status, missing.body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

#[tokio::test]
async fn whoami_and_org_follow_the_data_model() {
    let emu = Emu::start().await;
    let token = token_for(&emu, "admin").await;
    let whoami = emu
        .call("GET", "/iroh/profile/whoami", Some(&token), None)
        .await
        .expect(200);
    let user = &whoami.body["user"];
    for key in [
        "user-id",
        "org-id",
        "scopes",
        "additional-scopes",
        "idp-mappings",
        "user-name",
        "user-email",
        "user-nick",
    ] {
        assert!(user.get(key).is_some(), "user has {key}: {user}");
    }
    assert!(user["user-id"].as_str().unwrap_or_default().starts_with("idb-amp:"));
    let org = &whoami.body["org"];
    for key in ["id", "name", "additional-scopes", "scim-status", "enabled?", "settings"] {
        assert!(org.get(key).is_some(), "org has {key}: {org}");
    }
    assert_eq!(org["scim-status"], "activated");
    let got = emu
        .call("GET", "/iroh/profile/org", Some(&token), None)
        .await
        .expect(200);
    assert_eq!(got.body["id"], org["id"]);

    let missing = emu.call("GET", "/iroh/profile/whoami", None, None).await.expect(401);
    assert_eq!(
        missing.body["error_description"],
        "No JWT found in HTTP Authorization header"
    );
    emu.call("GET", "/iroh/profile/whoami", Some("garbage"), None)
        .await
        .expect(401);
}

#[tokio::test]
async fn who_may_log_in_follows_the_seed() {
    let emu = Emu::start().await;
    // Neither flag set: the identity provider decides. Secure Malware Analytics allows non-admins,
    // Secure Endpoint does not.
    token_for(&emu, "member").await;
    let (id, secret) = emu.emulator.xdr_client("denied").expect("client");
    let (status, body) = token_answer(&emu, &id, &secret, "client_credentials").await;
    assert_eq!((status, body["error"].as_str()), (403, Some("access_denied")), "{body}");

    let admin = token_for(&emu, "admin").await;
    emu.call(
        "POST",
        "/iroh/profile/org",
        Some(&admin),
        Some(json!({"settings": {"allow-all-roles-to-login": true}})),
    )
    .await
    .expect(200);
    let (status, _) = token_answer(&emu, &id, &secret, "client_credentials").await;
    assert_eq!(status, 200, "settings now allow non-admins");

    let master = token_for(&emu, "master").await;
    emu.call(
        "POST",
        "/iroh/profile/org",
        Some(&master),
        Some(json!({"allow-all-role-to-login": false})),
    )
    .await
    .expect(200);
    let (status, _) = token_answer(&emu, &id, &secret, "client_credentials").await;
    assert_eq!(status, 403, "the top-level flag wins over settings");

    emu.call(
        "POST",
        "/iroh/profile/org",
        Some(&master),
        Some(json!({"enabled?": false})),
    )
    .await
    .expect(200);
    let (admin_id, admin_secret) = emu.emulator.xdr_client("admin").expect("client");
    let (status, _) = token_answer(&emu, &admin_id, &admin_secret, "client_credentials").await;
    assert_eq!(status, 403, "a disabled org lets nobody log in");
}

#[tokio::test]
async fn org_updates_check_keys_roles_and_activation() {
    let emu = Emu::start().await;
    let admin = token_for(&emu, "admin").await;
    let renamed = emu
        .call(
            "POST",
            "/iroh/profile/org",
            Some(&admin),
            Some(json!({"name": "Cisco Renamed"})),
        )
        .await
        .expect(200);
    assert_eq!(renamed.body["name"], "Cisco Renamed");

    let unknown = emu
        .call(
            "POST",
            "/iroh/profile/org",
            Some(&admin),
            Some(json!({"invalid_key": 1, "other": 2, "name": "ok"})),
        )
        .await
        .expect(400);
    assert_eq!(
        unknown.body,
        json!({"errors": {"invalid_key": "disallowed-key", "other": "disallowed-key"}})
    );
    let master_only = emu
        .call(
            "POST",
            "/iroh/profile/org",
            Some(&admin),
            Some(json!({"enabled?": false})),
        )
        .await
        .expect(403);
    assert_eq!(master_only.body["error"], "forbidden");

    let member = token_for(&emu, "member").await;
    let scope = emu
        .call("POST", "/iroh/profile/org", Some(&member), Some(json!({"name": "x"})))
        .await
        .expect(403);
    assert_eq!(scope.body["error"], "missing_scope");
    emu.call("GET", "/iroh/profile/whoami", Some(&member), None)
        .await
        .expect(200);

    let pending = token_for(&emu, "pending").await;
    let whoami = emu
        .call("GET", "/iroh/profile/whoami", Some(&pending), None)
        .await
        .expect(200);
    assert_eq!(whoami.body["org"]["scim-status"], "waiting-activation");
    let refused = emu
        .call("POST", "/iroh/profile/org", Some(&pending), Some(json!({"name": "x"})))
        .await
        .expect(403);
    assert!(
        refused.body["error_description"]
            .as_str()
            .unwrap_or_default()
            .contains("waiting for activation")
    );
    let after = emu
        .call("GET", "/iroh/profile/org", Some(&admin), None)
        .await
        .expect(200);
    assert_eq!(after.body["name"], "Cisco Renamed", "refused updates changed nothing");
}
