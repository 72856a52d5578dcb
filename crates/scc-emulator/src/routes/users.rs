//! `/v1/organizations/{orgId}/users`, including the bulk PATCH.

use std::borrow::Cow;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Query, item_result, non_empty, one_of};
use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, parse_json};
use crate::fixtures::{ADMIN_ROLE, PLATFORM_PRODUCT, role_id};
use crate::model::{State as Model, User};

const STATUSES: &[&str] = &["ACTIVE", "PENDING", "DISABLED", "SHARED"];
const OPERATIONS: &[&str] = &[
    "invite",
    "enable",
    "disable",
    "remove",
    "resend_email_invite",
    "reset_password",
    "reset_mfa",
];

pub(crate) fn view(user: &User) -> Value {
    json!({
        "id": user.id,
        "email": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "status": user.status,
    })
}

/// A plain shape check of an e-mail address.
pub(crate) fn looks_like_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(char::is_whitespace)
}

pub(crate) fn find_by_email<'s>(state: &'s Model, org_id: &str, email: &str) -> Option<&'s User> {
    state
        .users
        .find_indexed(&crate::model::user_key(org_id, email))
        .find(|user| user.org_id == org_id && user.email.eq_ignore_ascii_case(email))
}

fn find<'s>(state: &'s Model, caller: &Caller, org_id: &str, user_id: &str) -> ApiResult<&'s User> {
    super::in_org(state, &state.users, caller, org_id, user_id)
}

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
    axum::extract::Query(query): Query,
) -> ApiResult<Json<Value>> {
    let status = one_of(&query, "status", STATUSES)?;
    app.store.read(|state| {
        caller.org(state, &org_id)?;
        let mut users: Vec<&User> = state
            .users
            .find_indexed(&crate::model::org_key(&org_id))
            .filter(|user| user.org_id == org_id)
            .filter(|user| status.is_none_or(|status| user.status == status))
            .collect();
        users.sort_by_key(|user| user.seq);
        Ok(Json(json!({"users": users.into_iter().map(view).collect::<Vec<_>>()})))
    })
}

pub(crate) async fn get(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, user_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    app.store
        .read(|state| find(state, &caller, &org_id, &user_id).map(|user| Json(view(user))))
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
) -> ApiResult<Json<Value>> {
    caller.require_write()?;
    let body: UpdateBody = parse_json(&body)?;
    let first = body.first_name.filter(|name| !name.trim().is_empty());
    let last = body.last_name.filter(|name| !name.trim().is_empty());
    if first.is_none() && last.is_none() {
        return Err(ApiError::bad_request("firstName or lastName must be given"));
    }
    app.store.write(|state| {
        find(state, &caller, &org_id, &user_id)?;
        let user = state
            .users
            .get_mut(&user_id)
            .ok_or_else(|| ApiError::not_found("user not found"))?;
        if let Some(first) = first {
            user.first_name = first;
        }
        if let Some(last) = last {
            user.last_name = last;
        }
        Ok(Json(view(user)))
    })
}

pub(crate) async fn groups(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((org_id, user_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    app.store.read(|state| {
        find(state, &caller, &org_id, &user_id)?;
        let mut groups: Vec<_> = state
            .groups
            .find_indexed(&crate::model::org_key(&org_id))
            .filter(|group| group.org_id == org_id && group.members.contains(&user_id))
            .collect();
        groups.sort_by_key(|group| group.seq);
        Ok(Json(
            json!({"groups": groups.into_iter().map(super::groups::view).collect::<Vec<_>>()}),
        ))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Operation<'a> {
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

/// The body of a users PATCH; its strings borrow the request's bytes.
#[derive(Deserialize)]
struct PatchBody<'a> {
    #[serde(borrow)]
    users: Vec<Operation<'a>>,
}

pub(crate) async fn patch(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
    body: Bytes,
) -> ApiResult<axum::response::Response> {
    caller.require_write()?;
    let body: PatchBody = parse_json(&body)?;
    if body.users.is_empty() {
        return Err(ApiError::bad_request("users must hold at least one item"));
    }
    if body.users.len() > 500 {
        return Err(ApiError::bad_request(format!(
            "users holds {} items; a request takes at most 500",
            body.users.len()
        )));
    }
    for (index, item) in body.users.iter().enumerate() {
        super::check_enum(super::Field("users", index, "operation"), &item.operation, OPERATIONS)?;
        match item.operation.as_ref() {
            "reset_mfa" if item.factor_id.as_deref().is_none_or(|f| f.trim().is_empty()) => {
                return Err(ApiError::bad_request(format!(
                    "users[{index}].factorId is required for reset_mfa"
                )));
            }
            "invite" => {
                non_empty(
                    super::Field("users", index, "firstName"),
                    item.first_name.as_deref().unwrap_or(""),
                )?;
                non_empty(
                    super::Field("users", index, "lastName"),
                    item.last_name.as_deref().unwrap_or(""),
                )?;
            }
            _ => {}
        }
    }
    let now = app.timestamp();
    app.store.write(|state| {
        caller.org(state, &org_id)?;
        let results: Vec<super::ItemResult<'_>> = body
            .users
            .iter()
            .map(|item| {
                let outcome = apply(state, &org_id, item, &now);
                item_result(&item.email, "user", &item.operation, outcome)
            })
            .collect();
        Ok(super::bulk_answer(&results))
    })
}

/// One user operation; a failure is this item's `errorDescription`, never the request's.
fn apply(state: &mut Model, org_id: &str, item: &Operation<'_>, now: &str) -> Result<(), String> {
    if !looks_like_email(&item.email) {
        return Err(format!("invalid e-mail address: {:?}", item.email));
    }
    let existing = find_by_email(state, org_id, &item.email).map(|user| user.id.clone());
    if item.operation == "invite" {
        if existing.is_some() {
            return Err("user already exists in the organization".into());
        }
        let id = state.ids.user_id();
        let factor = state.ids.factor_id();
        let seq = state.next_seq();
        state.users.insert(
            id.clone(),
            User {
                id: id.clone(),
                org_id: org_id.to_owned(),
                email: item.email.to_string(),
                first_name: item.first_name.as_deref().unwrap_or_default().to_owned(),
                last_name: item.last_name.as_deref().unwrap_or_default().to_owned(),
                status: "PENDING".into(),
                factors: vec![factor],
                created: now.to_owned(),
                seq,
            },
        );
        if item.is_admin == Some(true)
            && let Some(role) =
                role_id(state, org_id, ADMIN_ROLE, PLATFORM_PRODUCT).and_then(|id| state.roles.get_mut(&id))
        {
            role.users.insert(id);
        }
        return Ok(());
    }
    let user_id = existing.ok_or_else(|| "user not found in the organization".to_owned())?;
    // Operations that only check (and send an e-mail the emulator does not have) change no row.
    let Some(user) = state.users.get(&user_id) else {
        return Err("user not found in the organization".into());
    };
    match item.operation.as_ref() {
        // The emulator has no invitation e-mail to accept: enabling a pending user activates it.
        "enable" | "disable" => {
            let status = if item.operation == "enable" {
                "ACTIVE"
            } else {
                "DISABLED"
            };
            if user.status != status
                && let Some(user) = state.users.get_mut(&user_id)
            {
                user.status = status.into();
            }
        }
        "resend_email_invite" => {
            if user.status != "PENDING" {
                return Err("user has already accepted the invitation".into());
            }
        }
        "reset_password" => {
            if user.status == "DISABLED" {
                return Err("user is disabled".into());
            }
        }
        "reset_mfa" => {
            let factor = item.factor_id.as_deref().unwrap_or_default().to_owned();
            if !user.factors.contains(&factor) {
                return Err(format!("factor {factor} is not enrolled for this user"));
            }
        }
        "remove" => {
            state.users.remove(&user_id);
            state.groups.update_where(
                |group| group.members.contains(&user_id),
                |group| {
                    group.members.remove(&user_id);
                },
            );
            state.roles.update_where(
                |role| role.users.contains(&user_id),
                |role| {
                    role.users.remove(&user_id);
                },
            );
        }
        other => return Err(format!("unknown operation {other}")),
    }
    Ok(())
}
