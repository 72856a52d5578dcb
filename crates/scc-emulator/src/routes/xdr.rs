//! The Cisco XDR (IROH) profile: `POST /iroh/oauth2/token` (client credentials), `GET
//! /iroh/profile/whoami`, `GET` and `POST /iroh/profile/org`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde_json::{Map, Value, json as json_value};

use super::{form_value, json};
use crate::app::App;
use crate::domain::xdr::{self, OrgUpdate, READ_SCOPES, XDR_TOKEN_TTL, XdrCaller};
use crate::error::{ApiError, ApiResult};
use crate::views::{self, WhoamiView, XdrTokenView};

fn basic_credentials(parts: &Parts) -> ApiResult<(String, String)> {
    let malformed =
        || ApiError::unauthorized("missing or malformed HTTP Basic client credentials").with_code("invalid_client");
    let header = parts.headers.get(AUTHORIZATION).ok_or_else(malformed)?;
    let value = header.to_str().map_err(|_| malformed())?;
    let (scheme, encoded) = value.split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(malformed());
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let text = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = text.split_once(':').ok_or_else(malformed)?;
    Ok((id.to_owned(), secret.to_owned()))
}

pub(crate) async fn token(State(app): State<Arc<App>>, parts: Parts, body: Bytes) -> ApiResult<Response> {
    let (client_id, secret) = basic_credentials(&parts)?;
    let form = String::from_utf8_lossy(&body);
    let grant = form_value(&form, "grant_type");
    let now = app.now();
    let ttl = XDR_TOKEN_TTL.min(app.token_ttl);
    let issued = app
        .store
        .write(|state| xdr::issue_token(state, &client_id, &secret, grant, now, ttl))?;
    Ok(json(&XdrTokenView {
        access_token: &issued.access_token,
        token_type: "bearer",
        expires_in: issued.expires_in,
        scope: issued.scopes.join(" "),
    }))
}

pub(crate) async fn whoami(caller: XdrCaller) -> ApiResult<Response> {
    caller.require_scope(READ_SCOPES)?;
    Ok(json(&WhoamiView {
        user: views::xdr_user(&caller.user),
        org: views::xdr_org(&caller.org, caller.may_edit_login_rule()),
    }))
}

pub(crate) async fn get_org(caller: XdrCaller) -> ApiResult<Response> {
    caller.require_scope(READ_SCOPES)?;
    Ok(json(&views::xdr_org(&caller.org, caller.may_edit_login_rule())))
}

fn disallowed(errors: Map<String, Value>) -> ApiError {
    let mut error = ApiError::bad_request("invalid organization fields");
    error.raw_body = Some(json_value!({ "errors": errors }));
    error
}

/// An organization update as sent, checked whole: every unknown key and every wrong type is named at
/// once, in XDR's `{"errors": {...}}` shape.
fn org_update(body: &[u8]) -> ApiResult<OrgUpdate> {
    let fields: Map<String, Value> = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(ApiError::bad_request("the body must be a JSON object").with_code("invalid_request")),
        Err(error) => {
            return Err(ApiError::bad_request(format!("malformed JSON: {error}")).with_code("invalid_request"));
        }
    };
    let mut update = OrgUpdate::default();
    let mut errors = Map::new();
    for (key, value) in fields {
        let problem = match key.as_str() {
            "name" => match value.as_str().filter(|name| !name.trim().is_empty()) {
                Some(name) => {
                    update.name = Some(name.to_owned());
                    None
                }
                None => Some("invalid-type: expected a non-empty string"),
            },
            "enabled?" => match value.as_bool() {
                Some(enabled) => {
                    update.enabled = Some(enabled);
                    None
                }
                None => Some("invalid-type: expected a boolean"),
            },
            "allow-all-role-to-login" => match value {
                Value::Bool(_) | Value::Null => {
                    update.allow_all_role_to_login = Some(value.as_bool());
                    None
                }
                _ => Some("invalid-type: expected a boolean or null"),
            },
            "additional-scopes" => match value.as_array().filter(|items| items.iter().all(Value::is_string)) {
                Some(items) => {
                    update.additional_scopes =
                        Some(items.iter().filter_map(Value::as_str).map(str::to_owned).collect());
                    None
                }
                None => Some("invalid-type: expected an array of strings"),
            },
            "settings" => match value.as_object() {
                None => Some("invalid-type: expected an object"),
                Some(settings) => {
                    let mut nested = Map::new();
                    for (name, setting) in settings {
                        if name != "allow-all-roles-to-login" {
                            nested.insert(name.clone(), "disallowed-key".into());
                        } else if setting.is_boolean() || setting.is_null() {
                            update.settings_allow_all_roles_to_login = Some(setting.as_bool());
                        } else {
                            nested.insert(name.clone(), "invalid-type: expected a boolean or null".into());
                        }
                    }
                    if !nested.is_empty() {
                        errors.insert(key.clone(), Value::Object(nested));
                    }
                    None
                }
            },
            _ => Some("disallowed-key"),
        };
        if let Some(problem) = problem {
            errors.insert(key, problem.into());
        }
    }
    if errors.is_empty() {
        Ok(update)
    } else {
        Err(disallowed(errors))
    }
}

pub(crate) async fn update_org(State(app): State<Arc<App>>, caller: XdrCaller, body: Bytes) -> ApiResult<Response> {
    xdr::check_may_update(&caller)?;
    let update = org_update(&body)?;
    let now = app.timestamp_millis();
    app.store.write(|state| {
        xdr::update_org(state, &caller, update, &now)
            .map(|org| json(&views::xdr_org(org, caller.may_edit_login_rule())))
    })
}
