//! The XDR data model, with its exact wire names: kebab-case and the `?` of `enabled?`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::types::{Extra, open_enum};
use crate::{Error, Result};

open_enum!(
    /// `scim-status` of an organization.
    ScimStatus {
        /// The organization is activated.
        Activated = "activated",
        /// Not yet activated: it may only configure modules and see its own profile.
        WaitingActivation = "waiting-activation",
    }
);

/// `GET /iroh/profile/whoami`: the user and their organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Whoami {
    /// `user`.
    pub user: XdrUser,
    /// `org`.
    pub org: XdrOrg,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An XDR organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct XdrOrg {
    /// `id` (mandatory).
    pub id: String,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `additional-scopes`, set by master-role users.
    #[serde(rename = "additional-scopes", default, skip_serializing_if = "Option::is_none")]
    pub additional_scopes: Option<Vec<String>>,
    /// `allow-all-role-to-login`: when present, decides whether non-admins may log in.
    #[serde(rename = "allow-all-role-to-login", default, skip_serializing_if = "Option::is_none")]
    pub allow_all_role_to_login: Option<bool>,
    /// `scim-status`.
    #[serde(rename = "scim-status", default, skip_serializing_if = "Option::is_none")]
    pub scim_status: Option<ScimStatus>,
    /// `enabled?`: when false, no user of the organization can log in.
    #[serde(rename = "enabled?", default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `settings`, edited by organization admins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<OrgSettings>,
    /// Fields this SDK does not model (`activation-status`, `created-at`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `settings` of an organization.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrgSettings {
    /// `allow-all-roles-to-login` (plural *roles*, unlike the top-level key).
    #[serde(
        rename = "allow-all-roles-to-login",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allow_all_roles_to_login: Option<bool>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An XDR user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct XdrUser {
    /// `user-id`, `<idp>:<idp-user-id>` (mandatory).
    #[serde(rename = "user-id")]
    pub user_id: String,
    /// `org-id` (mandatory).
    #[serde(rename = "org-id")]
    pub org_id: String,
    /// `scopes` (mandatory).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// `additional-scopes`.
    #[serde(rename = "additional-scopes", default, skip_serializing_if = "Option::is_none")]
    pub additional_scopes: Option<Vec<String>>,
    /// `idp-mappings`: debugging information that may go away; prefer the other fields.
    #[serde(rename = "idp-mappings", default, skip_serializing_if = "Option::is_none")]
    pub idp_mappings: Option<Vec<IdpMapping>>,
    /// `user-name`: the full name.
    #[serde(rename = "user-name", default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// `user-email`.
    #[serde(rename = "user-email", default, skip_serializing_if = "Option::is_none")]
    pub user_email: Option<String>,
    /// `user-nick`: the preferred field to show.
    #[serde(rename = "user-nick", default, skip_serializing_if = "Option::is_none")]
    pub user_nick: Option<String>,
    /// Fields this SDK does not model (`role`, `enabled?`, timestamps, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// One entry of `idp-mappings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IdpMapping {
    /// `idp`, e.g. `idb-amp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp: Option<String>,
    /// `user-identity-id`.
    #[serde(rename = "user-identity-id", default, skip_serializing_if = "Option::is_none")]
    pub user_identity_id: Option<String>,
    /// `organization-id`.
    #[serde(rename = "organization-id", default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The fields to change with `POST /iroh/profile/org`; only those set are sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrgUpdate {
    body: Map<String, Value>,
}

impl OrgUpdate {
    /// Nothing to change yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// `name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.body.insert("name".into(), Value::String(name.into()));
        self
    }
    /// `settings.allow-all-roles-to-login` (admins); `None` clears it.
    pub fn allow_all_roles_to_login(mut self, allow: Option<bool>) -> Self {
        self.body.insert(
            "settings".into(),
            serde_json::json!({ "allow-all-roles-to-login": allow }),
        );
        self
    }
    /// `enabled?` (master role).
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.body.insert("enabled?".into(), Value::Bool(enabled));
        self
    }
    /// `allow-all-role-to-login` (master role); `None` clears it, so `settings` decides.
    pub fn allow_all_role_to_login(mut self, allow: Option<bool>) -> Self {
        self.body
            .insert("allow-all-role-to-login".into(), allow.map_or(Value::Null, Value::Bool));
        self
    }
    /// `additional-scopes` (master role).
    pub fn additional_scopes(mut self, scopes: Vec<String>) -> Self {
        self.body.insert("additional-scopes".into(), serde_json::json!(scopes));
        self
    }

    pub(crate) fn into_body(self) -> Result<Map<String, Value>> {
        if self.body.is_empty() {
            return Err(Error::invalid("update", "holds no field to change"));
        }
        if let Some(Value::String(name)) = self.body.get("name") {
            crate::validate::non_empty("name", name)?;
        }
        Ok(self.body)
    }
}
