//! `/v1/organizations/{orgId}/users`, including the bulk PATCH.

use std::borrow::Cow;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use bytes::Bytes;
use serde::Deserialize;

use super::{Field, Query, json, non_empty};
use crate::app::App;
use crate::closed::{Closed, parse_field, query_param};
use crate::domain::access::Caller;
use crate::domain::users::{self, Operation};
use crate::error::{ApiError, ApiResult, parse_json};
use crate::model::{UserOperation, UserStatus};
use crate::views;

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
    axum::extract::Query(query): Query,
) -> ApiResult<Response> {
    let status = query_param(&query, "status", UserStatus::ALL)?;
    app.store
        .read(|state| users::list(state, &caller, &org_id, status).map(|found| json(&views::user_list(found))))
}

pub(crate) async fn get(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, user_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    app.store
        .read(|state| users::get(state, &caller, &org_id, &user_id).map(|user| json(&views::user(user))))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
}

pub(crate) async fn update(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, user_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    caller.require_write()?;
    let body: UpdateBody = parse_json(&body)?;
    let first = body.first_name.filter(|name| !name.trim().is_empty());
    let last = body.last_name.filter(|name| !name.trim().is_empty());
    if first.is_none() && last.is_none() {
        return Err(ApiError::bad_request("firstName or lastName must be given"));
    }
    app.store.write(|state| {
        users::rename(state, &caller, &org_id, &user_id, first, last).map(|user| json(&views::user(user)))
    })
}

pub(crate) async fn groups(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, user_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    app.store.read(|state| {
        users::groups_of(state, &caller, &org_id, &user_id).map(|groups| json(&views::group_list(groups, None)))
    })
}

/// One item of a users PATCH as sent; its strings borrow the request's bytes.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireOperation<'a> {
    #[serde(borrow)]
    email: Cow<'a, str>,
    #[serde(borrow)]
    operation: Cow<'a, str>,
    #[serde(default, borrow)]
    first_name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    last_name: Option<Cow<'a, str>>,
    #[serde(default)]
    is_admin: Option<bool>,
    #[serde(default, borrow)]
    factor_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct PatchBody<'a> {
    #[serde(borrow)]
    users: Vec<WireOperation<'a>>,
}

/// Checks every item of the request before any runs: a malformed request is refused whole.
fn operations<'a>(items: &'a [WireOperation<'a>]) -> ApiResult<Vec<Operation<'a>>> {
    if items.is_empty() {
        return Err(ApiError::bad_request("users must hold at least one item"));
    }
    if items.len() > 500 {
        return Err(ApiError::bad_request(format!(
            "users holds {} items; a request takes at most 500",
            items.len()
        )));
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let operation = parse_field(Field("users", index, "operation"), &item.operation)?;
            match operation {
                UserOperation::ResetMfa if item.factor_id.as_deref().is_none_or(|f| f.trim().is_empty()) => {
                    return Err(ApiError::bad_request(format!(
                        "users[{index}].factorId is required for reset_mfa"
                    )));
                }
                UserOperation::Invite => {
                    non_empty(
                        Field("users", index, "firstName"),
                        item.first_name.as_deref().unwrap_or(""),
                    )?;
                    non_empty(
                        Field("users", index, "lastName"),
                        item.last_name.as_deref().unwrap_or(""),
                    )?;
                }
                _ => {}
            }
            Ok(Operation {
                email: &item.email,
                operation,
                first_name: item.first_name.as_deref(),
                last_name: item.last_name.as_deref(),
                is_admin: item.is_admin,
                factor_id: item.factor_id.as_deref(),
            })
        })
        .collect()
}

pub(crate) async fn patch(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    caller.require_write()?;
    let body: PatchBody = parse_json(&body)?;
    let operations = operations(&body.users)?;
    let now = app.timestamp();
    let outcomes = app
        .store
        .write(|state| users::run(state, &caller, &org_id, &operations, &now))?;
    let results = operations
        .iter()
        .zip(&outcomes)
        .map(|(item, outcome)| views::item_result(item.email, "user", item.operation.as_str(), outcome))
        .collect();
    Ok(json(&views::bulk_results(results)))
}
