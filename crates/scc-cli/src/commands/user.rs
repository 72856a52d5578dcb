//! `scc user`: every bulk operation as its own verb, and `patch --file` for many at once.

use std::io::Read;

use scc_sdk::types::{UserOperation, UserStatus};

use super::{Ctx, print_report, to_json, to_json_list};
use crate::cli::UserCommand;
use crate::failure::{CliError, Code};
use crate::output::columns;

pub(crate) async fn run(ctx: &Ctx, command: UserCommand) -> Result<Code, CliError> {
    let client = ctx.client()?;
    if let UserCommand::List { status, all_orgs: true } = &command {
        let status = status.clone().map(UserStatus::from);
        return super::across_orgs(ctx, &client, "listing users", columns::USER, |org| {
            let request = client.users().list(org).set_status(status.clone());
            async move { Ok(to_json_list(&request.send().await?.items)) }
        })
        .await;
    }
    let users = client.users();
    let org = ctx.org(&client).await?;
    let operations = match command {
        UserCommand::List { status, .. } => {
            let page = users.list(org).set_status(status.map(UserStatus::from)).send().await?;
            ctx.ui.list(&to_json_list(&page.items), columns::USER);
            return Ok(Code::Ok);
        }
        UserCommand::Get { user_id } => {
            let user_id = crate::resolve::user(&client, &org, &user_id).await?;
            ctx.ui.item(&to_json(&users.get(org, user_id).await?), columns::USER);
            return Ok(Code::Ok);
        }
        UserCommand::Update {
            user_id,
            first_name,
            last_name,
        } => {
            let user_id = crate::resolve::user(&client, &org, &user_id).await?;
            let user = users
                .update(org, user_id)
                .set_first_name(first_name)
                .set_last_name(last_name)
                .send()
                .await?;
            ctx.ui.item(&to_json(&user), columns::USER);
            return Ok(Code::Ok);
        }
        UserCommand::Groups { user_id } => {
            let user_id = crate::resolve::user(&client, &org, &user_id).await?;
            let groups = users.get_groups(org, user_id).await?;
            ctx.ui.list(&to_json_list(&groups.items), columns::GROUP);
            return Ok(Code::Ok);
        }
        UserCommand::Invite { csv: Some(csv), .. } => {
            let users = scc_apply::users_from_csv(&csv)?;
            if users.is_empty() {
                return Err(CliError::usage(
                    format!("{} lists no user (only its header)", csv.display()),
                    "a row a user under the header: email,first_name,last_name",
                ));
            }
            users
                .into_iter()
                .map(|user| {
                    let operation = UserOperation::invite(user.email, user.first_name, user.last_name);
                    if user.admin == Some(true) {
                        operation.admin(true)
                    } else {
                        operation
                    }
                })
                .collect()
        }
        UserCommand::Invite {
            email,
            first_name,
            last_name,
            admin,
            csv: None,
        } => {
            // clap requires the three without --csv.
            let operation = UserOperation::invite(
                email.unwrap_or_default(),
                first_name.unwrap_or_default(),
                last_name.unwrap_or_default(),
            );
            vec![if admin { operation.admin(true) } else { operation }]
        }
        UserCommand::Enable { emails, ignore_missing } => {
            let operations = emails.into_iter().map(UserOperation::enable).collect();
            return bulk(ctx, &client, org, operations, 4, ignore_missing).await;
        }
        UserCommand::Disable { emails, ignore_missing } => {
            let operations = emails.into_iter().map(UserOperation::disable).collect();
            return bulk(ctx, &client, org, operations, 4, ignore_missing).await;
        }
        UserCommand::Remove { emails, ignore_missing } => {
            let label = ctx.org_label(&client, &org).await;
            if !ctx.confirm(&format!("remove {} from organization {label}", listed(&emails)))? {
                return Ok(ctx.declined());
            }
            let operations = emails.into_iter().map(UserOperation::remove).collect();
            return bulk(ctx, &client, org, operations, 4, ignore_missing).await;
        }
        UserCommand::ResendInvite { emails } => emails.into_iter().map(UserOperation::resend_email_invite).collect(),
        UserCommand::ResetPassword { emails } => emails.into_iter().map(UserOperation::reset_password).collect(),
        UserCommand::ResetMfa { email, factor_id } => vec![UserOperation::reset_mfa(email, factor_id)],
        UserCommand::Patch {
            file,
            concurrency,
            ignore_missing,
        } => {
            let operations = read_operations(&file)?;
            let removals = operations
                .iter()
                .filter(|op| op.operation() == &scc_sdk::types::UserOperationType::Remove)
                .count();
            if removals > 0 {
                let label = ctx.org_label(&client, &org).await;
                if !ctx.confirm(&format!("remove {removals} user(s) from organization {label}"))? {
                    return Ok(ctx.declined());
                }
            }
            return bulk(ctx, &client, org, operations, concurrency, ignore_missing).await;
        }
    };
    bulk(ctx, &client, org, operations, 4, false).await
}

/// The e-mails a prompt names: all of a few, the first ones and a count of many.
fn listed(emails: &[String]) -> String {
    match emails {
        [one] => one.clone(),
        few if few.len() <= 3 => few.join(", "),
        many => format!("{}, … ({} users)", many[..2].join(", "), many.len()),
    }
}

async fn bulk(
    ctx: &Ctx,
    client: &scc_sdk::Client,
    org: String,
    operations: Vec<UserOperation>,
    concurrency: usize,
    ignore_missing: bool,
) -> Result<Code, CliError> {
    let (operations, settled) = in_place(client, &org, operations, ignore_missing).await;
    let bar = ctx.ui.progress(operations.len() as u64, "users");
    let progress = bar.clone();
    let report = client
        .users()
        .patch_all(org, operations)
        .concurrency(concurrency)
        .on_progress(move |done, _| progress.set_position(done as u64))
        .send()
        .await;
    bar.finish_and_clear();
    print_report(ctx, &report, settled)
}

/// Splits the operations into those to send and the report rows of those already in place
/// (`unchanged`), in place otherwise than asked (`failed`, with the difference) or naming a user the
/// organization does not have (`not_found`; `unchanged` with `ignore_missing`), by one listing of
/// the organization's users: a script run again changes nothing and exits 0. When the listing fails,
/// everything is sent (the service decides).
async fn in_place(
    client: &scc_sdk::Client,
    org: &str,
    operations: Vec<UserOperation>,
    ignore_missing: bool,
) -> (Vec<UserOperation>, Vec<serde_json::Value>) {
    use scc_sdk::types::{UserEffect, UserOperationType};
    let judged = [
        UserOperationType::Invite,
        UserOperationType::Enable,
        UserOperationType::Disable,
        UserOperationType::Remove,
    ];
    // Items the SDK refuses before sending are left to it (and read nothing).
    let judge = |op: &UserOperation| judged.contains(op.operation()) && op.validate("user").is_ok();
    if !operations.iter().any(judge) {
        return (operations, Vec::new());
    }
    let Ok(page) = client.users().list(org).send().await else {
        return (operations, Vec::new());
    };
    let key = scc_sdk::validate::name_key;
    let mut to_send = Vec::new();
    let mut settled = Vec::new();
    for op in operations {
        if !judge(&op) {
            to_send.push(op);
            continue;
        }
        let current = page
            .items
            .iter()
            .find(|user| user.email.as_deref().is_some_and(|email| key(email) == key(op.email())));
        let row = |result: &str, error: Option<String>| {
            let mut row =
                serde_json::json!({"email": op.email(), "operation": op.operation().as_str(), "result": result});
            if let Some(error) = error {
                row["error"] = error.into();
            }
            row
        };
        match op.effect_on(current) {
            UserEffect::None if op.is_admin() == Some(true) => match current {
                Some(user) if holds_admin(client, org, user.id.as_str()).await == Some(false) => settled.push(row(
                    "failed",
                    Some(format!(
                        "already a user, not an administrator: `scc role patch \"Organization Administrator\" --add-user {}`",
                        op.email()
                    )),
                )),
                Some(_) => settled.push(row("unchanged", None)),
                None => to_send.push(op),
            },
            UserEffect::None => settled.push(row("unchanged", None)),
            UserEffect::Conflicts(why) => {
                let hint = format!("; to change the names: `scc user update {} --first-name … --last-name …`", op.email());
                settled.push(row("failed", Some(format!("{why}{hint}"))));
            }
            UserEffect::NoSuchUser if ignore_missing => {
                settled.push(row("unchanged", Some("no such user (--ignore-missing)".into())));
            }
            UserEffect::NoSuchUser => settled.push(row("not_found", Some("no user has this e-mail in the organization".into()))),
            UserEffect::Changes => to_send.push(op),
        }
    }
    (to_send, settled)
}

/// Whether the user holds the Organization Administrator role (directly or through a group); `None`
/// when that cannot be read.
async fn holds_admin(client: &scc_sdk::Client, org: &str, user: &str) -> Option<bool> {
    let admin = client
        .roles()
        .find_role_id(org, "Security Cloud Control", "Organization Administrator")
        .await
        .ok()??;
    let held = client.roles().list(org).user(user).send().await.ok()?;
    Some(held.items.iter().any(|role| role.id.as_str() == admin.as_str()))
}

/// User operations from a file (or `-`): a JSON array, `{"users": [...]}`, or one JSON object per
/// line. A malformed item is reported with its position.
pub(crate) fn read_operations(path: &std::path::Path) -> Result<Vec<UserOperation>, CliError> {
    let operations = parse_operations(path)?;
    // A closed set checked here, before anything is sent: the service answers an unknown one 400.
    for (index, operation) in operations.iter().enumerate() {
        if let scc_sdk::types::UserOperationType::Unknown(name) = operation.operation() {
            return Err(CliError::usage(
                format!(
                    "{} item {index}: operation {name:?} is not one of {}",
                    path.display(),
                    scc_sdk::types::UserOperationType::KNOWN.join(", ")
                ),
                "fix the operation; groups take add/remove (scc group patch), users the operations listed",
            ));
        }
    }
    Ok(operations)
}

fn parse_operations(path: &std::path::Path) -> Result<Vec<UserOperation>, CliError> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|error| CliError::failure(format!("cannot read stdin: {error}"), None))?;
        text
    } else {
        std::fs::read_to_string(path)
            .map_err(|error| CliError::usage(format!("cannot read {}: {error}", path.display()), "check the path"))?
    };
    let invalid = |what: String| {
        CliError::usage(
            what,
            "give a JSON array, {\"users\": [...]}, or one JSON object per line",
        )
    };
    let trimmed = text.trim_start();
    if trimmed.starts_with('[')
        || trimmed.starts_with('{') && serde_json::from_str::<serde_json::Value>(trimmed).is_ok()
    {
        let value: serde_json::Value =
            serde_json::from_str(trimmed).map_err(|error| invalid(format!("{}: {error}", path.display())))?;
        let items = match value {
            serde_json::Value::Array(items) => items,
            serde_json::Value::Object(mut object) => match object.remove("users") {
                Some(serde_json::Value::Array(items)) => items,
                _ => vec![serde_json::Value::Object(object)],
            },
            _ => return Err(invalid(format!("{}: not a list of operations", path.display()))),
        };
        return items
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                serde_json::from_value(item)
                    .map_err(|error| invalid(format!("{} item {index}: {error}", path.display())))
            })
            .collect();
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            serde_json::from_str(line)
                .map_err(|error| invalid(format!("{} line {}: {error}", path.display(), number + 1)))
        })
        .collect()
}
