//! Organizations: who may create which type, names, the list's filters and orders.

use super::access::Caller;
use super::catalog::create_default_roles;
use crate::closed::closed_set;
use crate::error::{ApiError, ApiResult};
use crate::model::{OrgType, Organization, RegionCode, State};

closed_set!(
    /// What an organization list sorts by.
    SortField { Name = "name", Type = "type", RegionCode = "regionCode", Created = "created", Id = "id" }
);

closed_set!(
    /// A list's order.
    SortOrder { Asc = "ASC", Desc = "DESC" }
);

/// An organization to add, as the fixtures and a create request describe it.
pub(crate) struct NewOrganization<'a> {
    pub(crate) name: &'a str,
    pub(crate) org_type: OrgType,
    pub(crate) region_code: RegionCode,
    pub(crate) country_code: Option<String>,
    pub(crate) manager_org_id: Option<String>,
    pub(crate) created: &'a str,
}

/// Adds an organization with the roles every organization starts with.
pub(crate) fn add(state: &mut State, new: NewOrganization<'_>) -> Organization {
    let id = state.ids.uuid();
    let seq = state.next_seq();
    let org = Organization {
        id: id.clone(),
        name: new.name.trim().to_owned(),
        org_type: new.org_type,
        region_code: new.region_code,
        country_code: new.country_code.filter(|code| !code.is_empty()),
        manager_org_id: new.manager_org_id,
        created: new.created.to_owned(),
        seq,
    };
    state.organizations.insert(id.clone(), org.clone());
    create_default_roles(state, &id);
    org
}

/// Creates an organization for the caller; only a MANAGER creates MANAGED organizations, which it
/// then manages.
pub(crate) fn create(
    state: &mut State,
    caller: &Caller,
    name: &str,
    org_type: OrgType,
    region_code: RegionCode,
    country_code: Option<String>,
    created: &str,
) -> ApiResult<Organization> {
    let manager_org_id = if org_type == OrgType::Managed {
        let caller_type = state.organizations.get(&caller.org_id).map(|org| org.org_type);
        if caller_type != Some(OrgType::Manager) {
            return Err(ApiError::bad_request(
                "only a MANAGER organization can create MANAGED organizations",
            ));
        }
        Some(caller.org_id.clone())
    } else {
        None
    };
    Ok(add(
        state,
        NewOrganization {
            name,
            org_type,
            region_code,
            country_code,
            manager_org_id,
            created,
        },
    ))
}

/// Renames an organization the caller reaches.
pub(crate) fn rename<'s>(
    state: &'s mut State,
    caller: &Caller,
    org_id: &str,
    name: &str,
) -> ApiResult<&'s Organization> {
    caller.org(state, org_id)?;
    let org = state
        .organizations
        .get_mut(org_id)
        .ok_or_else(|| ApiError::not_found(format!("organization {org_id} not found")))?;
    org.name = name.trim().to_owned();
    Ok(org)
}

/// The filters and order of an organization list.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    /// A part of the name, in lower case.
    pub(crate) name: Option<String>,
    pub(crate) org_type: Option<OrgType>,
    pub(crate) region_code: Option<RegionCode>,
    pub(crate) country_code: Option<String>,
    pub(crate) manager_org_id: Option<String>,
    pub(crate) sort_by: Option<SortField>,
    pub(crate) order: Option<SortOrder>,
}

/// The organizations the caller reaches that pass the filter, in creation order unless sorted
/// (borrowed: the caller copies only the page it answers).
pub(crate) fn list<'s>(state: &'s State, caller: &Caller, filter: &Filter) -> Vec<&'s Organization> {
    let candidates: Box<dyn Iterator<Item = &Organization>> = match &filter.name {
        // Names are kept in lower case beside the rows: a partial match is a search of those.
        Some(name) => Box::new(state.organizations.search(name)),
        None => Box::new(state.organizations.values()),
    };
    let mut orgs: Vec<&Organization> = candidates
        .filter(|org| caller.reaches(org))
        .filter(|org| filter.org_type.is_none_or(|kind| org.org_type == kind))
        .filter(|org| filter.region_code.is_none_or(|code| org.region_code == code))
        .filter(|org| {
            filter.country_code.as_ref().is_none_or(|code| {
                org.country_code
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(code))
            })
        })
        .filter(|org| {
            filter
                .manager_org_id
                .as_ref()
                .is_none_or(|id| org.manager_org_id.as_deref() == Some(id.as_str()))
        })
        .collect();
    // Each key computed once, not at every comparison.
    match filter.sort_by {
        None => orgs.sort_by_key(|org| org.seq),
        Some(field) => orgs.sort_by_cached_key(|org| {
            let key = match field {
                SortField::Name => org.name.to_lowercase(),
                SortField::Type => org.org_type.to_string(),
                SortField::RegionCode => org.region_code.to_string(),
                SortField::Created => org.created.clone(),
                SortField::Id => org.id.clone(),
            };
            (key, org.seq)
        }),
    }
    if filter.order == Some(SortOrder::Desc) {
        orgs.reverse();
    }
    orgs
}

/// The organizations `manager_org_id` manages, in creation order.
pub(crate) fn managed_by<'s>(state: &'s State, manager_org_id: &str) -> Vec<&'s Organization> {
    let mut managed: Vec<_> = state
        .organizations
        .values()
        .filter(|org| org.manager_org_id.as_deref() == Some(manager_org_id))
        .collect();
    managed.sort_by_key(|org| org.seq);
    managed
}
