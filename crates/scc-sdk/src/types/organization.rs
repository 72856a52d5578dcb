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

impl Organization {
    /// `managerOrgId`: the MANAGER organization that manages this one, if any (not set, or empty,
    /// for a STANDALONE or MANAGER organization). A group of a managed organization is shared into
    /// it, not its own, exactly when its manager holds a group of that id.
    pub fn manager_org_id(&self) -> Option<&str> {
        self.extra
            .get("managerOrgId")
            .and_then(serde_json::Value::as_str)
            .filter(|manager| !manager.is_empty())
    }
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
