//! The HTTP side of the API, one module per resource with the real paths and shapes: each handler
//! reads the request (path, query, body, caller), refuses a malformed one naming the field, calls the
//! domain inside a store read or write, and writes the answer from `views`.

pub(crate) mod callers;
pub(crate) mod groups;
pub(crate) mod organizations;
pub(crate) mod roles;
pub(crate) mod subscriptions;
pub(crate) mod tokens;
pub(crate) mod users;
pub(crate) mod xdr;

use std::collections::HashMap;

use axum::http::header::{CONTENT_TYPE, HOST, LINK};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::closed::parse_field;
use crate::domain::outcome::{ItemOutcome, MemberChange};
use crate::error::{ApiError, ApiResult};
use crate::model::MemberOperation;

pub(crate) type Query = axum::extract::Query<HashMap<String, String>>;

pub(crate) fn non_empty(field: impl std::fmt::Display, value: &str) -> ApiResult<()> {
    if value.trim().is_empty() {
        Err(ApiError::bad_request(format!("{field} must not be empty")))
    } else {
        Ok(())
    }
}

/// The longest name the emulator keeps (organizations, admin groups), in characters: the project's
/// bound, as the real service's is not published.
const MAX_NAME_CHARS: usize = 255;

/// A name: not empty, and not longer than [`MAX_NAME_CHARS`].
pub(crate) fn name(field: &str, value: &str) -> ApiResult<()> {
    if crate::model::name_key(value).is_empty() {
        return Err(ApiError::bad_request(format!(
            "{field} must not be empty (spaces and invisible characters alone are no name)"
        )));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::bad_request(format!(
            "{field} is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(())
}

/// A query value that is given and not empty.
pub(crate) fn query_text<'q>(query: &'q HashMap<String, String>, name: &str) -> Option<&'q str> {
    query.get(name).map(String::as_str).filter(|value| !value.is_empty())
}

/// The value of `key` in a form-encoded body.
pub(crate) fn form_value<'b>(form: &'b str, key: &str) -> Option<&'b str> {
    form.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == key)
        .map(|(_, value)| value)
}

/// `users[3].email`, written only if an error needs it.
pub(crate) struct Field<'a>(pub(crate) &'a str, pub(crate) usize, pub(crate) &'a str);

impl std::fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}].{}", self.0, self.1, self.2)
    }
}

/// A `200` JSON answer, written from a view that borrows the state.
pub(crate) fn json(body: &impl Serialize) -> Response {
    with_status(StatusCode::OK, body)
}

/// `201 Created` with a JSON body.
pub(crate) fn created(body: &impl Serialize) -> Response {
    with_status(StatusCode::CREATED, body)
}

fn with_status(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(error) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the answer could not be written: {error}"),
        )
        .into_response(),
    }
}

/// A JSON answer for a page (its body holds the cursor); with a next cursor, a
/// `Link: <…>; rel="next"` that repeats the query with it.
pub(crate) fn page_response(
    headers: &HeaderMap,
    path: &str,
    query: &HashMap<String, String>,
    body: &impl Serialize,
    next: Option<&str>,
) -> Response {
    let mut response = json(body);
    let Some(next) = next else {
        return response;
    };
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
    pairs.push(("cursor", next));
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect();
    let link = format!("<http://{host}{path}?{}>; rel=\"next\"", encoded.join("&"));
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

/// The `users`, `groups`, .. items of a membership PATCH as sent: `[{operation, id}]`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WireMemberChange {
    operation: String,
    id: String,
}

/// Checks a whole membership list (size, operations, ids): a malformed request is refused whole.
pub(crate) fn member_changes<'a>(field: &str, changes: &'a [WireMemberChange]) -> ApiResult<Vec<MemberChange<'a>>> {
    if changes.len() > 500 {
        return Err(ApiError::bad_request(format!(
            "{field} holds {} items; a request takes at most 500",
            changes.len()
        )));
    }
    changes
        .iter()
        .enumerate()
        .map(|(index, change)| {
            let operation: MemberOperation = parse_field(Field(field, index, "operation"), &change.operation)?;
            non_empty(Field(field, index, "id"), &change.id)?;
            Ok(MemberChange {
                operation,
                id: &change.id,
            })
        })
        .collect()
}

/// The bulk answer of a membership PATCH: one result per change, in the order of the lists, each
/// list's items of its own `type`.
pub(crate) fn membership_answer(lists: [(&[MemberChange<'_>], &'static str); 2], outcomes: &[ItemOutcome]) -> Response {
    let results = lists
        .into_iter()
        .flat_map(|(changes, kind)| changes.iter().map(move |change| (change, kind)))
        .zip(outcomes)
        .map(|((change, kind), outcome)| crate::views::item_result(change.id, kind, change.operation.as_str(), outcome))
        .collect();
    json(&crate::views::bulk_results(results))
}
