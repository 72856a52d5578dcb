//! One contract test per endpoint: status and shape as the reference (and its fixtures) say.

use serde_json::json;

use crate::support::{Emu, assert_envelope, assert_shape, fixture};

/// The ids of the default fixtures a test needs.
pub(crate) struct Ids {
    pub(crate) org: String,
    pub(crate) managed: String,
    pub(crate) group: String,
    pub(crate) user: String,
    pub(crate) user_email: String,
    pub(crate) role: String,
    pub(crate) subscription: String,
}

pub(crate) async fn ids(emu: &Emu) -> Ids {
    let org = emu.org();
    let groups = emu.get(&format!("/v1/organizations/{org}/adminGroups")).await;
    let users = emu.get(&format!("/v1/organizations/{org}/users?status=ACTIVE")).await;
    let roles = emu.get(&format!("/v1/organizations/{org}/roles")).await;
    let subscriptions = emu.get(&format!("/v1/organizations/{org}/subscriptions")).await;
    Ids {
        managed: emu.ready().managed_org_ids[0].clone(),
        group: groups["groups"][0]["id"].as_str().expect("group").to_owned(),
        user: users["users"][0]["id"].as_str().expect("user").to_owned(),
        user_email: users["users"][0]["email"].as_str().expect("email").to_owned(),
        role: roles["roles"][0]["id"].as_str().expect("role").to_owned(),
        subscription: subscriptions["subscriptions"][0]["id"]
            .as_str()
            .expect("subscription")
            .to_owned(),
        org,
    }
}

#[tokio::test]
async fn organizations() {
    let emu = Emu::start().await;
    let org = emu.org();
    let list = emu.get("/v1/organizations").await;
    assert_shape(&list, &fixture("organizations_list.json"), "list");
    assert_eq!(
        list["organizations"].as_array().map(Vec::len),
        Some(3),
        "own org and two managed"
    );
    assert!(list.get("cursor").is_none(), "one page, no cursor");

    let got = emu.get(&format!("/v1/organizations/{org}")).await;
    assert_shape(&got, &fixture("organization_create.json"), "get");
    assert_eq!(got["type"], "MANAGER");

    let created = emu
        .call(
            "POST",
            "/v1/organizations",
            Some(&emu.admin()),
            Some(fixture("organization_create_request.json")),
        )
        .await
        .expect(201);
    assert_shape(&created.body, &fixture("organization_create.json"), "create");
    assert_eq!(created.body["type"], "MANAGED");
    assert_eq!(created.body["managerOrgId"], org.as_str());
    assert_eq!(created.body["regionDescription"], "North America");

    let id = created.body["id"].as_str().expect("id");
    let renamed = emu
        .call(
            "PUT",
            &format!("/v1/organizations/{id}"),
            Some(&emu.admin()),
            Some(json!({"name": "Renamed"})),
        )
        .await
        .expect(200);
    assert_eq!(renamed.body["name"], "Renamed");
    assert_eq!(emu.get(&format!("/v1/organizations/{id}")).await["name"], "Renamed");
}

#[tokio::test]
async fn subscriptions_and_claim_codes() {
    let emu = Emu::start().await;
    let org = &emu.ready().managed_org_ids[0];
    let code = emu.ready().claim_codes.valid[0].clone();
    let base = format!("/v1/organizations/{org}/subscriptions");

    let info = emu
        .call(
            "POST",
            &format!("{base}/claimInfo"),
            Some(&emu.admin()),
            Some(json!({"claimCode": code})),
        )
        .await
        .expect(200);
    assert_shape(&info.body, &fixture("claim_info.json"), "claim info");
    let product = info.body["products"][0].clone();
    let region = product["allowedRegions"][0]["regionCode"].clone();

    let request = json!({"claimCode": code, "products": [{
        "id": product["id"], "useExistingTenant": false, "regionCode": region,
        "regionDescription": product["allowedRegions"][0]["regionDescription"]}]});
    assert_shape(&request, &fixture("subscription_create_request.json"), "request");
    let created = emu
        .call("POST", &base, Some(&emu.admin()), Some(request))
        .await
        .expect(201);
    assert_shape(&created.body, &fixture("subscription_create.json"), "create");
    let products = created.body["products"].as_array().expect("products");
    assert_eq!(products[0]["status"], "ACTIVE");
    assert_eq!(products[0]["regionCode"], region);
    assert_eq!(
        products[1]["status"], "INACTIVE",
        "a product not selected is not provisioned"
    );

    let list = emu.get(&base).await;
    assert_eq!(list["subscriptions"].as_array().map(Vec::len), Some(1));
    let name = created.body["name"].as_str().expect("name");
    let filtered = emu.get(&format!("{base}?name={}", &name[..6])).await;
    assert_eq!(filtered["subscriptions"].as_array().map(Vec::len), Some(1));
    let none = emu.get(&format!("{base}?name=nothing-like-it")).await;
    assert_eq!(none["subscriptions"], json!([]));

    let id = created.body["id"].as_str().expect("id");
    let got = emu.get(&format!("{base}/{id}")).await;
    assert_eq!(got, created.body);

    let second = products[1]["id"].clone();
    let updated = emu
        .call(
            "PUT",
            &format!("{base}/{id}"),
            Some(&emu.admin()),
            Some(json!({"productId": second, "status": true, "initialAdmin": "admin@example.com"})),
        )
        .await
        .expect(200);
    assert_eq!(updated.body["products"][1]["status"], "ACTIVE");
    let deactivated = emu
        .call(
            "PUT",
            &format!("{base}/{id}"),
            Some(&emu.admin()),
            Some(json!({"productId": second, "status": false})),
        )
        .await
        .expect(200);
    assert_eq!(deactivated.body["products"][1]["status"], "INACTIVE");

    let sku = products[0]["entitlements"][0]["id"].clone();
    let patched = emu
        .call(
            "PATCH",
            &format!("{base}/{id}"),
            Some(&emu.admin()),
            Some(json!({"entitlements": [{"id": sku, "quantity": 42}], "useExistingTenantsForProducts": [product["id"]]})),
        )
        .await
        .expect(200);
    assert_eq!(patched.body["products"][0]["entitlements"][0]["quantity"], 42);
}

#[tokio::test]
async fn users() {
    let emu = Emu::start().await;
    let ids = ids(&emu).await;
    let base = format!("/v1/organizations/{}/users", ids.org);
    let list = emu.get(&base).await;
    assert_shape(&list, &fixture("users_list.json"), "list");
    let statuses: Vec<_> = list["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["status"].clone())
        .collect();
    for status in ["ACTIVE", "PENDING", "DISABLED"] {
        assert!(statuses.contains(&json!(status)), "fixtures have a {status} user");
        let filtered = emu.get(&format!("{base}?status={status}")).await;
        assert!(
            filtered["users"]
                .as_array()
                .expect("users")
                .iter()
                .all(|u| u["status"] == status)
        );
    }

    let got = emu.get(&format!("{base}/{}", ids.user)).await;
    assert_shape(&got, &fixture("users_list.json")["users"][0], "get");

    let updated = emu
        .call(
            "PUT",
            &format!("{base}/{}", ids.user),
            Some(&emu.admin()),
            Some(json!({"lastName": "Changed"})),
        )
        .await
        .expect(200);
    assert_eq!(updated.body["lastName"], "Changed");
    assert_eq!(
        updated.body["firstName"], got["firstName"],
        "only what was sent changes"
    );

    let patched = emu
        .call(
            "PATCH",
            &base,
            Some(&emu.admin()),
            Some(fixture("users_patch_request.json")),
        )
        .await
        .expect(200);
    assert_eq!(patched.body, fixture("users_patch.json"));

    let groups = emu.get(&format!("{base}/{}/groups", ids.user)).await;
    assert_shape(
        &groups,
        &json!({"groups": [fixture("admin_group.json")]}),
        "user groups",
    );
}

#[tokio::test]
async fn admin_groups() {
    let emu = Emu::start().await;
    let ids = ids(&emu).await;
    let base = format!("/v1/organizations/{}/adminGroups", ids.org);
    let list = emu.get(&base).await;
    assert_shape(&list, &json!({"groups": [fixture("admin_group.json")]}), "list");

    let created = emu
        .call(
            "POST",
            &base,
            Some(&emu.admin()),
            Some(fixture("admin_group_create_request.json")),
        )
        .await
        .expect(201);
    assert_shape(&created.body, &fixture("admin_group.json"), "create");
    let id = created.body["id"].as_str().expect("id").to_owned();
    assert_eq!(emu.get(&format!("{base}/{id}")).await, created.body);

    let updated = emu
        .call(
            "PUT",
            &format!("{base}/{id}"),
            Some(&emu.admin()),
            Some(json!({"description": "New"})),
        )
        .await
        .expect(200);
    assert_eq!(updated.body["description"], "New");
    assert_eq!(updated.body["name"], "Engineering_Team");

    let body = json!({"users": [{"operation": "add", "id": ids.user_email}],
                      "managedOrg": [{"operation": "add", "id": ids.managed}]});
    let patched = emu
        .call("PATCH", &format!("{base}/{id}"), Some(&emu.admin()), Some(body))
        .await
        .expect(200);
    assert_eq!(
        patched.body,
        json!({"results": [
            {"id": ids.user_email, "type": "user", "operation": "add", "status": "success"},
            {"id": ids.managed, "type": "managedOrg", "operation": "add", "status": "success"}
        ]})
    );

    let members = emu.get(&format!("{base}/{id}/users")).await;
    assert_shape(&members, &fixture("users_list.json"), "members");
    assert_eq!(members["users"][0]["email"], ids.user_email.as_str());
    let managed = emu.get(&format!("{base}/{id}/managedOrgs")).await;
    assert_eq!(managed["managedOrgs"][0]["id"], ids.managed.as_str());

    let roles = emu.get(&format!("{base}/{}/roles", ids.group)).await;
    assert_shape(&roles, &fixture("roles_list.json"), "group roles");

    let deleted = emu
        .call("DELETE", &format!("{base}/{id}"), Some(&emu.admin()), None)
        .await
        .expect(204);
    assert_eq!(deleted.body, serde_json::Value::Null);
    emu.call("GET", &format!("{base}/{id}"), Some(&emu.admin()), None)
        .await
        .expect(404);
}

#[tokio::test]
async fn roles() {
    let emu = Emu::start().await;
    let ids = ids(&emu).await;
    let base = format!("/v1/organizations/{}/roles", ids.org);
    let list = emu.get(&base).await;
    assert_shape(&list, &fixture("roles_list.json"), "list");
    for role_type in ["STATIC", "BUNDLED", "CUSTOM"] {
        let filtered = emu.get(&format!("{base}?type={role_type}")).await;
        let roles = filtered["roles"].as_array().expect("roles");
        assert!(!roles.is_empty(), "fixtures have a {role_type} role");
        assert!(roles.iter().all(|role| role["type"] == role_type));
    }
    let admin = list["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|role| {
            role["displayName"] == "Organization Administrator"
                && role["products"][0]["name"] == "Security Cloud Control"
        })
        .expect("the SCC Organization Administrator role")
        .clone();
    assert!(
        list["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .any(|role| role["displayName"] == "Organization Member")
    );

    let got = emu.get(&format!("{base}/{}", ids.role)).await;
    assert_shape(&got, &fixture("roles_list.json")["roles"][0], "get");

    let role_id = admin["id"].as_str().expect("id");
    let patched = emu
        .call(
            "PATCH",
            &format!("{base}/{role_id}"),
            Some(&emu.admin()),
            Some(json!({"groups": [{"operation": "add", "id": ids.group}]})),
        )
        .await
        .expect(200);
    assert_shape(&patched.body, &fixture("roles_patch.json"), "patch");
    assert_eq!(patched.body["results"][0]["type"], "group");
    let group_roles = emu
        .get(&format!(
            "/v1/organizations/{}/adminGroups/{}/roles",
            ids.org, ids.group
        ))
        .await;
    assert!(
        group_roles["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .any(|role| role["id"] == role_id)
    );
    let user_roles = emu.get(&format!("{base}?user={}", ids.user)).await;
    assert!(
        user_roles["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .any(|role| role["id"] == role_id),
        "a role of the user's group is the user's role"
    );
}

#[tokio::test]
async fn token_refresh() {
    let emu = Emu::start().await;
    let ready = emu.ready().clone();
    let path = format!(
        "/v1/organizations/{}/apiKeys/{}/token",
        ready.org_id, ready.admin.api_key_id
    );
    let answer = emu
        .raw(
            "POST",
            &path,
            Some(&ready.admin.refresh_token),
            Some("grant_type=refresh_token"),
            "application/x-www-form-urlencoded",
        )
        .await
        .expect(200);
    assert_shape(&answer.body, &fixture("token_refresh.json"), "refresh");
    assert_eq!(answer.body["expires_in"], 64799);
    assert_eq!(answer.body["token_type"], "Bearer");
    let token = answer.body["access_token"].as_str().expect("token");
    let orgs = emu
        .call("GET", "/v1/organizations", Some(token), None)
        .await
        .expect(200);
    assert!(orgs.body["organizations"].is_array());
}

#[tokio::test]
async fn unknown_paths_and_methods_and_big_bodies_get_the_envelope() {
    let emu = Emu::start().await;
    let missing = emu
        .call("GET", "/v1/nothing/here", Some(&emu.admin()), None)
        .await
        .expect(404);
    assert_envelope(&missing, "/v1/nothing/here");
    let wrong = emu
        .call("DELETE", "/v1/organizations", Some(&emu.admin()), None)
        .await
        .expect(405);
    assert_envelope(&wrong, "/v1/organizations");
    let big = "x".repeat(1024 * 1024 + 1);
    let too_big = emu
        .raw(
            "POST",
            "/v1/organizations",
            Some(&emu.admin()),
            Some(&big),
            "application/json",
        )
        .await
        .expect(413);
    assert_envelope(&too_big, "/v1/organizations");
}
