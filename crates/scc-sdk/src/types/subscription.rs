//! Subscriptions and claim codes.

use serde::{Deserialize, Serialize};

use super::{Extra, ProductId, RegionCode, SubscriptionId, Timestamp};

/// A subscription of an organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Subscription {
    /// `id`.
    pub id: SubscriptionId,
    /// `name`, e.g. `Sub008842110397382`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `created`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    /// `isTrial`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_trial: Option<bool>,
    /// `claimCode`: the claim code the subscription came from (a project assumption; the public
    /// docs do not list the field, so it may be absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_code: Option<String>,
    /// `products`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<SubscriptionProduct>>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A product inside a subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubscriptionProduct {
    /// `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ProductId>,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `status`; its type is not documented, so it is kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<serde_json::Value>,
    /// `regionCode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<RegionCode>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What a claim code holds (`POST …/subscriptions/claimInfo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClaimInfo {
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `created`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    /// `products`.
    #[serde(default)]
    pub products: Vec<ClaimProduct>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ClaimInfo {
    /// The product selections to claim this code with, as the Python SDK's
    /// `build_products_from_claim_info` computes them: for each product, the allowed region whose code
    /// is `preferred_region`, else the first allowed region; products without an allowed region are
    /// skipped; `useExistingTenant` is `false`.
    ///
    /// ```
    /// use scc_sdk::types::{ClaimInfo, RegionCode};
    /// let info: ClaimInfo = serde_json::from_str(r#"{"products": [
    ///     {"id": "p1", "allowedRegions": [{"regionCode": "NAM"}, {"regionCode": "EMEA"}]},
    ///     {"id": "p2", "allowedRegions": [{"regionCode": "GLOBAL"}]}]}"#).unwrap();
    /// let products = info.build_products(&RegionCode::Emea);
    /// assert_eq!(products[0].region_code, RegionCode::Emea);
    /// assert_eq!(products[1].region_code, RegionCode::Global, "the first allowed region otherwise");
    /// ```
    pub fn build_products(&self, preferred_region: &RegionCode) -> Vec<ProductSelection> {
        self.products
            .iter()
            .filter_map(|product| {
                let region = product
                    .allowed_regions
                    .iter()
                    .find(|region| &region.region_code == preferred_region)
                    .or_else(|| product.allowed_regions.first())?;
                Some(ProductSelection {
                    id: product.id.clone(),
                    use_existing_tenant: Some(false),
                    region_code: region.region_code.clone(),
                    region_description: region.region_description.clone(),
                })
            })
            .collect()
    }
}

/// A product offered by a claim code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClaimProduct {
    /// `id`.
    pub id: ProductId,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `status`; its type is not documented, so it is kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<serde_json::Value>,
    /// `entitlements`.
    #[serde(default)]
    pub entitlements: Vec<Entitlement>,
    /// `allowedRegions`.
    #[serde(default)]
    pub allowed_regions: Vec<AllowedRegion>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An entitlement (SKU) of a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Entitlement {
    /// `id`, the SKU, e.g. `E3S-AIDEF-ADV`.
    pub id: String,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `quantity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A region a product may be provisioned in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AllowedRegion {
    /// `regionCode`.
    pub region_code: RegionCode,
    /// `regionDescription`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_description: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One product to provision when claiming a subscription (`products[]` of the create body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductSelection {
    /// `id`: the product id from the claim info.
    pub id: ProductId,
    /// `useExistingTenant`: attach the product's existing tenant instead of provisioning one. Not
    /// required by the service; sent only when set (the claim-info builder sets `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_existing_tenant: Option<bool>,
    /// `regionCode`: one of the product's allowed regions.
    pub region_code: RegionCode,
    /// `regionDescription`, copied from the allowed region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_description: Option<String>,
}

impl ProductSelection {
    /// A product in a region, provisioned as a new tenant.
    pub fn new(id: impl Into<ProductId>, region_code: impl Into<RegionCode>) -> Self {
        Self {
            id: id.into(),
            use_existing_tenant: Some(false),
            region_code: region_code.into(),
            region_description: None,
        }
    }
}

/// A new quantity for one entitlement (`entitlements[]` of the subscription PATCH body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementQuantity {
    /// `id`: the SKU.
    pub id: String,
    /// `quantity`.
    pub quantity: i64,
}

impl EntitlementQuantity {
    /// A SKU and its quantity.
    pub fn new(id: impl Into<String>, quantity: i64) -> Self {
        Self {
            id: id.into(),
            quantity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim_info() -> ClaimInfo {
        serde_json::from_value(serde_json::json!({
            "name": "claim",
            "products": [
                {"id": "p1", "name": "AI Defense", "allowedRegions": [
                    {"regionCode": "NAM", "regionDescription": "North America"},
                    {"regionCode": "EMEA", "regionDescription": "Europe"}]},
                {"id": "p2", "name": "Secure Access", "allowedRegions": [
                    {"regionCode": "GLOBAL", "regionDescription": "Global"}]},
                {"id": "p3", "name": "No region", "allowedRegions": []}
            ]
        }))
        .expect("claim info decodes")
    }

    #[test]
    fn build_products_prefers_the_region_then_the_first() {
        let products = claim_info().build_products(&RegionCode::Emea);
        assert_eq!(
            serde_json::to_value(&products).ok(),
            Some(serde_json::json!([
                {"id": "p1", "useExistingTenant": false, "regionCode": "EMEA", "regionDescription": "Europe"},
                {"id": "p2", "useExistingTenant": false, "regionCode": "GLOBAL", "regionDescription": "Global"}
            ]))
        );
    }
}
