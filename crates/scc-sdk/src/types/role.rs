//! Roles.

use serde::{Deserialize, Serialize};

use super::{Extra, RoleId, RoleType};

/// A role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Role {
    /// `id`.
    pub id: RoleId,
    /// `displayName`, e.g. `Organization Administrator`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `type`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub role_type: Option<RoleType>,
    /// `products` the role applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<RoleProduct>>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Role {
    /// True when one of the role's products has exactly this name.
    ///
    /// ```
    /// let role: scc_sdk::types::Role = serde_json::from_str(
    ///     r#"{"id": "r", "displayName": "Organization Administrator", "products": [{"name": "Security Cloud Control"}]}"#,
    /// ).unwrap();
    /// assert!(role.has_product("Security Cloud Control"));
    /// ```
    pub fn has_product(&self, product_name: &str) -> bool {
        self.products
            .iter()
            .flatten()
            .any(|product| product.name.as_deref() == Some(product_name))
    }
}

/// A product a role applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RoleProduct {
    /// `name`, e.g. `Security Cloud Control`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}
