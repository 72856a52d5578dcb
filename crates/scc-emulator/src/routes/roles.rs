//! `/v1/organizations/{orgId}/roles`: roles of every type and their assignment to users and groups.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{MemberChange, Query, check_changes, item_result, one_of};
use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, parse_json};
use crate::model::{Role, State as Model};

pub(crate) fn view(role: &Role) -> Value {
    json!({
        "id": role.id,
        "displayName": role.display_name,
        "type": role.role_type,
        "products": role.products.iter().map(|name| json!({"name": name})).collect::<Vec<_>>(),
    })
}

/// A user of the organization by id or by e-mail (role assignments accept both).
fn user_id(state: &Model, org_id: &str, id_or_email: &str) -> Option<String> {
    state
        .users
        .get(id_or_email)
        .filter(|user| user.org_id == org_id)
        .or_else(|| super::users::find_by_email(state, org_id, id_or_email))
        .map(|user| user.id.clone())
}

/// Roles of a user: assigned to the user directly or to one of the user's groups.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
    axum::extract::Query(query): Query,
) -> ApiResult<Json<Value>> {
    let role_type = one_of(&query, "type", &["CUSTOM", "BUNDLED", "STATIC"])?;
    app.store.read(|state| {
        caller.org(state, &org_id)?;
        let user = match query.get("user").filter(|user| !user.is_empty()) {
            None => None,
            Some(user) => Some(
                user_id(state, &org_id, user).ok_or_else(|| ApiError::not_found(format!("user {user} not found")))?,
            ),
        };
        let user_groups: Vec<&String> = match &user {
            None => Vec::new(),
            Some(user) => state
                .groups
                .find_indexed(&crate::model::org_key(&org_id))
                .filter(|group| group.members.contains(user))
                .map(|group| &group.id)
                .collect(),
        };
        let mut roles: Vec<&Role> = state
            .roles
            .find_indexed(&crate::model::org_key(&org_id))
            .filter(|role| role.org_id == org_id)
            .filter(|role| role_type.is_none_or(|kind| role.role_type == kind))
            .filter(|role| match &user {
                None => true,
                Some(user) => role.users.contains(user) || user_groups.iter().any(|group| role.groups.contains(*group)),
            })
            .collect();
        roles.sort_by_key(|role| role.seq);
        Ok(Json(json!({"roles": roles.into_iter().map(view).collect::<Vec<_>>()})))
    })
}

fn find<'s>(state: &'s Model, caller: &Caller, org_id: &str, role_id: &str) -> ApiResult<&'s Role> {
    super::in_org(state, &state.roles, caller, org_id, role_id)
}

pub(crate) async fn get(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, role_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    app.store
        .read(|state| find(state, &caller, &org_id, &role_id).map(|role| Json(view(role))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchBody {
    #[serde(default)]
    users: Vec<MemberChange>,
    #[serde(default)]
    groups: Vec<MemberChange>,
}

pub(crate) async fn patch(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, role_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<axum::response::Response> {
    caller.require_write()?;
    let body: PatchBody = parse_json(&body)?;
    if body.users.is_empty() && body.groups.is_empty() {
        return Err(ApiError::bad_request("users or groups must hold at least one change"));
    }
    check_changes("users", &body.users)?;
    check_changes("groups", &body.groups)?;
    app.store.write(|state| {
        find(state, &caller, &org_id, &role_id)?;
        let mut results = Vec::new();
        for change in &body.users {
            let user = user_id(state, &org_id, &change.id);
            let role = state
                .roles
                .get_mut(&role_id)
                .ok_or_else(|| ApiError::not_found("role not found"))?;
            let outcome = match (user, change.operation.as_str()) {
                (None, _) => Err("user not found in the organization".to_owned()),
                (Some(id), operation) => super::change_membership(
                    &mut role.users,
                    id,
                    operation,
                    "role is already assigned to the user",
                    "role is not assigned to the user",
                ),
            };
            results.push(item_result(&change.id, "user", &change.operation, outcome));
        }
        for change in &body.groups {
            let exists = state
                .groups
                .get(&change.id)
                .is_some_and(|group| group.org_id == org_id || group.shared_with.contains(&org_id));
            let role = state
                .roles
                .get_mut(&role_id)
                .ok_or_else(|| ApiError::not_found("role not found"))?;
            let outcome = match (exists, change.operation.as_str()) {
                (false, _) => Err("admin group not found in the organization".to_owned()),
                (true, operation) => super::change_membership(
                    &mut role.groups,
                    change.id.clone(),
                    operation,
                    "role is already assigned to the group",
                    "role is not assigned to the group",
                ),
            };
            results.push(item_result(&change.id, "group", &change.operation, outcome));
        }
        Ok(super::bulk_answer(&results))
    })
}
