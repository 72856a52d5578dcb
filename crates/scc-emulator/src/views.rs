//! The JSON the API answers with, typed: each wire name is written once, on a field, so a misspelt key
//! does not compile and every answer of a kind has the same shape. Views borrow the state.

use serde::Serialize;

use crate::domain::outcome::ItemOutcome;
use crate::model::{
    AppliesTo, ClaimCode, Entitlement, Group, GroupType, OrgType, Organization, ProductStatus, Region, RegionCode,
    Role, RoleType, Subscription, SubscriptionProduct, User, UserStatus, XdrOrg, XdrRole, XdrUser,
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrganizationView<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    org_type: OrgType,
    region_code: RegionCode,
    region_description: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    country_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manager_org_id: Option<&'a str>,
    created: &'a str,
}

pub(crate) fn organization(org: &Organization) -> OrganizationView<'_> {
    OrganizationView {
        id: &org.id,
        name: &org.name,
        org_type: org.org_type,
        region_code: org.region_code,
        region_description: org.region_code.description(),
        country_code: org.country_code.as_deref(),
        manager_org_id: org.manager_org_id.as_deref(),
        created: &org.created,
    }
}

/// A page of organizations; `cursor` when there is a next page.
#[derive(Serialize)]
pub(crate) struct OrganizationPage<'a> {
    organizations: Vec<OrganizationView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<&'a str>,
}

pub(crate) fn organization_page<'a>(orgs: &'a [Organization], cursor: Option<&'a str>) -> OrganizationPage<'a> {
    OrganizationPage {
        organizations: orgs.iter().map(organization).collect(),
        cursor,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserView<'a> {
    id: &'a str,
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    status: UserStatus,
}

pub(crate) fn user(user: &User) -> UserView<'_> {
    UserView {
        id: &user.id,
        email: &user.email,
        first_name: &user.first_name,
        last_name: &user.last_name,
        status: user.status,
    }
}

#[derive(Serialize)]
pub(crate) struct UserList<'a> {
    users: Vec<UserView<'a>>,
}

pub(crate) fn user_list<'a>(users: impl IntoIterator<Item = &'a User>) -> UserList<'a> {
    UserList {
        users: users.into_iter().map(user).collect(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupView<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(rename = "type")]
    group_type: GroupType,
    applies_to: AppliesTo,
}

pub(crate) fn group(group: &Group) -> GroupView<'_> {
    GroupView {
        id: &group.id,
        name: &group.name,
        description: group.description.as_deref(),
        group_type: group.group_type,
        applies_to: group.applies_to,
    }
}

/// A list (or a page, with `cursor`) of groups.
#[derive(Serialize)]
pub(crate) struct GroupList<'a> {
    groups: Vec<GroupView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<&'a str>,
}

pub(crate) fn group_list<'a>(groups: impl IntoIterator<Item = &'a Group>, cursor: Option<&'a str>) -> GroupList<'a> {
    GroupList {
        groups: groups.into_iter().map(group).collect(),
        cursor,
    }
}

#[derive(Serialize)]
pub(crate) struct ProductName<'a> {
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RoleView<'a> {
    id: &'a str,
    display_name: &'a str,
    #[serde(rename = "type")]
    role_type: RoleType,
    products: Vec<ProductName<'a>>,
}

pub(crate) fn role(role: &Role) -> RoleView<'_> {
    RoleView {
        id: &role.id,
        display_name: &role.display_name,
        role_type: role.role_type,
        products: role.products.iter().map(|name| ProductName { name }).collect(),
    }
}

#[derive(Serialize)]
pub(crate) struct RoleList<'a> {
    roles: Vec<RoleView<'a>>,
}

pub(crate) fn role_list<'a>(roles: impl IntoIterator<Item = &'a Role>) -> RoleList<'a> {
    RoleList {
        roles: roles.into_iter().map(role).collect(),
    }
}

/// An organization a group is shared with.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ManagedOrgView<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    org_type: OrgType,
    region_code: RegionCode,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ManagedOrgList<'a> {
    managed_orgs: Vec<ManagedOrgView<'a>>,
}

pub(crate) fn managed_org_list<'a>(orgs: impl IntoIterator<Item = &'a Organization>) -> ManagedOrgList<'a> {
    ManagedOrgList {
        managed_orgs: orgs
            .into_iter()
            .map(|org| ManagedOrgView {
                id: &org.id,
                name: &org.name,
                org_type: org.org_type,
                region_code: org.region_code,
            })
            .collect(),
    }
}

#[derive(Serialize)]
pub(crate) struct EntitlementView<'a> {
    id: &'a str,
    name: &'a str,
    quantity: i64,
}

fn entitlements(entitlements: &[Entitlement]) -> Vec<EntitlementView<'_>> {
    entitlements
        .iter()
        .map(|e| EntitlementView {
            id: &e.id,
            name: &e.name,
            quantity: e.quantity,
        })
        .collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SubscriptionProductView<'a> {
    id: &'a str,
    name: &'a str,
    status: ProductStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    region_code: Option<RegionCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_instance_id: Option<&'a str>,
    entitlements: Vec<EntitlementView<'a>>,
}

fn subscription_product(product: &SubscriptionProduct) -> SubscriptionProductView<'_> {
    SubscriptionProductView {
        id: &product.id,
        name: &product.name,
        status: product.status,
        region_code: product.region_code,
        source_instance_id: product.source_instance_id.as_deref(),
        entitlements: entitlements(&product.entitlements),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SubscriptionView<'a> {
    id: &'a str,
    name: &'a str,
    claim_code: &'a str,
    created: &'a str,
    is_trial: bool,
    products: Vec<SubscriptionProductView<'a>>,
}

pub(crate) fn subscription(subscription: &Subscription) -> SubscriptionView<'_> {
    SubscriptionView {
        id: &subscription.id,
        name: &subscription.name,
        claim_code: &subscription.claim_code,
        created: &subscription.created,
        is_trial: subscription.is_trial,
        products: subscription.products.iter().map(subscription_product).collect(),
    }
}

#[derive(Serialize)]
pub(crate) struct SubscriptionList<'a> {
    subscriptions: Vec<SubscriptionView<'a>>,
}

pub(crate) fn subscription_list<'a>(subscriptions: impl IntoIterator<Item = &'a Subscription>) -> SubscriptionList<'a> {
    SubscriptionList {
        subscriptions: subscriptions.into_iter().map(subscription).collect(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegionView<'a> {
    region_code: RegionCode,
    region_description: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OfferedProductView<'a> {
    id: &'a str,
    name: &'a str,
    status: ProductStatus,
    entitlements: Vec<EntitlementView<'a>>,
    allowed_regions: Vec<RegionView<'a>>,
}

/// What a claim code offers.
#[derive(Serialize)]
pub(crate) struct ClaimInfoView<'a> {
    name: &'a str,
    created: &'a str,
    products: Vec<OfferedProductView<'a>>,
}

pub(crate) fn claim_info(code: &ClaimCode) -> ClaimInfoView<'_> {
    ClaimInfoView {
        name: &code.name,
        created: &code.created,
        products: code
            .products
            .iter()
            .map(|product| OfferedProductView {
                id: &product.id,
                name: &product.name,
                status: ProductStatus::NotProvisioned,
                entitlements: entitlements(&product.entitlements),
                allowed_regions: regions(&product.allowed_regions),
            })
            .collect(),
    }
}

fn regions(regions: &[Region]) -> Vec<RegionView<'_>> {
    regions
        .iter()
        .map(|region| RegionView {
            region_code: region.code,
            region_description: &region.description,
        })
        .collect()
}

/// One item of a bulk answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ItemResult<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    item_type: &'static str,
    operation: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_description: Option<String>,
}

pub(crate) fn item_result<'a>(
    id: &'a str,
    item_type: &'static str,
    operation: &'static str,
    outcome: &ItemOutcome,
) -> ItemResult<'a> {
    let (status, error_description) = match outcome {
        Ok(()) => ("success", None),
        Err(refusal) => ("failed", Some(refusal.to_string())),
    };
    ItemResult {
        id,
        item_type,
        operation,
        status,
        error_description,
    }
}

/// A bulk answer, `{"results": [...]}`.
#[derive(Serialize)]
pub(crate) struct BulkResults<'a> {
    results: Vec<ItemResult<'a>>,
}

pub(crate) fn bulk_results(results: Vec<ItemResult<'_>>) -> BulkResults<'_> {
    BulkResults { results }
}

/// An SCC token answer (`POST …/apiKeys/{id}/token`).
#[derive(Serialize)]
pub(crate) struct TokenView<'a> {
    pub(crate) access_token: &'a str,
    pub(crate) expires_in: i64,
    pub(crate) refresh_token: &'a str,
    pub(crate) refresh_token_expires_in: i64,
    pub(crate) token_type: &'static str,
}

/// An XDR token answer (`POST /iroh/oauth2/token`).
#[derive(Serialize)]
pub(crate) struct XdrTokenView<'a> {
    pub(crate) access_token: &'a str,
    pub(crate) token_type: &'static str,
    pub(crate) expires_in: i64,
    pub(crate) scope: String,
}

#[derive(Serialize)]
pub(crate) struct XdrSettingsView {
    #[serde(rename = "allow-all-roles-to-login", skip_serializing_if = "Option::is_none")]
    allow_all_roles_to_login: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct XdrOrgView<'a> {
    id: &'a str,
    name: &'a str,
    additional_scopes: &'a [String],
    scim_status: crate::model::ScimStatus,
    activation_status: crate::model::ScimStatus,
    #[serde(rename = "enabled?")]
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_all_role_to_login: Option<bool>,
    #[serde(rename = "allow-all-role-to-login-editable?")]
    allow_all_role_to_login_editable: bool,
    settings: XdrSettingsView,
    created_at: &'a str,
    updated_at: &'a str,
}

/// An XDR organization; `editable` says whether the caller may change who may log in.
pub(crate) fn xdr_org(org: &XdrOrg, editable: bool) -> XdrOrgView<'_> {
    XdrOrgView {
        id: &org.id,
        name: &org.name,
        additional_scopes: &org.additional_scopes,
        scim_status: org.scim_status,
        activation_status: org.scim_status,
        enabled: org.enabled,
        allow_all_role_to_login: org.allow_all_role_to_login,
        allow_all_role_to_login_editable: editable,
        settings: XdrSettingsView {
            allow_all_roles_to_login: org.settings_allow_all_roles_to_login,
        },
        created_at: &org.created_at,
        updated_at: &org.updated_at,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct IdpMappingView<'a> {
    idp: &'a str,
    user_identity_id: &'a str,
    organization_id: &'a str,
    #[serde(rename = "enabled?")]
    enabled: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct XdrUserView<'a> {
    user_id: &'a str,
    org_id: &'a str,
    scopes: &'a [String],
    additional_scopes: &'a [String],
    idp_mappings: [IdpMappingView<'a>; 1],
    role: XdrRole,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_nick: Option<&'a str>,
}

pub(crate) fn xdr_user(user: &XdrUser) -> XdrUserView<'_> {
    XdrUserView {
        user_id: &user.user_id,
        org_id: &user.org_id,
        scopes: &user.scopes,
        additional_scopes: &user.additional_scopes,
        idp_mappings: [IdpMappingView {
            idp: &user.idp,
            user_identity_id: &user.idp_user_id,
            organization_id: &user.idp_org_id,
            enabled: true,
        }],
        role: user.role,
        user_name: user.user_name.as_deref(),
        user_email: user.user_email.as_deref(),
        user_nick: user.user_nick.as_deref(),
    }
}

/// `GET /iroh/profile/whoami`.
#[derive(Serialize)]
pub(crate) struct WhoamiView<'a> {
    pub(crate) user: XdrUserView<'a>,
    pub(crate) org: XdrOrgView<'a>,
}

/// The SCC error envelope.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SccErrorEnvelope<'a> {
    pub(crate) tracking_id: &'a str,
    pub(crate) message: &'a str,
    pub(crate) timestamp: String,
    pub(crate) status_code: u16,
    pub(crate) path: &'a str,
}

/// The IROH (XDR) error envelope.
#[derive(Serialize)]
pub(crate) struct IrohErrorEnvelope<'a> {
    pub(crate) error: &'a str,
    pub(crate) error_description: &'a str,
    pub(crate) trace_id: &'a str,
}
