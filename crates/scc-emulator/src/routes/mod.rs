//! One module per resource, paths and shapes as the real API.

pub(crate) mod groups;
pub(crate) mod organizations;
pub(crate) mod roles;
pub(crate) mod subscriptions;
pub(crate) mod tokens;
pub(crate) mod users;
pub(crate) mod xdr;

use std::collections::HashMap;

use axum::http::HeaderMap;
use axum::http::header::{HOST, LINK};
use axum::response::{IntoResponse, Response};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::State as Model;

/// An entity that belongs to one organization.
pub(crate) trait InOrg {
    /// How a 404 names it.
    const KIND: &'static str;
    fn org_id(&self) -> &str;
}

impl InOrg for crate::model::Subscription {
    const KIND: &'static str = "subscription";
    fn org_id(&self) -> &str {
        &self.org_id
    }
}

impl InOrg for crate::model::User {
    const KIND: &'static str = "user";
    fn org_id(&self) -> &str {
        &self.org_id
    }
}

impl InOrg for crate::model::Role {
    const KIND: &'static str = "role";
    fn org_id(&self) -> &str {
        &self.org_id
    }
}

/// The entity `id` of organization `org_id`, when the token reaches the organization; else a 404 that
/// names what was missing.
pub(crate) fn in_org<'s, T: InOrg + crate::model::Row>(
    state: &'s Model,
    items: &'s crate::model::Table<T>,
    caller: &Caller,
    org_id: &str,
    id: &str,
) -> ApiResult<&'s T> {
    caller.org(state, org_id)?;
    items
        .get(id)
        .filter(|item| item.org_id() == org_id)
        .ok_or_else(|| ApiError::not_found(format!("{} {id} not found", T::KIND)))
}

pub(crate) type Query = axum::extract::Query<HashMap<String, String>>;

/// A query value that must be one of `allowed`.
pub(crate) fn one_of<'q>(
    query: &'q HashMap<String, String>,
    name: &str,
    allowed: &[&str],
) -> ApiResult<Option<&'q str>> {
    match query.get(name).map(String::as_str).filter(|value| !value.is_empty()) {
        None => Ok(None),
        Some(value) if allowed.contains(&value) => Ok(Some(value)),
        Some(value) => Err(ApiError::bad_request(format!(
            "{name} must be one of {}, got {value:?}",
            allowed.join(", ")
        ))),
    }
}

/// A value of a JSON body that must be one of `allowed`.
pub(crate) fn check_enum(field: impl std::fmt::Display, value: &str, allowed: &[&str]) -> ApiResult<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{field} must be one of {}, got {value:?}",
            allowed.join(", ")
        )))
    }
}

pub(crate) fn non_empty(field: impl std::fmt::Display, value: &str) -> ApiResult<()> {
    if value.trim().is_empty() {
        Err(ApiError::bad_request(format!("{field} must not be empty")))
    } else {
        Ok(())
    }
}

/// `users[3].email`, written only if an error needs it.
pub(crate) struct Field<'a>(pub(crate) &'a str, pub(crate) usize, pub(crate) &'a str);

impl std::fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}].{}", self.0, self.1, self.2)
    }
}

/// A JSON answer for a page; with a next cursor, the body's `cursor` and a `Link: <…>; rel="next"`.
pub(crate) fn page_response(
    headers: &HeaderMap,
    path: &str,
    query: &HashMap<String, String>,
    mut body: serde_json::Value,
    next: Option<String>,
) -> Response {
    let Some(next) = next else {
        return axum::Json(body).into_response();
    };
    body["cursor"] = next.clone().into();
    let host = headers
        .get(HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("127.0.0.1");
    let mut pairs: Vec<(&str, &str)> = query
        .iter()
        .filter(|(key, _)| key.as_str() != "cursor")
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    pairs.sort();
    pairs.push(("cursor", next.as_str()));
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect();
    let link = format!("<http://{host}{path}?{}>; rel=\"next\"", encoded.join("&"));
    let mut response = axum::Json(body).into_response();
    if let Ok(value) = link.parse() {
        response.headers_mut().insert(LINK, value);
    }
    response
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// `201 Created` with a JSON body.
pub(crate) fn created(body: serde_json::Value) -> Response {
    (axum::http::StatusCode::CREATED, axum::Json(body)).into_response()
}

/// The `users`, `groups`, .. items of a membership PATCH: `[{operation, id}]`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MemberChange {
    pub(crate) operation: String,
    pub(crate) id: String,
}

/// Checks the whole of a membership list: size and operations (a malformed request is refused whole).
pub(crate) fn check_changes(field: &str, changes: &[MemberChange]) -> ApiResult<()> {
    if changes.len() > 500 {
        return Err(ApiError::bad_request(format!(
            "{field} holds {} items; a request takes at most 500",
            changes.len()
        )));
    }
    for (index, change) in changes.iter().enumerate() {
        check_enum(
            format!("{field}[{index}].operation"),
            &change.operation,
            &["add", "remove"],
        )?;
        non_empty(format!("{field}[{index}].id"), &change.id)?;
    }
    Ok(())
}

/// Adds or removes `id` in a membership set; the failure says which way it was already so.
pub(crate) fn change_membership(
    set: &mut std::collections::BTreeSet<String>,
    id: String,
    operation: &str,
    already_in: &str,
    not_in: &str,
) -> Result<(), String> {
    let changed = if operation == "add" {
        set.insert(id)
    } else {
        set.remove(&id)
    };
    match (changed, operation) {
        (true, _) => Ok(()),
        (false, "add") => Err(already_in.to_owned()),
        (false, _) => Err(not_in.to_owned()),
    }
}

/// One item of a bulk answer, typed: the wire names are checked by the compiler.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ItemResult<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    item_type: &'static str,
    operation: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_description: Option<String>,
}

pub(crate) fn item_result<'a>(
    id: &'a str,
    item_type: &'static str,
    operation: &'a str,
    outcome: Result<(), String>,
) -> ItemResult<'a> {
    let (status, error_description) = match outcome {
        Ok(()) => ("success", None),
        Err(description) => ("failed", Some(description)),
    };
    ItemResult {
        id,
        item_type,
        operation,
        status,
        error_description,
    }
}

/// A bulk answer, `{"results": [...]}`, written straight from the items (which borrow the request).
pub(crate) fn bulk_answer(results: &[ItemResult<'_>]) -> axum::response::Response {
    #[derive(serde::Serialize)]
    struct BulkResults<'r, 'a> {
        results: &'r [ItemResult<'a>],
    }
    let body = serde_json::to_vec(&BulkResults { results }).unwrap_or_default();
    ([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}
