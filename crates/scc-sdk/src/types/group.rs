//! Admin groups and membership changes.

use serde::{Deserialize, Serialize};

use super::{AppliesTo, Extra, GroupId, PatchOperation};

/// An admin group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdminGroup {
    /// `id`.
    pub id: GroupId,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `type`, e.g. `Federated` (no other value is documented).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub group_type: Option<String>,
    /// `appliesTo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<AppliesTo>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Add or remove one member: a user (by e-mail for admin groups), a group (by id, for roles) or a
/// managed organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberChange {
    /// `operation`.
    pub operation: PatchOperation,
    /// `id` of the member.
    pub id: String,
}

impl MemberChange {
    /// Add `id`.
    pub fn add(id: impl Into<String>) -> Self {
        Self {
            operation: PatchOperation::Add,
            id: id.into(),
        }
    }
    /// Remove `id`.
    pub fn remove(id: impl Into<String>) -> Self {
        Self {
            operation: PatchOperation::Remove,
            id: id.into(),
        }
    }
}
