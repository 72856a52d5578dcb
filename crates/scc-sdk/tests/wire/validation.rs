//! Input that cannot be right fails before anything is sent, naming the field.

use scc_sdk::types::{EntitlementQuantity, UserOperation};
use scc_sdk::{Error, ErrorKind};
use serde_json::json;

use crate::support::Harness;

fn field_of(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[tokio::test]
async fn nothing_is_sent_for_invalid_input() {
    let harness = Harness::json(200, json!({})).await;
    let client = &harness.client;

    assert_eq!(field_of(client.organizations().get("").await), "org_id");
    assert_eq!(field_of(client.organizations().list().max(0).send().await), "max");
    assert_eq!(field_of(client.organizations().list().max(501).send().await), "max");
    assert_eq!(field_of(client.organizations().create(" ", "NAM").send().await), "name");
    assert_eq!(
        field_of(client.organizations().create("Acme", "").send().await),
        "region_code"
    );
    assert_eq!(field_of(client.organizations().update("o1", "").await), "name");
    // Names past the bound (255 characters) never reach the service.
    let long = "n".repeat(300 * 1024);
    assert_eq!(
        field_of(client.organizations().create(long.as_str(), "NAM").send().await),
        "name"
    );
    assert_eq!(
        field_of(client.organizations().update("o1", long.as_str()).await),
        "name"
    );
    assert_eq!(
        field_of(client.groups().create("o1", long.as_str()).send().await),
        "name"
    );
    assert_eq!(
        field_of(client.groups().update("o1", "g1").name(long.as_str()).send().await),
        "name"
    );
    assert_eq!(
        field_of(
            client
                .subscriptions()
                .create("o1", "ABCD-EFGH-IJKL-MNOP")
                .subscription_type("gold")
                .send()
                .await
        ),
        "type"
    );
    let longest = "é".repeat(scc_sdk::validate::MAX_NAME_CHARS);
    assert!(
        scc_sdk::validate::name("name", &longest).is_ok(),
        "characters, not bytes"
    );
    assert_eq!(field_of(client.subscriptions().get("o1", "").await), "subscription_id");
    assert_eq!(
        field_of(client.subscriptions().read_claim_code("o1", "").await),
        "claim_code"
    );
    assert_eq!(
        field_of(client.subscriptions().create("o1", "").send().await),
        "claim_code"
    );
    assert_eq!(
        field_of(
            client
                .subscriptions()
                .update("o1", "s1", "p1", true)
                .initial_admin("not-an-email")
                .send()
                .await
        ),
        "initial_admin"
    );
    assert_eq!(
        field_of(client.subscriptions().patch("o1", "s1", Vec::new()).send().await),
        "entitlements"
    );
    assert_eq!(
        field_of(
            client
                .subscriptions()
                .patch("o1", "s1", vec![EntitlementQuantity::new("SKU", -1)])
                .send()
                .await
        ),
        "entitlements[0].quantity"
    );
    assert_eq!(field_of(client.users().patch("o1", Vec::new()).await), "users");
    let too_many: Vec<_> = (0..501)
        .map(|i| UserOperation::enable(format!("u{i}@example.com")))
        .collect();
    assert_eq!(field_of(client.users().patch("o1", too_many).await), "users");
    assert_eq!(
        field_of(
            client
                .users()
                .patch(
                    "o1",
                    vec![UserOperation::enable("a@example.com"), UserOperation::disable("bad")]
                )
                .await
        ),
        "users[1].email"
    );
    assert_eq!(
        field_of(client.users().invite("o1", "a@example.com", "", "Doe").send().await),
        "users[0].firstName"
    );
    assert_eq!(
        field_of(client.users().reset_mfa("o1", "a@example.com", "").await),
        "users[0].factorId"
    );
    assert_eq!(field_of(client.users().enable("o1", "nobody@").await), "users[0].email");
    assert_eq!(field_of(client.users().update("o1", "u1").send().await), "first_name");
    assert_eq!(field_of(client.users().get_groups("o1", "").await), "user_id");
    assert_eq!(field_of(client.groups().list("o1").max(501).send().await), "max");
    assert_eq!(field_of(client.groups().create("o1", "").send().await), "name");
    assert_eq!(field_of(client.groups().update("o1", "g1").send().await), "name");
    assert_eq!(field_of(client.groups().patch("o1", "g1").send().await), "users");
    assert_eq!(
        field_of(client.groups().patch("o1", "g1").add_user("no-at-sign").send().await),
        "users[0].id"
    );
    assert_eq!(
        field_of(client.groups().patch("o1", "g1").add_managed_org("").send().await),
        "managedOrg[0].id"
    );
    assert_eq!(field_of(client.groups().delete("o1", "").await), "group_id");
    assert_eq!(field_of(client.roles().patch("o1", "r1").send().await), "users");
    assert_eq!(
        field_of(client.roles().patch("o1", "r1").add_group(" ").send().await),
        "groups[0].id"
    );
    assert_eq!(
        field_of(
            client
                .roles()
                .find_role_id("o1", "", "Organization Administrator")
                .await
        ),
        "product_name"
    );
    assert_eq!(field_of(client.tokens().refresh("o1", "k1", "").await), "refresh_token");
    assert_eq!(
        field_of(client.tokens().refresh("o1", "", "refresh").await),
        "api_key_id"
    );

    assert_eq!(harness.request_count().await, 0, "nothing reached the server");
}

#[tokio::test]
async fn reset_mfa_read_from_json_without_factor_is_refused() {
    let item: UserOperation =
        serde_json::from_value(json!({"email": "a@example.com", "operation": "reset_mfa"})).expect("decodes");
    let harness = Harness::json(200, json!({})).await;
    let error = harness
        .client
        .users()
        .patch("o1", vec![item])
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        error.to_string(),
        "invalid input: `users[0].factorId` must not be empty"
    );
    assert_eq!(harness.request_count().await, 0);
}

#[test]
fn client_construction_errors_name_the_field() {
    assert_eq!(field_of(scc_sdk::Client::new("")), "access_token");
    assert_eq!(
        field_of(scc_sdk::Client::builder().access_token("t").base_url("ftp://x").build()),
        "base_url"
    );
    assert_eq!(
        field_of(
            scc_sdk::Client::builder()
                .access_token("t")
                .timeout(std::time::Duration::ZERO)
                .build()
        ),
        "timeout"
    );
}

#[test]
fn names_compare_by_one_rule_over_the_shared_corpus() {
    use scc_sdk::validate::name_key;
    let corpus = crate::support::fixture("names.json");
    for pair in corpus["same"].as_array().expect("same") {
        let (a, b) = (pair[0].as_str().expect("a"), pair[1].as_str().expect("b"));
        assert_eq!(name_key(a), name_key(b), "{a:?} and {b:?} are one name");
    }
    for pair in corpus["different"].as_array().expect("different") {
        let (a, b) = (pair[0].as_str().expect("a"), pair[1].as_str().expect("b"));
        assert_ne!(name_key(a), name_key(b), "{a:?} and {b:?} are two names");
    }
    for empty in corpus["empty"].as_array().expect("empty") {
        let empty = empty.as_str().expect("text");
        assert_eq!(name_key(empty), "", "{empty:?}");
        assert!(scc_sdk::validate::name("name", empty).is_err(), "{empty:?} is no name");
    }
}
