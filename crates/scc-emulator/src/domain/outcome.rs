//! The outcome of one item of a bulk request: done, or refused for a reason the answer's
//! `errorDescription` states. A refused item changes nothing and never fails the request.

use std::collections::BTreeSet;

use crate::model::MemberOperation;

/// Why one item of a bulk request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    InvalidEmail(String),
    UserExists,
    UserNotFound,
    AlreadyAccepted,
    UserDisabled,
    FactorNotEnrolled(String),
    GroupNotFound,
    NotManaged,
    /// A membership change that would change nothing: the set already is so.
    Already(Membership, MemberOperation),
}

/// Which membership a change was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Membership {
    GroupMember,
    GroupShare,
    RoleOfUser,
    RoleOfGroup,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use MemberOperation::{Add, Remove};
        use Membership::*;
        let text = match self {
            Self::InvalidEmail(email) => return write!(f, "invalid e-mail address: {email:?}"),
            Self::FactorNotEnrolled(factor) => return write!(f, "factor {factor} is not enrolled for this user"),
            Self::UserExists => "user already exists in the organization",
            Self::UserNotFound => "user not found in the organization",
            Self::AlreadyAccepted => "user has already accepted the invitation",
            Self::UserDisabled => "user is disabled",
            Self::GroupNotFound => "admin group not found in the organization",
            Self::NotManaged => "organization is not managed by this organization",
            Self::Already(GroupMember, Add) => "user is already a member of the group",
            Self::Already(GroupMember, Remove) => "user is not a member of the group",
            Self::Already(GroupShare, Add) => "group is already shared with the organization",
            Self::Already(GroupShare, Remove) => "group is not shared with the organization",
            Self::Already(RoleOfUser, Add) => "role is already assigned to the user",
            Self::Already(RoleOfUser, Remove) => "role is not assigned to the user",
            Self::Already(RoleOfGroup, Add) => "role is already assigned to the group",
            Self::Already(RoleOfGroup, Remove) => "role is not assigned to the group",
        };
        f.write_str(text)
    }
}

/// One item's outcome.
pub(crate) type ItemOutcome = Result<(), Refusal>;

/// Adds or removes `id` in a membership set; a change that changes nothing is refused.
pub(crate) fn change_membership(
    set: &mut BTreeSet<String>,
    id: String,
    operation: MemberOperation,
    membership: Membership,
) -> ItemOutcome {
    let changed = match operation {
        MemberOperation::Add => set.insert(id),
        MemberOperation::Remove => set.remove(&id),
    };
    if changed {
        Ok(())
    } else {
        Err(Refusal::Already(membership, operation))
    }
}

/// A membership change of a PATCH: add or remove the entity `id` names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemberChange<'a> {
    pub(crate) operation: MemberOperation,
    pub(crate) id: &'a str,
}
