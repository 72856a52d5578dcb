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
    // The rotated pair is saved to the profile; credentials from the environment are never saved,
    // and rotating them here would spend the environment's refresh token for nothing.
    let crate::settings::Source::File(path) = &stored.source else {
        return Err(CliError::usage(
            format!(
                "the credentials come from the {}, and scc never saves those",
                stored.source
            ),
            "they refresh by themselves when used; to keep rotated tokens, save the key with `scc configure`",
        ));
    };
    let path = path.clone();
    let client = ctx.client()?;
    // Under --dry-run the refresh is not sent: the error carries the planned request.
    let rotated = client.refresh_credentials(&credentials).await?;
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
