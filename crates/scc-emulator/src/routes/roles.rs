//! `/v1/organizations/{orgId}/roles`: roles of every type and their assignment to users and groups.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use bytes::Bytes;
use serde::Deserialize;

use super::{Query, WireMemberChange, json, member_changes, membership_answer, query_text};
use crate::app::App;
use crate::closed::{Closed, query_param};
use crate::domain::access::Caller;
use crate::domain::roles;
use crate::error::{ApiError, ApiResult, parse_json};
use crate::model::RoleType;
use crate::views;

/// Roles of a user: assigned to the user directly or to one of the user's groups.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
    axum::extract::Query(query): Query,
) -> ApiResult<Response> {
    let role_type = query_param(&query, "type", RoleType::ALL)?;
    let user = query_text(&query, "user");
    app.store
        .read(|state| roles::list(state, &caller, &org_id, role_type, user).map(|found| json(&views::role_list(found))))
}

pub(crate) async fn get(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, role_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    app.store
        .read(|state| roles::get(state, &caller, &org_id, &role_id).map(|role| json(&views::role(role))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchBody {
    #[serde(default)]
    users: Vec<WireMemberChange>,
    #[serde(default)]
    groups: Vec<WireMemberChange>,
}

pub(crate) async fn patch(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, role_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    caller.require_write()?;
    let body: PatchBody = parse_json(&body)?;
    if body.users.is_empty() && body.groups.is_empty() {
        return Err(ApiError::bad_request("users or groups must hold at least one change"));
    }
    let users = member_changes("users", &body.users)?;
    let groups = member_changes("groups", &body.groups)?;
    let outcomes = app
        .store
        .write(|state| roles::change_assignments(state, &caller, &org_id, &role_id, &users, &groups))?;
    Ok(membership_answer([(&users, "user"), (&groups, "group")], &outcomes))
}
