//! Organizations.

use serde::{Deserialize, Serialize};

use super::{Extra, OrgId, OrganizationType, RegionCode, Timestamp};

/// An organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Organization {
    /// `id`.
    pub id: OrgId,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `type`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub organization_type: Option<OrganizationType>,
    /// `regionCode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<RegionCode>,
    /// `regionDescription`, e.g. `North America`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_description: Option<String>,
    /// `created`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One organization reached by a shared admin group (`GET …/adminGroups/{groupId}/managedOrgs`).
/// The service documents no fields, so all are optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ManagedOrganization {
    /// `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}
