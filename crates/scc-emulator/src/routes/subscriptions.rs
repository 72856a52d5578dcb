//! `/v1/organizations/{orgId}/subscriptions`, claim codes and claim info.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Query, check_enum, created, non_empty};
use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, parse_json};
use crate::model::{ClaimCode, Region, State as Model, Subscription, SubscriptionProduct};

fn regions_view(regions: &[Region]) -> Value {
    regions
        .iter()
        .map(|region| json!({"regionCode": region.code, "regionDescription": region.description}))
        .collect()
}

fn entitlements_view(entitlements: &[crate::model::Entitlement]) -> Value {
    entitlements
        .iter()
        .map(|e| json!({"id": e.id, "name": e.name, "quantity": e.quantity}))
        .collect()
}

pub(crate) fn view(subscription: &Subscription) -> Value {
    let products: Vec<Value> = subscription
        .products
        .iter()
        .map(|product| {
            let mut body = json!({
                "id": product.id,
                "name": product.name,
                "status": product.status,
                "entitlements": entitlements_view(&product.entitlements),
            });
            if let Some(region) = &product.region_code {
                body["regionCode"] = region.clone().into();
            }
            if let Some(instance) = &product.source_instance_id {
                body["sourceInstanceId"] = instance.clone().into();
            }
            body
        })
        .collect();
    json!({
        "id": subscription.id,
        "name": subscription.name,
        "claimCode": subscription.claim_code,
        "created": subscription.created,
        "isTrial": subscription.is_trial,
        "products": products,
    })
}

fn claim_info_view(code: &ClaimCode) -> Value {
    let products: Vec<Value> = code
        .products
        .iter()
        .map(|product| {
            json!({
                "id": product.id,
                "name": product.name,
                "status": "NOT_PROVISIONED",
                "entitlements": entitlements_view(&product.entitlements),
                "allowedRegions": regions_view(&product.allowed_regions),
            })
        })
        .collect();
    json!({"name": code.name, "created": code.created, "products": products})
}

/// A claim code that can be used: unknown → 400, already claimed → 409.
fn usable_code<'s>(state: &'s Model, code: &str) -> ApiResult<&'s ClaimCode> {
    let found = state
        .claim_codes
        .get(code.trim())
        .ok_or_else(|| ApiError::bad_request("invalid claim code provided"))?;
    if found.claimed_by.is_some() {
        return Err(ApiError::conflict("claim code has already been claimed"));
    }
    Ok(found)
}

/// The 409 of a used claim code says who holds it, as far as the caller may know: this
/// organization, another one the caller reaches (by id and name), or one out of its reach.
fn name_the_holder(state: &Model, caller: &Caller, org_id: &str, code: &str, error: ApiError) -> ApiError {
    if error.status != axum::http::StatusCode::CONFLICT {
        return error;
    }
    let Some(holder) = state
        .claim_codes
        .get(code.trim())
        .and_then(|code| code.claimed_by.clone())
    else {
        return error;
    };
    let message = if holder == org_id {
        "claim code has already been claimed by this organization".to_owned()
    } else {
        match state.organizations.get(&holder).filter(|org| caller.reaches(org)) {
            Some(org) => format!(
                "claim code has already been claimed by organization {} ({})",
                org.id, org.name
            ),
            None => "claim code has already been claimed by an organization out of your reach".to_owned(),
        }
    };
    ApiError::conflict(message)
}

/// Claims a code for an organization: every product of the code enters the subscription, `ACTIVE` in
/// its chosen region when selected, `INACTIVE` otherwise (all are activated with their first allowed
/// region when no selection is given). The code cannot be used again.
pub(crate) fn claim(
    state: &mut Model,
    org_id: &str,
    code: &str,
    selection: Option<&[(String, String, Option<String>)]>,
    created: &str,
) -> ApiResult<Subscription> {
    let claim = usable_code(state, code)?.clone();
    if let Some(selection) = selection {
        for (index, (product_id, region, _)) in selection.iter().enumerate() {
            let product = claim.products.iter().find(|p| &p.id == product_id).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "products[{index}].id: product {product_id} is not part of the claim code"
                ))
            })?;
            allowed_region(
                &product.name,
                &product.allowed_regions,
                region,
                &format!("products[{index}].regionCode"),
            )?;
        }
    }
    let products = claim
        .products
        .iter()
        .map(|product| {
            let chosen = match selection {
                Some(selection) => selection
                    .iter()
                    .find(|(id, ..)| id == &product.id)
                    .map(|(_, region, tenant)| (region.clone(), tenant.clone())),
                None => product
                    .allowed_regions
                    .first()
                    .map(|region| (region.code.clone(), None)),
            };
            SubscriptionProduct {
                id: product.id.clone(),
                name: product.name.clone(),
                status: if chosen.is_some() { "ACTIVE" } else { "INACTIVE" }.into(),
                region_code: chosen.as_ref().map(|(region, _)| region.clone()),
                source_instance_id: chosen.and_then(|(_, tenant)| tenant),
                initial_admin: None,
                entitlements: product.entitlements.clone(),
                allowed_regions: product.allowed_regions.clone(),
            }
        })
        .collect();
    let id = state.ids.uuid();
    let seq = state.next_seq();
    let subscription = Subscription {
        id: id.clone(),
        org_id: org_id.to_owned(),
        name: claim.name.clone(),
        created: created.to_owned(),
        is_trial: claim.is_trial,
        claim_code: claim.code.clone(),
        products,
        use_existing_tenants_for_products: Vec::new(),
        seq,
    };
    state.subscriptions.insert(id, subscription.clone());
    if let Some(code) = state.claim_codes.get_mut(&claim.code) {
        code.claimed_by = Some(org_id.to_owned());
    }
    Ok(subscription)
}

fn allowed_region(product: &str, regions: &[Region], region: &str, field: &str) -> ApiResult<()> {
    if regions.iter().any(|allowed| allowed.code == region) {
        return Ok(());
    }
    let allowed: Vec<&str> = regions.iter().map(|r| r.code.as_str()).collect();
    Err(ApiError::bad_request(format!(
        "{field}: region {region:?} is not allowed for {product}; allowed: {}",
        allowed.join(", ")
    )))
}

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
    axum::extract::Query(query): Query,
) -> ApiResult<Json<Value>> {
    let name = query
        .get("name")
        .map(|name| name.to_lowercase())
        .filter(|name| !name.is_empty());
    app.store.read(|state| {
        caller.org(state, &org_id)?;
        let mut subscriptions: Vec<&Subscription> = state
            .subscriptions
            .find_indexed(&crate::model::org_key(&org_id))
            .filter(|sub| sub.org_id == org_id)
            .filter(|sub| name.as_ref().is_none_or(|name| sub.name.to_lowercase().contains(name)))
            .collect();
        subscriptions.sort_by_key(|sub| sub.seq);
        Ok(Json(
            json!({"subscriptions": subscriptions.into_iter().map(view).collect::<Vec<_>>()}),
        ))
    })
}

fn find<'s>(state: &'s Model, caller: &Caller, org_id: &str, subscription_id: &str) -> ApiResult<&'s Subscription> {
    super::in_org(state, &state.subscriptions, caller, org_id, subscription_id)
}

pub(crate) async fn get(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, subscription_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    app.store
        .read(|state| find(state, &caller, &org_id, &subscription_id).map(|sub| Json(view(sub))))
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
) -> ApiResult<Json<Value>> {
    caller.require_write()?;
    let body: ClaimInfoBody = parse_json(&body)?;
    non_empty("claimCode", &body.claim_code)?;
    app.store.read(|state| {
        caller.org(state, &org_id)?;
        usable_code(state, &body.claim_code)
            .map(|code| Json(claim_info_view(code)))
            .map_err(|error| name_the_holder(state, &caller, &org_id, &body.claim_code, error))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProductSelection {
    id: String,
    #[serde(default)]
    use_existing_tenant: Option<bool>,
    region_code: String,
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
    products: Option<Vec<ProductSelection>>,
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
        check_enum("type", kind, &["trial", "free", "paid"])?;
    }
    let mut selection = Vec::new();
    for (index, product) in body.products.iter().flatten().enumerate() {
        non_empty(format!("products[{index}].id"), &product.id)?;
        if product.use_existing_tenant == Some(true) && product.source_instance_id.is_none() {
            return Err(ApiError::bad_request(format!(
                "products[{index}].sourceInstanceId is required when useExistingTenant is true"
            )));
        }
        selection.push((
            product.id.clone(),
            product.region_code.clone(),
            product.source_instance_id.clone(),
        ));
    }
    let now = app.timestamp();
    let subscription = app.store.write(|state| {
        caller.org(state, &org_id)?;
        let selection = body.products.is_some().then_some(selection.as_slice());
        claim(state, &org_id, &body.claim_code, selection, &now)
            .map_err(|error| name_the_holder(state, &caller, &org_id, &body.claim_code, error))
    })?;
    Ok(created(view(&subscription)))
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
) -> ApiResult<Json<Value>> {
    caller.require_write()?;
    let body: UpdateBody = parse_json(&body)?;
    non_empty("productId", &body.product_id)?;
    if let Some(admin) = &body.initial_admin
        && !super::users::looks_like_email(admin)
    {
        return Err(ApiError::bad_request(format!(
            "initialAdmin is not a valid e-mail address: {admin:?}"
        )));
    }
    app.store.write(|state| {
        find(state, &caller, &org_id, &subscription_id)?;
        let subscription = state
            .subscriptions
            .get_mut(&subscription_id)
            .ok_or_else(|| ApiError::not_found("subscription not found"))?;
        let product = subscription
            .products
            .iter_mut()
            .find(|product| product.id == body.product_id)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "productId: product {} is not part of the subscription",
                    body.product_id
                ))
            })?;
        if let Some(region) = &body.region_code {
            allowed_region(&product.name, &product.allowed_regions, region, "regionCode")?;
        }
        if body.status {
            product.status = "ACTIVE".into();
            if let Some(region) = body.region_code {
                product.region_code = Some(region);
            } else if product.region_code.is_none() {
                product.region_code = product.allowed_regions.first().map(|r| r.code.clone());
            }
            if body.source_instance_id.is_some() {
                product.source_instance_id = body.source_instance_id;
            }
            if body.initial_admin.is_some() {
                product.initial_admin = body.initial_admin;
            }
        } else {
            product.status = "INACTIVE".into();
        }
        Ok(Json(view(subscription)))
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
) -> ApiResult<Json<Value>> {
    caller.require_write()?;
    let body: PatchBody = parse_json(&body)?;
    if body.entitlements.is_empty() {
        return Err(ApiError::bad_request("entitlements must hold at least one item"));
    }
    for (index, entitlement) in body.entitlements.iter().enumerate() {
        non_empty(format!("entitlements[{index}].id"), &entitlement.id)?;
        if entitlement.quantity < 0 {
            return Err(ApiError::bad_request(format!(
                "entitlements[{index}].quantity must not be negative"
            )));
        }
    }
    app.store.write(|state| {
        let org = caller.org(state, &org_id)?;
        if org.org_type != "MANAGED" {
            return Err(ApiError::bad_request(
                "entitlement quantities can be changed for MANAGED organizations only",
            ));
        }
        find(state, &caller, &org_id, &subscription_id)?;
        let subscription = state
            .subscriptions
            .get_mut(&subscription_id)
            .ok_or_else(|| ApiError::not_found("subscription not found"))?;
        for (index, change) in body.entitlements.iter().enumerate() {
            let entitlement = subscription
                .products
                .iter_mut()
                .flat_map(|product| product.entitlements.iter_mut())
                .find(|entitlement| entitlement.id == change.id)
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "entitlements[{index}].id: {} is not an entitlement of the subscription",
                        change.id
                    ))
                })?;
            entitlement.quantity = change.quantity;
        }
        if let Some(products) = body.use_existing_tenants_for_products {
            for (index, product_id) in products.iter().enumerate() {
                if !subscription.products.iter().any(|product| &product.id == product_id) {
                    return Err(ApiError::bad_request(format!(
                        "useExistingTenantsForProducts[{index}]: product {product_id} is not part of the subscription"
                    )));
                }
            }
            subscription.use_existing_tenants_for_products = products;
        }
        Ok(Json(view(subscription)))
    })
}
