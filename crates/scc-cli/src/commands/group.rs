//! `scc group`.

use scc_sdk::types::AppliesTo;

use super::{Ctx, to_json, to_json_list};
use crate::cli::GroupCommand;
use crate::failure::{CliError, Code};
use crate::output::columns;

pub(crate) async fn run(ctx: &Ctx, command: GroupCommand) -> Result<Code, CliError> {
    let client = ctx.client()?;
    if let GroupCommand::List {
        all_orgs: true, paging, ..
    } = &command
    {
        let page_size = paging.page_size;
        return super::across_orgs(ctx, &client, "listing admin groups", columns::GROUP, |org| {
            let mut request = client.groups().list(org);
            if let Some(size) = page_size {
                request = request.max(size);
            }
            async move {
                let groups: Vec<_> = futures_util::TryStreamExt::try_collect(request.items()).await?;
                Ok(to_json_list(&groups))
            }
        })
        .await;
    }
    let groups = client.groups();
    let org = ctx.org(&client).await?;
    let id = |text: String| {
        let client = &client;
        let org = org.clone();
        async move { crate::resolve::group(client, &org, &text).await }
    };
    match command {
        GroupCommand::List { cursor, paging, .. } => {
            let mut request = groups.list(org).set_cursor(cursor).set_max_items(paging.max_items);
            if let Some(size) = paging.page_size {
                request = request.max(size);
            }
            let items = super::listing(
                ctx,
                &paging,
                "listing admin groups",
                || request.clone().send(),
                || request.clone().items(),
            )
            .await?;
            ctx.ui.list(&to_json_list(&items), columns::GROUP);
        }
        GroupCommand::Get { group_id } => {
            let group_id = id(group_id).await?;
            ctx.ui.item(&to_json(&groups.get(org, group_id).await?), columns::GROUP)
        }
        GroupCommand::Create {
            name,
            description,
            applies_to,
        } => {
            let group = groups
                .create(org, name)
                .set_description(description)
                .set_applies_to(applies_to.map(AppliesTo::from))
                .send()
                .await?;
            ctx.ui.item(&to_json(&group), columns::GROUP);
        }
        GroupCommand::Update {
            group_id,
            name,
            description,
        } => {
            let group_id = id(group_id).await?;
            let group = groups
                .update(org, group_id)
                .set_name(name)
                .set_description(description)
                .send()
                .await?;
            ctx.ui.item(&to_json(&group), columns::GROUP);
        }
        GroupCommand::Delete { group_id } => {
            let group_id = id(group_id).await?;
            let group = group_label(&client, &org, &group_id).await;
            let label = ctx.org_label(&client, &org).await;
            if !ctx.confirm(&format!("delete admin group {group} of organization {label}"))? {
                return Ok(ctx.declined());
            }
            groups.delete(org, group_id.as_str()).await?;
            ctx.ui.success(&format!("deleted admin group {group_id}"));
        }
        GroupCommand::RemoveShared { group_id } => {
            let group_id = id(group_id).await?;
            let group = group_label(&client, &org, &group_id).await;
            let label = ctx.org_label(&client, &org).await;
            if !ctx.confirm(&format!("remove shared group {group} from organization {label}"))? {
                return Ok(ctx.declined());
            }
            groups.remove_shared_group(org.as_str(), group_id.as_str()).await?;
            ctx.ui.success(&format!("removed shared group {group_id} from {org}"));
        }
        GroupCommand::Patch {
            group_id,
            add_users,
            remove_users,
            add_managed_orgs,
            remove_managed_orgs,
        } => {
            let group_id = id(group_id).await?;
            // Managed organizations by name, as everywhere an id is taken.
            let mut add_managed = Vec::with_capacity(add_managed_orgs.len());
            for text in add_managed_orgs {
                add_managed.push(crate::resolve::org(&client, &text).await?);
            }
            let mut remove_managed = Vec::with_capacity(remove_managed_orgs.len());
            for text in remove_managed_orgs {
                remove_managed.push(crate::resolve::org(&client, &text).await?);
            }
            let (add_managed_orgs, remove_managed_orgs) = (add_managed, remove_managed);
            // What is already in place is not sent (a script run again exits 0): one read of the
            // members, one of the managed organizations, when the change names them.
            let key = scc_sdk::validate::name_key;
            let members: Option<Vec<String>> = if add_users.is_empty() && remove_users.is_empty() {
                None
            } else {
                groups
                    .get_users(org.as_str(), group_id.as_str())
                    .await
                    .ok()
                    .map(|page| {
                        page.items
                            .iter()
                            .filter_map(|user| user.email.as_deref().map(key))
                            .collect()
                    })
            };
            let managed: Option<Vec<String>> = if add_managed_orgs.is_empty() && remove_managed_orgs.is_empty() {
                None
            } else {
                groups
                    .get_managed_organizations(org.as_str(), group_id.as_str())
                    .await
                    .ok()
                    .map(|page| page.items.iter().filter_map(|org| org.id.clone()).collect())
            };
            let mut in_place = super::InPlace::default();
            let mut request = groups.patch(org, group_id);
            let has_member = |email: &str| members.as_ref().map(|members| members.contains(&key(email)));
            let has_org = |id: &str| managed.as_ref().map(|orgs| orgs.iter().any(|org| org == id.trim()));
            for email in add_users {
                if !in_place.settled("user", "add", &email, has_member(&email)) {
                    request = request.add_user(email);
                }
            }
            for email in remove_users {
                if !in_place.settled("user", "remove", &email, has_member(&email)) {
                    request = request.remove_user(email);
                }
            }
            for id in add_managed_orgs {
                if !in_place.settled("managedOrg", "add", &id, has_org(&id)) {
                    request = request.add_managed_org(id);
                }
            }
            for id in remove_managed_orgs {
                if !in_place.settled("managedOrg", "remove", &id, has_org(&id)) {
                    request = request.remove_managed_org(id);
                }
            }
            return in_place.finish(ctx, request.send()).await;
        }
        GroupCommand::Users { group_id } => {
            let group_id = id(group_id).await?;
            let users = groups.get_users(org, group_id).await?;
            ctx.ui.list(&to_json_list(&users.items), columns::USER);
        }
        GroupCommand::Roles { group_id } => {
            let group_id = id(group_id).await?;
            let roles = groups.get_assigned_roles(org, group_id).await?;
            ctx.ui.list(&to_json_list(&roles.items), columns::ROLE);
        }
        GroupCommand::ManagedOrgs { group_id } => {
            let group_id = id(group_id).await?;
            let orgs = groups.get_managed_organizations(org, group_id).await?;
            ctx.ui.list(
                &to_json_list(&orgs.items),
                &[("ID", "id"), ("NAME", "name"), ("TYPE", "type")],
            );
        }
    }
    Ok(Code::Ok)
}

/// A group as a prompt names it: `"SOC" (id)`; its id alone when the name cannot be read.
async fn group_label(client: &scc_sdk::Client, org: &str, id: &str) -> String {
    match client.groups().get(org, id).await {
        Ok(group) => match group.name {
            Some(name) => format!("{name:?} ({id})"),
            None => id.to_owned(),
        },
        Err(_) => id.to_owned(),
    }
}
