//! `scc subscription`.

use scc_sdk::types::{EntitlementQuantity, RegionCode, SubscriptionType};

use super::{Ctx, to_json, to_json_list};
use crate::cli::SubscriptionCommand;
use crate::failure::{CliError, Code};
use crate::output::columns;

pub(crate) async fn run(ctx: &Ctx, command: SubscriptionCommand) -> Result<Code, CliError> {
    let client = ctx.client()?;
    if let SubscriptionCommand::List { name, all_orgs: true } = &command {
        return super::across_orgs(ctx, &client, "listing subscriptions", columns::SUBSCRIPTION, |org| {
            let request = client.subscriptions().list(org).set_name(name.clone());
            async move { Ok(to_json_list(&request.send().await?.items)) }
        })
        .await;
    }
    let subscriptions = client.subscriptions();
    let org = ctx.org(&client).await?;
    match command {
        SubscriptionCommand::List { name, .. } => {
            let page = subscriptions.list(org).set_name(name).send().await?;
            ctx.ui.list(&to_json_list(&page.items), columns::SUBSCRIPTION);
        }
        SubscriptionCommand::Get { subscription_id } => {
            let subscription_id = crate::resolve::subscription(&client, &org, &subscription_id).await?;
            ctx.ui.item(
                &to_json(&subscriptions.get(org, subscription_id).await?),
                columns::SUBSCRIPTION,
            );
        }
        SubscriptionCommand::ClaimInfo { claim_code } => {
            let info = subscriptions.read_claim_code(org, claim_code).await?;
            match ctx.ui.format {
                crate::cli::Format::Table | crate::cli::Format::Wide => {
                    ctx.ui.list(&to_json_list(&info.products), columns::PRODUCT)
                }
                _ => ctx.ui.item(&to_json(&info), &[]),
            }
        }
        SubscriptionCommand::Claim {
            claim_code,
            region,
            products,
            subscription_type,
        } => {
            let info = subscriptions.read_claim_code(org.as_str(), claim_code.as_str()).await?;
            let mut selection = subscriptions.build_products_from_claim_info(&info, region.as_str());
            // Products by id or name (the claim code's).
            let offered: Vec<(String, String)> = info
                .products
                .iter()
                .filter_map(|product| Some((product.id.to_string(), product.name.clone()?)))
                .collect();
            let products = products
                .iter()
                .map(|text| crate::resolve::product(text, offered.clone()))
                .collect::<Result<Vec<_>, _>>()?;
            if !products.is_empty() {
                if let Some(unknown) = products
                    .iter()
                    .find(|id| !selection.iter().any(|p| p.id.as_str() == id.as_str()))
                {
                    return Err(CliError::usage(
                        format!("product {unknown} is not offered by claim code {claim_code}"),
                        "see `scc subscription claim-info CODE` for its products",
                    ));
                }
                selection.retain(|product| products.iter().any(|id| id == product.id.as_str()));
            }
            for product in &selection {
                ctx.ui.note(&format!("{} → {}", product.id, product.region_code));
            }
            let created = subscriptions
                .create(org, claim_code)
                .products(selection)
                .set_subscription_type(subscription_type.map(SubscriptionType::from))
                .send()
                .await?;
            ctx.ui.item(&to_json(&created), columns::SUBSCRIPTION);
        }
        SubscriptionCommand::Update {
            subscription_id,
            product,
            activate: _,
            deactivate,
            region,
            source_instance,
            initial_admin,
        } => {
            let subscription_id = crate::resolve::subscription(&client, &org, &subscription_id).await?;
            let products = crate::resolve::subscription_products(&client, &org, &subscription_id, &[&product]).await?;
            let product = crate::resolve::product(&product, products)?;
            let updated = subscriptions
                .update(org.as_str(), subscription_id, product, !deactivate)
                .set_region_code(region.map(RegionCode::from))
                .set_source_instance_id(source_instance)
                .set_initial_admin(initial_admin)
                .send()
                .await?;
            ctx.ui.item(&to_json(&updated), columns::SUBSCRIPTION);
        }
        SubscriptionCommand::Patch {
            subscription_id,
            entitlements,
            use_existing_tenants,
        } => {
            let entitlements = entitlements
                .iter()
                .map(|text| {
                    let (sku, quantity) = text.split_once('=').ok_or_else(|| {
                        CliError::usage(
                            format!("--entitlement {text:?} is not SKU=QUANTITY"),
                            "e.g. --entitlement E3S-AIDEF-ADV=10",
                        )
                    })?;
                    let quantity = quantity.trim().parse::<i64>().map_err(|_| {
                        CliError::usage(
                            format!("--entitlement {text:?}: the quantity is not a number"),
                            "e.g. --entitlement E3S-AIDEF-ADV=10",
                        )
                    })?;
                    Ok(EntitlementQuantity::new(sku.trim(), quantity))
                })
                .collect::<Result<Vec<_>, CliError>>()?;
            let subscription_id = crate::resolve::subscription(&client, &org, &subscription_id).await?;
            let texts: Vec<&str> = use_existing_tenants.iter().map(String::as_str).collect();
            let products = crate::resolve::subscription_products(&client, &org, &subscription_id, &texts).await?;
            let use_existing_tenants = use_existing_tenants
                .iter()
                .map(|text| crate::resolve::product(text, products.clone()))
                .collect::<Result<Vec<_>, _>>()?;
            let mut request = subscriptions.patch(org, subscription_id, entitlements);
            if !use_existing_tenants.is_empty() {
                request = request.use_existing_tenants_for_products(use_existing_tenants);
            }
            ctx.ui.item(&to_json(&request.send().await?), columns::SUBSCRIPTION);
        }
    }
    Ok(Code::Ok)
}
