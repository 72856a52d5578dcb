use scc_sdk::types::{UserOperation, UserStatus};
use serde_json::{Value, json};

use crate::support::{Harness, fixture};

const ORG: &str = "org-1";
const USERS: &str = "/v1/organizations/org-1/users";

fn result_for(operation: &str, email: &str) -> Value {
    json!({"results": [{"id": email, "type": "user", "operation": operation, "status": "success"}]})
}

#[tokio::test]
async fn list_with_and_without_status() {
    let harness = Harness::json(200, fixture("users_list.json")).await;
    let users = harness.client.users().list(ORG).send().await.expect("list");
    harness.request().await.assert("GET", USERS, &[], None);
    assert_eq!(users.items[0].status, Some(UserStatus::Active));
    assert_eq!(users.items[0].first_name.as_deref(), Some("John"));

    let harness = Harness::json(200, fixture("users_list.json")).await;
    harness
        .client
        .users()
        .list(ORG)
        .status(UserStatus::Disabled)
        .send()
        .await
        .expect("list");
    harness
        .request()
        .await
        .assert("GET", USERS, &[("status", "DISABLED")], None);
}

#[tokio::test]
async fn get_and_get_groups() {
    let user = json!({"id": "00u2k67hy1xf3mRxG0h8", "email": "john.doe@example.com", "status": "PENDING"});
    let harness = Harness::json(200, user).await;
    let got = harness
        .client
        .users()
        .get(ORG, "00u2k67hy1xf3mRxG0h8")
        .await
        .expect("get");
    harness
        .request()
        .await
        .assert("GET", "/v1/organizations/org-1/users/00u2k67hy1xf3mRxG0h8", &[], None);
    assert_eq!(got.status, Some(UserStatus::Pending));

    let harness = Harness::json(200, json!({"groups": [fixture("admin_group.json")]})).await;
    let groups = harness
        .client
        .users()
        .get_groups(ORG, "00u2k67hy1xf3mRxG0h8")
        .await
        .expect("groups");
    harness.request().await.assert(
        "GET",
        "/v1/organizations/org-1/users/00u2k67hy1xf3mRxG0h8/groups",
        &[],
        None,
    );
    assert_eq!(groups.items[0].name.as_deref(), Some("Test_group_10_31_11_37"));
}

#[tokio::test]
async fn update_sends_only_the_names_given() {
    let user = json!({"id": "u1", "firstName": "Jane"});
    let harness = Harness::json(200, user.clone()).await;
    harness
        .client
        .users()
        .update(ORG, "u1")
        .first_name("Jane")
        .send()
        .await
        .expect("update");
    harness.request().await.assert(
        "PUT",
        "/v1/organizations/org-1/users/u1",
        &[],
        Some(json!({"firstName": "Jane"})),
    );

    let harness = Harness::json(200, user).await;
    harness
        .client
        .users()
        .update(ORG, "u1")
        .first_name("Jane")
        .last_name("Roe")
        .send()
        .await
        .expect("update");
    harness.request().await.assert(
        "PUT",
        "/v1/organizations/org-1/users/u1",
        &[],
        Some(json!({"firstName": "Jane", "lastName": "Roe"})),
    );
}

#[tokio::test]
async fn patch_sends_the_spec_body_and_summarizes() {
    let harness = Harness::json(200, fixture("users_patch.json")).await;
    let result = harness
        .client
        .users()
        .patch(
            ORG,
            vec![UserOperation::invite("john.doe@example.com", "John", "Doe").admin(true)],
        )
        .await
        .expect("patch");
    harness
        .request()
        .await
        .assert("PATCH", USERS, &[], Some(fixture("users_patch_request.json")));
    let summary = result.summary();
    assert_eq!(
        (summary.total, summary.succeeded, summary.failed, summary.all_successful),
        (1, 1, 0, true)
    );
}

#[tokio::test]
async fn patch_reports_per_item_failures() {
    let body = json!({"results": [
        {"id": "a@example.com", "type": "user", "operation": "disable", "status": "success"},
        {"id": "b@example.com", "type": "user", "operation": "disable", "status": "failed", "errorDescription": "user not found"}
    ]});
    let harness = Harness::json(200, body).await;
    let result = harness
        .client
        .users()
        .patch(
            ORG,
            vec![
                UserOperation::disable("a@example.com"),
                UserOperation::disable("b@example.com"),
            ],
        )
        .await
        .expect("patch");
    let summary = result.summary();
    assert_eq!(
        (summary.total, summary.succeeded, summary.failed, summary.all_successful),
        (2, 1, 1, false)
    );
    let failed: Vec<_> = result.failures().collect();
    assert_eq!(failed[0].id.as_deref(), Some("b@example.com"));
    assert_eq!(failed[0].error_description.as_deref(), Some("user not found"));
}

#[tokio::test]
async fn invite_sends_is_admin_only_when_set_false_included() {
    let harness = Harness::json(200, result_for("invite", "ana@example.com")).await;
    harness
        .client
        .users()
        .invite(ORG, "ana@example.com", "Ana", "Silva")
        .send()
        .await
        .expect("invite");
    harness.request().await.assert(
        "PATCH",
        USERS,
        &[],
        Some(json!({"users": [{"email": "ana@example.com", "operation": "invite", "firstName": "Ana", "lastName": "Silva"}]})),
    );

    let harness = Harness::json(200, result_for("invite", "ana@example.com")).await;
    harness
        .client
        .users()
        .invite(ORG, "ana@example.com", "Ana", "Silva")
        .is_admin(false)
        .send()
        .await
        .expect("invite");
    harness.request().await.assert(
        "PATCH",
        USERS,
        &[],
        Some(json!({"users": [{"email": "ana@example.com", "operation": "invite", "firstName": "Ana", "lastName": "Silva", "isAdmin": false}]})),
    );
}

#[tokio::test]
async fn single_user_helpers_send_one_operation_each() {
    let email = "bo@example.com";
    for operation in ["enable", "disable", "remove", "resend_email_invite", "reset_password"] {
        let harness = Harness::json(200, result_for(operation, email)).await;
        let users = harness.client.users();
        let result = match operation {
            "enable" => users.enable(ORG, email).await,
            "disable" => users.disable(ORG, email).await,
            "remove" => users.remove(ORG, email).await,
            "resend_email_invite" => users.resend_email_invite(ORG, email).await,
            _ => users.reset_password(ORG, email).await,
        }
        .expect(operation);
        assert!(result.summary().all_successful);
        harness.request().await.assert(
            "PATCH",
            USERS,
            &[],
            Some(json!({"users": [{"email": email, "operation": operation}]})),
        );
    }
}

#[tokio::test]
async fn reset_mfa_sends_the_factor_id() {
    let harness = Harness::json(200, result_for("reset_mfa", "bo@example.com")).await;
    harness
        .client
        .users()
        .reset_mfa(ORG, "bo@example.com", "uft2odnt5ez9xSslf0h8")
        .await
        .expect("reset mfa");
    harness.request().await.assert(
        "PATCH",
        USERS,
        &[],
        Some(json!({"users": [{"email": "bo@example.com", "operation": "reset_mfa", "factorId": "uft2odnt5ez9xSslf0h8"}]})),
    );
}
