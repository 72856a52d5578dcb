//! `scc token refresh`: trades the profile's refresh token for a new pair and saves it at once (the
//! old refresh token stops working). The tokens are never printed.

use std::time::SystemTime;

use scc_sdk::FileTokenStore;

use super::Ctx;
use crate::cli::TokenCommand;
use crate::failure::{CliError, Code};

pub(crate) async fn run(ctx: &Ctx, command: TokenCommand) -> Result<Code, CliError> {
    let TokenCommand::Refresh = command;
    let stored = ctx
        .settings
        .credentials
        .as_ref()
        .ok_or_else(|| CliError::auth("no credentials".into(), "run `scc configure` first"))?;
    let org_fallback = ctx.settings.org_id.as_ref().map(|org| org.value.as_str());
    let credentials = stored.value.refreshing(org_fallback).ok_or_else(|| {
        CliError::usage(
            "the credentials hold no refresh token, API key id and organization".into(),
            "save them with `scc configure --org ORG_ID --api-key-id KEY --refresh-token -`",
        )
    })?;
    // The rotated pair goes where the credentials came from: the profile's (or SCC_CREDENTIALS_FILE's)
    // file, or for the environment's, the rotated-pairs file of their key the next `scc` reads.
    let path = crate::settings::rotation_store(&ctx.settings.config_dir, stored).ok_or_else(|| {
        CliError::usage(
            "the credentials name no API key id, so a rotated pair could not be found again".into(),
            "set SCC_API_KEY_ID beside SCC_REFRESH_TOKEN",
        )
    })?;
    if let Some(folder) = path.parent() {
        scc_sdk::files::create_private_dir(folder)
            .map_err(|error| CliError::failure(format!("cannot make {}: {error}", folder.display()), None))?;
    }
    let client = ctx.client()?;
    // Under --dry-run the refresh is not sent: the error carries the planned request.
    let rotated = match client.refresh_credentials(&credentials).await {
        Ok(rotated) => rotated,
        // The environment's refresh token was spent by an earlier `scc` of the key: the pair that
        // rotation kept is the one to refresh.
        Err(error) if error.is_refresh_rejected() => {
            use scc_sdk::TokenStore as _;
            use scc_sdk::secrecy::ExposeSecret;
            match FileTokenStore::new(&path).newest() {
                Ok(Some(kept))
                    if kept.refresh_token().expose_secret() != credentials.refresh_token().expose_secret() =>
                {
                    client.refresh_credentials(&kept).await?
                }
                _ => return Err(error.into()),
            }
        }
        Err(error) => return Err(error.into()),
    };
    FileTokenStore::new(&path).save(&rotated).map_err(|error| {
        CliError::failure(
            format!(
                "the token was refreshed but could not be saved to {}: {error}",
                path.display()
            ),
            Some("the old refresh token no longer works; fix the file's permissions and run `scc configure`"),
        )
    })?;
    let expires_in = rotated
        .access_expires_at()
        .and_then(|expires| expires.duration_since(SystemTime::now()).ok())
        .map(|left| left.as_secs() + 1);
    let expires = expires_in.map_or("unknown".to_owned(), |seconds| format!("{seconds} s"));
    ctx.ui.item(
        &serde_json::json!({"refreshed": true, "expires_in": expires_in, "saved_to": path.display().to_string()}),
        &[
            ("REFRESHED", "refreshed"),
            ("EXPIRES IN (S)", "expires_in"),
            ("SAVED TO", "saved_to"),
        ],
    );
    ctx.ui.success(&format!(
        "access token refreshed (valid for {expires}); the rotated pair is saved"
    ));
    Ok(Code::Ok)
}
