//! `scc export`: the state of organizations as a plan `scc apply` reads, so that `scc plan` on the
//! export reports no change and a tenant can be put under version control. It observes each
//! organization as apply does (the same reader) and turns the observation into a plan.

use std::collections::BTreeMap;

use futures_util::StreamExt;
use scc_sdk::Client;
use scc_sdk::types::Organization;

use crate::Error;
use crate::observe::{self, Managers, Observation, Scope};
use crate::spec::{
    ADMIN_PRODUCT, ADMIN_ROLE, GroupPlan, OrgPlan, PlanFile, Prune, RolePlan, SubscriptionPlan, UserPlan, name_key,
};

/// The plan file that holds exactly what these organizations hold, so that a plan of it finds
/// nothing to change: each organization read as `apply` reads it (four at a time), by name where
/// the name is its own among `orgs`, else by id. A part that cannot be read fails the export: it
/// must not leave anything out.
pub async fn export(client: &Client, orgs: Vec<Organization>) -> Result<PlanFile, Error> {
    let managers = Managers::default();
    let mut name_count: BTreeMap<String, usize> = BTreeMap::new();
    for org in &orgs {
        if let Some(name) = &org.name {
            *name_count.entry(name_key(name)).or_default() += 1;
        }
    }
    let observed: Vec<(Organization, Observation)> = futures_util::stream::iter(orgs.into_iter().map(|org| {
        let (client, managers) = (client, &managers);
        async move {
            let seen = observe::observe(client, &org, managers, Scope::Everything).await;
            (org, seen)
        }
    }))
    .buffered(4)
    .collect()
    .await;
    let mut plan = PlanFile {
        tenant: None,
        organizations: Vec::new(),
    };
    for (org, mut seen) in observed {
        if !seen.failures.is_empty() {
            let failure = seen.failures.swap_remove(0);
            return Err(Error::Read {
                context: format!("reading the {} of organization {} to export", failure.object, org.id),
                error: failure.error,
            });
        }
        // A name several organizations share cannot find one: such an organization goes by id.
        let unique = org
            .name
            .as_deref()
            .is_some_and(|name| name_count.get(&name_key(name)) == Some(&1));
        plan.organizations.push(to_plan(&org, &seen, unique));
    }
    Ok(plan)
}

/// The plan that holds exactly what `seen` holds.
fn to_plan(org: &Organization, seen: &Observation, by_name: bool) -> OrgPlan {
    let roles = seen.roles.clone().unwrap_or_default();
    let admin_role = roles
        .iter()
        .find(|role| role.display_name.as_deref() == Some(ADMIN_ROLE) && role.has_product(ADMIN_PRODUCT))
        .map(|role| role.id.to_string());
    let mut users: Vec<UserPlan> = seen
        .users
        .iter()
        .flatten()
        .map(|user| UserPlan {
            email: user.email.clone(),
            first_name: user.first_name.clone().unwrap_or_default(),
            last_name: user.last_name.clone().unwrap_or_default(),
            // Only a direct assignment: one through a group is the group's, exported with it.
            admin: admin_role
                .as_ref()
                .is_some_and(|admin| seen.direct_roles(user).is_some_and(|direct| direct.contains(admin)))
                .then_some(true),
            enabled: user.disabled.then_some(false),
        })
        .collect();
    users.sort_by(|a, b| a.email.cmp(&b.email));
    // A group the manager shares into the organization is the manager's: not exported (a plan of
    // this organization neither makes nor changes it).
    let own_groups = || seen.groups.iter().flatten().filter(|group| !group.shared);
    let mut groups: Vec<GroupPlan> = own_groups()
        .map(|group| {
            let mut members: Vec<String> = group.members.iter().flatten().cloned().collect();
            members.sort();
            // Each managed organization by its name, or by id where another managed one shares it.
            let mut managed_orgs: Vec<String> = seen
                .managed
                .iter()
                .flatten()
                .filter(|org| group.shares.as_ref().is_some_and(|shares| shares.contains(&org.id)))
                .map(|org| match seen.managed_named(&org.name).len() {
                    1 if !org.name.trim().is_empty() => org.name.clone(),
                    _ => org.id.clone(),
                })
                .collect();
            managed_orgs.sort();
            GroupPlan {
                name: group.name.clone(),
                description: group.description.clone().filter(|d| !d.is_empty()),
                applies_to: None,
                members,
                managed_orgs,
            }
        })
        .collect();
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    let mut role_plans = Vec::new();
    for role in &roles {
        let (Some(name), Some(product)) = (
            role.display_name.clone(),
            role.products.iter().flatten().find_map(|p| p.name.clone()),
        ) else {
            continue;
        };
        let id = role.id.to_string();
        let mut holder_groups: Vec<String> = own_groups()
            .filter(|group| group.roles.as_ref().is_some_and(|held| held.contains(&id)))
            .map(|group| group.name.clone())
            .collect();
        // Admins carry the administrator role through `admin: true`.
        let mut holder_users: Vec<String> = seen
            .users
            .iter()
            .flatten()
            .filter(|user| {
                Some(&id) != admin_role.as_ref() || !users.iter().any(|u| u.email == user.email && u.is_admin())
            })
            // Held directly: a role held through a group is written as the group's, not as its members'.
            .filter(|user| seen.direct_roles(user).is_some_and(|direct| direct.contains(&id)))
            .map(|user| user.email.clone())
            .collect();
        if holder_groups.is_empty() && holder_users.is_empty() {
            continue;
        }
        holder_groups.sort();
        holder_users.sort();
        role_plans.push(RolePlan {
            product,
            role: name,
            groups: holder_groups,
            users: holder_users,
        });
    }
    let mut subscriptions: Vec<SubscriptionPlan> = seen
        .held_codes
        .iter()
        .map(|code| SubscriptionPlan {
            claim_code: code.clone(),
            region: None,
        })
        .collect();
    subscriptions.sort_by(|a, b| a.claim_code.cmp(&b.claim_code));
    OrgPlan {
        id: (!by_name).then(|| org.id.to_string()),
        name: by_name.then(|| org.name.clone()).flatten(),
        create: false,
        region: None,
        subscriptions,
        users,
        users_csv: None,
        groups,
        roles: role_plans,
        prune: Prune::default(),
        origin: None,
    }
}
