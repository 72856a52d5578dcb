//! Execute: run a diff's changes in the order the API forces. The organization first; then its
//! claims, users and groups at once; then members and role holders, which need the ids of what the
//! step before created. Bulk writes go in batches of the service's limit; every write is recorded as
//! in flight before it is sent, so an interrupt reports it as unknown.

use std::collections::HashMap;

use scc_sdk::types::{Organization, OrganizationType, UserOperation};
use scc_sdk::{Client, Error, ItemOutcome, ItemResult};

use crate::diff::{Change, Holder};
use crate::ledger::Recorder;
use crate::observe::{self, Observation};
use crate::outcome::{Outcome, Refusal, Skip, Subject};
use crate::spec::{OrgPlan, name_key};

/// Most items the service takes in one bulk PATCH (users, admin groups, roles).
const MAX_BULK_ITEMS: usize = 500;

/// Creates the plan's organization, then looks again: another machine may have created the same one
/// at the same moment, and a duplicate stops the work rather than fill one of two.
pub(crate) async fn create_org(client: &Client, plan: &OrgPlan, rec: &Recorder<'_>) -> Option<Organization> {
    let change = crate::diff::create_org(plan);
    let Change::CreateOrg { name, region } = &change else {
        return None;
    };
    rec.start(&change);
    let created = match client
        .organizations()
        .create(name.as_str(), region.clone())
        .organization_type(OrganizationType::Managed)
        .send()
        .await
    {
        Ok(created) => created,
        Err(error) => {
            rec.failed(&change, &error);
            return None;
        }
    };
    match observe::orgs_named(client, name).await {
        Ok(matches) if matches.len() > 1 => {
            rec.finish(
                &change,
                Outcome::Refused(Refusal::DuplicateOrganizations {
                    ids: matches.iter().map(|org| org.id.to_string()).collect(),
                    created: Some(created.id.to_string()),
                }),
            );
            None
        }
        Ok(_) => {
            rec.finish(&change, Outcome::Done);
            Some(created)
        }
        Err(error) => {
            // Made; whether it is the only one of its name is not known: no further change.
            rec.finish(&change, Outcome::Done);
            rec.read(Subject::find(name), Outcome::of_error(&error, false));
            None
        }
    }
}

pub(crate) async fn execute(client: &Client, rec: &Recorder<'_>, org: &str, changes: Vec<Change>, seen: &Observation) {
    let (first, second): (Vec<Change>, Vec<Change>) = changes.into_iter().partition(|change| {
        !matches!(
            change,
            Change::AddMember { .. }
                | Change::RemoveMember { .. }
                | Change::ShareGroup { .. }
                | Change::UnshareGroup { .. }
                | Change::AssignRole { .. }
                | Change::UnassignRole { .. }
        )
    });
    // Claims depend on nothing else; members and role holders wait for the users and groups they
    // name, not for the claims.
    tokio::join!(claims(client, rec, org, &first), async {
        let (_, created_groups) = tokio::join!(users(client, rec, org, &first), groups(client, rec, org, &first));
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
            members(client, rec, org, &second, &group_ids),
            roles(client, rec, org, &second, &group_ids, seen)
        );
    });
}

async fn claims(client: &Client, rec: &Recorder<'_>, org: &str, changes: &[Change]) {
    let subscriptions = client.subscriptions();
    for change in changes {
        let Change::Claim { code, region } = change else {
            continue;
        };
        rec.start(change);
        match subscriptions.read_claim_code(org, code.as_str()).await {
            Err(error) if error.is_conflict() => claimed_elsewhere(client, rec, org, change, code, &error).await,
            Err(error) => rec.failed(change, &error),
            Ok(info) => {
                let products = info.build_products(region);
                match subscriptions.create(org, code.as_str()).products(products).send().await {
                    Ok(_) => rec.finish(change, Outcome::Done),
                    // Claimed between the read and the claim: by whom decides.
                    Err(error) if error.is_conflict() => {
                        claimed_elsewhere(client, rec, org, change, code, &error).await
                    }
                    Err(error) => rec.failed(change, &error),
                }
            }
        }
    }
}

/// A claim code the service calls used (409): done when a subscription of this organization came
/// from it; otherwise a failure quoting the service, which names the holder when the token may see
/// it. When the subscriptions name no claim code at all, the holder cannot be known: unknown.
async fn claimed_elsewhere(
    client: &Client,
    rec: &Recorder<'_>,
    org: &str,
    change: &Change,
    code: &str,
    conflict: &Error,
) {
    let held = match client.subscriptions().list(org).send().await {
        Ok(page) => page.items,
        Err(error) => {
            rec.failed(change, &error);
            return;
        }
    };
    let named: Vec<&str> = held.iter().filter_map(|s| s.claim_code.as_deref()).collect();
    let service_says = conflict
        .as_api_error()
        .map_or_else(|| conflict.to_string(), |api| api.message.clone());
    if named.iter().any(|held| name_key(held) == name_key(code)) {
        // This organization's: a claim whose answer was lost. It is in place.
        rec.finish(change, Outcome::Done);
    } else if named.is_empty() && !held.is_empty() {
        rec.finish(
            change,
            Outcome::Unknown(format!(
                "{service_says}; the service does not say which organization holds it, so it cannot be counted as done"
            )),
        );
    } else {
        rec.finish(change, Outcome::Refused(Refusal::ClaimedElsewhere(service_says)));
    }
}

async fn users(client: &Client, rec: &Recorder<'_>, org: &str, changes: &[Change]) {
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
            Change::SetUserEnabled { email, enabled: true } => {
                bulk.push((change, UserOperation::enable(email.as_str())))
            }
            Change::SetUserEnabled { email, enabled: false } => {
                bulk.push((change, UserOperation::disable(email.as_str())))
            }
            Change::UpdateUser {
                id,
                first_name,
                last_name,
                ..
            } => {
                rec.start(change);
                let result = client
                    .users()
                    .update(org, id.clone())
                    .first_name(first_name.as_str())
                    .last_name(last_name.as_str())
                    .send()
                    .await;
                match result {
                    Ok(_) => rec.finish(change, Outcome::Done),
                    Err(error) => rec.failed(change, &error),
                }
            }
            _ => {}
        }
    }
    if bulk.is_empty() {
        return;
    }
    for (change, _) in &bulk {
        rec.start(change);
    }
    let (targets, operations): (Vec<&Change>, Vec<UserOperation>) = bulk.into_iter().unzip();
    let report = client.users().patch_all(org, operations).concurrency(2).send().await;
    for (change, item) in targets.into_iter().zip(report.items) {
        record_item(rec, change, item.outcome);
    }
}

fn record_item(rec: &Recorder<'_>, change: &Change, outcome: ItemOutcome) {
    match outcome {
        ItemOutcome::Succeeded(_) => rec.finish(change, Outcome::Done),
        ItemOutcome::RequestFailed(error) | ItemOutcome::NotSent(error) => rec.failed(change, &error),
        ItemOutcome::NoResult => rec.finish(
            change,
            Outcome::Unknown("the answer holds no result for this item".into()),
        ),
        other => rec.finish(
            change,
            Outcome::Refused(Refusal::Service(other.failure_reason().unwrap_or_default())),
        ),
    }
}

/// Creates, updates and deletes groups, all at once; returns the ids of the groups it created (or
/// adopted).
async fn groups(client: &Client, rec: &Recorder<'_>, org: &str, changes: &[Change]) -> HashMap<String, String> {
    let work = changes.iter().map(|change| group_change(client, rec, org, change));
    futures_util::future::join_all(work)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// One group change; the created (or adopted) group's name key and id.
async fn group_change(client: &Client, rec: &Recorder<'_>, org: &str, change: &Change) -> Option<(String, String)> {
    let mut created = HashMap::new();
    {
        match change {
            Change::CreateGroup {
                name,
                description,
                applies_to,
            } => {
                rec.start(change);
                let result = client
                    .groups()
                    .create(org, name.as_str())
                    .set_description(description.clone())
                    .applies_to(applies_to.clone())
                    .send()
                    .await;
                match result {
                    Ok(group) => {
                        created.insert(name_key(name), group.id.to_string());
                        rec.finish(change, Outcome::Done);
                    }
                    // It exists (an earlier attempt whose answer was lost, or another run): adopt
                    // it once it is seen, so its members and roles are done in this round too.
                    Err(error) if error.is_conflict() => {
                        if let Some(id) = adopt_group(client, rec, org, change, name).await {
                            created.insert(name_key(name), id);
                        }
                    }
                    Err(error) => rec.failed(change, &error),
                }
            }
            Change::UpdateGroup { id, description, .. } => {
                rec.start(change);
                let result = client
                    .groups()
                    .update(org, id.clone())
                    .set_description(description.clone())
                    .send()
                    .await;
                match result {
                    Ok(_) => rec.finish(change, Outcome::Done),
                    Err(error) => rec.failed(change, &error),
                }
            }
            Change::DeleteGroup { id, .. } => {
                rec.start(change);
                match client.groups().delete(org, id.clone()).send().await {
                    Ok(()) => rec.finish(change, Outcome::Done),
                    Err(error) => rec.failed(change, &error),
                }
            }
            _ => {}
        }
    }
    created.into_iter().next()
}

/// After a 409 on a group's creation: the group exists; it is read back and taken as the plan's.
/// A 409 without a group of that name to be seen is a failure, never a success.
async fn adopt_group(client: &Client, rec: &Recorder<'_>, org: &str, change: &Change, name: &str) -> Option<String> {
    let listed: Result<Vec<_>, _> =
        futures_util::TryStreamExt::try_collect(client.groups().list(org).max(500).items()).await;
    match listed {
        Ok(groups) => match groups.into_iter().find(|group| {
            group
                .name
                .as_deref()
                .is_some_and(|found| name_key(found) == name_key(name))
        }) {
            Some(group) => {
                rec.finish(change, Outcome::Done);
                Some(group.id.to_string())
            }
            None => {
                rec.finish(
                    change,
                    Outcome::Refused(Refusal::Service(
                        "the service says the group exists (409), but no group of this name is listed".into(),
                    )),
                );
                None
            }
        },
        Err(_) => {
            rec.finish(
                change,
                Outcome::Unknown("the service says the group exists (409), and reading the groups back failed".into()),
            );
            None
        }
    }
}

/// Records the per-item results of a bulk PATCH.
fn record_results(rec: &Recorder<'_>, batch: &[&Change], result: Result<Vec<ItemResult>, Error>) {
    match result {
        Ok(results) => {
            let mut results = results.into_iter();
            for change in batch {
                match results.next() {
                    Some(item) if item.is_success() => rec.finish(change, Outcome::Done),
                    Some(item) => rec.finish(
                        change,
                        Outcome::Refused(Refusal::Service(
                            item.error_description
                                .clone()
                                .unwrap_or_else(|| item.status.to_string()),
                        )),
                    ),
                    None => rec.finish(
                        change,
                        Outcome::Unknown("the answer holds no result for this item".into()),
                    ),
                }
            }
        }
        Err(error) => {
            for change in batch {
                rec.failed(change, &error);
            }
        }
    }
}

async fn members(
    client: &Client,
    rec: &Recorder<'_>,
    org: &str,
    changes: &[Change],
    group_ids: &HashMap<String, String>,
) {
    let mut by_group: Vec<(String, Vec<&Change>)> = Vec::new();
    // The service answers a group's user changes before its managed-organization ones: each batch
    // is sent in that order so the answers line up.
    let (users, shares): (Vec<&Change>, Vec<&Change>) = changes
        .iter()
        .partition(|change| matches!(change, Change::AddMember { .. } | Change::RemoveMember { .. }));
    for change in users.into_iter().chain(shares) {
        let (Change::AddMember { group, .. }
        | Change::RemoveMember { group, .. }
        | Change::ShareGroup { group, .. }
        | Change::UnshareGroup { group, .. }) = change
        else {
            continue;
        };
        if let Change::ShareGroup { org_id, .. } | Change::UnshareGroup { org_id, .. } = change
            && org_id.is_empty()
        {
            rec.finish(
                change,
                Outcome::Skipped(Skip::Dependency(
                    "the organization it is shared into does not exist (its creation failed)",
                )),
            );
            continue;
        }
        let Some(id) = group_ids.get(&name_key(group)) else {
            rec.finish(
                change,
                Outcome::Skipped(Skip::Dependency("its group does not exist (its creation failed)")),
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
            let mut patch = client.groups().patch(org, id.as_str());
            for change in batch {
                patch = match change {
                    Change::AddMember { email, .. } => patch.add_user(email.as_str()),
                    Change::RemoveMember { email, .. } => patch.remove_user(email.as_str()),
                    Change::ShareGroup { org_id, .. } => patch.add_managed_org(org_id.as_str()),
                    Change::UnshareGroup { org_id, .. } => patch.remove_managed_org(org_id.as_str()),
                    _ => patch,
                };
                rec.start(change);
            }
            record_results(rec, batch, patch.send().await.map(|result| result.results));
        }
    });
    futures_util::future::join_all(work).await;
}

async fn roles(
    client: &Client,
    rec: &Recorder<'_>,
    org: &str,
    changes: &[Change],
    group_ids: &HashMap<String, String>,
    seen: &Observation,
) {
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
                Some(client.roles().list(org).send().await)
            } else {
                None
            }
        },
        async {
            if needs_users {
                Some(client.users().list(org).send().await)
            } else {
                None
            }
        },
    );
    let all_roles = match all_roles {
        Some(Ok(page)) => page.items,
        Some(Err(error)) => {
            for change in &role_changes {
                rec.failed(change, &error);
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
                rec.failed(change, &error);
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
                    rec.finish(
                        change,
                        Outcome::Refused(Refusal::NoSuchRole {
                            product: role.product.clone(),
                            role: role.name.clone(),
                        }),
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
                    rec.finish(
                        change,
                        Outcome::Skipped(Skip::Dependency("its group does not exist (its creation failed)")),
                    );
                    continue;
                }
            },
            Holder::User(email) => match user_ids.get(&name_key(email)) {
                Some(id) if assign => RoleChange::AddUser(id.clone()),
                Some(id) => RoleChange::RemoveUser(id.clone()),
                None => {
                    rec.finish(
                        change,
                        Outcome::Skipped(Skip::Dependency("its user does not exist (the invite failed)")),
                    );
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
            let mut patch = client.roles().patch(org, role_id.clone());
            for (change, operation) in batch {
                patch = match operation {
                    RoleChange::AddGroup(id) => patch.add_group(id.as_str()),
                    RoleChange::RemoveGroup(id) => patch.remove_group(id.as_str()),
                    RoleChange::AddUser(id) => patch.add_user(id.as_str()),
                    RoleChange::RemoveUser(id) => patch.remove_user(id.as_str()),
                };
                rec.start(change);
            }
            let targets: Vec<&Change> = batch.iter().map(|(change, _)| *change).collect();
            record_results(rec, &targets, patch.send().await.map(|result| result.results));
        }
    });
    futures_util::future::join_all(work).await;
}

/// One change of a role's holders, with the holder's id.
enum RoleChange {
    AddGroup(String),
    RemoveGroup(String),
    AddUser(String),
    RemoveUser(String),
}
