//! The default fixtures: a MANAGER organization with two MANAGED ones and a STANDALONE one, the
//! products of the reference with entitlements and allowed regions, claim codes (valid and one
//! claimed), roles of every type, users in every status, an admin group, API keys, and an XDR org with
//! users from both identity providers. Everything comes from the seed: same seed, same data.
//! None of these credentials is secret. The state is built through the domain's operations only, so
//! it holds nothing a request could not have made.

use crate::domain::catalog::{self, ADMIN_ROLE, MEMBER_ROLE, PLATFORM_PRODUCT};
use crate::domain::groups::{self, NewGroup};
use crate::domain::lookup::find_role_id;
use crate::domain::organizations::{self, NewOrganization};
use crate::domain::users::{self, NewUser};
use crate::domain::{roles, subscriptions, tokens, xdr};
use crate::ids::IdGen;
use crate::model::{AppliesTo, OrgType, Principal, RegionCode, Scope, State, UserStatus};
use crate::table::{Shared, Table};

fn add_org(
    state: &mut State,
    name: &str,
    (org_type, region): (OrgType, RegionCode),
    country: &str,
    manager: Option<&str>,
    created: &str,
) -> String {
    let new = NewOrganization {
        name,
        org_type,
        region_code: region,
        country_code: Some(country.to_owned()),
        manager_org_id: manager.map(str::to_owned),
        created,
    };
    organizations::add(state, new).id
}

fn add_user(
    state: &mut State,
    org_id: &str,
    email: &str,
    (first_name, last_name): (&str, &str),
    status: UserStatus,
) -> String {
    let new = NewUser {
        email,
        first_name,
        last_name,
        status,
        created: "2025-03-01T10:00:00Z",
    };
    users::add(state, org_id, new)
}

/// Builds the default state. Every step is an operation a request could make, so none fails on the
/// empty state; a failure would be a bug of the domain, reported as such.
pub(crate) fn default_state(seed: u64, valid_claim_codes: usize, now: i64, token_ttl: i64) -> anyhow::Result<State> {
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
        (OrgType::Manager, RegionCode::Nam),
        "US",
        None,
        "2025-01-15T09:00:00Z",
    );
    let east = add_org(
        &mut state,
        "Acme Customer East",
        (OrgType::Managed, RegionCode::Nam),
        "US",
        Some(&manager),
        "2025-01-20T09:00:00Z",
    );
    add_org(
        &mut state,
        "Acme Customer West",
        (OrgType::Managed, RegionCode::Emea),
        "DE",
        Some(&manager),
        "2025-01-21T09:00:00Z",
    );
    add_org(
        &mut state,
        "Globex Standalone",
        (OrgType::Standalone, RegionCode::Apjc),
        "JP",
        None,
        "2025-02-01T09:00:00Z",
    );

    let products = catalog::products(&mut state.ids);
    for index in 0..valid_claim_codes.max(1) {
        subscriptions::add_claim_code(&mut state, &products, index, "2025-02-03T07:04:54Z");
    }
    let claimed = subscriptions::add_claim_code(&mut state, &products, valid_claim_codes, "2025-01-10T07:04:54Z");
    subscriptions::claim(&mut state, None, &manager, &claimed, None, "2025-01-16T08:00:00Z")
        .map_err(|error| anyhow::anyhow!("the fixtures' claim failed: {}", error.message))?;

    let people = [
        (
            &manager,
            "alice.admin@acme.example",
            ("Alice", "Admin"),
            UserStatus::Active,
        ),
        (
            &manager,
            "bob.analyst@acme.example",
            ("Bob", "Analyst"),
            UserStatus::Active,
        ),
        (
            &manager,
            "carol.new@acme.example",
            ("Carol", "New"),
            UserStatus::Pending,
        ),
        (
            &manager,
            "dave.former@acme.example",
            ("Dave", "Former"),
            UserStatus::Disabled,
        ),
        (
            &east,
            "erin.east@customer-east.example",
            ("Erin", "East"),
            UserStatus::Active,
        ),
        (
            &east,
            "frank.east@customer-east.example",
            ("Frank", "East"),
            UserStatus::Pending,
        ),
    ];
    let user_ids: Vec<String> = people
        .into_iter()
        .map(|(org, email, names, status)| add_user(&mut state, org, email, names, status))
        .collect();
    let (alice, bob) = (user_ids[0].clone(), user_ids[1].clone());

    let analysts = NewGroup {
        name: "SOC Analysts".into(),
        description: Some("Security operations analysts".into()),
        applies_to: AppliesTo::All,
        members: [alice.clone(), bob].into_iter().collect(),
        shared_with: [east.clone()].into_iter().collect(),
    };
    let group = groups::add(&mut state, &manager, analysts)
        .map_err(|error| anyhow::anyhow!("the fixtures' group failed: {}", error.message))?;
    if let Some(role) = find_role_id(&state, &manager, MEMBER_ROLE, PLATFORM_PRODUCT) {
        roles::assign_group(&mut state, &role, group.id);
    }
    if let Some(role) = find_role_id(&state, &manager, ADMIN_ROLE, PLATFORM_PRODUCT) {
        roles::assign_user(&mut state, &role, alice);
    }

    let admin_key_id = tokens::add_key(&mut state, &manager, Scope::Admin, now, token_ttl);
    let member_key_id = tokens::add_key(&mut state, &manager, Scope::Member, now, token_ttl);

    let (profile, xdr_clients) = xdr::add_default_profile(&mut state.ids);
    state.xdr = profile.into();
    state.principal = Principal {
        org_id: manager,
        admin_key_id,
        member_key_id,
        xdr_clients,
    }
    .into();
    Ok(state)
}
