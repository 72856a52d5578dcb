//! `/v1/organizations/{orgId}/adminGroups`: groups owned by an organization, and the groups a
//! MANAGER shares with its managed organizations.

use std::sync::Arc;

use axum::Json;
use axum::extract::OriginalUri;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{MemberChange, Query, check_changes, check_enum, created, item_result, non_empty, page_response};
use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, parse_json};
use crate::model::{Group, State as Model};
use crate::pagination::{page_size, paginate};

const APPLIES_TO: &[&str] = &["all", "manager", "selected_managed"];

pub(crate) fn view(group: &Group) -> Value {
    let mut body = json!({
        "id": group.id,
        "name": group.name,
        "type": group.group_type,
        "appliesTo": group.applies_to,
    });
    if let Some(description) = &group.description {
        body["description"] = description.clone().into();
    }
    body
}

/// A group the organization owns, or one shared with it.
fn visible<'s>(state: &'s Model, caller: &Caller, org_id: &str, group_id: &str) -> ApiResult<&'s Group> {
    caller.org(state, org_id)?;
    state
        .groups
        .get(group_id)
        .filter(|group| group.org_id == org_id || group.shared_with.contains(org_id))
        .ok_or_else(|| ApiError::not_found(format!("admin group {group_id} not found")))
}

/// A group the organization owns: only the owner changes a group.
fn owned<'s>(state: &'s Model, caller: &Caller, org_id: &str, group_id: &str) -> ApiResult<&'s Group> {
    let group = visible(state, caller, org_id, group_id)?;
    if group.org_id != org_id {
        return Err(ApiError::forbidden(
            "this group is shared by the manager organization; only the manager can change it",
        ));
    }
    Ok(group)
}

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    caller: Caller,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(org_id): Path<String>,
    axum::extract::Query(query): Query,
) -> ApiResult<Response> {
    let max = page_size(query.get("max"))?;
    let groups = app.store.read(|state| {
        caller.org(state, &org_id)?;
        let mut groups: Vec<Group> = state
            .groups
            .find_indexed(&crate::model::org_key(&org_id))
            .filter(|group| group.org_id == org_id || group.shared_with.contains(&org_id))
            .cloned()
            .collect();
        groups.sort_by_key(|group| group.seq);
        Ok::<_, ApiError>(groups)
    })?;
    let (page, next) = paginate(groups, max, query.get("cursor"), &format!("groups|{org_id}"))?;
    let body = json!({"groups": page.iter().map(view).collect::<Vec<_>>()});
    Ok(page_response(&headers, uri.path(), &query, body, next))
}

pub(crate) async fn get(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, group_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    app.store
        .read(|state| visible(state, &caller, &org_id, &group_id).map(|group| Json(view(group))))
}

fn name_taken(state: &Model, org_id: &str, name: &str, except: Option<&str>) -> bool {
    state.groups.find_indexed(&crate::model::org_key(org_id)).any(|group| {
        group.org_id == org_id && group.name.eq_ignore_ascii_case(name.trim()) && Some(group.id.as_str()) != except
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    applies_to: Option<String>,
}

pub(crate) async fn create(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    caller.require_write()?;
    let body: CreateBody = parse_json(&body)?;
    non_empty("name", &body.name)?;
    let applies_to = body.applies_to.unwrap_or_else(|| "all".into());
    check_enum("appliesTo", &applies_to, APPLIES_TO)?;
    let group = app.store.write(|state| {
        caller.org(state, &org_id)?;
        if name_taken(state, &org_id, &body.name, None) {
            return Err(ApiError::conflict(format!(
                "an admin group named {:?} already exists",
                body.name.trim()
            )));
        }
        let id = state.ids.uuid();
        let seq = state.next_seq();
        let group = Group {
            id: id.clone(),
            org_id: org_id.clone(),
            name: body.name.trim().to_owned(),
            description: body.description.filter(|text| !text.is_empty()),
            group_type: "Federated".into(),
            applies_to,
            members: Default::default(),
            shared_with: Default::default(),
            seq,
        };
        state.groups.insert(id, group.clone());
        Ok(group)
    })?;
    Ok(created(view(&group)))
}

#[derive(Deserialize)]
struct UpdateBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

pub(crate) async fn update(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, group_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    caller.require_write()?;
    let body: UpdateBody = parse_json(&body)?;
    if body.name.is_none() && body.description.is_none() {
        return Err(ApiError::bad_request("name or description must be given"));
    }
    if let Some(name) = &body.name {
        non_empty("name", name)?;
    }
    app.store.write(|state| {
        owned(state, &caller, &org_id, &group_id)?;
        if let Some(name) = &body.name
            && name_taken(state, &org_id, name, Some(&group_id))
        {
            return Err(ApiError::conflict(format!(
                "an admin group named {:?} already exists",
                name.trim()
            )));
        }
        let group = state
            .groups
            .get_mut(&group_id)
            .ok_or_else(|| ApiError::not_found("admin group not found"))?;
        if let Some(name) = body.name {
            group.name = name.trim().to_owned();
        }
        if let Some(description) = body.description {
            group.description = Some(description);
        }
        Ok(Json(view(group)))
    })
}

/// Deletes a group the organization owns; for a group shared with it, removes the share only.
pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, group_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    caller.require_write()?;
    app.store.write(|state| {
        let group = visible(state, &caller, &org_id, &group_id)?;
        if group.org_id == org_id {
            state.groups.remove(&group_id);
            state.roles.update_where(
                |role| role.groups.contains(&group_id),
                |role| {
                    role.groups.remove(&group_id);
                },
            );
        } else if let Some(group) = state.groups.get_mut(&group_id) {
            group.shared_with.remove(&org_id);
        }
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PatchBody {
    #[serde(default)]
    users: Vec<MemberChange>,
    #[serde(default)]
    managed_org: Vec<MemberChange>,
}

pub(crate) async fn patch(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, group_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    caller.require_write()?;
    let body: PatchBody = parse_json(&body)?;
    if body.users.is_empty() && body.managed_org.is_empty() {
        return Err(ApiError::bad_request(
            "users or managedOrg must hold at least one change",
        ));
    }
    check_changes("users", &body.users)?;
    check_changes("managedOrg", &body.managed_org)?;
    app.store.write(|state| {
        owned(state, &caller, &org_id, &group_id)?;
        let mut results = Vec::new();
        for change in &body.users {
            let user_id = super::users::find_by_email(state, &org_id, &change.id).map(|user| user.id.clone());
            let group = state
                .groups
                .get_mut(&group_id)
                .ok_or_else(|| ApiError::not_found("admin group not found"))?;
            let outcome = match (user_id, change.operation.as_str()) {
                (None, _) => Err("user not found in the organization".to_owned()),
                (Some(id), operation) => super::change_membership(
                    &mut group.members,
                    id,
                    operation,
                    "user is already a member of the group",
                    "user is not a member of the group",
                ),
            };
            results.push(item_result(&change.id, "user", &change.operation, outcome));
        }
        for change in &body.managed_org {
            let target = managed_org_id(&change.id);
            let is_managed = state
                .organizations
                .get(&target)
                .is_some_and(|org| org.manager_org_id.as_deref() == Some(org_id.as_str()));
            let group = state
                .groups
                .get_mut(&group_id)
                .ok_or_else(|| ApiError::not_found("admin group not found"))?;
            let outcome = match (is_managed, change.operation.as_str()) {
                (false, _) => Err("organization is not managed by this organization".to_owned()),
                (true, operation) => super::change_membership(
                    &mut group.shared_with,
                    target,
                    operation,
                    "group is already shared with the organization",
                    "group is not shared with the organization",
                ),
            };
            results.push(item_result(&change.id, "managedOrg", &change.operation, outcome));
        }
        Ok(super::bulk_answer(&results))
    })
}

pub(crate) async fn users(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, group_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    app.store.read(|state| {
        let group = visible(state, &caller, &org_id, &group_id)?;
        let mut members: Vec<_> = group.members.iter().filter_map(|id| state.users.get(id)).collect();
        members.sort_by_key(|user| user.seq);
        Ok(Json(
            json!({"users": members.into_iter().map(super::users::view).collect::<Vec<_>>()}),
        ))
    })
}

pub(crate) async fn roles(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, group_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    app.store.read(|state| {
        visible(state, &caller, &org_id, &group_id)?;
        let mut roles: Vec<_> = state
            .roles
            .find_indexed(&crate::model::org_key(&org_id))
            .filter(|role| role.groups.contains(&group_id))
            .collect();
        roles.sort_by_key(|role| role.seq);
        Ok(Json(
            json!({"roles": roles.into_iter().map(super::roles::view).collect::<Vec<_>>()}),
        ))
    })
}

pub(crate) async fn managed_orgs(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, group_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    app.store.read(|state| {
        let group = visible(state, &caller, &org_id, &group_id)?;
        let orgs: Vec<Value> = group
            .shared_with
            .iter()
            .filter_map(|id| state.organizations.get(id))
            .map(|org| json!({"id": org.id, "name": org.name, "type": org.org_type, "regionCode": org.region_code}))
            .collect();
        Ok(Json(json!({ "managedOrgs": orgs })))
    })
}
