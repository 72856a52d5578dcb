//! Users of an organization: invitations, status changes, removal, and who they are by e-mail.

use super::access::Caller;
use super::catalog::{ADMIN_ROLE, PLATFORM_PRODUCT};
use super::lookup::{find_by_email, find_role_id, looks_like_email};
use super::outcome::{ItemOutcome, Refusal};
use super::roles;
use crate::error::{ApiError, ApiResult};
use crate::model::{Group, State, User, UserOperation, UserStatus, org_key};

/// A user of an organization the caller reaches.
pub(crate) fn get<'s>(state: &'s State, caller: &Caller, org_id: &str, user_id: &str) -> ApiResult<&'s User> {
    caller.in_org(state, &state.users, org_id, user_id)
}

/// The organization's users with this status (any without), in creation order.
pub(crate) fn list<'s>(
    state: &'s State,
    caller: &Caller,
    org_id: &str,
    status: Option<UserStatus>,
) -> ApiResult<Vec<&'s User>> {
    caller.org(state, org_id)?;
    let mut users: Vec<&User> = state
        .users
        .find_indexed(&org_key(org_id))
        .filter(|user| user.org_id == org_id)
        .filter(|user| status.is_none_or(|status| user.status == status))
        .collect();
    users.sort_by_key(|user| user.seq);
    Ok(users)
}

/// The groups of the organization the user is a member of, in creation order.
pub(crate) fn groups_of<'s>(
    state: &'s State,
    caller: &Caller,
    org_id: &str,
    user_id: &str,
) -> ApiResult<Vec<&'s Group>> {
    get(state, caller, org_id, user_id)?;
    let mut groups: Vec<_> = state
        .groups
        .find_indexed(&org_key(org_id))
        .filter(|group| group.org_id == org_id && group.members.contains(user_id))
        .collect();
    groups.sort_by_key(|group| group.seq);
    Ok(groups)
}

/// Changes a user's names; `None` keeps one.
pub(crate) fn rename<'s>(
    state: &'s mut State,
    caller: &Caller,
    org_id: &str,
    user_id: &str,
    first_name: Option<String>,
    last_name: Option<String>,
) -> ApiResult<&'s User> {
    get(state, caller, org_id, user_id)?;
    let user = state
        .users
        .get_mut(user_id)
        .ok_or_else(|| ApiError::not_found("user not found"))?;
    if let Some(first) = first_name {
        user.first_name = first;
    }
    if let Some(last) = last_name {
        user.last_name = last;
    }
    Ok(user)
}

/// A user to add, as the fixtures and an invitation describe it.
pub(crate) struct NewUser<'a> {
    pub(crate) email: &'a str,
    pub(crate) first_name: &'a str,
    pub(crate) last_name: &'a str,
    pub(crate) status: UserStatus,
    pub(crate) created: &'a str,
}

/// Adds a user with one enrolled factor; its id.
pub(crate) fn add(state: &mut State, org_id: &str, new: NewUser<'_>) -> String {
    let id = state.ids.user_id();
    let factor = state.ids.factor_id();
    let seq = state.next_seq();
    state.users.insert(
        id.clone(),
        User {
            id: id.clone(),
            org_id: org_id.to_owned(),
            email: new.email.to_owned(),
            first_name: new.first_name.to_owned(),
            last_name: new.last_name.to_owned(),
            status: new.status,
            factors: vec![factor],
            created: new.created.to_owned(),
            seq,
        },
    );
    id
}

/// One item of a users PATCH.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Operation<'a> {
    pub(crate) email: &'a str,
    pub(crate) operation: UserOperation,
    pub(crate) first_name: Option<&'a str>,
    pub(crate) last_name: Option<&'a str>,
    pub(crate) is_admin: Option<bool>,
    pub(crate) factor_id: Option<&'a str>,
}

/// Runs each operation in turn on the organization's users; one outcome each, in order.
pub(crate) fn run(
    state: &mut State,
    caller: &Caller,
    org_id: &str,
    operations: &[Operation<'_>],
    now: &str,
) -> ApiResult<Vec<ItemOutcome>> {
    caller.org(state, org_id)?;
    Ok(operations
        .iter()
        .map(|operation| run_one(state, org_id, operation, now))
        .collect())
}

/// One user operation; a refusal is this item's, never the request's.
fn run_one(state: &mut State, org_id: &str, item: &Operation<'_>, now: &str) -> ItemOutcome {
    if !looks_like_email(item.email) {
        return Err(Refusal::InvalidEmail(item.email.to_owned()));
    }
    let existing = find_by_email(state, org_id, item.email).map(|user| user.id.clone());
    let Some(user_id) = existing else {
        if item.operation != UserOperation::Invite {
            return Err(Refusal::UserNotFound);
        }
        let new = NewUser {
            email: item.email,
            first_name: item.first_name.unwrap_or_default(),
            last_name: item.last_name.unwrap_or_default(),
            status: UserStatus::Pending,
            created: now,
        };
        let id = add(state, org_id, new);
        if item.is_admin == Some(true)
            && let Some(role) = find_role_id(state, org_id, ADMIN_ROLE, PLATFORM_PRODUCT)
        {
            roles::assign_user(state, &role, id);
        }
        return Ok(());
    };
    // Operations that only check (and send an e-mail the emulator does not have) change no row.
    let Some(user) = state.users.get(&user_id) else {
        return Err(Refusal::UserNotFound);
    };
    match item.operation {
        // The emulator has no invitation e-mail to accept: enabling a pending user activates it.
        UserOperation::Enable | UserOperation::Disable => {
            let status = if item.operation == UserOperation::Enable {
                UserStatus::Active
            } else {
                UserStatus::Disabled
            };
            if user.status != status
                && let Some(user) = state.users.get_mut(&user_id)
            {
                user.status = status;
            }
        }
        UserOperation::ResendEmailInvite => {
            if user.status != UserStatus::Pending {
                return Err(Refusal::AlreadyAccepted);
            }
        }
        UserOperation::ResetPassword => {
            if user.status == UserStatus::Disabled {
                return Err(Refusal::UserDisabled);
            }
        }
        UserOperation::ResetMfa => {
            let factor = item.factor_id.unwrap_or_default();
            if !user.factors.iter().any(|enrolled| enrolled == factor) {
                return Err(Refusal::FactorNotEnrolled(factor.to_owned()));
            }
        }
        UserOperation::Invite => return Err(Refusal::UserExists),
        UserOperation::Remove => remove(state, &user_id),
    }
    Ok(())
}

/// Removes a user, its group memberships and its role assignments.
fn remove(state: &mut State, user_id: &str) {
    state.users.remove(user_id);
    state.groups.update_where(
        |group| group.members.contains(user_id),
        |group| {
            group.members.remove(user_id);
        },
    );
    state.roles.update_where(
        |role| role.users.contains(user_id),
        |role| {
            role.users.remove(user_id);
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scope;

    fn manager(state: &State) -> (Caller, String) {
        let org_id = state.principal.org_id.clone();
        let caller = Caller {
            org_id: org_id.clone(),
            scope: Scope::Admin,
        };
        (caller, org_id)
    }

    fn invite(email: &str) -> Operation<'_> {
        Operation {
            email,
            operation: UserOperation::Invite,
            first_name: Some("New"),
            last_name: Some("Person"),
            is_admin: Some(true),
            factor_id: None,
        }
    }

    #[test]
    fn each_item_has_its_outcome_and_a_removed_user_leaves_its_groups_and_roles() {
        let mut state = crate::fixtures::default_state(1, 2, 0, 600).expect("the fixtures build");
        let (caller, org_id) = manager(&state);
        let removal = Operation {
            operation: UserOperation::Remove,
            ..invite("NEW@example.com")
        };
        let outcomes = run(
            &mut state,
            &caller,
            &org_id,
            &[
                invite("new@example.com"),
                invite("New@Example.com"),
                invite("not-an-address"),
                removal,
            ],
            "2026-01-01T00:00:00Z",
        )
        .expect("the organization is reached");
        assert_eq!(
            outcomes,
            vec![
                Ok(()),
                Err(Refusal::UserExists),
                Err(Refusal::InvalidEmail("not-an-address".into())),
                Ok(())
            ]
        );
        assert!(find_by_email(&state, &org_id, "new@example.com").is_none());
        let alice = find_by_email(&state, &org_id, "alice.admin@acme.example")
            .map(|user| user.id.clone())
            .expect("alice is a fixture");
        let alice_out = Operation {
            operation: UserOperation::Remove,
            ..invite("alice.admin@acme.example")
        };
        run(&mut state, &caller, &org_id, &[alice_out], "now").expect("runs");
        assert!(state.groups.values().all(|group| !group.members.contains(&alice)));
        assert!(state.roles.values().all(|role| !role.users.contains(&alice)));
    }

    #[test]
    fn an_organization_out_of_reach_is_not_found() {
        let mut state = crate::fixtures::default_state(1, 2, 0, 600).expect("the fixtures build");
        let stranger = Caller {
            org_id: "someone-else".into(),
            scope: Scope::Admin,
        };
        let org_id = state.principal.org_id.clone();
        let error = run(&mut state, &stranger, &org_id, &[invite("a@b.example")], "now").expect_err("out of reach");
        assert_eq!(error.status, axum::http::StatusCode::NOT_FOUND);
    }
}
