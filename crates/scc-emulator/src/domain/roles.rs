//! Roles of every type and their assignment to users and admin groups.

use super::access::Caller;
use super::lookup::find_by_id_or_email;
use super::outcome::{ItemOutcome, MemberChange, Membership, Refusal, change_membership};
use crate::error::{ApiError, ApiResult};
use crate::model::{Role, RoleType, State, org_key};

/// Assigns a role to a user (whether it was or not).
pub(crate) fn assign_user(state: &mut State, role_id: &str, user_id: String) {
    if let Some(role) = state.roles.get_mut(role_id) {
        role.users.insert(user_id);
    }
}

/// Assigns a role to a group (whether it was or not).
pub(crate) fn assign_group(state: &mut State, role_id: &str, group_id: String) {
    if let Some(role) = state.roles.get_mut(role_id) {
        role.groups.insert(group_id);
    }
}

/// A role of an organization the caller reaches.
pub(crate) fn get<'s>(state: &'s State, caller: &Caller, org_id: &str, role_id: &str) -> ApiResult<&'s Role> {
    caller.in_org(state, &state.roles, org_id, role_id)
}

/// The organization's roles of this type; with a user (id or e-mail), those assigned to the user
/// directly or to one of the user's groups. In creation order.
pub(crate) fn list<'s>(
    state: &'s State,
    caller: &Caller,
    org_id: &str,
    role_type: Option<RoleType>,
    user: Option<&str>,
) -> ApiResult<Vec<&'s Role>> {
    caller.org(state, org_id)?;
    let user = match user {
        None => None,
        Some(user) => Some(
            find_by_id_or_email(state, org_id, user)
                .map(|found| found.id.as_str())
                .ok_or_else(|| ApiError::not_found(format!("user {user} not found")))?,
        ),
    };
    let user_groups: Vec<&String> = match user {
        None => Vec::new(),
        Some(user) => state
            .groups
            .find_indexed(&org_key(org_id))
            .filter(|group| group.members.contains(user))
            .map(|group| &group.id)
            .collect(),
    };
    let mut roles: Vec<&Role> = state
        .roles
        .find_indexed(&org_key(org_id))
        .filter(|role| role.org_id == org_id)
        .filter(|role| role_type.is_none_or(|kind| role.role_type == kind))
        .filter(|role| match user {
            None => true,
            Some(user) => role.users.contains(user) || user_groups.iter().any(|group| role.groups.contains(*group)),
        })
        .collect();
    roles.sort_by_key(|role| role.seq);
    Ok(roles)
}

/// The organization's roles assigned to a group, in creation order.
pub(crate) fn of_group<'s>(state: &'s State, org_id: &str, group_id: &str) -> Vec<&'s Role> {
    let mut roles: Vec<_> = state
        .roles
        .find_indexed(&org_key(org_id))
        .filter(|role| role.groups.contains(group_id))
        .collect();
    roles.sort_by_key(|role| role.seq);
    roles
}

/// Assigns or unassigns a role: users (by id or e-mail) first, then groups; one outcome each.
pub(crate) fn change_assignments(
    state: &mut State,
    caller: &Caller,
    org_id: &str,
    role_id: &str,
    user_changes: &[MemberChange<'_>],
    group_changes: &[MemberChange<'_>],
) -> ApiResult<Vec<ItemOutcome>> {
    get(state, caller, org_id, role_id)?;
    let mut outcomes = Vec::with_capacity(user_changes.len() + group_changes.len());
    for change in user_changes {
        let user = find_by_id_or_email(state, org_id, change.id).map(|user| user.id.clone());
        let role = state
            .roles
            .get_mut(role_id)
            .ok_or_else(|| ApiError::not_found("role not found"))?;
        outcomes.push(match user {
            None => Err(Refusal::UserNotFound),
            Some(id) => change_membership(&mut role.users, id, change.operation, Membership::RoleOfUser),
        });
    }
    for change in group_changes {
        let exists = state
            .groups
            .get(change.id)
            .is_some_and(|group| group.org_id == org_id || group.shared_with.contains(org_id));
        let role = state
            .roles
            .get_mut(role_id)
            .ok_or_else(|| ApiError::not_found("role not found"))?;
        outcomes.push(if exists {
            change_membership(
                &mut role.groups,
                change.id.to_owned(),
                change.operation,
                Membership::RoleOfGroup,
            )
        } else {
            Err(Refusal::GroupNotFound)
        });
    }
    Ok(outcomes)
}
