//! `scc export`: the state of organizations as a plan `scc apply` reads, so that `scc plan` on the
//! export reports no change and a tenant can be put under version control. It observes each
//! organization as apply does (the same reader) and turns the observation into a plan.

use std::collections::BTreeMap;

use futures_util::StreamExt;
use scc_sdk::types::Organization;

use super::observe::{self, Directory, Managers, Observation, Scope};
use super::plan::{
    ADMIN_PRODUCT, ADMIN_ROLE, GroupPlan, OrgPlan, PlanFile, Prune, RolePlan, SubscriptionPlan, UserPlan,
};
use crate::cli::Format;
use crate::commands::Ctx;
use crate::failure::{CliError, Code};

pub(crate) async fn run(ctx: &Ctx) -> Result<Code, CliError> {
    let client = ctx.settings.client(&ctx.global)?;
    // `--org` on the command line (repeatable) exports those organizations; otherwise every one the
    // token reaches. A name works here as wherever an organization's id is asked.
    let orgs: Vec<Organization> = if ctx.global.org.is_empty() {
        Directory::read_all(&client).await?
    } else {
        let mut orgs = Vec::new();
        for text in &ctx.global.org {
            let id = crate::commands::resolve::org(&client, text).await?;
            if !orgs.iter().any(|org: &Organization| org.id == id.as_str()) {
                orgs.push(client.organizations().get(id.as_str()).await?);
            }
        }
        orgs
    };
    let managers = Managers::default();
    let mut name_count: BTreeMap<String, usize> = BTreeMap::new();
    for org in &orgs {
        if let Some(name) = &org.name {
            *name_count.entry(super::plan::name_key(name)).or_default() += 1;
        }
    }
    let observed: Vec<(Organization, Observation)> = futures_util::stream::iter(orgs.into_iter().map(|org| {
        let (client, managers) = (&client, &managers);
        async move {
            let seen = observe::observe(client, &org, managers, Scope::Everything).await;
            (org, seen)
        }
    }))
    .buffered(4)
    .collect()
    .await;
    let mut plan = PlanFile {
        organizations: Vec::new(),
    };
    for (org, seen) in &observed {
        if let Some(failure) = seen.failures.first() {
            return Err(CliError::failure(
                format!(
                    "cannot export organization {}: reading its {} failed: {}",
                    org.id, failure.object, failure.error
                ),
                Some("nothing was printed: an export must not leave anything out; try again"),
            ));
        }
        // A name several organizations share cannot find one: such an organization goes by id.
        let unique = org
            .name
            .as_deref()
            .is_some_and(|name| name_count.get(&super::plan::name_key(name)) == Some(&1));
        plan.organizations.push(to_plan(org, seen, unique));
    }
    match ctx.ui.format {
        Format::Json | Format::Ndjson => ctx.ui.item(&serde_json::to_value(&plan).unwrap_or_default(), &[]),
        _ => {
            let text = serde_norway::to_string(&plan)
                .map_err(|error| CliError::failure(format!("cannot write the plan as YAML: {error}"), None))?;
            ctx.ui.write_stdout(&text);
        }
    }
    Ok(Code::Ok)
}

/// The plan that holds exactly what `seen` holds.
pub(crate) fn to_plan(org: &Organization, seen: &Observation, by_name: bool) -> OrgPlan {
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
            GroupPlan {
                name: group.name.clone(),
                description: group.description.clone().filter(|d| !d.is_empty()),
                applies_to: None,
                members,
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
        groups,
        roles: role_plans,
        prune: Prune::default(),
    }
}
