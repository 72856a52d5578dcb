//! `scc xdr`: the Cisco XDR profile.

use scc_sdk::xdr::{IdpDefaults, OrgUpdate, XdrClient, XdrRegion};
use serde_json::json;

use super::{Ctx, to_json};
use crate::cli::{Format, XdrArgs, XdrCommand, XdrOrgCommand};
use crate::failure::{CliError, Code};
use crate::output::Column;

const ORG_COLUMNS: &[Column] = &[
    ("ID", "id"),
    ("NAME", "name"),
    ("SCIM STATUS", "scim-status"),
    ("ENABLED", "enabled?"),
    ("ALLOW ALL ROLE TO LOGIN", "allow-all-role-to-login"),
    (
        "SETTINGS: ALLOW ALL ROLES TO LOGIN",
        "settings.allow-all-roles-to-login",
    ),
    ("ADDITIONAL SCOPES", "additional-scopes"),
];

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.trim().is_empty())
}

fn client(ctx: &Ctx, args: &XdrArgs) -> Result<XdrClient, CliError> {
    let region: XdrRegion = args
        .region
        .clone()
        .or_else(|| env("SCC_XDR_REGION"))
        .unwrap_or_default()
        .parse()?;
    let mut builder = XdrClient::builder()
        .region(region)
        .timeout(ctx.settings.timeout)
        .max_response_bytes(ctx.settings.max_response_bytes);
    if let Some(url) = args.xdr_base_url.clone().or_else(|| env("SCC_XDR_BASE_URL")) {
        builder = builder.base_url(url);
    }
    builder = match (
        env("SCC_XDR_CLIENT_ID"),
        env("SCC_XDR_CLIENT_SECRET"),
        env("SCC_XDR_TOKEN"),
    ) {
        (Some(id), Some(secret), _) => builder.client_credentials(id, secret),
        (_, _, Some(token)) => builder.bearer_token(token),
        _ => {
            return Err(CliError::auth(
                "no XDR credentials".into(),
                "set SCC_XDR_CLIENT_ID and SCC_XDR_CLIENT_SECRET, or SCC_XDR_TOKEN",
            ));
        }
    };
    if ctx.global.no_retry {
        builder = builder.retry(scc_sdk::RetryConfig::disabled());
    }
    Ok(builder.dry_run(ctx.global.dry_run).build()?)
}

pub(crate) async fn run(ctx: &Ctx, args: XdrArgs) -> Result<Code, CliError> {
    let xdr = client(ctx, &args)?;
    match args.command {
        XdrCommand::Whoami => {
            let me = xdr.profile().whoami().await?;
            let login = me.org.non_admins_may_log_in(&me.user, &IdpDefaults::default());
            let summary = json!({
                "display_name": me.user.display_name(),
                "user_id": me.user.user_id,
                "org": me.org.name,
                "org_id": me.org.id,
                "scopes": me.user.scopes,
                "org_activated": me.org.is_activated(),
                "any_user_can_log_in": me.org.any_user_can_log_in(),
                "non_admins_may_log_in": login.allowed,
                "decided_by": login.rule.to_string(),
            });
            match ctx.ui.format {
                Format::Table | Format::Wide => ctx.ui.item(
                    &summary,
                    &[
                        ("NAME", "display_name"),
                        ("USER ID", "user_id"),
                        ("ORGANIZATION", "org"),
                        ("ORGANIZATION ID", "org_id"),
                        ("SCOPES", "scopes"),
                        ("ACTIVATED", "org_activated"),
                        ("ANY USER CAN LOG IN", "any_user_can_log_in"),
                        ("NON-ADMINS MAY LOG IN", "non_admins_may_log_in"),
                        ("DECIDED BY", "decided_by"),
                    ],
                ),
                _ => {
                    let mut document = to_json(&me);
                    document["display_name"] = summary["display_name"].clone();
                    document["login"] = json!({
                        "any_user": summary["any_user_can_log_in"],
                        "non_admins": {"allowed": login.allowed, "rule": summary["decided_by"]},
                    });
                    ctx.ui.item(&document, &[]);
                }
            }
        }
        XdrCommand::Org(XdrOrgCommand::Get) => ctx.ui.item(&to_json(&xdr.profile().org().await?), ORG_COLUMNS),
        XdrCommand::Org(XdrOrgCommand::Update {
            name,
            allow_all_roles_to_login,
            allow_all_role_to_login,
            enabled,
            additional_scopes,
        }) => {
            let mut update = OrgUpdate::new();
            if let Some(name) = name {
                update = update.name(name);
            }
            if let Some(toggle) = allow_all_roles_to_login {
                update = update.allow_all_roles_to_login(toggle.value());
            }
            if let Some(toggle) = allow_all_role_to_login {
                update = update.allow_all_role_to_login(toggle.value());
            }
            if let Some(enabled) = enabled {
                update = update.enabled(enabled);
            }
            if !additional_scopes.is_empty() {
                update = update.additional_scopes(additional_scopes);
            }
            ctx.ui
                .item(&to_json(&xdr.profile().update_org(update).await?), ORG_COLUMNS);
        }
    }
    Ok(Code::Ok)
}
