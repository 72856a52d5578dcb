//! Every JSON example of the reference decodes, also with a field the SDK does not know and with an
//! enum value it does not know, and serializes back to what was received.

use scc_sdk::types::{
    AdminGroup, ClaimInfo, Organization, OrganizationType, Role, RoleType, Subscription, TokenPair, User, UserStatus,
};
use scc_sdk::{ApiError, BulkResult, Page};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::fixture;

fn round_trip<T: DeserializeOwned + Serialize>(value: Value) -> T {
    let decoded: T = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(
        serde_json::to_value(&decoded).expect("serializes"),
        value,
        "nothing lost"
    );
    decoded
}

/// Adds `futureField` to the object and to each item of the list under `list_key`.
fn with_extra(mut value: Value, list_key: Option<&str>) -> Value {
    value["futureField"] = json!({"nested": [1, 2]});
    if let Some(items) = list_key.and_then(|key| value[key].as_array_mut()) {
        for item in items {
            item["futureField"] = json!("kept");
        }
    }
    value
}

#[test]
fn responses_decode_and_round_trip() {
    round_trip::<Page<Organization>>(fixture("organizations_list.json"));
    round_trip::<Organization>(fixture("organization_create.json"));
    round_trip::<Subscription>(fixture("subscription_create.json"));
    round_trip::<ClaimInfo>(fixture("claim_info.json"));
    round_trip::<Page<User>>(fixture("users_list.json"));
    round_trip::<BulkResult>(fixture("users_patch.json"));
    round_trip::<AdminGroup>(fixture("admin_group.json"));
    round_trip::<Page<Role>>(fixture("roles_list.json"));
    round_trip::<BulkResult>(fixture("roles_patch.json"));
    let tokens: TokenPair = serde_json::from_value(fixture("token_refresh.json")).expect("decodes");
    assert_eq!(tokens.expires_in, Some(64799));
    let error = ApiError::from_response(
        400,
        "/x",
        fixture("error_invalid_claim_code.json").to_string().as_bytes(),
        None,
    );
    assert_eq!(
        error.tracking_id.as_deref(),
        Some("bb7d315e-502c-4427-9683-cc6fc824495f")
    );
}

#[test]
fn unknown_fields_are_kept_everywhere() {
    let page: Page<Organization> = round_trip(with_extra(fixture("organizations_list.json"), Some("organizations")));
    assert_eq!(page.extra["futureField"], json!({"nested": [1, 2]}));
    assert_eq!(page.items[0].extra["futureField"], "kept");
    round_trip::<Organization>(with_extra(fixture("organization_create.json"), None));
    round_trip::<Subscription>(with_extra(fixture("subscription_create.json"), None));
    let info: ClaimInfo = round_trip(with_extra(fixture("claim_info.json"), Some("products")));
    assert_eq!(info.products[1].extra["futureField"], "kept");
    round_trip::<Page<User>>(with_extra(fixture("users_list.json"), Some("users")));
    let result: BulkResult = round_trip(with_extra(fixture("users_patch.json"), Some("results")));
    assert_eq!(result.results[0].extra["futureField"], "kept");
    round_trip::<AdminGroup>(with_extra(fixture("admin_group.json"), None));
    round_trip::<Page<Role>>(with_extra(fixture("roles_list.json"), Some("roles")));
    let tokens: TokenPair = serde_json::from_value(with_extra(fixture("token_refresh.json"), None)).expect("decodes");
    assert!(tokens.extra.contains_key("futureField"));
}

#[test]
fn unknown_enum_values_are_kept() {
    let mut orgs = fixture("organizations_list.json");
    orgs["organizations"][0]["type"] = json!("RESELLER");
    orgs["organizations"][0]["regionCode"] = json!("LATAM");
    let page: Page<Organization> = round_trip(orgs);
    assert_eq!(
        page.items[0].organization_type,
        Some(OrganizationType::Unknown("RESELLER".into()))
    );
    assert_eq!(
        page.items[0].region_code.as_ref().map(|code| code.as_str()),
        Some("LATAM")
    );

    let mut users = fixture("users_list.json");
    users["users"][0]["status"] = json!("DISABLE");
    let page: Page<User> = round_trip(users);
    assert_eq!(page.items[0].status, Some(UserStatus::Unknown("DISABLE".into())));

    let mut roles = fixture("roles_list.json");
    roles["roles"][0]["type"] = json!("SYSTEM");
    let page: Page<Role> = round_trip(roles);
    assert_eq!(page.items[0].role_type, Some(RoleType::Unknown("SYSTEM".into())));

    let mut results = fixture("users_patch.json");
    results["results"][0]["status"] = json!("queued");
    let result: BulkResult = round_trip(results);
    assert!(
        !result.summary().all_successful,
        "an unknown status is not counted as success"
    );

    let mut group = fixture("admin_group.json");
    group["appliesTo"] = json!("SOME_MANAGED");
    let group: AdminGroup = round_trip(group);
    assert_eq!(
        group.applies_to.as_ref().map(|value| value.as_str()),
        Some("SOME_MANAGED")
    );
}
