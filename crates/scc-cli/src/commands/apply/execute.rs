//! Execute: run a diff's changes in the order the API forces. The organization first; then its
//! claims, users and groups at once; then members and role holders, which need the ids of what the
//! step before created. Bulk writes go in batches of the service's limit; every write is recorded as
//! in flight before it is sent, so an interrupt reports it as unknown.

use std::collections::HashMap;

use scc_sdk::types::{AppliesTo, OrganizationType, RegionCode, UserOperation};
use scc_sdk::{Error, ItemOutcome, ItemResult};

use super::diff::{Change, Holder};
use super::observe::{self, Observation};
use super::plan::name_key;
use super::report::{Outcome, Run, duplicates_message};

/// Most items the service takes in one bulk PATCH (users, admin groups, roles).
const MAX_BULK_ITEMS: usize = 500;

/// Creates the plan's organization, then looks again: another machine may have created the same one
/// at the same moment, and a duplicate stops the work rather than fill one of two.
pub(crate) async fn create_org(run: &Run<'_>) -> Option<String> {
    let plan = run.plan;
    if !plan.create || plan.id.is_some() {
        return None;
    }
    let change = Change::CreateOrg {
        name: plan.label(),
        region: plan.region.clone().unwrap_or_default(),
    };
    let Change::CreateOrg { name, region } = &change else {
        return None;
    };
    run.change(&change, Outcome::InFlight);
    let created = match run
        .client
        .organizations()
        .create(name.as_str(), region.as_str())
        .organization_type(OrganizationType::Managed)
        .send()
        .await
    {
        Ok(created) => created,
        Err(error) => {
            run.change(&change, Outcome::Failed(&error));
            return None;
        }
    };
    match observe::orgs_named(run.client, name).await {
        Ok(matches) if matches.len() > 1 => {
            run.change(
                &change,
                Outcome::Refused(format!("created {}, but {}", created.id, duplicates_message(&matches))),
            );
            None
        }
        Ok(_) => {
            run.change(&change, Outcome::Ok);
            Some(created.id.to_string())
        }
        Err(error) => {
            run.change(&change, Outcome::Ok);
            run.record(
                format!("organization {name}"),
                "find",
                Some(super::observe::Section::Organization),
                None,
                Outcome::Failed(&error),
            );
            None
        }
    }
}

pub(crate) async fn execute(run: &Run<'_>, org: &str, changes: Vec<Change>, seen: &Observation) {
    let (first, second): (Vec<Change>, Vec<Change>) = changes.into_iter().partition(|change| {
        !matches!(
            change,
            Change::AddMember { .. }
                | Change::RemoveMember { .. }
                | Change::AssignRole { .. }
                | Change::UnassignRole { .. }
        )
    });
    // Claims depend on nothing else; members and role holders wait for the users and groups they
    // name, not for the claims.
    tokio::join!(claims(run, org, &first), async {
        let (_, created_groups) = tokio::join!(users(run, org, &first), groups(run, org, &first));
        if second.is_empty() {
            return;
        }
        let mut group_ids: HashMap<String, String> = seen
            .groups
            .iter()
            .flatten()
            .map(|group| (name_key(&group.name), group.id.clone()))
            .collect();
        group_ids.extend(created_groups);
        tokio::join!(
            members(run, org, &second, &group_ids),
            roles(run, org, &second, &group_ids, seen)
        );
    });
}

async fn claims(run: &Run<'_>, org: &str, changes: &[Change]) {
    let subscriptions = run.client.subscriptions();
    for change in changes {
        let Change::Claim { code, region } = change else {
            continue;
        };
        run.change(change, Outcome::InFlight);
        match subscriptions.read_claim_code(org, code.as_str()).await {
            Err(error) if error.is_conflict() => claimed_elsewhere(run, org, change, code, &error).await,
            Err(error) => run.change(change, Outcome::Failed(&error)),
            Ok(info) => {
                let products = info.build_products(&RegionCode::from(region.clone()));
                match subscriptions.create(org, code.as_str()).products(products).send().await {
                    Ok(_) => run.change(change, Outcome::Ok),
                    // Claimed between the read and the claim: by whom decides.
                    Err(error) if error.is_conflict() => claimed_elsewhere(run, org, change, code, &error).await,
                    Err(error) => run.change(change, Outcome::Failed(&error)),
                }
            }
        }
    }
}

/// A claim code the service calls used (409): done when a subscription of this organization came
/// from it; otherwise a failure quoting the service, which names the holder when the token may see
/// it. When the subscriptions name no claim code at all, the holder cannot be known: unknown.
async fn claimed_elsewhere(run: &Run<'_>, org: &str, change: &Change, code: &str, conflict: &Error) {
    let held = match run.client.subscriptions().list(org).send().await {
        Ok(page) => page.items,
        Err(error) => {
            run.change(change, Outcome::Failed(&error));
            return;
        }
    };
    let named: Vec<&str> = held.iter().filter_map(|s| s.claim_code.as_deref()).collect();
    let service_says = conflict
        .as_api_error()
        .map_or_else(|| conflict.to_string(), |api| api.message.clone());
    if named.iter().any(|held| name_key(held) == name_key(code)) {
        // This organization's: a claim whose answer was lost. It is in place.
        run.change(change, Outcome::Ok);
    } else if named.is_empty() && !held.is_empty() {
        run.change(
            change,
            Outcome::Unknown(format!(
                "{service_says}; the service does not say which organization holds it, so it cannot be counted as done"
            )),
        );
    } else {
        run.change(
            change,
            Outcome::Refused(format!("{service_says}: not by this organization")),
        );
    }
}

async fn users(run: &Run<'_>, org: &str, changes: &[Change]) {
    let mut bulk: Vec<(&Change, UserOperation)> = Vec::new();
    for change in changes {
        match change {
            Change::Invite {
                email,
                first_name,
                last_name,
                admin,
            } => bulk.push((
                change,
                UserOperation::invite(email.as_str(), first_name.as_str(), last_name.as_str()).admin(*admin),
            )),
            Change::RemoveUser { email } => bulk.push((change, UserOperation::remove(email.as_str()))),
            Change::UpdateUser {
                id,
                first_name,
                last_name,
                ..
            } => {
                run.change(change, Outcome::InFlight);
                let result = run
                    .client
                    .users()
                    .update(org, id.clone())
                    .first_name(first_name.as_str())
                    .last_name(last_name.as_str())
                    .send()
                    .await;
                match result {
                    Ok(_) => run.change(change, Outcome::Ok),
                    Err(error) => run.change(change, Outcome::Failed(&error)),
                }
            }
            _ => {}
        }
    }
    if bulk.is_empty() {
        return;
    }
    for (change, _) in &bulk {
        run.change(change, Outcome::InFlight);
    }
    let (targets, operations): (Vec<&Change>, Vec<UserOperation>) = bulk.into_iter().unzip();
    let report = run
        .client
        .users()
        .patch_all(org, operations)
        .concurrency(2)
        .send()
        .await;
    for (change, item) in targets.into_iter().zip(report.items) {
        record_item(run, change, item.outcome);
    }
}

fn record_item(run: &Run<'_>, change: &Change, outcome: ItemOutcome) {
    match outcome {
        ItemOutcome::Succeeded(_) => run.change(change, Outcome::Ok),
        ItemOutcome::RequestFailed(error) | ItemOutcome::NotSent(error) => run.change(change, Outcome::Failed(&error)),
        ItemOutcome::NoResult => run.change(
            change,
            Outcome::Unknown("the answer holds no result for this item".into()),
        ),
        other => run.change(change, Outcome::Refused(other.failure_reason().unwrap_or_default())),
    }
}

/// Creates, updates and deletes groups, all at once; returns the ids of the groups it created (or
/// adopted).
async fn groups(run: &Run<'_>, org: &str, changes: &[Change]) -> HashMap<String, String> {
    let work = changes.iter().map(|change| group_change(run, org, change));
    futures_util::future::join_all(work)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// One group change; the created (or adopted) group's name key and id.
async fn group_change(run: &Run<'_>, org: &str, change: &Change) -> Option<(String, String)> {
    let mut created = HashMap::new();
    {
        match change {
            Change::CreateGroup {
                name,
                description,
                applies_to,
            } => {
                run.change(change, Outcome::InFlight);
                let result = run
                    .client
                    .groups()
                    .create(org, name.as_str())
                    .set_description(description.clone())
                    .applies_to(AppliesTo::from(applies_to.clone()))
                    .send()
                    .await;
                match result {
                    Ok(group) => {
                        created.insert(name_key(name), group.id.to_string());
                        run.change(change, Outcome::Ok);
                    }
                    // It exists (an earlier attempt whose answer was lost, or another run): adopt
                    // it once it is seen, so its members and roles are done in this round too.
                    Err(error) if error.is_conflict() => {
                        if let Some(id) = adopt_group(run, org, change, name).await {
                            created.insert(name_key(name), id);
                        }
                    }
                    Err(error) => run.change(change, Outcome::Failed(&error)),
                }
            }
            Change::UpdateGroup { id, description, .. } => {
                run.change(change, Outcome::InFlight);
                let result = run
                    .client
                    .groups()
                    .update(org, id.clone())
                    .set_description(description.clone())
                    .send()
                    .await;
                match result {
                    Ok(_) => run.change(change, Outcome::Ok),
                    Err(error) => run.change(change, Outcome::Failed(&error)),
                }
            }
            Change::DeleteGroup { id, .. } => {
                run.change(change, Outcome::InFlight);
                match run.client.groups().delete(org, id.clone()).send().await {
                    Ok(()) => run.change(change, Outcome::Ok),
                    Err(error) => run.change(change, Outcome::Failed(&error)),
                }
            }
            _ => {}
        }
    }
    created.into_iter().next()
}

/// After a 409 on a group's creation: the group exists; it is read back and taken as the plan's.
/// A 409 without a group of that name to be seen is a failure, never a success.
async fn adopt_group(run: &Run<'_>, org: &str, change: &Change, name: &str) -> Option<String> {
    let listed: Result<Vec<_>, _> =
        futures_util::TryStreamExt::try_collect(run.client.groups().list(org).max(500).items()).await;
    match listed {
        Ok(groups) => match groups.into_iter().find(|group| {
            group
                .name
                .as_deref()
                .is_some_and(|found| name_key(found) == name_key(name))
        }) {
            Some(group) => {
                run.change(change, Outcome::Ok);
                Some(group.id.to_string())
            }
            None => {
                run.change(
                    change,
                    Outcome::Refused(
                        "the service says the group exists (409), but no group of this name is listed".into(),
                    ),
                );
                None
            }
        },
        Err(_) => {
            run.change(
                change,
                Outcome::Unknown("the service says the group exists (409), and reading the groups back failed".into()),
            );
            None
        }
    }
}

/// Records the per-item results of a bulk PATCH.
fn record_results(run: &Run<'_>, batch: &[&Change], result: Result<Vec<ItemResult>, Error>) {
    match result {
        Ok(results) => {
            let mut results = results.into_iter();
            for change in batch {
                match results.next() {
                    Some(item) if item.is_success() => run.change(change, Outcome::Ok),
                    Some(item) => run.change(
                        change,
                        Outcome::Refused(
                            item.error_description
                                .clone()
                                .unwrap_or_else(|| item.status.to_string()),
                        ),
                    ),
                    None => run.change(
                        change,
                        Outcome::Unknown("the answer holds no result for this item".into()),
                    ),
                }
            }
        }
        Err(error) => {
            for change in batch {
                run.change(change, Outcome::Failed(&error));
            }
        }
    }
}

async fn members(run: &Run<'_>, org: &str, changes: &[Change], group_ids: &HashMap<String, String>) {
    let mut by_group: Vec<(String, Vec<&Change>)> = Vec::new();
    for change in changes {
        let (Change::AddMember { group, .. } | Change::RemoveMember { group, .. }) = change else {
            continue;
        };
        let Some(id) = group_ids.get(&name_key(group)) else {
            run.change(
                change,
                Outcome::Skipped("its group does not exist (its creation failed)"),
            );
            continue;
        };
        match by_group.iter_mut().find(|(seen, _)| seen == id) {
            Some((_, list)) => list.push(change),
            None => by_group.push((id.clone(), vec![change])),
        }
    }
    let work = by_group.into_iter().map(|(id, changes)| async move {
        // At the service's limit per request: a group of any size converges.
        for batch in changes.chunks(MAX_BULK_ITEMS) {
            let mut patch = run.client.groups().patch(org, id.as_str());
            for change in batch {
                patch = match change {
                    Change::AddMember { email, .. } => patch.add_user(email.as_str()),
                    Change::RemoveMember { email, .. } => patch.remove_user(email.as_str()),
                    _ => patch,
                };
                run.change(change, Outcome::InFlight);
            }
            record_results(run, batch, patch.send().await.map(|result| result.results));
        }
    });
    futures_util::future::join_all(work).await;
}

async fn roles(run: &Run<'_>, org: &str, changes: &[Change], group_ids: &HashMap<String, String>, seen: &Observation) {
    let role_changes: Vec<&Change> = changes
        .iter()
        .filter(|c| matches!(c, Change::AssignRole { .. } | Change::UnassignRole { .. }))
        .collect();
    if role_changes.is_empty() {
        return;
    }
    // Ids the observation could not have: roles of a new organization, users invited just now.
    let needs_roles = role_changes.iter().any(|change| match change {
        Change::AssignRole { role, .. } | Change::UnassignRole { role, .. } => role.id.is_none(),
        _ => false,
    });
    let needs_users = role_changes.iter().any(|change| match change {
        Change::AssignRole {
            holder: Holder::User(email),
            ..
        } => seen.user_by_email(email).is_none(),
        _ => false,
    });
    let (all_roles, users) = tokio::join!(
        async {
            if needs_roles {
                Some(run.client.roles().list(org).send().await)
            } else {
                None
            }
        },
        async {
            if needs_users {
                Some(run.client.users().list(org).send().await)
            } else {
                None
            }
        },
    );
    let all_roles = match all_roles {
        Some(Ok(page)) => page.items,
        Some(Err(error)) => {
            for change in &role_changes {
                run.change(change, Outcome::Failed(&error));
            }
            return;
        }
        None => Vec::new(),
    };
    let mut user_ids: HashMap<String, String> = seen
        .users
        .iter()
        .flatten()
        .map(|user| (name_key(&user.email), user.id.clone()))
        .collect();
    match users {
        Some(Ok(page)) => user_ids.extend(
            page.items
                .into_iter()
                .filter_map(|user| user.email.map(|email| (name_key(&email), user.id.to_string()))),
        ),
        Some(Err(error)) => {
            for change in &role_changes {
                run.change(change, Outcome::Failed(&error));
            }
            return;
        }
        None => {}
    }
    // role id → its changes, each with the holder's id.
    let mut by_role: Vec<(String, Vec<(&Change, RoleChange)>)> = Vec::new();
    for change in role_changes {
        let (role, holder, assign) = match change {
            Change::AssignRole { role, holder } => (role, holder, true),
            Change::UnassignRole { role, holder } => (role, holder, false),
            _ => continue,
        };
        let role_id = match &role.id {
            Some(id) => id.clone(),
            None => match all_roles
                .iter()
                .find(|r| r.display_name.as_deref() == Some(role.name.as_str()) && r.has_product(&role.product))
            {
                Some(found) => found.id.to_string(),
                None => {
                    run.change(
                        change,
                        Outcome::Refused(format!("no role {:?} for product {:?}", role.name, role.product)),
                    );
                    continue;
                }
            },
        };
        let operation = match holder {
            Holder::Group(name) => match group_ids.get(&name_key(name)) {
                Some(id) if assign => RoleChange::AddGroup(id.clone()),
                Some(id) => RoleChange::RemoveGroup(id.clone()),
                None => {
                    run.change(
                        change,
                        Outcome::Skipped("its group does not exist (its creation failed)"),
                    );
                    continue;
                }
            },
            Holder::User(email) => match user_ids.get(&name_key(email)) {
                Some(id) => RoleChange::AddUser(id.clone()),
                None => {
                    run.change(change, Outcome::Skipped("its user does not exist (the invite failed)"));
                    continue;
                }
            },
        };
        match by_role.iter_mut().find(|(id, _)| *id == role_id) {
            Some((_, list)) => list.push((change, operation)),
            None => by_role.push((role_id, vec![(change, operation)])),
        }
    }
    let work = by_role.into_iter().map(|(role_id, changes)| async move {
        for batch in changes.chunks(MAX_BULK_ITEMS) {
            let mut patch = run.client.roles().patch(org, role_id.clone());
            for (change, operation) in batch {
                patch = match operation {
                    RoleChange::AddGroup(id) => patch.add_group(id.as_str()),
                    RoleChange::RemoveGroup(id) => patch.remove_group(id.as_str()),
                    RoleChange::AddUser(id) => patch.add_user(id.as_str()),
                };
                run.change(change, Outcome::InFlight);
            }
            let targets: Vec<&Change> = batch.iter().map(|(change, _)| *change).collect();
            record_results(run, &targets, patch.send().await.map(|result| result.results));
        }
    });
    futures_util::future::join_all(work).await;
}

/// One change of a role's holders, with the holder's id.
enum RoleChange {
    AddGroup(String),
    RemoveGroup(String),
    AddUser(String),
}
