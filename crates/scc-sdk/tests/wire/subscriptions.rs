use scc_sdk::types::{EntitlementQuantity, ProductSelection, RegionCode, SubscriptionType};
use serde_json::json;

use crate::support::{Harness, fixture};

const ORG: &str = "94ff7d60-aebb-41d0-82cf-e06c74b63d81";
const SUB: &str = "3742d652-6740-489c-b628-143f00690fea";

#[tokio::test]
async fn list_with_and_without_name() {
    let body = json!({"subscriptions": [fixture("subscription_create.json")]});
    let harness = Harness::json(200, body.clone()).await;
    let page = harness.client.subscriptions().list(ORG).send().await.expect("list");
    harness
        .request()
        .await
        .assert("GET", &format!("/v1/organizations/{ORG}/subscriptions"), &[], None);
    assert_eq!(page.items[0].name.as_deref(), Some("Sub008842110397382"));

    let harness = Harness::json(200, body).await;
    harness
        .client
        .subscriptions()
        .list(ORG)
        .name("Sub00")
        .send()
        .await
        .expect("list");
    harness.request().await.assert(
        "GET",
        &format!("/v1/organizations/{ORG}/subscriptions"),
        &[("name", "Sub00")],
        None,
    );
}

#[tokio::test]
async fn get_decodes_the_subscription() {
    let harness = Harness::json(200, fixture("subscription_create.json")).await;
    let sub = harness.client.subscriptions().get(ORG, SUB).await.expect("get");
    harness.request().await.assert(
        "GET",
        &format!("/v1/organizations/{ORG}/subscriptions/{SUB}"),
        &[],
        None,
    );
    assert_eq!(sub.is_trial, Some(false));
    assert_eq!(
        sub.created.and_then(|created| created.get()).map(|t| t.as_second()),
        Some(1_738_566_294)
    );
}

#[tokio::test]
async fn create_sends_claim_code_and_products_and_never_an_unset_type() {
    let harness = Harness::json(201, fixture("subscription_create.json")).await;
    let mut product = ProductSelection::new("da7d78a9-2db0-4fbc-a4bd-0565cd05a349", RegionCode::Global);
    product.region_description = Some("Global".into());
    harness
        .client
        .subscriptions()
        .create(ORG, "PHJZ-DWMF-ZBYH-FYMB")
        .products(vec![product])
        .send()
        .await
        .expect("create");
    harness.request().await.assert(
        "POST",
        &format!("/v1/organizations/{ORG}/subscriptions"),
        &[],
        Some(fixture("subscription_create_request.json")),
    );
}

#[tokio::test]
async fn create_omits_empty_products_and_sends_a_type_only_when_set() {
    let harness = Harness::json(201, fixture("subscription_create.json")).await;
    harness
        .client
        .subscriptions()
        .create(ORG, "PHJZ-DWMF-ZBYH-FYMB")
        .products(Vec::new())
        .subscription_type(SubscriptionType::Trial)
        .send()
        .await
        .expect("create");
    harness.request().await.assert(
        "POST",
        &format!("/v1/organizations/{ORG}/subscriptions"),
        &[],
        Some(json!({"claimCode": "PHJZ-DWMF-ZBYH-FYMB", "type": "trial"})),
    );
}

#[tokio::test]
async fn update_always_sends_product_and_status_even_false() {
    let harness = Harness::json(200, fixture("subscription_create.json")).await;
    harness
        .client
        .subscriptions()
        .update(ORG, SUB, "product-1", false)
        .send()
        .await
        .expect("update");
    harness.request().await.assert(
        "PUT",
        &format!("/v1/organizations/{ORG}/subscriptions/{SUB}"),
        &[],
        Some(json!({"productId": "product-1", "status": false})),
    );
}

#[tokio::test]
async fn update_sends_every_option() {
    let harness = Harness::json(200, fixture("subscription_create.json")).await;
    harness
        .client
        .subscriptions()
        .update(ORG, SUB, "product-1", true)
        .source_instance_id("tenant-9")
        .region_code(RegionCode::Us)
        .initial_admin("admin@example.com")
        .send()
        .await
        .expect("update");
    harness.request().await.assert(
        "PUT",
        &format!("/v1/organizations/{ORG}/subscriptions/{SUB}"),
        &[],
        Some(json!({
            "productId": "product-1",
            "status": true,
            "sourceInstanceId": "tenant-9",
            "regionCode": "US",
            "initialAdmin": "admin@example.com"
        })),
    );
}

#[tokio::test]
async fn patch_sends_entitlements_and_existing_tenants() {
    let harness = Harness::json(200, fixture("subscription_create.json")).await;
    harness
        .client
        .subscriptions()
        .patch(ORG, SUB, vec![EntitlementQuantity::new("E3S-AIDEF-ADV", 10)])
        .use_existing_tenants(vec!["8a9f43fa-f8f5-4aac-8d0b-380cf6656255".to_owned()])
        .send()
        .await
        .expect("patch");
    harness.request().await.assert(
        "PATCH",
        &format!("/v1/organizations/{ORG}/subscriptions/{SUB}"),
        &[],
        Some(fixture("subscription_patch_request.json")),
    );
}

#[tokio::test]
async fn patch_without_existing_tenants_sends_entitlements_only() {
    let harness = Harness::json(200, fixture("subscription_create.json")).await;
    harness
        .client
        .subscriptions()
        .patch(ORG, SUB, vec![EntitlementQuantity::new("CPT-SEC-ADV", 50)])
        .send()
        .await
        .expect("patch");
    harness.request().await.assert(
        "PATCH",
        &format!("/v1/organizations/{ORG}/subscriptions/{SUB}"),
        &[],
        Some(json!({"entitlements": [{"id": "CPT-SEC-ADV", "quantity": 50}]})),
    );
}

#[tokio::test]
async fn read_claim_code_then_build_products() {
    let harness = Harness::json(200, fixture("claim_info.json")).await;
    let subscriptions = harness.client.subscriptions();
    let info = subscriptions
        .read_claim_code(ORG, "PHJZ-DWMF-ZBYH-FYMB")
        .await
        .expect("claim info");
    harness.request().await.assert(
        "POST",
        &format!("/v1/organizations/{ORG}/subscriptions/claimInfo"),
        &[],
        Some(json!({"claimCode": "PHJZ-DWMF-ZBYH-FYMB"})),
    );
    assert_eq!(info.products.len(), 2);
    assert_eq!(info.products[0].entitlements[0].quantity, Some(10));

    let products = subscriptions.build_products_from_claim_info(&info, RegionCode::Emea);
    assert_eq!(
        serde_json::to_value(&products).expect("serializes"),
        json!([
            {"id": "da7d78a9-2db0-4fbc-a4bd-0565cd05a349", "useExistingTenant": false,
             "regionCode": "EMEA", "regionDescription": "Europe, Middle East and Africa"},
            {"id": "8a9f43fa-f8f5-4aac-8d0b-380cf6656255", "useExistingTenant": false,
             "regionCode": "GLOBAL", "regionDescription": "Global"}
        ])
    );
}
