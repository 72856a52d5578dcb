use scc_sdk::types::{AppliesTo, MemberChange};
use serde_json::json;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

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

/// A server where `managed-1` is managed by `msp-1`, which holds `GROUP` when `manager_has_group`.
async fn shared_group_server(manager_org: Option<&str>, manager_has_group: bool) -> (MockServer, scc_sdk::Client) {
    let server = MockServer::start().await;
    let mut org = json!({"id": "managed-1", "name": "Customer", "type": "MANAGED", "regionCode": "NAM"});
    if let Some(manager) = manager_org {
        org["managerOrgId"] = json!(manager);
    }
    Mock::given(method("GET"))
        .and(path("/v1/organizations/managed-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(org))
        .mount(&server)
        .await;
    let manager_group = if manager_has_group {
        ResponseTemplate::new(200).set_body_json(fixture("admin_group.json"))
    } else {
        ResponseTemplate::new(404).set_body_json(json!({"message": "admin group not found", "statusCode": 404}))
    };
    Mock::given(method("GET"))
        .and(path(format!("/v1/organizations/msp-1/adminGroups/{GROUP}")))
        .respond_with(manager_group)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = scc_sdk::Client::builder()
        .access_token("token")
        .base_url(server.uri())
        .retry(scc_sdk::RetryConfig::disabled())
        .build()
        .expect("client builds");
    (server, client)
}

#[tokio::test]
async fn remove_shared_group_deletes_the_share_in_the_managed_org() {
    let (server, client) = shared_group_server(Some("msp-1"), true).await;
    client
        .groups()
        .remove_shared_group("managed-1", GROUP)
        .await
        .expect("remove share");
    let sent: Vec<(String, String)> = server
        .received_requests()
        .await
        .expect("recording")
        .iter()
        .map(|request| (request.method.to_string(), request.url.path().to_owned()))
        .collect();
    assert_eq!(
        sent,
        [
            ("GET".to_owned(), "/v1/organizations/managed-1".to_owned()),
            ("GET".to_owned(), format!("/v1/organizations/msp-1/adminGroups/{GROUP}")),
            (
                "DELETE".to_owned(),
                format!("/v1/organizations/managed-1/adminGroups/{GROUP}")
            ),
        ]
    );
}

#[tokio::test]
async fn remove_shared_group_never_deletes_a_group_of_the_organization_itself() {
    // An organization with no manager (the group is its own), and a manager that holds no such group.
    for (manager, has_group, why) in [
        (None, false, "has no manager organization"),
        (Some("msp-1"), false, "is not a group of the manager organization msp-1"),
    ] {
        let (server, client) = shared_group_server(manager, has_group).await;
        let error = client
            .groups()
            .remove_shared_group("managed-1", GROUP)
            .await
            .expect_err("refused");
        assert_eq!(error.kind(), scc_sdk::ErrorKind::InvalidInput);
        let text = error.to_string();
        assert!(
            text.contains("group_id") && text.contains(why) && text.contains("groups.delete"),
            "{text}"
        );
        let requests = server.received_requests().await.expect("recording");
        assert!(
            requests.iter().all(|request| request.method.as_str() != "DELETE"),
            "{requests:?}"
        );
    }
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
