//! The emulator's state: every entity of SCC and of the XDR profile, as stored (and as written to
//! the state file), and the closed sets of their values. The domain (`domain`) changes it; the JSON the
//! API answers with is built from it in `views`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::closed::closed_set;
use crate::ids::IdGen;
use crate::table::{Row, Shared, Table};

closed_set!(
    /// An organization's `type`.
    OrgType { Standalone = "STANDALONE", Manager = "MANAGER", Managed = "MANAGED" }
);

closed_set!(
    /// A region code: of an organization (`NAM`, `EMEA`, `APJC`), of a product (any).
    RegionCode { Nam = "NAM", Emea = "EMEA", Apjc = "APJC", Us = "US", Global = "GLOBAL" }
);

impl RegionCode {
    /// The regions an organization is created in.
    pub(crate) const OF_ORGANIZATIONS: &'static [Self] = &[Self::Nam, Self::Emea, Self::Apjc];
    /// The regions an organization list filters by.
    pub(crate) const OF_ORGANIZATION_FILTER: &'static [Self] = &[Self::Nam, Self::Emea, Self::Apjc, Self::Global];

    pub(crate) fn description(self) -> &'static str {
        match self {
            Self::Nam => "North America",
            Self::Emea => "Europe, Middle East and Africa",
            Self::Apjc => "Asia Pacific, Japan and China",
            Self::Us => "United States",
            Self::Global => "Global",
        }
    }
}

closed_set!(
    /// A user's `status`. The emulator sets `ACTIVE`, `PENDING` and `DISABLED`; a list may filter by
    /// `SHARED` too (docs/decisions.md, "User statuses").
    UserStatus { Active = "ACTIVE", Pending = "PENDING", Disabled = "DISABLED", Shared = "SHARED" }
);

closed_set!(
    /// An operation of a users PATCH item.
    UserOperation {
        Invite = "invite",
        Enable = "enable",
        Disable = "disable",
        Remove = "remove",
        ResendEmailInvite = "resend_email_invite",
        ResetPassword = "reset_password",
        ResetMfa = "reset_mfa",
    }
);

closed_set!(
    /// An operation of a membership PATCH item (group members, shares, role assignments).
    MemberOperation { Add = "add", Remove = "remove" }
);

closed_set!(
    /// Whom an admin group applies to.
    AppliesTo { All = "all", Manager = "manager", SelectedManaged = "selected_managed" }
);

closed_set!(
    /// An admin group's `type` (the only value the reference shows).
    GroupType { Federated = "Federated" }
);

closed_set!(
    /// A role's `type`.
    RoleType { Custom = "CUSTOM", Bundled = "BUNDLED", Static = "STATIC" }
);

closed_set!(
    /// A product's `status`: in a subscription `ACTIVE` once provisioned, `INACTIVE` otherwise; in a
    /// claim code's information `NOT_PROVISIONED`.
    ProductStatus { Active = "ACTIVE", Inactive = "INACTIVE", NotProvisioned = "NOT_PROVISIONED" }
);

closed_set!(
    /// The `type` a subscription request may name.
    SubscriptionType { Trial = "trial", Free = "free", Paid = "paid" }
);

closed_set!(
    /// An XDR user's role.
    XdrRole { User = "user", Admin = "admin", Master = "master" }
);

closed_set!(
    /// An XDR organization's activation (`scim-status`).
    ScimStatus { Activated = "activated", WaitingActivation = "waiting-activation" }
);

/// Who the ready line speaks for: the MANAGER organization, its two API keys and the XDR clients.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Principal {
    pub(crate) org_id: String,
    pub(crate) admin_key_id: String,
    pub(crate) member_key_id: String,
    /// XDR client ids by who they act for: `admin`, `member`, `master`, `denied`, `pending`.
    pub(crate) xdr_clients: BTreeMap<String, String>,
}

/// Everything the emulator knows. Serialized as a whole into the state file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) ids: IdGen,
    /// Creation sequence: lists come in creation order unless sorted.
    pub(crate) seq: u64,
    pub(crate) organizations: Table<Organization>,
    pub(crate) claim_codes: Table<ClaimCode>,
    pub(crate) subscriptions: Table<Subscription>,
    pub(crate) users: Table<User>,
    pub(crate) groups: Table<Group>,
    pub(crate) roles: Table<Role>,
    pub(crate) api_keys: Table<ApiKey>,
    pub(crate) access_tokens: Table<AccessToken>,
    pub(crate) xdr: Shared<XdrState>,
    /// Who the ready line speaks for.
    pub(crate) principal: Shared<Principal>,
}

impl Row for Organization {
    /// Its name's key ([`name_key`]), computed once: a name filter reads these, not every row.
    fn search_text(&self) -> Option<String> {
        Some(name_key(&self.name))
    }
}

impl Row for ClaimCode {}
impl Row for ApiKey {}
impl Row for AccessToken {}
impl Row for Subscription {
    fn index_keys(&self) -> Vec<String> {
        vec![org_key(&self.org_id)]
    }
}
impl Row for Role {
    fn index_keys(&self) -> Vec<String> {
        vec![org_key(&self.org_id)]
    }
}
impl Row for Group {
    /// Its organization's, and those of the organizations it is shared with.
    fn index_keys(&self) -> Vec<String> {
        std::iter::once(&self.org_id)
            .chain(&self.shared_with)
            .map(|org| org_key(org))
            .collect()
    }
}
impl Row for User {
    fn index_keys(&self) -> Vec<String> {
        vec![org_key(&self.org_id), user_key(&self.org_id, &self.email)]
    }
}

/// The emulator's own implementation of the rule by which two names are one (the SDK holds to the
/// same rule with its own: `fixtures/names.json` is the corpus both are tested on): NFC, default-
/// ignorable code points removed, surrounding whitespace trimmed, Unicode lower case.
pub(crate) fn name_key(text: &str) -> String {
    let composed = icu_normalizer::ComposingNormalizerBorrowed::new_nfc().normalize(text);
    composed
        .chars()
        .filter(|c| {
            let code = u32::from(*c);
            !(code == 0xAD
                || code == 0x34F
                || code == 0x61C
                || (0x115F..=0x1160).contains(&code)
                || (0x17B4..=0x17B5).contains(&code)
                || (0x180B..=0x180F).contains(&code)
                || (0x200B..=0x200F).contains(&code)
                || (0x202A..=0x202E).contains(&code)
                || (0x2060..=0x206F).contains(&code)
                || code == 0x3164
                || (0xFE00..=0xFE0F).contains(&code)
                || code == 0xFEFF
                || code == 0xFFA0
                || (0x1BCA0..=0x1BCA3).contains(&code)
                || (0x1D173..=0x1D17A).contains(&code)
                || (0xE0000..=0xE0FFF).contains(&code))
        })
        .collect::<String>()
        .trim()
        .to_lowercase()
}

/// The index key of the rows of an organization.
pub(crate) fn org_key(org_id: &str) -> String {
    format!("org\n{org_id}")
}

/// The index key of a user by organization and e-mail (any case).
pub(crate) fn user_key(org_id: &str, email: &str) -> String {
    format!("email\n{org_id}\n{}", name_key(email))
}

impl State {
    /// Forgets the record of changed rows, in every table.
    pub(crate) fn settle(&mut self) {
        self.organizations.settle();
        self.claim_codes.settle();
        self.subscriptions.settle();
        self.users.settle();
        self.groups.settle();
        self.roles.settle();
        self.api_keys.settle();
        self.access_tokens.settle();
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Organization {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) org_type: OrgType,
    pub(crate) region_code: RegionCode,
    pub(crate) country_code: Option<String>,
    pub(crate) manager_org_id: Option<String>,
    pub(crate) created: String,
    pub(crate) seq: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Region {
    pub(crate) code: RegionCode,
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
    pub(crate) status: ProductStatus,
    pub(crate) region_code: Option<RegionCode>,
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
    pub(crate) status: UserStatus,
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
    pub(crate) group_type: GroupType,
    pub(crate) applies_to: AppliesTo,
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
    pub(crate) role_type: RoleType,
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
    pub(crate) scim_status: ScimStatus,
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
    pub(crate) role: XdrRole,
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

#[cfg(test)]
mod names_corpus {
    use super::name_key;

    /// The emulator's rule over the corpus the SDK is held to as well.
    #[test]
    fn one_rule_for_names() {
        let path = format!("{}/../../fixtures/names.json", env!("CARGO_MANIFEST_DIR"));
        let corpus: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("corpus")).expect("JSON");
        let pairs = |kind: &str| -> Vec<(String, String)> {
            corpus[kind]
                .as_array()
                .expect("pairs")
                .iter()
                .map(|pair| {
                    (
                        pair[0].as_str().expect("a").to_owned(),
                        pair[1].as_str().expect("b").to_owned(),
                    )
                })
                .collect()
        };
        for (a, b) in pairs("same") {
            assert_eq!(name_key(&a), name_key(&b), "{a:?} and {b:?} are one name");
        }
        for (a, b) in pairs("different") {
            assert_ne!(name_key(&a), name_key(&b), "{a:?} and {b:?} are two names");
        }
        for empty in corpus["empty"].as_array().expect("empty") {
            assert_eq!(name_key(empty.as_str().expect("text")), "", "{empty}");
        }
    }
}
