//! The Cisco XDR (IROH) profile, with the seed's rules: who may log in, who may edit what, and what a
//! not-yet-activated organization may do.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::ids::IdGen;
use crate::model::{ScimStatus, State, XdrClient, XdrOrg, XdrRole, XdrState, XdrToken, XdrUser};

/// Seconds an XDR access token lives (the documented `expires_in`).
pub(crate) const XDR_TOKEN_TTL: i64 = 600;
/// The identity provider ids (docs/decisions.md, "XDR identity providers"): Secure Endpoint denies non-admins by default, Secure
/// Malware Analytics allows them.
pub(crate) const SECURE_ENDPOINT_IDP: &str = "idb-amp";
pub(crate) const SECURE_MALWARE_ANALYTICS_IDP: &str = "threatgrid";
const CLAIMS: &str = "https://schemas.cisco.com/iroh/identity/claims";
/// The scopes that read the profile.
pub(crate) const READ_SCOPES: &[&str] = &["profile", "profile:read"];

/// Whether a user may log in, by the seed's rules: nobody when the org is disabled; admins always;
/// others by the top-level `allow-all-role-to-login`, else `settings`' `allow-all-roles-to-login`, else
/// the default of their identity provider.
fn may_log_in(org: &XdrOrg, user: &XdrUser) -> Result<(), &'static str> {
    if !org.enabled {
        return Err("the organization is disabled: no user of it can log in");
    }
    if user.role != XdrRole::User {
        return Ok(());
    }
    let allowed = org
        .allow_all_role_to_login
        .or(org.settings_allow_all_roles_to_login)
        .unwrap_or(user.idp == SECURE_MALWARE_ANALYTICS_IDP);
    if allowed {
        Ok(())
    } else {
        Err("non-admin users of this organization may not log in")
    }
}

/// An issued XDR access token and the scopes it carries.
pub(crate) struct IssuedToken {
    pub(crate) access_token: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_in: i64,
}

/// The client-credentials grant: a JWT-shaped token for the client's user, if that user may log in.
pub(crate) fn issue_token(
    state: &mut State,
    client_id: &str,
    secret: &str,
    grant_type: Option<&str>,
    now: i64,
    ttl: i64,
) -> ApiResult<IssuedToken> {
    let client = state
        .xdr
        .clients
        .get(client_id)
        .cloned()
        .ok_or_else(|| ApiError::bad_request(format!("unknown client {client_id}")).with_code("invalid_client"))?;
    if client.client_secret != secret {
        return Err(ApiError::bad_request("wrong client credentials").with_code("wrong_client_creds"));
    }
    match grant_type {
        Some("client_credentials") => {}
        Some(other) => {
            return Err(
                ApiError::bad_request(format!("unsupported grant_type {other:?}")).with_code("unsupported_grant_type")
            );
        }
        None => return Err(ApiError::bad_request("grant_type is required").with_code("invalid_request")),
    }
    let user = state
        .xdr
        .users
        .get(&client.user_id)
        .cloned()
        .ok_or_else(|| ApiError::bad_request("the client's user no longer exists").with_code("invalid_client"))?;
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
    Ok(IssuedToken {
        access_token,
        scopes: client.scopes,
        expires_in: ttl,
    })
}

/// The user a bearer token acts for.
pub(crate) struct XdrCaller {
    pub(crate) user: XdrUser,
    pub(crate) org: XdrOrg,
    scopes: Vec<String>,
}

impl XdrCaller {
    pub(crate) fn require_scope(&self, any_of: &[&str]) -> ApiResult<()> {
        if self.scopes.iter().any(|scope| any_of.contains(&scope.as_str())) {
            Ok(())
        } else {
            Err(
                ApiError::forbidden(format!("the token lacks the scope {}", any_of.join(" or ")))
                    .with_code("missing_scope"),
            )
        }
    }

    /// Only a master may change whether all roles may log in.
    pub(crate) fn may_edit_login_rule(&self) -> bool {
        self.user.role == XdrRole::Master
    }
}

/// The caller a bearer token stands for.
pub(crate) fn authenticate(state: &State, token: &str, now: i64) -> ApiResult<XdrCaller> {
    let found = state
        .xdr
        .tokens
        .get(token)
        .ok_or_else(|| ApiError::unauthorized("invalid JWT").with_code("invalid_token"))?;
    if found.expires_at <= now {
        return Err(ApiError::unauthorized("the JWT has expired").with_code("invalid_token"));
    }
    let user = state
        .xdr
        .users
        .get(&found.user_id)
        .cloned()
        .ok_or_else(|| ApiError::unauthorized("the token's user no longer exists").with_code("invalid_token"))?;
    let org = state.xdr.orgs.get(&user.org_id).cloned().ok_or_else(|| {
        ApiError::unauthorized("the token's organization no longer exists").with_code("invalid_token")
    })?;
    Ok(XdrCaller {
        user,
        org,
        scopes: found.scopes.clone(),
    })
}

/// The changes of an organization update; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub(crate) struct OrgUpdate {
    pub(crate) name: Option<String>,
    pub(crate) settings_allow_all_roles_to_login: Option<Option<bool>>,
    pub(crate) enabled: Option<bool>,
    pub(crate) allow_all_role_to_login: Option<Option<bool>>,
    pub(crate) additional_scopes: Option<Vec<String>>,
}

impl OrgUpdate {
    /// The first field (by wire name) only a master may change.
    fn master_only_field(&self) -> Option<&'static str> {
        [
            ("additional-scopes", self.additional_scopes.is_some()),
            ("allow-all-role-to-login", self.allow_all_role_to_login.is_some()),
            ("enabled?", self.enabled.is_some()),
        ]
        .into_iter()
        .find(|(_, sent)| *sent)
        .map(|(field, _)| field)
    }
}

/// Whether the caller may update its organization at all: the `profile` scope, and an activated
/// organization (one waiting for activation may change nothing).
pub(crate) fn check_may_update(caller: &XdrCaller) -> ApiResult<()> {
    caller.require_scope(&["profile"])?;
    if caller.org.scim_status != ScimStatus::Activated {
        return Err(ApiError::forbidden(
            "the organization is waiting for activation: it may only configure modules and see its own profile",
        )
        .with_code("org_not_activated"));
    }
    Ok(())
}

/// Changes the caller's organization: admins its name and settings, a master everything.
pub(crate) fn update_org<'s>(
    state: &'s mut State,
    caller: &XdrCaller,
    update: OrgUpdate,
    now: &str,
) -> ApiResult<&'s XdrOrg> {
    check_may_update(caller)?;
    check_update_allowed(caller, &update)?;
    let org = state
        .xdr
        .orgs
        .get_mut(&caller.org.id)
        .ok_or_else(|| ApiError::not_found("organization not found"))?;
    if let Some(name) = update.name {
        org.name = name.trim().to_owned();
    }
    if let Some(enabled) = update.enabled {
        org.enabled = enabled;
    }
    if let Some(allow) = update.allow_all_role_to_login {
        org.allow_all_role_to_login = allow;
    }
    if let Some(scopes) = update.additional_scopes {
        org.additional_scopes = scopes;
    }
    if let Some(allow) = update.settings_allow_all_roles_to_login {
        org.settings_allow_all_roles_to_login = allow;
    }
    org.updated_at = now.to_owned();
    Ok(org)
}

/// Whether the caller's role allows every field of the update (the shape is checked before).
fn check_update_allowed(caller: &XdrCaller, update: &OrgUpdate) -> ApiResult<()> {
    match caller.user.role {
        XdrRole::Master => Ok(()),
        XdrRole::Admin => match update.master_only_field() {
            Some(field) => Err(
                ApiError::forbidden(format!("only a user with the master role may change {field}"))
                    .with_code("forbidden"),
            ),
            None => Ok(()),
        },
        XdrRole::User => Err(
            ApiError::forbidden("only organization administrators may edit the organization").with_code("forbidden"),
        ),
    }
}

/// The default XDR data: an activated org with users of both identity providers (an admin, a
/// non-admin of each provider, a master) and an org waiting for activation, each with a client.
/// Returns the client ids by who they act for.
pub(crate) fn add_default_profile(ids: &mut IdGen) -> (XdrState, BTreeMap<String, String>) {
    let mut state = XdrState::default();
    let org_id = ids.uuid();
    let pending_org = ids.uuid();
    for (id, name, status, scopes) in [
        (&org_id, "Cisco", ScimStatus::Activated, vec!["sse".to_owned()]),
        (&pending_org, "Pending Corp", ScimStatus::WaitingActivation, Vec::new()),
    ] {
        state.orgs.insert(
            id.clone(),
            XdrOrg {
                id: id.clone(),
                name: name.into(),
                additional_scopes: scopes,
                allow_all_role_to_login: None,
                scim_status: status,
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
            XdrRole::Admin,
            Some("Jane Doe"),
            Some("jane.doe@cisco.example"),
            Some("Jannie"),
        ),
        (
            "member",
            &org_id,
            SECURE_MALWARE_ANALYTICS_IDP,
            XdrRole::User,
            Some("Sam Analyst"),
            Some("sam@cisco.example"),
            None,
        ),
        (
            "denied",
            &org_id,
            SECURE_ENDPOINT_IDP,
            XdrRole::User,
            None,
            Some("pat@cisco.example"),
            None,
        ),
        (
            "master",
            &org_id,
            SECURE_ENDPOINT_IDP,
            XdrRole::Master,
            Some("Max Master"),
            None,
            Some("Max"),
        ),
        (
            "pending",
            &pending_org,
            SECURE_ENDPOINT_IDP,
            XdrRole::Admin,
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
                role,
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
