//! The default fixtures: a MANAGER organization with two MANAGED ones and a STANDALONE one, the
//! products of the reference with entitlements and allowed regions, claim codes (valid and one
//! claimed), roles of every type, users in every status, an admin group, API keys, and an XDR org with
//! users from both identity providers. Everything comes from the seed: same seed, same data.
//! None of these credentials is secret.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::auth;
use crate::ids::IdGen;
use crate::model::*;

/// The product line-up of the reference: name, SKU, SKU name, allowed regions. The SKUs other than
/// `E3S-AIDEF-ADV` and `CPT-SEC-ADV` (seen in the reference) are invented for the emulator.
const CATALOG: &[(&str, &str, &str, &[&str])] = &[
    ("AI Defense", "E3S-AIDEF-ADV", "AI Defense Advantage", &["NAM", "EMEA"]),
    ("Secure Access", "CPT-SEC-ADV", "Secure Access Advantage", &["GLOBAL"]),
    (
        "Multicloud Defense",
        "MCD-SAAS-ADV",
        "Multicloud Defense Advantage",
        &["NAM", "EMEA", "APJC"],
    ),
    (
        "Security Cloud Control Firewall Management",
        "SCC-FWM-ESS",
        "Firewall Management Essentials",
        &["NAM", "EMEA", "APJC"],
    ),
    (
        "Secure Workload",
        "CSW-SAAS-ADV",
        "Secure Workload SaaS Advantage",
        &["US", "EMEA", "APJC"],
    ),
];

/// The product name of the platform's own roles.
pub(crate) const PLATFORM_PRODUCT: &str = "Security Cloud Control";
pub(crate) const ADMIN_ROLE: &str = "Organization Administrator";
pub(crate) const MEMBER_ROLE: &str = "Organization Member";

pub(crate) fn region_description(code: &str) -> &'static str {
    match code {
        "NAM" => "North America",
        "EMEA" => "Europe, Middle East and Africa",
        "APJC" => "Asia Pacific, Japan and China",
        "US" => "United States",
        "GLOBAL" => "Global",
        _ => "Unknown region",
    }
}

/// Who the ready line speaks for: the MANAGER organization, its two API keys and the XDR clients.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub(crate) struct Principal {
    pub(crate) org_id: String,
    pub(crate) admin_key_id: String,
    pub(crate) member_key_id: String,
    /// XDR client ids by who they act for: `admin`, `member`, `master`, `denied`, `pending`.
    pub(crate) xdr_clients: BTreeMap<String, String>,
}

/// Creates the built-in roles every organization starts with.
pub(crate) fn create_default_roles(state: &mut State, org_id: &str) {
    let mut roles: Vec<(String, &str, Vec<String>)> = vec![
        (ADMIN_ROLE.into(), "STATIC", vec![PLATFORM_PRODUCT.into()]),
        (MEMBER_ROLE.into(), "STATIC", vec![PLATFORM_PRODUCT.into()]),
    ];
    for (product, ..) in CATALOG {
        roles.push(("Administrator".into(), "STATIC", vec![(*product).into()]));
        roles.push(("Read Only".into(), "STATIC", vec![(*product).into()]));
    }
    roles.push((
        "Security Operations Bundle".into(),
        "BUNDLED",
        vec![PLATFORM_PRODUCT.into(), "Secure Access".into(), CATALOG[3].0.into()],
    ));
    roles.push(("Help Desk".into(), "CUSTOM", vec![PLATFORM_PRODUCT.into()]));
    for (display_name, role_type, products) in roles {
        let id = state.ids.uuid();
        let seq = state.next_seq();
        state.roles.insert(
            id.clone(),
            Role {
                id,
                org_id: org_id.to_owned(),
                display_name,
                role_type: role_type.into(),
                products,
                users: BTreeSet::new(),
                groups: BTreeSet::new(),
                seq,
            },
        );
    }
}

pub(crate) fn role_id(state: &State, org_id: &str, display_name: &str, product: &str) -> Option<String> {
    state
        .roles
        .find_indexed(&crate::model::org_key(org_id))
        .find(|role| {
            role.org_id == org_id && role.display_name == display_name && role.products.iter().any(|p| p == product)
        })
        .map(|role| role.id.clone())
}

fn catalog_products(ids: &mut IdGen) -> Vec<Product> {
    CATALOG
        .iter()
        .map(|(name, sku, sku_name, regions)| Product {
            id: ids.uuid(),
            name: (*name).into(),
            entitlements: vec![Entitlement {
                id: (*sku).into(),
                name: (*sku_name).into(),
                quantity: 10,
            }],
            allowed_regions: regions
                .iter()
                .map(|code| Region {
                    code: (*code).into(),
                    description: region_description(code).into(),
                })
                .collect(),
        })
        .collect()
}

/// A new claim code offering two products of the catalog, chosen by its index.
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

#[allow(clippy::too_many_arguments)]
fn add_org(
    state: &mut State,
    name: &str,
    org_type: &str,
    region: &str,
    country: &str,
    manager: Option<&str>,
    created: &str,
) -> String {
    let id = state.ids.uuid();
    let seq = state.next_seq();
    state.organizations.insert(
        id.clone(),
        Organization {
            id: id.clone(),
            name: name.into(),
            org_type: org_type.into(),
            region_code: region.into(),
            country_code: Some(country.into()),
            manager_org_id: manager.map(str::to_owned),
            created: created.into(),
            seq,
        },
    );
    create_default_roles(state, &id);
    id
}

fn add_user(state: &mut State, org_id: &str, email: &str, first: &str, last: &str, status: &str) -> String {
    let id = state.ids.user_id();
    let factor = state.ids.factor_id();
    let seq = state.next_seq();
    state.users.insert(
        id.clone(),
        User {
            id: id.clone(),
            org_id: org_id.into(),
            email: email.into(),
            first_name: first.into(),
            last_name: last.into(),
            status: status.into(),
            factors: vec![factor],
            created: "2025-03-01T10:00:00Z".into(),
            seq,
        },
    );
    id
}

fn add_key(state: &mut State, org_id: &str, scope: Scope, now: i64, token_ttl: i64) -> String {
    let id = state.ids.uuid();
    let refresh_token = auth::new_refresh_token(&mut state.ids);
    state.api_keys.insert(
        id.clone(),
        ApiKey {
            id: id.clone(),
            org_id: org_id.into(),
            scope,
            refresh_token,
            refresh_expires_at: now + auth::REFRESH_TOKEN_TTL,
        },
    );
    // The first access token carries no `exp`, so it is the same on every start for a seed; it
    // expires `token_ttl` seconds after the start all the same.
    auth::mint_access_token(state, &id, now, token_ttl, false);
    id
}

/// Builds the default state.
pub(crate) fn default_state(seed: u64, valid_claim_codes: usize, now: i64, token_ttl: i64) -> State {
    let mut state = State {
        ids: IdGen::new(seed),
        seq: 0,
        organizations: Table::default(),
        claim_codes: Table::default(),
        subscriptions: Table::default(),
        users: Table::default(),
        groups: Table::default(),
        roles: Table::default(),
        api_keys: Table::default(),
        access_tokens: Table::default(),
        xdr: Shared::default(),
        principal: Principal::default().into(),
    };
    let manager = add_org(
        &mut state,
        "Acme MSP",
        "MANAGER",
        "NAM",
        "US",
        None,
        "2025-01-15T09:00:00Z",
    );
    let east = add_org(
        &mut state,
        "Acme Customer East",
        "MANAGED",
        "NAM",
        "US",
        Some(&manager),
        "2025-01-20T09:00:00Z",
    );
    add_org(
        &mut state,
        "Acme Customer West",
        "MANAGED",
        "EMEA",
        "DE",
        Some(&manager),
        "2025-01-21T09:00:00Z",
    );
    add_org(
        &mut state,
        "Globex Standalone",
        "STANDALONE",
        "APJC",
        "JP",
        None,
        "2025-02-01T09:00:00Z",
    );

    let products = catalog_products(&mut state.ids);
    for index in 0..valid_claim_codes.max(1) {
        add_claim_code(&mut state, &products, index, "2025-02-03T07:04:54Z");
    }
    let claimed = add_claim_code(&mut state, &products, valid_claim_codes, "2025-01-10T07:04:54Z");
    crate::routes::subscriptions::claim(&mut state, &manager, &claimed, None, "2025-01-16T08:00:00Z")
        .unwrap_or_else(|_| unreachable!("a fresh claim code is valid"));

    let alice = add_user(
        &mut state,
        &manager,
        "alice.admin@acme.example",
        "Alice",
        "Admin",
        "ACTIVE",
    );
    let bob = add_user(
        &mut state,
        &manager,
        "bob.analyst@acme.example",
        "Bob",
        "Analyst",
        "ACTIVE",
    );
    add_user(
        &mut state,
        &manager,
        "carol.new@acme.example",
        "Carol",
        "New",
        "PENDING",
    );
    add_user(
        &mut state,
        &manager,
        "dave.former@acme.example",
        "Dave",
        "Former",
        "DISABLED",
    );
    add_user(
        &mut state,
        &east,
        "erin.east@customer-east.example",
        "Erin",
        "East",
        "ACTIVE",
    );
    add_user(
        &mut state,
        &east,
        "frank.east@customer-east.example",
        "Frank",
        "East",
        "PENDING",
    );

    let group_id = state.ids.uuid();
    let seq = state.next_seq();
    state.groups.insert(
        group_id.clone(),
        Group {
            id: group_id.clone(),
            org_id: manager.clone(),
            name: "SOC Analysts".into(),
            description: Some("Security operations analysts".into()),
            group_type: "Federated".into(),
            applies_to: "all".into(),
            members: [alice.clone(), bob].into_iter().collect(),
            shared_with: [east.clone()].into_iter().collect(),
            seq,
        },
    );
    if let Some(id) = role_id(&state, &manager, MEMBER_ROLE, PLATFORM_PRODUCT)
        && let Some(role) = state.roles.get_mut(&id)
    {
        role.groups.insert(group_id);
    }
    if let Some(id) = role_id(&state, &manager, ADMIN_ROLE, PLATFORM_PRODUCT)
        && let Some(role) = state.roles.get_mut(&id)
    {
        role.users.insert(alice);
    }

    let admin_key_id = add_key(&mut state, &manager, Scope::Admin, now, token_ttl);
    let member_key_id = add_key(&mut state, &manager, Scope::Member, now, token_ttl);

    let (xdr, xdr_clients) = crate::routes::xdr::default_xdr(&mut state.ids, now);
    state.xdr = xdr.into();
    state.principal = Principal {
        org_id: manager,
        admin_key_id,
        member_key_id,
        xdr_clients,
    }
    .into();
    state
}
