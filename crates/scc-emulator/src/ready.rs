//! The ready line: the one JSON line the emulator prints once it listens, saying where it is and how
//! to call it.

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::domain::{organizations, tokens};

/// The credentials of one API key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyCredentials {
    /// The key id (path of the token refresh).
    pub api_key_id: String,
    /// A valid access token.
    pub access_token: String,
    /// The current refresh token.
    pub refresh_token: String,
}

/// Claim codes of the fixtures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimCodes {
    /// Codes that can be claimed.
    pub valid: Vec<String>,
    /// Codes already claimed (claiming them again answers 409).
    pub claimed: Vec<String>,
}

/// The XDR side: where it is and the admin user's client credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct XdrCredentials {
    /// Base URL of the XDR endpoints (`/iroh/…`).
    pub base_url: String,
    /// Client id (HTTP Basic user).
    pub client_id: String,
    /// Client secret (HTTP Basic password).
    pub client_secret: String,
}

/// What the emulator prints on its one ready line: where it is and how to call it. The API
/// credentials are made from the seed and are not secret; the control token is random (unless
/// `--control-token` fixed it) and guards `/_emulator/*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadyInfo {
    /// Scheme, host and port; the SDK adds `/v1`.
    pub base_url: String,
    /// The credential of the control plane: `Authorization: Bearer <control_token>` on `/_emulator/*`.
    pub control_token: String,
    /// The caller's organization (a MANAGER).
    pub org_id: String,
    /// An admin (read and write) API key of that organization.
    pub admin: KeyCredentials,
    /// A member (read-only) API key of that organization.
    pub member: KeyCredentials,
    /// The organizations the caller's organization manages.
    pub managed_org_ids: Vec<String>,
    /// Claim codes.
    pub claim_codes: ClaimCodes,
    /// The XDR endpoints and a client.
    pub xdr: XdrCredentials,
}

/// The ready line's data; mints a fresh access token for a key whose tokens have all expired (after a
/// restart from a state file).
pub(crate) fn ready_info(app: &App, base_url: &str) -> anyhow::Result<ReadyInfo> {
    let now = app.now();
    let ttl = app.token_ttl;
    let credentials = |key_id: &str| -> anyhow::Result<KeyCredentials> {
        let existing = app.store.read(|state| tokens::valid_access_token(state, key_id, now));
        let access_token = match existing {
            Some(token) => token,
            None => app
                .store
                .write(|state| Ok(tokens::mint_access_token(state, key_id, now, ttl, true)))
                .map_err(|error| anyhow::anyhow!(error.message))?,
        };
        let refresh_token = app
            .store
            .read(|state| state.api_keys.get(key_id).map(|key| key.refresh_token.clone()))
            .context("the API key disappeared")?;
        Ok(KeyCredentials {
            api_key_id: key_id.to_owned(),
            access_token,
            refresh_token,
        })
    };
    let principal = app.store.read(|state| (*state.principal).clone());
    let admin = credentials(&principal.admin_key_id)?;
    let member = credentials(&principal.member_key_id)?;
    app.store.read(|state| {
        let managed = organizations::managed_by(state, &principal.org_id);
        let (claimed, valid): (Vec<_>, Vec<_>) = state.claim_codes.values().partition(|code| code.claimed_by.is_some());
        let xdr_client = principal
            .xdr_clients
            .get("admin")
            .and_then(|id| state.xdr.clients.get(id))
            .context("the fixtures have no XDR admin client")?;
        Ok(ReadyInfo {
            base_url: base_url.to_owned(),
            control_token: app.control_token.clone(),
            org_id: principal.org_id.clone(),
            admin,
            member,
            managed_org_ids: managed.iter().map(|org| org.id.clone()).collect(),
            claim_codes: ClaimCodes {
                valid: valid.iter().map(|code| code.code.clone()).collect(),
                claimed: claimed.iter().map(|code| code.code.clone()).collect(),
            },
            xdr: XdrCredentials {
                base_url: base_url.to_owned(),
                client_id: xdr_client.client_id.clone(),
                client_secret: xdr_client.client_secret.clone(),
            },
        })
    })
}
