use scc_sdk::types::{OrganizationType, RegionCode, SortOrder};
use serde_json::json;
use wiremock::ResponseTemplate;

use crate::support::{Harness, fixture};

#[tokio::test]
async fn list_always_sends_max_and_nothing_unset() {
    let harness = Harness::json(200, fixture("organizations_list.json")).await;
    let page = harness.client.organizations().list().send().await.expect("list");
    harness
        .request()
        .await
        .assert("GET", "/v1/organizations", &[("max", "100")], None);
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].name.as_deref(), Some("Acme Corp"));
    assert_eq!(page.items[0].organization_type, Some(OrganizationType::Standalone));
    assert_eq!(page.next_cursor, None);
}

#[tokio::test]
async fn list_sends_every_filter_with_its_wire_name() {
    let harness = Harness::json(200, fixture("organizations_list.json")).await;
    harness
        .client
        .organizations()
        .list()
        .name("Acme & Co")
        .organization_type(OrganizationType::Managed)
        .region_code(RegionCode::Emea)
        .country_code("US")
        .manager_org_id("mgr-1")
        .max(50)
        .cursor("c/1=")
        .sort_by("name")
        .order(SortOrder::Desc)
        .send()
        .await
        .expect("list");
    harness.request().await.assert(
        "GET",
        "/v1/organizations",
        &[
            ("name", "Acme & Co"),
            ("type", "MANAGED"),
            ("regionCode", "EMEA"),
            ("countryCode", "US"),
            ("managerOrgId", "mgr-1"),
            ("max", "50"),
            ("cursor", "c/1="),
            ("sortBy", "name"),
            ("order", "DESC"),
        ],
        None,
    );
}

#[tokio::test]
async fn list_reads_the_next_cursor_from_the_body_or_the_link_header() {
    let body = json!({"organizations": [], "cursor": "next-1"});
    let harness = Harness::json(200, body).await;
    let page = harness.client.organizations().list().send().await.expect("list");
    assert_eq!(page.next_cursor.as_deref(), Some("next-1"));

    let linked = ResponseTemplate::new(200)
        .set_body_json(json!({"organizations": []}))
        .insert_header(
            "Link",
            r#"<http://127.0.0.1/v1/organizations?max=100&cursor=from%20link>; rel="next""#,
        );
    let harness = Harness::with(linked).await;
    let page = harness.client.organizations().list().send().await.expect("list");
    assert_eq!(page.next_cursor.as_deref(), Some("from link"));
}

#[tokio::test]
async fn get_percent_encodes_the_id() {
    let harness = Harness::json(200, fixture("organization_create.json")).await;
    let org = harness.client.organizations().get("a b/c?d").await.expect("get");
    harness
        .request()
        .await
        .assert("GET", "/v1/organizations/a%20b%2Fc%3Fd", &[], None);
    assert_eq!(org.id, "550e8400-e29b-41d4-a716-446655440000");
    assert_eq!(org.region_description.as_deref(), Some("North America"));
}

#[tokio::test]
async fn create_sends_the_spec_body() {
    let harness = Harness::json(201, fixture("organization_create.json")).await;
    let org = harness
        .client
        .organizations()
        .create("Acme Corporation", RegionCode::Nam)
        .organization_type(OrganizationType::Managed)
        .send()
        .await
        .expect("create");
    harness.request().await.assert(
        "POST",
        "/v1/organizations",
        &[],
        Some(fixture("organization_create_request.json")),
    );
    assert_eq!(org.organization_type, Some(OrganizationType::Managed));
}

#[tokio::test]
async fn create_always_sends_the_type_standalone_by_default() {
    let harness = Harness::json(201, fixture("organization_create.json")).await;
    harness
        .client
        .organizations()
        .create("New Org", "EMEA")
        .send()
        .await
        .expect("create");
    harness.request().await.assert(
        "POST",
        "/v1/organizations",
        &[],
        Some(json!({"name": "New Org", "regionCode": "EMEA", "type": "STANDALONE"})),
    );
}

#[tokio::test]
async fn update_renames() {
    let harness = Harness::json(200, fixture("organization_create.json")).await;
    harness
        .client
        .organizations()
        .update("550e8400-e29b-41d4-a716-446655440000", "Updated Name")
        .await
        .expect("update");
    harness.request().await.assert(
        "PUT",
        "/v1/organizations/550e8400-e29b-41d4-a716-446655440000",
        &[],
        Some(json!({"name": "Updated Name"})),
    );
}
