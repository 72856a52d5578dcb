//! Admin groups: those an organization owns, and those a MANAGER shares with its managed
//! organizations. Only the owner changes a group; a shared group can only be let go of.

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::access::Caller;
use super::lookup::find_by_email;
use super::outcome::{ItemOutcome, MemberChange, Membership, Refusal, change_membership};
use crate::error::{ApiError, ApiResult};
use crate::model::{AppliesTo, Group, GroupType, Organization, State, User, org_key};

/// A group the organization owns, or one shared with it.
pub(crate) fn visible<'s>(state: &'s State, caller: &Caller, org_id: &str, group_id: &str) -> ApiResult<&'s Group> {
    caller.org(state, org_id)?;
    state
        .groups
        .get(group_id)
        .filter(|group| group.org_id == org_id || group.shared_with.contains(org_id))
        .ok_or_else(|| ApiError::not_found(format!("admin group {group_id} not found")))
}

/// A group the organization owns: only the owner changes a group.
fn owned<'s>(state: &'s State, caller: &Caller, org_id: &str, group_id: &str) -> ApiResult<&'s Group> {
    let group = visible(state, caller, org_id, group_id)?;
    if group.org_id != org_id {
        return Err(ApiError::forbidden(
            "this group is shared by the manager organization; only the manager can change it",
        ));
    }
    Ok(group)
}

/// The groups the organization owns or that are shared with it, in creation order.
pub(crate) fn list(state: &State, caller: &Caller, org_id: &str) -> ApiResult<Vec<Group>> {
    caller.org(state, org_id)?;
    let mut groups: Vec<Group> = state
        .groups
        .find_indexed(&org_key(org_id))
        .filter(|group| group.org_id == org_id || group.shared_with.contains(org_id))
        .cloned()
        .collect();
    groups.sort_by_key(|group| group.seq);
    Ok(groups)
}

fn name_taken(state: &State, org_id: &str, name: &str, except: Option<&str>) -> ApiResult<()> {
    let key = crate::model::name_key(name);
    let taken = state.groups.find_indexed(&org_key(org_id)).any(|group| {
        group.org_id == org_id && crate::model::name_key(&group.name) == key && Some(group.id.as_str()) != except
    });
    if taken {
        Err(ApiError::conflict(format!(
            "an admin group named {:?} already exists",
            name.trim()
        )))
    } else {
        Ok(())
    }
}

/// A group to add, as the fixtures and a create request describe it.
pub(crate) struct NewGroup {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) applies_to: AppliesTo,
    pub(crate) members: BTreeSet<String>,
    pub(crate) shared_with: BTreeSet<String>,
}

/// Adds a group to an organization; names are unique in an organization, in any case.
pub(crate) fn add(state: &mut State, org_id: &str, new: NewGroup) -> ApiResult<Group> {
    name_taken(state, org_id, &new.name, None)?;
    let id = state.ids.uuid();
    let seq = state.next_seq();
    let group = Group {
        id: id.clone(),
        org_id: org_id.to_owned(),
        name: new.name.trim().to_owned(),
        description: new.description.filter(|text| !text.is_empty()),
        group_type: GroupType::Federated,
        applies_to: new.applies_to,
        members: new.members,
        shared_with: new.shared_with,
        seq,
    };
    state.groups.insert(id, group.clone());
    Ok(group)
}

/// Creates an empty group in an organization the caller reaches.
pub(crate) fn create(state: &mut State, caller: &Caller, org_id: &str, new: NewGroup) -> ApiResult<Group> {
    caller.org(state, org_id)?;
    add(state, org_id, new)
}

/// Renames a group or changes its description; `None` keeps one.
pub(crate) fn update<'s>(
    state: &'s mut State,
    caller: &Caller,
    org_id: &str,
    group_id: &str,
    name: Option<String>,
    description: Option<String>,
) -> ApiResult<&'s Group> {
    owned(state, caller, org_id, group_id)?;
    if let Some(name) = &name {
        name_taken(state, org_id, name, Some(group_id))?;
    }
    let group = state
        .groups
        .get_mut(group_id)
        .ok_or_else(|| ApiError::not_found("admin group not found"))?;
    if let Some(name) = name {
        group.name = name.trim().to_owned();
    }
    if let Some(description) = description {
        group.description = Some(description);
    }
    Ok(group)
}

/// Deletes a group the organization owns (and its role assignments); for a group shared with it,
/// removes the share only.
pub(crate) fn delete(state: &mut State, caller: &Caller, org_id: &str, group_id: &str) -> ApiResult<()> {
    let group = visible(state, caller, org_id, group_id)?;
    if group.org_id == org_id {
        state.groups.remove(group_id);
        state.roles.update_where(
            |role| role.groups.contains(group_id),
            |role| {
                role.groups.remove(group_id);
            },
        );
    } else if let Some(group) = state.groups.get_mut(group_id) {
        group.shared_with.remove(org_id);
    }
    Ok(())
}

/// A managed-organization id as sent: the plain id, or the base64url `ciscospark://…/ORGANIZATION/<id>`
/// form of the reference's example.
fn managed_org_id(raw: &str) -> String {
    URL_SAFE_NO_PAD
        .decode(raw.trim_end_matches('='))
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.rsplit_once("/ORGANIZATION/").map(|(_, id)| id.to_owned()))
        .unwrap_or_else(|| raw.to_owned())
}

/// Changes a group's members (by e-mail) and the managed organizations it is shared with; one
/// outcome each, members first.
pub(crate) fn change_members(
    state: &mut State,
    caller: &Caller,
    org_id: &str,
    group_id: &str,
    user_changes: &[MemberChange<'_>],
    share_changes: &[MemberChange<'_>],
) -> ApiResult<Vec<ItemOutcome>> {
    owned(state, caller, org_id, group_id)?;
    let mut outcomes = Vec::with_capacity(user_changes.len() + share_changes.len());
    for change in user_changes {
        let user_id = find_by_email(state, org_id, change.id).map(|user| user.id.clone());
        let group = state
            .groups
            .get_mut(group_id)
            .ok_or_else(|| ApiError::not_found("admin group not found"))?;
        outcomes.push(match user_id {
            None => Err(Refusal::UserNotFound),
            Some(id) => change_membership(&mut group.members, id, change.operation, Membership::GroupMember),
        });
    }
    for change in share_changes {
        let target = managed_org_id(change.id);
        let is_managed = state
            .organizations
            .get(&target)
            .is_some_and(|org| org.manager_org_id.as_deref() == Some(org_id));
        let group = state
            .groups
            .get_mut(group_id)
            .ok_or_else(|| ApiError::not_found("admin group not found"))?;
        outcomes.push(if is_managed {
            change_membership(&mut group.shared_with, target, change.operation, Membership::GroupShare)
        } else {
            Err(Refusal::NotManaged)
        });
    }
    Ok(outcomes)
}

/// A group's members, in creation order.
pub(crate) fn members<'s>(state: &'s State, caller: &Caller, org_id: &str, group_id: &str) -> ApiResult<Vec<&'s User>> {
    let group = visible(state, caller, org_id, group_id)?;
    let mut members: Vec<_> = group.members.iter().filter_map(|id| state.users.get(id)).collect();
    members.sort_by_key(|user| user.seq);
    Ok(members)
}

/// The managed organizations a group is shared with.
pub(crate) fn shares<'s>(
    state: &'s State,
    caller: &Caller,
    org_id: &str,
    group_id: &str,
) -> ApiResult<Vec<&'s Organization>> {
    let group = visible(state, caller, org_id, group_id)?;
    Ok(group
        .shared_with
        .iter()
        .filter_map(|id| state.organizations.get(id))
        .collect())
}
