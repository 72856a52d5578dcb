//! `scc org`.

use scc_sdk::types::{OrganizationType, RegionCode, SortOrder};

use super::{Ctx, to_json, to_json_list};
use crate::cli::OrgCommand;
use crate::failure::{CliError, Code};
use crate::output::columns;

pub(crate) async fn run(ctx: &Ctx, command: OrgCommand) -> Result<Code, CliError> {
    let client = ctx.client()?;
    let orgs = client.organizations();
    match command {
        OrgCommand::List {
            name,
            org_type,
            region,
            country,
            manager,
            sort_by,
            order,
            cursor,
            paging,
        } => {
            let mut request = orgs
                .list()
                .set_name(name)
                .set_organization_type(org_type.map(OrganizationType::from))
                .set_region_code(region.map(RegionCode::from))
                .set_country_code(country)
                .set_manager_org_id(manager.map(Into::into))
                .set_sort_by(sort_by)
                .set_order(order.map(SortOrder::from))
                .set_cursor(cursor)
                .set_max_items(paging.max_items);
            if let Some(size) = paging.page_size {
                request = request.max(size);
            }
            let items = super::listing(
                ctx,
                &paging,
                "listing organizations",
                || request.clone().send(),
                || request.clone().items(),
            )
            .await?;
            ctx.ui.list(&to_json_list(&items), columns::ORG);
        }
        OrgCommand::Get { org_id } => {
            let id = match org_id {
                Some(text) => crate::resolve::org(&client, &text).await?,
                None => ctx.org(&client).await?,
            };
            ctx.ui.item(&to_json(&orgs.get(id).await?), columns::ORG);
        }
        OrgCommand::Create {
            name,
            region,
            org_type,
            if_missing,
        } => {
            // Names are how people and plans find organizations: a second one of a name makes every
            // lookup of it ambiguous, so it is never made by accident.
            let existing = scc_apply::orgs_named(&client, &name).await?;
            if let Some(org) = existing.first() {
                let ids: Vec<String> = existing.iter().map(|org| org.id.to_string()).collect();
                if if_missing && existing.len() == 1 {
                    ctx.ui.note(&format!(
                        "organization {} exists (id {}): nothing was created",
                        crate::output::one_line(&name),
                        org.id
                    ));
                    ctx.ui.item(&to_json(org), columns::ORG);
                    return Ok(Code::Ok);
                }
                return Err(CliError::failure(
                    format!(
                        "an organization named {:?} exists already (id {}): nothing was created",
                        crate::output::one_line(&name),
                        ids.join(", ")
                    ),
                    Some(if existing.len() == 1 {
                        "--if-missing answers the existing organization; give another name for a new one"
                    } else {
                        "several organizations have this name: keep one, remove the others in Security Cloud Control"
                    }),
                ));
            }
            let org_type = reachable_type(ctx, &client, org_type.map(OrganizationType::from)).await?;
            let org = orgs
                .create(name, region)
                .set_organization_type(Some(org_type))
                .send()
                .await?;
            ctx.ui.item(&to_json(&org), columns::ORG);
        }
        OrgCommand::Update { org_id, name } => {
            let org_id = crate::resolve::org(&client, &org_id).await?;
            ctx.ui.item(&to_json(&orgs.update(org_id, name).await?), columns::ORG);
        }
    }
    Ok(Code::Ok)
}

/// The type of a new organization: as given, else what the key can manage (a MANAGER's key: MANAGED;
/// otherwise STANDALONE). Says so before creating one the key will not reach (a token reaches its own
/// organization and the ones it manages only), so a retry never makes a second one.
async fn reachable_type(
    ctx: &Ctx,
    client: &scc_sdk::Client,
    given: Option<OrganizationType>,
) -> Result<OrganizationType, CliError> {
    let own = match ctx.settings.org() {
        Ok(org_id) => Some(client.organizations().get(org_id).await?),
        Err(_) => None,
    };
    let manager = own
        .as_ref()
        .is_some_and(|org| org.organization_type == Some(OrganizationType::Manager));
    let chosen = match given {
        Some(given) => given,
        None if manager => {
            ctx.ui.note("creating a MANAGED organization: the key's organization is a MANAGER (--type standalone for one it will not manage)");
            OrganizationType::Managed
        }
        None => OrganizationType::Standalone,
    };
    if chosen != OrganizationType::Managed {
        let whose = own
            .as_ref()
            .and_then(|org| org.name.clone())
            .map_or_else(|| "this key".to_owned(), |name| format!("this key (of {name})"));
        ctx.ui.note(&format!(
            "note: {whose} will not reach the new {} organization: only its own API key manages it",
            chosen.as_str()
        ));
    }
    Ok(chosen)
}
