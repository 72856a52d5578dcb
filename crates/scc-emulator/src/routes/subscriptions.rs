//! `/v1/organizations/{orgId}/subscriptions`, claim codes and claim info.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use bytes::Bytes;
use serde::Deserialize;

use super::{Query, created, json, non_empty, query_text};
use crate::app::App;
use crate::closed::parse_field;
use crate::domain::access::Caller;
use crate::domain::lookup::looks_like_email;
use crate::domain::subscriptions::{self, Activation, ProductChoice};
use crate::error::{ApiError, ApiResult, parse_json};
use crate::model::SubscriptionType;
use crate::views;

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
    axum::extract::Query(query): Query,
) -> ApiResult<Response> {
    let name = query_text(&query, "name").map(str::to_lowercase);
    app.store.read(|state| {
        subscriptions::list(state, &caller, &org_id, name.as_deref())
            .map(|found| json(&views::subscription_list(found)))
    })
}

pub(crate) async fn get(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, subscription_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    app.store.read(|state| {
        subscriptions::get(state, &caller, &org_id, &subscription_id).map(|sub| json(&views::subscription(sub)))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClaimInfoBody {
    claim_code: String,
}

pub(crate) async fn claim_info(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    caller.require_write()?;
    let body: ClaimInfoBody = parse_json(&body)?;
    non_empty("claimCode", &body.claim_code)?;
    app.store.read(|state| {
        subscriptions::claim_info(state, &caller, &org_id, &body.claim_code).map(|code| json(&views::claim_info(code)))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireProductChoice {
    id: String,
    #[serde(default)]
    use_existing_tenant: Option<bool>,
    region_code: String,
    /// Sent by clients that echo the claim information; the region code decides.
    #[serde(default)]
    #[allow(dead_code)]
    region_description: Option<String>,
    #[serde(default)]
    source_instance_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    claim_code: String,
    #[serde(default)]
    products: Option<Vec<WireProductChoice>>,
    #[serde(rename = "type", default)]
    subscription_type: Option<String>,
}

pub(crate) async fn create(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    caller.require_write()?;
    let body: CreateBody = parse_json(&body)?;
    non_empty("claimCode", &body.claim_code)?;
    if let Some(kind) = &body.subscription_type {
        parse_field::<SubscriptionType>("type", kind)?;
    }
    let selection = match body.products {
        None => None,
        Some(products) => Some(
            products
                .into_iter()
                .enumerate()
                .map(|(index, product)| {
                    non_empty(format!("products[{index}].id"), &product.id)?;
                    if product.use_existing_tenant == Some(true) && product.source_instance_id.is_none() {
                        return Err(ApiError::bad_request(format!(
                            "products[{index}].sourceInstanceId is required when useExistingTenant is true"
                        )));
                    }
                    Ok(ProductChoice {
                        product_id: product.id,
                        region_code: product.region_code,
                        source_instance_id: product.source_instance_id,
                    })
                })
                .collect::<ApiResult<Vec<_>>>()?,
        ),
    };
    let now = app.timestamp();
    let subscription = app.store.write(|state| {
        subscriptions::claim(
            state,
            Some(&caller),
            &org_id,
            &body.claim_code,
            selection.as_deref(),
            &now,
        )
    })?;
    Ok(created(&views::subscription(&subscription)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    product_id: String,
    status: bool,
    #[serde(default)]
    source_instance_id: Option<String>,
    #[serde(default)]
    region_code: Option<String>,
    #[serde(default)]
    initial_admin: Option<String>,
}

pub(crate) async fn update(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, subscription_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    caller.require_write()?;
    let body: UpdateBody = parse_json(&body)?;
    non_empty("productId", &body.product_id)?;
    if let Some(admin) = &body.initial_admin
        && !looks_like_email(admin)
    {
        return Err(ApiError::bad_request(format!(
            "initialAdmin is not a valid e-mail address: {admin:?}"
        )));
    }
    let activation = Activation {
        product_id: body.product_id,
        active: body.status,
        region_code: body.region_code,
        source_instance_id: body.source_instance_id,
        initial_admin: body.initial_admin,
    };
    app.store.write(|state| {
        subscriptions::set_activation(state, &caller, &org_id, &subscription_id, activation)
            .map(|sub| json(&views::subscription(sub)))
    })
}

#[derive(Deserialize)]
struct EntitlementChange {
    id: String,
    quantity: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PatchBody {
    entitlements: Vec<EntitlementChange>,
    #[serde(default)]
    use_existing_tenants_for_products: Option<Vec<String>>,
}

pub(crate) async fn patch(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, subscription_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    caller.require_write()?;
    let body: PatchBody = parse_json(&body)?;
    if body.entitlements.is_empty() {
        return Err(ApiError::bad_request("entitlements must hold at least one item"));
    }
    let mut quantities = Vec::with_capacity(body.entitlements.len());
    for (index, entitlement) in body.entitlements.into_iter().enumerate() {
        non_empty(format!("entitlements[{index}].id"), &entitlement.id)?;
        if entitlement.quantity < 0 {
            return Err(ApiError::bad_request(format!(
                "entitlements[{index}].quantity must not be negative"
            )));
        }
        quantities.push((entitlement.id, entitlement.quantity));
    }
    app.store.write(|state| {
        subscriptions::set_entitlements(
            state,
            &caller,
            &org_id,
            &subscription_id,
            &quantities,
            body.use_existing_tenants_for_products,
        )
        .map(|sub| json(&views::subscription(sub)))
    })
}
