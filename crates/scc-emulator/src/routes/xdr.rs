//! The Cisco XDR (IROH) profile: `POST /iroh/oauth2/token` (client credentials), `GET
//! /iroh/profile/whoami`, `GET` and `POST /iroh/profile/org`, with the seed's rules: who may log in,
//! who may edit what, and what a not-yet-activated organization may do.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::App;
use crate::error::{ApiError, ApiResult};
use crate::ids::IdGen;
use crate::model::{XdrClient, XdrOrg, XdrState, XdrToken, XdrUser};

/// Seconds an XDR access token lives (the documented `expires_in`).
pub(crate) const XDR_TOKEN_TTL: i64 = 600;
/// The identity provider ids (decision 11): Secure Endpoint denies non-admins by default, Secure
/// Malware Analytics allows them.
pub(crate) const SECURE_ENDPOINT_IDP: &str = "idb-amp";
pub(crate) const SECURE_MALWARE_ANALYTICS_IDP: &str = "threatgrid";
const CLAIMS: &str = "https://schemas.cisco.com/iroh/identity/claims";
const READ_SCOPES: &[&str] = &["profile", "profile:read"];

fn org_view(org: &XdrOrg, editable: bool) -> Value {
    let mut body = json!({
        "id": org.id,
        "name": org.name,
        "additional-scopes": org.additional_scopes,
        "scim-status": org.scim_status,
        "activation-status": org.scim_status,
        "enabled?": org.enabled,
        "allow-all-role-to-login-editable?": editable,
        "settings": {},
        "created-at": org.created_at,
        "updated-at": org.updated_at,
    });
    if let Some(allow) = org.allow_all_role_to_login {
        body["allow-all-role-to-login"] = allow.into();
    }
    if let Some(allow) = org.settings_allow_all_roles_to_login {
        body["settings"]["allow-all-roles-to-login"] = allow.into();
    }
    body
}

fn user_view(user: &XdrUser) -> Value {
    let mut body = json!({
        "user-id": user.user_id,
        "org-id": user.org_id,
        "scopes": user.scopes,
        "additional-scopes": user.additional_scopes,
        "idp-mappings": [{
            "idp": user.idp,
            "user-identity-id": user.idp_user_id,
            "organization-id": user.idp_org_id,
            "enabled?": true,
        }],
        "role": user.role,
    });
    for (key, value) in [
        ("user-name", &user.user_name),
        ("user-email", &user.user_email),
        ("user-nick", &user.user_nick),
    ] {
        if let Some(value) = value {
            body[key] = value.clone().into();
        }
    }
    body
}

/// Whether a user may log in, by the seed's rules: nobody when the org is disabled; admins always;
/// others by the top-level `allow-all-role-to-login`, else `settings`' `allow-all-roles-to-login`, else
/// the default of their identity provider.
fn may_log_in(org: &XdrOrg, user: &XdrUser) -> Result<(), String> {
    if !org.enabled {
        return Err("the organization is disabled: no user of it can log in".into());
    }
    if user.role != "user" {
        return Ok(());
    }
    let allowed = org
        .allow_all_role_to_login
        .or(org.settings_allow_all_roles_to_login)
        .unwrap_or(user.idp == SECURE_MALWARE_ANALYTICS_IDP);
    if allowed {
        Ok(())
    } else {
        Err("non-admin users of this organization may not log in".into())
    }
}

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

pub(crate) async fn token(State(app): State<Arc<App>>, parts: Parts, body: Bytes) -> ApiResult<Json<Value>> {
    let (client_id, secret) = basic_credentials(&parts)?;
    let form = String::from_utf8_lossy(&body).into_owned();
    let grant = form
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "grant_type")
        .map(|(_, value)| value.to_owned());
    let now = app.now();
    let ttl = XDR_TOKEN_TTL.min(app.token_ttl);
    app.store.write(|state| {
        let client =
            state.xdr.clients.get(&client_id).cloned().ok_or_else(|| {
                ApiError::bad_request(format!("unknown client {client_id}")).with_code("invalid_client")
            })?;
        if client.client_secret != secret {
            return Err(ApiError::bad_request("wrong client credentials").with_code("wrong_client_creds"));
        }
        match grant.as_deref() {
            Some("client_credentials") => {}
            Some(other) => {
                return Err(ApiError::bad_request(format!("unsupported grant_type {other:?}"))
                    .with_code("unsupported_grant_type"));
            }
            None => return Err(ApiError::bad_request("grant_type is required").with_code("invalid_request")),
        }
        let user =
            state.xdr.users.get(&client.user_id).cloned().ok_or_else(|| {
                ApiError::bad_request("the client's user no longer exists").with_code("invalid_client")
            })?;
        let org = state.xdr.orgs.get(&user.org_id).cloned().ok_or_else(|| {
            ApiError::bad_request("the client's organization no longer exists").with_code("invalid_client")
        })?;
        may_log_in(&org, &user).map_err(|reason| ApiError::forbidden(reason).with_code("access_denied"))?;

        state.xdr.tokens.retain(|_, token| token.expires_at > now);
        let claims = json!({
            "iss": "IROH Auth NAM",
            "sub": user.user_id,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": format!("r{}", state.ids.uuid()),
            "email": user.user_email,
            format!("{CLAIMS}/version"): "v1.20.0",
            format!("{CLAIMS}/user/id"): user.user_id,
            format!("{CLAIMS}/user/email"): user.user_email,
            format!("{CLAIMS}/user/nick"): user.user_nick,
            format!("{CLAIMS}/user/idp/id"): user.idp,
            format!("{CLAIMS}/org/id"): org.id,
            format!("{CLAIMS}/org/name"): org.name,
            format!("{CLAIMS}/scopes"): client.scopes,
        });
        let access_token = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            URL_SAFE_NO_PAD.encode(state.ids.opaque(32))
        );
        state.xdr.tokens.insert(
            access_token.clone(),
            XdrToken {
                client_id: client.client_id.clone(),
                user_id: user.user_id.clone(),
                scopes: client.scopes.clone(),
                expires_at: now + ttl,
            },
        );
        Ok(Json(json!({
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": ttl,
            "scope": client.scopes.join(" "),
        })))
    })
}

/// The user a bearer token acts for.
pub(crate) struct XdrCaller {
    user: XdrUser,
    org: XdrOrg,
    scopes: Vec<String>,
}

impl XdrCaller {
    fn require_scope(&self, any_of: &[&str]) -> ApiResult<()> {
        if self.scopes.iter().any(|scope| any_of.contains(&scope.as_str())) {
            Ok(())
        } else {
            Err(
                ApiError::forbidden(format!("the token lacks the scope {}", any_of.join(" or ")))
                    .with_code("missing_scope"),
            )
        }
    }
}

impl FromRequestParts<Arc<App>> for XdrCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        let missing =
            || ApiError::unauthorized("No JWT found in HTTP Authorization header").with_code("invalid_request");
        let value = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(missing)?;
        let token = value
            .split_once(' ')
            .filter(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
            .map(|(_, token)| token.trim())
            .ok_or_else(missing)?;
        let now = app.now();
        app.store.read(|state| {
            let found = state
                .xdr
                .tokens
                .get(token)
                .ok_or_else(|| ApiError::unauthorized("invalid JWT").with_code("invalid_token"))?;
            if found.expires_at <= now {
                return Err(ApiError::unauthorized("the JWT has expired").with_code("invalid_token"));
            }
            let user = state.xdr.users.get(&found.user_id).cloned().ok_or_else(|| {
                ApiError::unauthorized("the token's user no longer exists").with_code("invalid_token")
            })?;
            let org = state.xdr.orgs.get(&user.org_id).cloned().ok_or_else(|| {
                ApiError::unauthorized("the token's organization no longer exists").with_code("invalid_token")
            })?;
            Ok(XdrCaller {
                user,
                org,
                scopes: found.scopes.clone(),
            })
        })
    }
}

pub(crate) async fn whoami(caller: XdrCaller) -> ApiResult<Json<Value>> {
    caller.require_scope(READ_SCOPES)?;
    let editable = caller.user.role == "master";
    Ok(Json(
        json!({"user": user_view(&caller.user), "org": org_view(&caller.org, editable)}),
    ))
}

pub(crate) async fn get_org(caller: XdrCaller) -> ApiResult<Json<Value>> {
    caller.require_scope(READ_SCOPES)?;
    Ok(Json(org_view(&caller.org, caller.user.role == "master")))
}

const ADMIN_KEYS: &[&str] = &["name", "settings"];
const MASTER_KEYS: &[&str] = &["enabled?", "allow-all-role-to-login", "additional-scopes"];

fn disallowed(errors: Map<String, Value>) -> ApiError {
    let mut error = ApiError::bad_request("invalid organization fields");
    error.raw_body = Some(json!({ "errors": errors }));
    error
}

pub(crate) async fn update_org(State(app): State<Arc<App>>, caller: XdrCaller, body: Bytes) -> ApiResult<Json<Value>> {
    caller.require_scope(&["profile"])?;
    if caller.org.scim_status != "activated" {
        return Err(ApiError::forbidden(
            "the organization is waiting for activation: it may only configure modules and see its own profile",
        )
        .with_code("org_not_activated"));
    }
    let update: Map<String, Value> = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(ApiError::bad_request("the body must be a JSON object").with_code("invalid_request")),
        Err(error) => {
            return Err(ApiError::bad_request(format!("malformed JSON: {error}")).with_code("invalid_request"));
        }
    };
    // Shape first: every unknown key and every wrong type, all at once.
    let mut errors = Map::new();
    for (key, value) in &update {
        let problem = match key.as_str() {
            "name" => value
                .as_str()
                .is_none_or(|name| name.trim().is_empty())
                .then_some("invalid-type: expected a non-empty string"),
            "enabled?" => (!value.is_boolean()).then_some("invalid-type: expected a boolean"),
            "allow-all-role-to-login" => {
                (!(value.is_boolean() || value.is_null())).then_some("invalid-type: expected a boolean or null")
            }
            "additional-scopes" => (!value.as_array().is_some_and(|items| items.iter().all(Value::is_string)))
                .then_some("invalid-type: expected an array of strings"),
            "settings" => match value.as_object() {
                None => Some("invalid-type: expected an object"),
                Some(settings) => {
                    let mut nested = Map::new();
                    for (name, setting) in settings {
                        if name != "allow-all-roles-to-login" {
                            nested.insert(name.clone(), "disallowed-key".into());
                        } else if !(setting.is_boolean() || setting.is_null()) {
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
            errors.insert(key.clone(), problem.into());
        }
    }
    if !errors.is_empty() {
        return Err(disallowed(errors));
    }
    match caller.user.role.as_str() {
        "master" => {}
        "admin" => {
            if let Some(key) = update.keys().find(|key| MASTER_KEYS.contains(&key.as_str())) {
                return Err(
                    ApiError::forbidden(format!("only a user with the master role may change {key}"))
                        .with_code("forbidden"),
                );
            }
        }
        _ => {
            return Err(
                ApiError::forbidden("only organization administrators may edit the organization")
                    .with_code("forbidden"),
            );
        }
    }
    debug_assert!(
        update
            .keys()
            .all(|key| ADMIN_KEYS.contains(&key.as_str()) || MASTER_KEYS.contains(&key.as_str()))
    );
    let now = app.timestamp_millis();
    let org_id = caller.org.id.clone();
    let editable = caller.user.role == "master";
    app.store.write(|state| {
        let org = state
            .xdr
            .orgs
            .get_mut(&org_id)
            .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "organization not found"))?;
        for (key, value) in &update {
            match key.as_str() {
                "name" => org.name = value.as_str().unwrap_or_default().trim().to_owned(),
                "enabled?" => org.enabled = value.as_bool().unwrap_or(org.enabled),
                "allow-all-role-to-login" => org.allow_all_role_to_login = value.as_bool(),
                "additional-scopes" => {
                    org.additional_scopes = value
                        .as_array()
                        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                        .unwrap_or_default();
                }
                "settings" => {
                    if let Some(setting) = value.get("allow-all-roles-to-login") {
                        org.settings_allow_all_roles_to_login = setting.as_bool();
                    }
                }
                _ => {}
            }
        }
        org.updated_at = now.clone();
        Ok(Json(org_view(org, editable)))
    })
}

/// The default XDR data: an activated org with users of both identity providers (an admin, a
/// non-admin of each provider, a master) and an org waiting for activation, each with a client.
pub(crate) fn default_xdr(ids: &mut IdGen, _now: i64) -> (XdrState, BTreeMap<String, String>) {
    let mut state = XdrState::default();
    let org_id = ids.uuid();
    let pending_org = ids.uuid();
    for (id, name, status, scopes) in [
        (&org_id, "Cisco", "activated", vec!["sse".to_owned()]),
        (&pending_org, "Pending Corp", "waiting-activation", Vec::new()),
    ] {
        state.orgs.insert(
            id.clone(),
            XdrOrg {
                id: id.clone(),
                name: name.into(),
                additional_scopes: scopes,
                allow_all_role_to_login: None,
                scim_status: status.into(),
                enabled: true,
                settings_allow_all_roles_to_login: None,
                created_at: "2025-01-15T09:00:00.000Z".into(),
                updated_at: "2025-01-15T09:00:00.000Z".into(),
            },
        );
    }
    let people = [
        (
            "admin",
            &org_id,
            SECURE_ENDPOINT_IDP,
            "admin",
            Some("Jane Doe"),
            Some("jane.doe@cisco.example"),
            Some("Jannie"),
        ),
        (
            "member",
            &org_id,
            SECURE_MALWARE_ANALYTICS_IDP,
            "user",
            Some("Sam Analyst"),
            Some("sam@cisco.example"),
            None,
        ),
        (
            "denied",
            &org_id,
            SECURE_ENDPOINT_IDP,
            "user",
            None,
            Some("pat@cisco.example"),
            None,
        ),
        (
            "master",
            &org_id,
            SECURE_ENDPOINT_IDP,
            "master",
            Some("Max Master"),
            None,
            Some("Max"),
        ),
        (
            "pending",
            &pending_org,
            SECURE_ENDPOINT_IDP,
            "admin",
            Some("Pending Admin"),
            Some("admin@pending.example"),
            None,
        ),
    ];
    let mut clients = BTreeMap::new();
    for (label, org, idp, role, name, email, nick) in people {
        let identity = ids.uuid();
        let user_id = format!("{idp}:{identity}");
        let scopes: Vec<String> = match label {
            "member" => vec!["profile:read", "enrich:read", "inspect:read"],
            "master" => vec!["profile", "profile:read", "admin", "iroh-master", "enrich", "inspect"],
            _ => vec!["profile", "profile:read", "admin", "enrich", "inspect", "private-intel"],
        }
        .into_iter()
        .map(str::to_owned)
        .collect();
        state.users.insert(
            user_id.clone(),
            XdrUser {
                user_id: user_id.clone(),
                org_id: org.clone(),
                scopes: scopes.iter().filter(|scope| !scope.contains(':')).cloned().collect(),
                additional_scopes: Vec::new(),
                idp: idp.into(),
                idp_user_id: identity,
                idp_org_id: ids.uuid(),
                user_name: name.map(str::to_owned),
                user_email: email.map(str::to_owned),
                user_nick: nick.map(str::to_owned),
                role: role.into(),
            },
        );
        let client_id = format!("client-{}", ids.uuid());
        state.clients.insert(
            client_id.clone(),
            XdrClient {
                client_id: client_id.clone(),
                client_secret: ids.opaque(64),
                user_id,
                scopes,
            },
        );
        clients.insert(label.to_owned(), client_id);
    }
    (state, clients)
}
