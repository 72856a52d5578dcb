//! `/v1/organizations/{orgId}/adminGroups`: groups owned by an organization, and the groups a
//! MANAGER shares with its managed organizations.

use std::sync::Arc;

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;

use super::{Query, WireMemberChange, created, json, member_changes, membership_answer, page_response};
use crate::app::App;
use crate::closed::parse_field;
use crate::domain::access::Caller;
use crate::domain::groups::{self, NewGroup};
use crate::domain::roles;
use crate::error::{ApiError, ApiResult, parse_json};
use crate::model::AppliesTo;
use crate::pagination::{page_size, paginate};
use crate::views;

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    caller: Caller,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(org_id): Path<String>,
    axum::extract::Query(query): Query,
) -> ApiResult<Response> {
    let max = page_size(query.get("max"))?;
    let found = app.store.read(|state| groups::list(state, &caller, &org_id))?;
    let (page, next) = paginate(found, max, query.get("cursor"), &format!("groups|{org_id}"))?;
    let body = views::group_list(&page, next.as_deref());
    Ok(page_response(&headers, uri.path(), &query, &body, next.as_deref()))
}

pub(crate) async fn get(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, group_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    app.store
        .read(|state| groups::visible(state, &caller, &org_id, &group_id).map(|group| json(&views::group(group))))
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
    super::name("name", &body.name)?;
    let applies_to = match &body.applies_to {
        Some(value) => parse_field("appliesTo", value)?,
        None => AppliesTo::All,
    };
    let new = NewGroup {
        name: body.name,
        description: body.description,
        applies_to,
        members: Default::default(),
        shared_with: Default::default(),
    };
    let group = app.store.write(|state| groups::create(state, &caller, &org_id, new))?;
    Ok(created(&views::group(&group)))
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
) -> ApiResult<Response> {
    caller.require_write()?;
    let body: UpdateBody = parse_json(&body)?;
    if body.name.is_none() && body.description.is_none() {
        return Err(ApiError::bad_request("name or description must be given"));
    }
    if let Some(name) = &body.name {
        super::name("name", name)?;
    }
    app.store.write(|state| {
        groups::update(state, &caller, &org_id, &group_id, body.name, body.description)
            .map(|group| json(&views::group(group)))
    })
}

/// Deletes a group the organization owns; for a group shared with it, removes the share only.
pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, group_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    caller.require_write()?;
    app.store
        .write(|state| groups::delete(state, &caller, &org_id, &group_id))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PatchBody {
    #[serde(default)]
    users: Vec<WireMemberChange>,
    #[serde(default)]
    managed_org: Vec<WireMemberChange>,
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
    let users = member_changes("users", &body.users)?;
    let shares = member_changes("managedOrg", &body.managed_org)?;
    let outcomes = app
        .store
        .write(|state| groups::change_members(state, &caller, &org_id, &group_id, &users, &shares))?;
    Ok(membership_answer(
        [(&users, "user"), (&shares, "managedOrg")],
        &outcomes,
    ))
}

pub(crate) async fn users(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, group_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    app.store.read(|state| {
        groups::members(state, &caller, &org_id, &group_id).map(|members| json(&views::user_list(members)))
    })
}

pub(crate) async fn roles(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, group_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    app.store.read(|state| {
        groups::visible(state, &caller, &org_id, &group_id)?;
        Ok(json(&views::role_list(roles::of_group(state, &org_id, &group_id))))
    })
}

pub(crate) async fn managed_orgs(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, group_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    app.store.read(|state| {
        groups::shares(state, &caller, &org_id, &group_id).map(|orgs| json(&views::managed_org_list(orgs)))
    })
}
