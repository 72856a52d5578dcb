use scc_sdk::types::{AppliesTo, MemberChange};
use serde_json::json;

use crate::support::{Harness, fixture};

const ORG: &str = "org-1";
const GROUP: &str = "e980e881-b61f-11f0-a9b4-06fbd2118f4e";
const GROUPS: &str = "/v1/organizations/org-1/adminGroups";

fn group_path(suffix: &str) -> String {
    format!("{GROUPS}/{GROUP}{suffix}")
}

#[tokio::test]
async fn list_sends_max_and_cursor_only_when_set() {
    let body = json!({"groups": [fixture("admin_group.json")], "cursor": "g2"});
    let harness = Harness::json(200, body.clone()).await;
    let page = harness.client.groups().list(ORG).send().await.expect("list");
    harness.request().await.assert("GET", GROUPS, &[], None);
    assert_eq!(page.items[0].applies_to, Some(AppliesTo::All));
    assert_eq!(page.next_cursor.as_deref(), Some("g2"));

    let harness = Harness::json(200, body).await;
    harness
        .client
        .groups()
        .list(ORG)
        .max(500)
        .cursor("g2")
        .send()
        .await
        .expect("list");
    harness
        .request()
        .await
        .assert("GET", GROUPS, &[("max", "500"), ("cursor", "g2")], None);
}

#[tokio::test]
async fn get_decodes_the_group() {
    let harness = Harness::json(200, fixture("admin_group.json")).await;
    let group = harness.client.groups().get(ORG, GROUP).await.expect("get");
    harness.request().await.assert("GET", &group_path(""), &[], None);
    assert_eq!(group.group_type.as_deref(), Some("Federated"));
}

#[tokio::test]
async fn create_sends_the_spec_body() {
    let harness = Harness::json(201, fixture("admin_group.json")).await;
    harness
        .client
        .groups()
        .create(ORG, "Engineering_Team")
        .description("Engineering department group")
        .applies_to(AppliesTo::All)
        .send()
        .await
        .expect("create");
    harness
        .request()
        .await
        .assert("POST", GROUPS, &[], Some(fixture("admin_group_create_request.json")));
}

#[tokio::test]
async fn create_omits_unset_and_empty_fields() {
    let harness = Harness::json(201, fixture("admin_group.json")).await;
    harness
        .client
        .groups()
        .create(ORG, "Ops")
        .description("")
        .send()
        .await
        .expect("create");
    harness
        .request()
        .await
        .assert("POST", GROUPS, &[], Some(json!({"name": "Ops"})));
}

#[tokio::test]
async fn update_sends_only_what_is_given() {
    let harness = Harness::json(200, fixture("admin_group.json")).await;
    harness
        .client
        .groups()
        .update(ORG, GROUP)
        .description("New text")
        .send()
        .await
        .expect("update");
    harness
        .request()
        .await
        .assert("PUT", &group_path(""), &[], Some(json!({"description": "New text"})));
}

#[tokio::test]
async fn delete_accepts_204_with_no_body() {
    let harness = Harness::raw(204, "", "application/json").await;
    harness.client.groups().delete(ORG, GROUP).await.expect("delete");
    harness.request().await.assert("DELETE", &group_path(""), &[], None);
}

#[tokio::test]
async fn remove_shared_group_deletes_the_share_in_the_managed_org() {
    let harness = Harness::raw(204, "", "application/json").await;
    harness
        .client
        .groups()
        .remove_shared_group("managed-1", GROUP)
        .await
        .expect("remove share");
    harness.request().await.assert(
        "DELETE",
        &format!("/v1/organizations/managed-1/adminGroups/{GROUP}"),
        &[],
        None,
    );
}

#[tokio::test]
async fn patch_sends_users_and_managed_org() {
    let body = json!({"results": [
        {"id": "user@example.com", "type": "user", "operation": "add", "status": "success"},
        {"id": "Y2lz", "type": "managedOrg", "operation": "add", "status": "success"}
    ]});
    let harness = Harness::json(200, body).await;
    let result = harness
        .client
        .groups()
        .patch(ORG, GROUP)
        .add_user("user@example.com")
        .managed_orgs([MemberChange::add(
            "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi85NmFiYzJhYS0zZGNjLTExZTUtYTE1Mi1mZTM0ODE5Y2RjOWE",
        )])
        .send()
        .await
        .expect("patch");
    harness.request().await.assert(
        "PATCH",
        &group_path(""),
        &[],
        Some(fixture("admin_group_patch_request.json")),
    );
    assert_eq!(result.summary().total, 2);
}

#[tokio::test]
async fn patch_with_removals_only() {
    let harness = Harness::json(200, json!({"results": []})).await;
    harness
        .client
        .groups()
        .patch(ORG, GROUP)
        .remove_user("user@example.com")
        .remove_managed_org("managed-org-id")
        .send()
        .await
        .expect("patch");
    harness.request().await.assert(
        "PATCH",
        &group_path(""),
        &[],
        Some(json!({
            "users": [{"operation": "remove", "id": "user@example.com"}],
            "managedOrg": [{"operation": "remove", "id": "managed-org-id"}]
        })),
    );
}

#[tokio::test]
async fn sub_resources() {
    let harness = Harness::json(200, fixture("users_list.json")).await;
    let users = harness.client.groups().get_users(ORG, GROUP).await.expect("users");
    harness.request().await.assert("GET", &group_path("/users"), &[], None);
    assert_eq!(users.items[0].email.as_deref(), Some("john.doe@example.com"));

    let harness = Harness::json(200, fixture("roles_list.json")).await;
    let roles = harness
        .client
        .groups()
        .get_assigned_roles(ORG, GROUP)
        .await
        .expect("roles");
    harness.request().await.assert("GET", &group_path("/roles"), &[], None);
    assert_eq!(
        roles.items[0].display_name.as_deref(),
        Some("Test platform product 2 display name")
    );

    let body = json!({"managedOrgs": [{"id": "m1", "name": "Managed One", "regionCode": "NAM"}]});
    let harness = Harness::json(200, body).await;
    let managed = harness
        .client
        .groups()
        .get_managed_organizations(ORG, GROUP)
        .await
        .expect("managed");
    harness
        .request()
        .await
        .assert("GET", &group_path("/managedOrgs"), &[], None);
    assert_eq!(managed.items[0].name.as_deref(), Some("Managed One"));
    assert_eq!(managed.items[0].extra["regionCode"], "NAM");
}
