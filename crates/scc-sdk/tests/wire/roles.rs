use scc_sdk::types::{MemberChange, RoleType};
use serde_json::json;

use crate::support::{Harness, fixture};

const ORG: &str = "org-1";
const ROLE: &str = "6280494d-dd0f-4655-b558-111111111114";

#[tokio::test]
async fn list_with_type_and_user() {
    let harness = Harness::json(200, fixture("roles_list.json")).await;
    let roles = harness.client.roles().list(ORG).send().await.expect("list");
    harness
        .request()
        .await
        .assert("GET", "/v1/organizations/org-1/roles", &[], None);
    assert_eq!(roles.items[0].role_type, Some(RoleType::Static));

    let harness = Harness::json(200, fixture("roles_list.json")).await;
    harness
        .client
        .roles()
        .list(ORG)
        .role_type(RoleType::Custom)
        .user("00u2k67hy1xf3mRxG0h8")
        .send()
        .await
        .expect("list");
    harness.request().await.assert(
        "GET",
        "/v1/organizations/org-1/roles",
        &[("type", "CUSTOM"), ("user", "00u2k67hy1xf3mRxG0h8")],
        None,
    );
}

#[tokio::test]
async fn get_decodes_products() {
    let body = json!({"id": ROLE, "displayName": "Organization Administrator", "type": "STATIC",
                      "products": [{"name": "Security Cloud Control"}]});
    let harness = Harness::json(200, body).await;
    let role = harness.client.roles().get(ORG, ROLE).await.expect("get");
    harness
        .request()
        .await
        .assert("GET", &format!("/v1/organizations/org-1/roles/{ROLE}"), &[], None);
    assert!(role.has_product("Security Cloud Control"));
}

#[tokio::test]
async fn patch_sends_users_and_groups_and_summarizes() {
    let harness = Harness::json(200, fixture("roles_patch.json")).await;
    let result = harness
        .client
        .roles()
        .patch(ORG, ROLE)
        .add_user("abc@xyz.com")
        .groups([MemberChange::add("group-1"), MemberChange::remove("group-2")])
        .send()
        .await
        .expect("patch");
    harness.request().await.assert(
        "PATCH",
        &format!("/v1/organizations/org-1/roles/{ROLE}"),
        &[],
        Some(json!({
            "users": [{"operation": "add", "id": "abc@xyz.com"}],
            "groups": [{"operation": "add", "id": "group-1"}, {"operation": "remove", "id": "group-2"}]
        })),
    );
    assert!(result.summary().all_successful);
}

#[tokio::test]
async fn patch_with_groups_only_omits_users() {
    let harness = Harness::json(200, fixture("roles_patch.json")).await;
    harness
        .client
        .roles()
        .patch(ORG, ROLE)
        .add_group("group-1")
        .send()
        .await
        .expect("patch");
    harness.request().await.assert(
        "PATCH",
        &format!("/v1/organizations/org-1/roles/{ROLE}"),
        &[],
        Some(json!({"groups": [{"operation": "add", "id": "group-1"}]})),
    );
}

#[tokio::test]
async fn find_role_id_matches_display_name_and_product() {
    let body = json!({"roles": [
        {"id": "r-member", "displayName": "Organization Member", "type": "STATIC", "products": [{"name": "Security Cloud Control"}]},
        {"id": "r-other", "displayName": "Organization Administrator", "type": "STATIC", "products": [{"name": "Cisco Secure Access"}]},
        {"id": "r-admin", "displayName": "Organization Administrator", "type": "STATIC", "products": [{"name": "Security Cloud Control"}]}
    ]});
    let harness = Harness::json(200, body.clone()).await;
    let found = harness
        .client
        .roles()
        .find_role_id(ORG, "Security Cloud Control", "Organization Administrator")
        .await
        .expect("find");
    harness
        .request()
        .await
        .assert("GET", "/v1/organizations/org-1/roles", &[("type", "STATIC")], None);
    assert_eq!(found.as_ref().map(|id| id.as_str()), Some("r-admin"));

    let harness = Harness::json(200, body).await;
    let missing = harness
        .client
        .roles()
        .find_role_id(ORG, "Security Cloud Control", "organization administrator")
        .await
        .expect("find");
    assert_eq!(missing, None, "display names match exactly");
}
