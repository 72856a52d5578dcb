//! `scc role`.

use scc_sdk::types::RoleType;

use super::{Ctx, print_results, to_json, to_json_list};
use crate::cli::RoleCommand;
use crate::failure::{CliError, Code};
use crate::output::columns;

pub(crate) async fn run(ctx: &Ctx, command: RoleCommand) -> Result<Code, CliError> {
    let client = ctx.client()?;
    let roles = client.roles();
    let org = ctx.org(&client).await?;
    match command {
        RoleCommand::List { role_type, user } => {
            let user = match user {
                Some(user) => Some(super::resolve::user(&client, &org, &user).await?),
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
            let role_id = super::resolve::role(&client, &org, &role_id).await?;
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
            let role_id = super::resolve::role(&client, &org, &role_id).await?;
            let mut request = roles.patch(org.as_str(), role_id);
            for user in add_users {
                request = request.add_user(super::resolve::user(&client, &org, &user).await?);
            }
            for user in remove_users {
                request = request.remove_user(super::resolve::user(&client, &org, &user).await?);
            }
            for group in add_groups {
                request = request.add_group(super::resolve::group(&client, &org, &group).await?);
            }
            for group in remove_groups {
                request = request.remove_group(super::resolve::group(&client, &org, &group).await?);
            }
            return Ok(print_results(ctx, &request.send().await?));
        }
    }
    Ok(Code::Ok)
}
