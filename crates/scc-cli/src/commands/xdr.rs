//! `scc xdr`: the Cisco XDR profile.

use scc_sdk::xdr::{IdpDefaults, OrgUpdate};
use serde_json::json;

use super::{Ctx, to_json};
use crate::cli::{Format, XdrArgs, XdrCommand, XdrOrgCommand};
use crate::failure::{CliError, Code};
use crate::output::columns;

pub(crate) async fn run(ctx: &Ctx, args: XdrArgs) -> Result<Code, CliError> {
    let xdr = ctx
        .settings
        .xdr_client(args.region.clone(), args.xdr_base_url.clone())?;
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
        XdrCommand::Org(XdrOrgCommand::Get) => ctx.ui.item(&to_json(&xdr.profile().org().await?), columns::XDR_ORG),
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
                .item(&to_json(&xdr.profile().update_org(update).await?), columns::XDR_ORG);
        }
    }
    Ok(Code::Ok)
}
