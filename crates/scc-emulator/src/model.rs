//! The emulator's state: every entity of SCC and of the XDR profile, as stored (and as written to
//! the state file). The JSON the API answers with is built from these in `routes`.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ids::IdGen;

/// A collection shared between the state and its drafts until one of them changes it: cloning is a
/// reference count, and the first mutable access copies only this collection (`Arc::make_mut`).
/// Every write works on a draft of the whole state, so this keeps "a failed request changes nothing"
/// without copying everything on every write.
#[derive(Debug, Default)]
pub(crate) struct Shared<T>(Arc<T>);

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.as_ref().serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(|value| Self(Arc::new(value)))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Self(Arc::new(value))
    }
}

/// Everything the emulator knows. Serialized as a whole into the state file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) ids: IdGen,
    /// Creation sequence: lists come in creation order unless sorted.
    pub(crate) seq: u64,
    pub(crate) organizations: Shared<BTreeMap<String, Organization>>,
    pub(crate) claim_codes: Shared<BTreeMap<String, ClaimCode>>,
    pub(crate) subscriptions: Shared<BTreeMap<String, Subscription>>,
    pub(crate) users: Shared<BTreeMap<String, User>>,
    pub(crate) groups: Shared<BTreeMap<String, Group>>,
    pub(crate) roles: Shared<BTreeMap<String, Role>>,
    pub(crate) api_keys: Shared<BTreeMap<String, ApiKey>>,
    pub(crate) access_tokens: Shared<BTreeMap<String, AccessToken>>,
    pub(crate) xdr: Shared<XdrState>,
    /// Who the ready line speaks for.
    pub(crate) principal: crate::fixtures::Principal,
}

impl State {
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Organization {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) org_type: String,
    pub(crate) region_code: String,
    pub(crate) country_code: Option<String>,
    pub(crate) manager_org_id: Option<String>,
    pub(crate) created: String,
    pub(crate) seq: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Region {
    pub(crate) code: String,
    pub(crate) description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Entitlement {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) quantity: i64,
}

/// A product as a claim code offers it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Product {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) entitlements: Vec<Entitlement>,
    pub(crate) allowed_regions: Vec<Region>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ClaimCode {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) created: String,
    pub(crate) is_trial: bool,
    pub(crate) products: Vec<Product>,
    /// The organization that claimed it; a claimed code cannot be used again.
    pub(crate) claimed_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SubscriptionProduct {
    pub(crate) id: String,
    pub(crate) name: String,
    /// `ACTIVE` once provisioned, `INACTIVE` otherwise.
    pub(crate) status: String,
    pub(crate) region_code: Option<String>,
    pub(crate) source_instance_id: Option<String>,
    pub(crate) initial_admin: Option<String>,
    pub(crate) entitlements: Vec<Entitlement>,
    pub(crate) allowed_regions: Vec<Region>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Subscription {
    pub(crate) id: String,
    pub(crate) org_id: String,
    pub(crate) name: String,
    pub(crate) created: String,
    pub(crate) is_trial: bool,
    pub(crate) claim_code: String,
    pub(crate) products: Vec<SubscriptionProduct>,
    pub(crate) use_existing_tenants_for_products: Vec<String>,
    pub(crate) seq: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) org_id: String,
    pub(crate) email: String,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    /// `ACTIVE`, `PENDING` or `DISABLED`.
    pub(crate) status: String,
    pub(crate) factors: Vec<String>,
    pub(crate) created: String,
    pub(crate) seq: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Group {
    pub(crate) id: String,
    /// The organization that owns the group.
    pub(crate) org_id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) group_type: String,
    pub(crate) applies_to: String,
    /// Member user ids.
    pub(crate) members: BTreeSet<String>,
    /// Managed organizations the group is shared with.
    pub(crate) shared_with: BTreeSet<String>,
    pub(crate) seq: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Role {
    pub(crate) id: String,
    pub(crate) org_id: String,
    pub(crate) display_name: String,
    pub(crate) role_type: String,
    pub(crate) products: Vec<String>,
    /// User ids the role is assigned to.
    pub(crate) users: BTreeSet<String>,
    /// Group ids the role is assigned to.
    pub(crate) groups: BTreeSet<String>,
    pub(crate) seq: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Scope {
    /// `security:enterprise:admin`: read and write.
    Admin,
    /// `security:enterprise:member`: read only.
    Member,
}

impl Scope {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "security:enterprise:admin",
            Self::Member => "security:enterprise:member",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ApiKey {
    pub(crate) id: String,
    pub(crate) org_id: String,
    pub(crate) scope: Scope,
    /// The one refresh token that works now; each refresh replaces it.
    pub(crate) refresh_token: String,
    pub(crate) refresh_expires_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AccessToken {
    pub(crate) key_id: String,
    pub(crate) org_id: String,
    pub(crate) scope: Scope,
    pub(crate) expires_at: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct XdrState {
    pub(crate) orgs: BTreeMap<String, XdrOrg>,
    pub(crate) users: BTreeMap<String, XdrUser>,
    pub(crate) clients: BTreeMap<String, XdrClient>,
    pub(crate) tokens: BTreeMap<String, XdrToken>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct XdrOrg {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) additional_scopes: Vec<String>,
    pub(crate) allow_all_role_to_login: Option<bool>,
    /// `activated` or `waiting-activation`.
    pub(crate) scim_status: String,
    pub(crate) enabled: bool,
    pub(crate) settings_allow_all_roles_to_login: Option<bool>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct XdrUser {
    pub(crate) user_id: String,
    pub(crate) org_id: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) additional_scopes: Vec<String>,
    pub(crate) idp: String,
    pub(crate) idp_user_id: String,
    pub(crate) idp_org_id: String,
    pub(crate) user_name: Option<String>,
    pub(crate) user_email: Option<String>,
    pub(crate) user_nick: Option<String>,
    /// `user`, `admin` or `master`.
    pub(crate) role: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct XdrClient {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) user_id: String,
    pub(crate) scopes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct XdrToken {
    pub(crate) client_id: String,
    pub(crate) user_id: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: i64,
}
