//! `scc role`.

use scc_sdk::types::RoleType;

use super::{Ctx, to_json, to_json_list};
use crate::cli::RoleCommand;
use crate::failure::{CliError, Code};
use crate::output::columns;

pub(crate) async fn run(ctx: &Ctx, command: RoleCommand) -> Result<Code, CliError> {
    let client = ctx.client()?;
    if let RoleCommand::List {
        role_type,
        all_orgs: true,
        ..
    } = &command
    {
        let role_type = role_type.clone().map(RoleType::from);
        return super::across_orgs(ctx, &client, "listing roles", columns::ROLE, |org| {
            let request = client.roles().list(org).set_role_type(role_type.clone());
            async move { Ok(to_json_list(&request.send().await?.items)) }
        })
        .await;
    }
    let roles = client.roles();
    let org = ctx.org(&client).await?;
    match command {
        RoleCommand::List { role_type, user, .. } => {
            let user = match user {
                Some(user) => Some(crate::resolve::user(&client, &org, &user).await?),
                None => None,
            };
            let page = roles
                .list(org)
                .set_role_type(role_type.map(RoleType::from))
                .set_user(user.map(Into::into))
                .send()
                .await?;
            ctx.ui.list(&to_json_list(&page.items), columns::ROLE);
        }
        RoleCommand::Get { role_id } => {
            let role_id = crate::resolve::role(&client, &org, &role_id).await?;
            ctx.ui.item(&to_json(&roles.get(org, role_id).await?), columns::ROLE)
        }
        RoleCommand::Find { product, name } => match roles.find_role_id(org, &product, &name).await? {
            Some(id) => ctx.ui.item(
                &serde_json::json!({"id": id, "displayName": name, "product": product}),
                &[("ID", "id"), ("DISPLAY NAME", "displayName"), ("PRODUCT", "product")],
            ),
            None => {
                return Err(CliError::new(
                    Code::NotFound,
                    format!("no STATIC role {name:?} for product {product:?}"),
                    Some("names match exactly; see `scc role list --type STATIC`".into()),
                ));
            }
        },
        RoleCommand::Patch {
            role_id,
            add_users,
            remove_users,
            add_groups,
            remove_groups,
        } => {
            let role_id = crate::resolve::role(&client, &org, &role_id).await?;
            let mut request = roles.patch(org.as_str(), role_id.clone());
            // What is already in place is not sent (a script run again exits 0).
            let mut in_place = super::InPlace::default();
            for user in add_users {
                let user = crate::resolve::user(&client, &org, &user).await?;
                if !in_place.settled(
                    "user",
                    "add",
                    &user,
                    held_directly(&client, &org, &role_id, &user).await,
                ) {
                    request = request.add_user(user);
                }
            }
            for user in remove_users {
                let user = crate::resolve::user(&client, &org, &user).await?;
                if !in_place.settled(
                    "user",
                    "remove",
                    &user,
                    held_directly(&client, &org, &role_id, &user).await,
                ) {
                    request = request.remove_user(user);
                }
            }
            for group in add_groups {
                let group = crate::resolve::group(&client, &org, &group).await?;
                if !in_place.settled(
                    "group",
                    "add",
                    &group,
                    group_holds(&client, &org, &role_id, &group).await,
                ) {
                    request = request.add_group(group);
                }
            }
            for group in remove_groups {
                let group = crate::resolve::group(&client, &org, &group).await?;
                if !in_place.settled(
                    "group",
                    "remove",
                    &group,
                    group_holds(&client, &org, &role_id, &group).await,
                ) {
                    request = request.remove_group(group);
                }
            }
            return in_place.finish(ctx, request.send()).await;
        }
    }
    Ok(Code::Ok)
}

/// Whether the group holds the role; `None` when that cannot be read.
async fn group_holds(client: &scc_sdk::Client, org: &str, role: &str, group: &str) -> Option<bool> {
    let held = client.groups().get_assigned_roles(org, group).await.ok()?;
    Some(held.items.iter().any(|held| held.id.as_str() == role))
}

/// Whether the user holds the role directly: the service lists the roles a user holds directly or
/// through a group, so those of the user's groups are taken out. `None` when that cannot be read.
async fn held_directly(client: &scc_sdk::Client, org: &str, role: &str, user: &str) -> Option<bool> {
    let held = client.roles().list(org).user(user).send().await.ok()?;
    if !held.items.iter().any(|held| held.id.as_str() == role) {
        return Some(false);
    }
    let groups = client.users().get_groups(org, user).await.ok()?;
    for group in &groups.items {
        if group_holds(client, org, role, group.id.as_str()).await? {
            // Through a group, and perhaps directly too: that cannot be told, so it is sent.
            return None;
        }
    }
    Some(true)
}
