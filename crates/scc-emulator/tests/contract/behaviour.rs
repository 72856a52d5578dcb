//! Behaviour: bulk results, claim codes, token rotation, pagination, user states, shared groups,
//! determinism.

use serde_json::{Value, json};

use crate::endpoints::ids;
use crate::support::{Emu, assert_envelope};

fn results(body: &Value) -> Vec<(String, String)> {
    body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|item| {
            (
                item["status"].as_str().unwrap_or_default().to_owned(),
                item["errorDescription"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn bulk_patch_reports_each_item_and_one_failure_blocks_nothing() {
    let emu = Emu::start().await;
    let org = emu.org();
    let path = format!("/v1/organizations/{org}/users");
    let body = json!({"users": [
        {"email": "new.one@example.com", "operation": "invite", "firstName": "New", "lastName": "One"},
        {"email": "alice.admin@acme.example", "operation": "invite", "firstName": "A", "lastName": "B"},
        {"email": "ghost@example.com", "operation": "disable"},
        {"email": "new.two@example.com", "operation": "invite", "firstName": "New", "lastName": "Two", "isAdmin": true},
        {"email": "not-an-email", "operation": "enable"},
        {"email": "bob.analyst@acme.example", "operation": "reset_mfa", "factorId": "uftNOPE"}
    ]});
    let answer = emu
        .call("PATCH", &path, Some(&emu.admin()), Some(body))
        .await
        .expect(200);
    let outcome = results(&answer.body);
    assert_eq!(outcome[0], ("success".into(), String::new()));
    assert_eq!(
        outcome[1],
        ("failed".into(), "user already exists in the organization".into())
    );
    assert_eq!(
        outcome[2],
        ("failed".into(), "user not found in the organization".into())
    );
    assert_eq!(outcome[3], ("success".into(), String::new()));
    assert_eq!(outcome[4].0, "failed");
    assert!(outcome[5].1.contains("not enrolled"), "{:?}", outcome[5]);
    let users = emu.get(&format!("{path}?status=PENDING")).await;
    let emails: Vec<_> = users["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["email"].clone())
        .collect();
    assert!(emails.contains(&json!("new.one@example.com")) && emails.contains(&json!("new.two@example.com")));

    let before = emu.state();
    for (body, message) in [
        (json!({"users": []}), "users must hold at least one item"),
        (
            json!({"users": [{"email": "a@b.co", "operation": "explode"}]}),
            "users[0].operation must be one of",
        ),
        (
            json!({"users": [{"email": "a@b.co", "operation": "reset_mfa"}]}),
            "users[0].factorId is required for reset_mfa",
        ),
        (
            json!({"users": [{"email": "a@b.co", "operation": "invite"}]}),
            "users[0].firstName must not be empty",
        ),
        (json!({"users": "nope"}), "invalid field `users`"),
    ] {
        let answer = emu
            .call("PATCH", &path, Some(&emu.admin()), Some(body))
            .await
            .expect(400);
        assert!(
            answer.body["message"].as_str().unwrap_or_default().starts_with(message),
            "{}",
            answer.body
        );
        assert_envelope(&answer, &path);
    }
    let too_many: Vec<Value> = (0..501)
        .map(|i| json!({"email": format!("u{i}@example.com"), "operation": "enable"}))
        .collect();
    emu.call("PATCH", &path, Some(&emu.admin()), Some(json!({ "users": too_many })))
        .await
        .expect(400);
    assert_eq!(emu.state(), before, "a malformed bulk request changes nothing");
}

#[tokio::test]
async fn user_states_move_as_the_operations_say() {
    let emu = Emu::start().await;
    let org = emu.org();
    let path = format!("/v1/organizations/{org}/users");
    let find = |body: Value| {
        body["users"]
            .as_array()
            .expect("users")
            .iter()
            .find(|user| user["email"] == "state@example.com")
            .map(|user| user["status"].as_str().unwrap_or_default().to_owned())
    };
    let op = |operation: &str| json!({"users": [{"email": "state@example.com", "operation": operation, "firstName": "S", "lastName": "T"}]});
    for (operation, expected) in [
        ("invite", Some("PENDING")),
        ("disable", Some("DISABLED")),
        ("enable", Some("ACTIVE")),
        ("remove", None),
    ] {
        let answer = emu
            .call("PATCH", &path, Some(&emu.admin()), Some(op(operation)))
            .await
            .expect(200);
        assert_eq!(
            answer.body["results"][0]["status"], "success",
            "{operation}: {}",
            answer.body
        );
        assert_eq!(find(emu.get(&path).await).as_deref(), expected, "after {operation}");
    }
}

#[tokio::test]
async fn a_claim_code_is_used_once() {
    let emu = Emu::start().await;
    let org = emu.org();
    let path = format!("/v1/organizations/{org}/subscriptions");
    let code = emu.ready().claim_codes.valid[1].clone();
    emu.call("POST", &path, Some(&emu.admin()), Some(json!({"claimCode": code})))
        .await
        .expect(201);
    let again = emu
        .call("POST", &path, Some(&emu.admin()), Some(json!({"claimCode": code})))
        .await
        .expect(409);
    assert_envelope(&again, &path);
    emu.call(
        "POST",
        &format!("{path}/claimInfo"),
        Some(&emu.admin()),
        Some(json!({"claimCode": code})),
    )
    .await
    .expect(409);
    let claimed = emu.ready().claim_codes.claimed[0].clone();
    emu.call("POST", &path, Some(&emu.admin()), Some(json!({"claimCode": claimed})))
        .await
        .expect(409);
    let invalid = emu
        .call(
            "POST",
            &format!("{path}/claimInfo"),
            Some(&emu.admin()),
            Some(json!({"claimCode": "ABCD-EFGH-JKLM-NPQR"})),
        )
        .await
        .expect(400);
    assert_eq!(invalid.body["message"], "invalid claim code provided");
    assert_envelope(&invalid, &format!("{path}/claimInfo"));

    let code = emu.ready().claim_codes.valid[2].clone();
    let info = emu
        .call(
            "POST",
            &format!("{path}/claimInfo"),
            Some(&emu.admin()),
            Some(json!({"claimCode": code})),
        )
        .await
        .expect(200);
    let product = &info.body["products"][0];
    let bad_region = json!({"claimCode": code, "products": [{"id": product["id"], "useExistingTenant": false, "regionCode": "MARS"}]});
    let refused = emu
        .call("POST", &path, Some(&emu.admin()), Some(bad_region))
        .await
        .expect(400);
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not allowed"),
        "{}",
        refused.body
    );
    emu.call(
        "POST",
        &format!("{path}/claimInfo"),
        Some(&emu.admin()),
        Some(json!({"claimCode": code})),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn refresh_rotates_and_the_old_refresh_token_stops_working() {
    let emu = Emu::with(scc_emulator::EmulatorOptions::default().token_ttl(30)).await;
    let ready = emu.ready().clone();
    let path = format!(
        "/v1/organizations/{}/apiKeys/{}/token",
        ready.org_id, ready.admin.api_key_id
    );
    let form = "application/x-www-form-urlencoded";
    let first = emu
        .raw(
            "POST",
            &path,
            Some(&ready.admin.refresh_token),
            Some("grant_type=refresh_token"),
            form,
        )
        .await
        .expect(200);
    assert_eq!(first.body["expires_in"], 30);
    let old = emu
        .raw(
            "POST",
            &path,
            Some(&ready.admin.refresh_token),
            Some("grant_type=refresh_token"),
            form,
        )
        .await
        .expect(401);
    assert_eq!(old.body["message"], "the refresh token is invalid or expired");
    let new_refresh = first.body["refresh_token"].as_str().expect("refresh");
    let second = emu
        .raw("POST", &path, Some(new_refresh), Some("grant_type=refresh_token"), form)
        .await
        .expect(200);
    assert_ne!(second.body["refresh_token"], first.body["refresh_token"]);

    // The access token is a JWT whose `exp` says when it expires.
    let token = second.body["access_token"].as_str().expect("token");
    let payload = token.split('.').nth(1).expect("payload");
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url"),
    )
    .expect("claims");
    assert_eq!(
        claims["exp"]
            .as_i64()
            .zip(claims["iat"].as_i64())
            .map(|(exp, iat)| exp - iat),
        Some(30)
    );
    emu.call("GET", "/v1/organizations", Some(token), None)
        .await
        .expect(200);
    emu.call("POST", "/_emulator/clock", None, Some(json!({"advance_seconds": 31})))
        .await
        .expect(200);
    emu.call("GET", "/v1/organizations", Some(token), None)
        .await
        .expect(401);
}

#[tokio::test]
async fn pagination_follows_cursors_bound_to_filters() {
    let emu = Emu::start().await;
    for index in 0..7 {
        emu.call(
            "POST",
            "/v1/organizations",
            Some(&emu.admin()),
            Some(json!({"name": format!("Paged {index}"), "regionCode": "EMEA", "type": "MANAGED"})),
        )
        .await
        .expect(201);
    }
    let mut names = Vec::new();
    let mut path = "/v1/organizations?name=paged&max=3&sortBy=name&order=DESC".to_owned();
    let mut pages = 0;
    loop {
        let answer = emu.call("GET", &path, Some(&emu.admin()), None).await.expect(200);
        pages += 1;
        for org in answer.body["organizations"].as_array().expect("orgs") {
            names.push(org["name"].as_str().unwrap_or_default().to_owned());
        }
        let Some(cursor) = answer.body["cursor"].as_str() else {
            assert!(answer.headers.get("link").is_none(), "no Link on the last page");
            break;
        };
        let link = answer
            .headers
            .get("link")
            .and_then(|v| v.to_str().ok())
            .expect("a Link header")
            .to_owned();
        assert!(
            link.ends_with("rel=\"next\"") && link.contains("/v1/organizations?"),
            "{link}"
        );
        path = format!("/v1/organizations?name=paged&max=3&sortBy=name&order=DESC&cursor={cursor}");
    }
    assert_eq!(pages, 3);
    assert_eq!(names, (0..7).rev().map(|i| format!("Paged {i}")).collect::<Vec<_>>());

    let first = emu.get("/v1/organizations?name=paged&max=3").await;
    let cursor = first["cursor"].as_str().expect("cursor");
    let rebound = emu
        .call(
            "GET",
            &format!("/v1/organizations?name=other&max=3&cursor={cursor}"),
            Some(&emu.admin()),
            None,
        )
        .await
        .expect(400);
    assert!(
        rebound.body["message"].as_str().unwrap_or_default().contains("cursor"),
        "{}",
        rebound.body
    );
    for bad in [
        "max=0",
        "max=501",
        "max=x",
        "type=WEIRD",
        "order=UP",
        "sortBy=color",
        "cursor=%25%25",
    ] {
        emu.call("GET", &format!("/v1/organizations?{bad}"), Some(&emu.admin()), None)
            .await
            .expect(400);
    }
    let filtered = emu.get("/v1/organizations?type=MANAGED&regionCode=EMEA&max=500").await;
    assert_eq!(
        filtered["organizations"].as_array().map(Vec::len),
        Some(8),
        "7 new + Acme Customer West"
    );
}

#[tokio::test]
async fn admin_groups_have_unique_names_and_shares() {
    let emu = Emu::start().await;
    let ids = ids(&emu).await;
    let base = format!("/v1/organizations/{}/adminGroups", ids.org);
    let duplicate = emu
        .call("POST", &base, Some(&emu.admin()), Some(json!({"name": "soc analysts"})))
        .await
        .expect(409);
    assert_envelope(&duplicate, &base);

    let managed_base = format!("/v1/organizations/{}/adminGroups", ids.managed);
    let shared = emu.get(&managed_base).await;
    assert!(
        shared["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .any(|g| g["id"] == ids.group.as_str())
    );
    emu.call(
        "PUT",
        &format!("{managed_base}/{}", ids.group),
        Some(&emu.admin()),
        Some(json!({"name": "x"})),
    )
    .await
    .expect(403);
    // remove_shared_group: DELETE in the managed org ends the share, the manager's group stays.
    emu.call(
        "DELETE",
        &format!("{managed_base}/{}", ids.group),
        Some(&emu.admin()),
        None,
    )
    .await
    .expect(204);
    let after = emu.get(&managed_base).await;
    assert!(
        after["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .all(|g| g["id"] != ids.group.as_str())
    );
    emu.get(&format!("{base}/{}", ids.group)).await;

    let patch = json!({"users": [{"operation": "add", "id": "alice.admin@acme.example"},
                                  {"operation": "remove", "id": "carol.new@acme.example"},
                                  {"operation": "add", "id": "nobody@acme.example"}],
                       "managedOrg": [{"operation": "add", "id": "not-managed"}]});
    let answer = emu
        .call(
            "PATCH",
            &format!("{base}/{}", ids.group),
            Some(&emu.admin()),
            Some(patch),
        )
        .await
        .expect(200);
    assert_eq!(
        results(&answer.body),
        vec![
            ("failed".into(), "user is already a member of the group".into()),
            ("failed".into(), "user is not a member of the group".into()),
            ("failed".into(), "user not found in the organization".into()),
            (
                "failed".into(),
                "organization is not managed by this organization".into()
            ),
        ]
    );
    // The reference's base64url form of a managed-organization id is understood.
    use base64::Engine;
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("ciscospark://us/ORGANIZATION/{}", ids.managed));
    let share = json!({"managedOrg": [{"operation": "add", "id": encoded}]});
    let answer = emu
        .call(
            "PATCH",
            &format!("{base}/{}", ids.group),
            Some(&emu.admin()),
            Some(share),
        )
        .await
        .expect(200);
    assert_eq!(answer.body["results"][0]["status"], "success");
}

#[tokio::test]
async fn fixtures_are_the_same_for_a_seed() {
    let one = Emu::start().await;
    let two = Emu::start().await;
    let other = Emu::with(scc_emulator::EmulatorOptions::default().seed(2)).await;
    let strip = |emu: &Emu| {
        let mut ready = serde_json::to_value(emu.ready()).expect("json");
        ready["base_url"] = Value::Null;
        ready["xdr"]["base_url"] = Value::Null;
        ready["control_token"] = Value::Null;
        ready
    };
    assert_eq!(strip(&one), strip(&two));
    assert_ne!(strip(&one)["org_id"], strip(&other)["org_id"]);
    assert_eq!(one.ready().managed_org_ids.len(), 2);
    assert_eq!(one.ready().claim_codes.claimed.len(), 1);
    assert!(one.ready().claim_codes.valid.len() >= 5);
}

/// The name filter is a partial match, case-insensitive, that follows renames at once and never
/// joins two names into one match.
#[tokio::test]
async fn the_name_filter_matches_part_of_a_name_and_follows_renames() {
    let emu = Emu::start().await;
    let mut ids = Vec::new();
    for name in ["Northwind East", "Northwind West", "Contoso"] {
        let created = emu
            .call(
                "POST",
                "/v1/organizations",
                Some(&emu.admin()),
                Some(json!({"name": name, "regionCode": "NAM", "type": "MANAGED"})),
            )
            .await
            .expect(201);
        ids.push(created.body["id"].as_str().expect("id").to_owned());
    }
    let names = |body: Value| -> Vec<String> {
        let mut names: Vec<String> = body["organizations"]
            .as_array()
            .expect("orgs")
            .iter()
            .map(|org| org["name"].as_str().unwrap_or_default().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names(emu.get("/v1/organizations?name=NORTHWIND").await),
        ["Northwind East", "Northwind West"]
    );
    // "West" then "Contoso" were created one after the other: "stco" spans the two and matches neither.
    assert!(names(emu.get("/v1/organizations?name=stco").await).is_empty());

    emu.call(
        "PUT",
        &format!("/v1/organizations/{}", ids[0]),
        Some(&emu.admin()),
        Some(json!({"name": "Fabrikam"})),
    )
    .await
    .expect(200);
    assert_eq!(
        names(emu.get("/v1/organizations?name=northwind").await),
        ["Northwind West"]
    );
    assert_eq!(names(emu.get("/v1/organizations?name=fabri").await), ["Fabrikam"]);
}

#[tokio::test]
async fn names_past_255_characters_are_refused() {
    let emu = Emu::start().await;
    let long = "n".repeat(300 * 1024);
    let refused = emu
        .call(
            "POST",
            "/v1/organizations",
            Some(&emu.admin()),
            Some(json!({"name": long, "regionCode": "NAM"})),
        )
        .await
        .expect(400);
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("longer than 255"),
        "{:?}",
        refused.body
    );
    let org = emu.org();
    emu.call(
        "POST",
        &format!("/v1/organizations/{org}/adminGroups"),
        Some(&emu.admin()),
        Some(json!({"name": "é".repeat(256)})),
    )
    .await
    .expect(400);
    emu.call(
        "POST",
        &format!("/v1/organizations/{org}/adminGroups"),
        Some(&emu.admin()),
        Some(json!({"name": "é".repeat(255)})),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn names_are_one_name_in_any_unicode_form_case_or_with_invisible_characters() {
    let emu = Emu::start().await;
    let org = emu.org();
    let groups = format!("/v1/organizations/{org}/adminGroups");
    emu.call("POST", &groups, Some(&emu.admin()), Some(json!({"name": "ÉQUIPE"})))
        .await
        .expect(201);
    for same in ["équipe", "E\u{301}QUIPE", "ÉQUI\u{200b}PE"] {
        emu.call("POST", &groups, Some(&emu.admin()), Some(json!({"name": same})))
            .await
            .expect(409);
    }
    for invisible in ["\u{200b}", " \u{feff} "] {
        emu.call(
            "POST",
            "/v1/organizations",
            Some(&emu.admin()),
            Some(json!({"name": invisible, "regionCode": "NAM"})),
        )
        .await
        .expect(400);
    }
    // The name filter follows the rule: NFD finds NFC.
    emu.call(
        "POST",
        "/v1/organizations",
        Some(&emu.admin()),
        Some(json!({"name": "Café Zürich", "regionCode": "EMEA", "type": "MANAGED"})),
    )
    .await
    .expect(201);
    let found = emu.get("/v1/organizations?name=Cafe%CC%81%20Zu%CC%88rich").await;
    assert_eq!(found["organizations"].as_array().map(Vec::len), Some(1), "{found}");
}
