//! Who a request acts for and what it reaches: an API key's organization and scope (member reads,
//! admin writes), and for a MANAGER the organizations it manages.

use crate::error::{ApiError, ApiResult};
use crate::model::{Organization, Role, Scope, State, Subscription, User};
use crate::table::{Row, Table};

/// The API key a request acts for.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) org_id: String,
    pub(crate) scope: Scope,
}

impl Caller {
    /// Writes need an admin key.
    pub(crate) fn require_write(&self) -> ApiResult<()> {
        match self.scope {
            Scope::Admin => Ok(()),
            Scope::Member => Err(ApiError::forbidden(format!(
                "the API key's scope {} does not allow changes",
                self.scope.as_str()
            ))),
        }
    }

    /// True when the token reaches this organization.
    pub(crate) fn reaches(&self, org: &Organization) -> bool {
        org.id == self.org_id || org.manager_org_id.as_deref() == Some(self.org_id.as_str())
    }

    /// The organization, when it exists and the token reaches it; any other id is a 404, so the
    /// answer never tells whether an organization out of reach exists.
    pub(crate) fn org<'s>(&self, state: &'s State, org_id: &str) -> ApiResult<&'s Organization> {
        state
            .organizations
            .get(org_id)
            .filter(|org| self.reaches(org))
            .ok_or_else(|| ApiError::not_found(format!("organization {org_id} not found")))
    }

    /// The entity `id` of organization `org_id`, when the token reaches the organization; else a 404
    /// that names what was missing.
    pub(crate) fn in_org<'s, T: InOrg + Row>(
        &self,
        state: &'s State,
        items: &'s Table<T>,
        org_id: &str,
        id: &str,
    ) -> ApiResult<&'s T> {
        self.org(state, org_id)?;
        items
            .get(id)
            .filter(|item| item.org_id() == org_id)
            .ok_or_else(|| ApiError::not_found(format!("{} {id} not found", T::KIND)))
    }
}

/// An entity that belongs to one organization.
pub(crate) trait InOrg {
    /// How a 404 names it.
    const KIND: &'static str;
    fn org_id(&self) -> &str;
}

impl InOrg for Subscription {
    const KIND: &'static str = "subscription";
    fn org_id(&self) -> &str {
        &self.org_id
    }
}

impl InOrg for User {
    const KIND: &'static str = "user";
    fn org_id(&self) -> &str {
        &self.org_id
    }
}

impl InOrg for Role {
    const KIND: &'static str = "role";
    fn org_id(&self) -> &str {
        &self.org_id
    }
}
