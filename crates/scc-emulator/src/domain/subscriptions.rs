//! Subscriptions and claim codes: what a code offers, claiming it (once), activating products in their
//! allowed regions, entitlement quantities of MANAGED organizations.

use super::access::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::{
    ClaimCode, OrgType, Product, ProductStatus, Region, RegionCode, State, Subscription, SubscriptionProduct, org_key,
};

/// A claim code that can be used: unknown → 400, already claimed → 409 that says who holds it, as
/// far as the caller may know: this organization, another one the caller reaches (by id and name), or
/// one out of its reach.
fn usable_code<'s>(state: &'s State, caller: Option<&Caller>, org_id: &str, code: &str) -> ApiResult<&'s ClaimCode> {
    let found = state
        .claim_codes
        .get(code.trim())
        .ok_or_else(|| ApiError::bad_request("invalid claim code provided"))?;
    let Some(holder) = &found.claimed_by else {
        return Ok(found);
    };
    let message = if holder == org_id {
        "claim code has already been claimed by this organization".to_owned()
    } else {
        match state
            .organizations
            .get(holder)
            .filter(|org| caller.is_some_and(|caller| caller.reaches(org)))
        {
            Some(org) => format!(
                "claim code has already been claimed by organization {} ({})",
                org.id, org.name
            ),
            None => "claim code has already been claimed by an organization out of your reach".to_owned(),
        }
    };
    Err(ApiError::conflict(message))
}

/// What a claim code offers, if the caller's organization may claim it.
pub(crate) fn claim_info<'s>(state: &'s State, caller: &Caller, org_id: &str, code: &str) -> ApiResult<&'s ClaimCode> {
    caller.org(state, org_id)?;
    usable_code(state, Some(caller), org_id, code)
}

/// A product chosen when claiming: its region and, to reuse one, an existing tenant.
#[derive(Debug, Clone)]
pub(crate) struct ProductChoice {
    pub(crate) product_id: String,
    pub(crate) region_code: String,
    pub(crate) source_instance_id: Option<String>,
}

/// `region` when it is one of `regions`, or a 400 naming `field` and what is allowed.
fn allowed_region(product: &str, regions: &[Region], region: &str, field: &str) -> ApiResult<RegionCode> {
    if let Some(allowed) = regions.iter().find(|allowed| allowed.code.as_str() == region) {
        return Ok(allowed.code);
    }
    let allowed: Vec<&str> = regions.iter().map(|r| r.code.as_str()).collect();
    Err(ApiError::bad_request(format!(
        "{field}: region {region:?} is not allowed for {product}; allowed: {}",
        allowed.join(", ")
    )))
}

/// Claims a code for an organization: every product of the code enters the subscription, `ACTIVE` in
/// its chosen region when selected, `INACTIVE` otherwise (all are activated with their first allowed
/// region when no selection is given). The code cannot be used again.
pub(crate) fn claim(
    state: &mut State,
    caller: Option<&Caller>,
    org_id: &str,
    code: &str,
    selection: Option<&[ProductChoice]>,
    created: &str,
) -> ApiResult<Subscription> {
    if let Some(caller) = caller {
        caller.org(state, org_id)?;
    }
    let claim = usable_code(state, caller, org_id, code)?.clone();
    let mut chosen_regions = Vec::new();
    for (index, choice) in selection.unwrap_or_default().iter().enumerate() {
        let product = claim
            .products
            .iter()
            .find(|p| p.id == choice.product_id)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "products[{index}].id: product {} is not part of the claim code",
                    choice.product_id
                ))
            })?;
        let region = allowed_region(
            &product.name,
            &product.allowed_regions,
            &choice.region_code,
            &format!("products[{index}].regionCode"),
        )?;
        chosen_regions.push((choice, region));
    }
    let products = claim
        .products
        .iter()
        .map(|product: &Product| {
            let chosen = match selection {
                Some(_) => chosen_regions
                    .iter()
                    .find(|(choice, _)| choice.product_id == product.id)
                    .map(|(choice, region)| (*region, choice.source_instance_id.clone())),
                None => product.allowed_regions.first().map(|region| (region.code, None)),
            };
            SubscriptionProduct {
                id: product.id.clone(),
                name: product.name.clone(),
                status: if chosen.is_some() {
                    ProductStatus::Active
                } else {
                    ProductStatus::Inactive
                },
                region_code: chosen.as_ref().map(|(region, _)| *region),
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

/// A new claim code offering two products of `products`, chosen by its index.
pub(crate) fn add_claim_code(state: &mut State, products: &[Product], index: usize, created: &str) -> String {
    let code = state.ids.claim_code();
    let first = products[index % products.len()].clone();
    let second = products[(index + 1) % products.len()].clone();
    let name = format!("Sub{:015}", state.ids.below(1_000_000_000_000_000));
    state.claim_codes.insert(
        code.clone(),
        ClaimCode {
            code: code.clone(),
            name,
            created: created.into(),
            is_trial: index % 4 == 3,
            products: vec![first, second],
            claimed_by: None,
        },
    );
    code
}

/// The organization's subscriptions whose name holds `name` (lower case), in creation order.
pub(crate) fn list<'s>(
    state: &'s State,
    caller: &Caller,
    org_id: &str,
    name: Option<&str>,
) -> ApiResult<Vec<&'s Subscription>> {
    caller.org(state, org_id)?;
    let mut subscriptions: Vec<&Subscription> = state
        .subscriptions
        .find_indexed(&org_key(org_id))
        .filter(|sub| sub.org_id == org_id)
        .filter(|sub| name.is_none_or(|name| sub.name.to_lowercase().contains(name)))
        .collect();
    subscriptions.sort_by_key(|sub| sub.seq);
    Ok(subscriptions)
}

/// A subscription of an organization the caller reaches.
pub(crate) fn get<'s>(
    state: &'s State,
    caller: &Caller,
    org_id: &str,
    subscription_id: &str,
) -> ApiResult<&'s Subscription> {
    caller.in_org(state, &state.subscriptions, org_id, subscription_id)
}

/// A product's activation: on (in a region, on a tenant, with an initial admin) or off.
#[derive(Debug)]
pub(crate) struct Activation {
    pub(crate) product_id: String,
    pub(crate) active: bool,
    pub(crate) region_code: Option<String>,
    pub(crate) source_instance_id: Option<String>,
    pub(crate) initial_admin: Option<String>,
}

/// Turns one product of a subscription on or off.
pub(crate) fn set_activation<'s>(
    state: &'s mut State,
    caller: &Caller,
    org_id: &str,
    subscription_id: &str,
    activation: Activation,
) -> ApiResult<&'s Subscription> {
    get(state, caller, org_id, subscription_id)?;
    let subscription = state
        .subscriptions
        .get_mut(subscription_id)
        .ok_or_else(|| ApiError::not_found("subscription not found"))?;
    let product = subscription
        .products
        .iter_mut()
        .find(|product| product.id == activation.product_id)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "productId: product {} is not part of the subscription",
                activation.product_id
            ))
        })?;
    let region = match &activation.region_code {
        Some(region) => Some(allowed_region(
            &product.name,
            &product.allowed_regions,
            region,
            "regionCode",
        )?),
        None => None,
    };
    if activation.active {
        product.status = ProductStatus::Active;
        if let Some(region) = region {
            product.region_code = Some(region);
        } else if product.region_code.is_none() {
            product.region_code = product.allowed_regions.first().map(|r| r.code);
        }
        if activation.source_instance_id.is_some() {
            product.source_instance_id = activation.source_instance_id;
        }
        if activation.initial_admin.is_some() {
            product.initial_admin = activation.initial_admin;
        }
    } else {
        product.status = ProductStatus::Inactive;
    }
    Ok(subscription)
}

/// Sets entitlement quantities (MANAGED organizations only) and, when given, the products that reuse
/// existing tenants. Refused whole if one id is not the subscription's.
pub(crate) fn set_entitlements<'s>(
    state: &'s mut State,
    caller: &Caller,
    org_id: &str,
    subscription_id: &str,
    quantities: &[(String, i64)],
    use_existing_tenants_for_products: Option<Vec<String>>,
) -> ApiResult<&'s Subscription> {
    let org = caller.org(state, org_id)?;
    if org.org_type != OrgType::Managed {
        return Err(ApiError::bad_request(
            "entitlement quantities can be changed for MANAGED organizations only",
        ));
    }
    get(state, caller, org_id, subscription_id)?;
    let subscription = state
        .subscriptions
        .get_mut(subscription_id)
        .ok_or_else(|| ApiError::not_found("subscription not found"))?;
    for (index, (id, quantity)) in quantities.iter().enumerate() {
        let entitlement = subscription
            .products
            .iter_mut()
            .flat_map(|product| product.entitlements.iter_mut())
            .find(|entitlement| &entitlement.id == id)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "entitlements[{index}].id: {id} is not an entitlement of the subscription"
                ))
            })?;
        entitlement.quantity = *quantity;
    }
    if let Some(products) = use_existing_tenants_for_products {
        for (index, product_id) in products.iter().enumerate() {
            if !subscription.products.iter().any(|product| &product.id == product_id) {
                return Err(ApiError::bad_request(format!(
                    "useExistingTenantsForProducts[{index}]: product {product_id} is not part of the subscription"
                )));
            }
        }
        subscription.use_existing_tenants_for_products = products;
    }
    Ok(subscription)
}
