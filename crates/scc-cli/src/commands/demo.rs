//! `scc demo`: the seed's "Complete Working Example" (setup_org_flow) against an emulator started in
//! this process: read the organization, read and validate a claim code, build the products for a
//! preferred region, claim the subscription, invite users in one bulk call, create an admin group, add
//! the users, find the SCC Organization Administrator role, assign it to the group, and show the group's
//! users and roles.

use std::time::Instant;

use scc_sdk::types::{AppliesTo, GroupId, RegionCode, UserOperation};
use scc_sdk::{Client, Credentials};
use serde_json::{Value, json};

use super::{Ctx, to_json, to_json_list};
use crate::cli::{DemoArgs, Format};
use crate::failure::{CliError, Code};

const USERS: &[(&str, &str, &str, bool)] = &[
    ("ana.silva@customer.example", "Ana", "Silva", true),
    ("ben.okafor@customer.example", "Ben", "Okafor", false),
    ("chen.li@customer.example", "Chen", "Li", false),
];
const GROUP_NAME: &str = "Onboarding Administrators";
const PRODUCT: &str = "Security Cloud Control";
const ROLE: &str = "Organization Administrator";

struct Step {
    name: &'static str,
    outcome: Result<(String, Value), String>,
}

struct Flow {
    steps: Vec<Step>,
}

impl Flow {
    /// Runs a step unless an earlier one failed; its detail line and JSON result are kept.
    async fn step<T, F>(&mut self, name: &'static str, work: F) -> Option<T>
    where
        F: std::future::Future<Output = Result<(T, String, Value), scc_sdk::Error>>,
    {
        if self.steps.iter().any(|step| step.outcome.is_err()) {
            return None;
        }
        match work.await {
            Ok((value, detail, result)) => {
                self.steps.push(Step {
                    name,
                    outcome: Ok((detail, result)),
                });
                Some(value)
            }
            Err(error) => {
                self.steps.push(Step {
                    name,
                    outcome: Err(error.to_string()),
                });
                None
            }
        }
    }
}

pub(crate) async fn run(ctx: &Ctx, args: DemoArgs) -> Result<Code, CliError> {
    let started = Instant::now();
    let emulator = scc_emulator::spawn(scc_emulator::EmulatorOptions::default().seed(args.seed)).await?;
    let ready = emulator.ready().clone();
    let client = Client::builder()
        .base_url(emulator.base_url())
        .credentials(Credentials::new(
            ready.org_id.as_str(),
            ready.admin.api_key_id.as_str(),
            ready.admin.access_token.as_str(),
            ready.admin.refresh_token.as_str(),
        ))
        .build()?;
    let org = ready.org_id.clone();
    let claim_code = ready.claim_codes.valid.first().cloned().unwrap_or_default();
    let region = RegionCode::from(args.region.as_str());
    let mut flow = Flow { steps: Vec::new() };

    flow.step("Read the organization", async {
        let found = client.organizations().get(org.as_str()).await?;
        let detail = format!(
            "{} ({}, {})",
            found.name.clone().unwrap_or_default(),
            found.organization_type.as_ref().map_or("-", |t| t.as_str()),
            found.region_code.as_ref().map_or("-", |r| r.as_str())
        );
        Ok(((), detail, to_json(&found)))
    })
    .await;

    let info = flow
        .step("Read and validate the claim code", async {
            let info = client
                .subscriptions()
                .read_claim_code(org.as_str(), claim_code.as_str())
                .await?;
            let names: Vec<_> = info.products.iter().filter_map(|p| p.name.clone()).collect();
            let detail = format!("{claim_code}: {}", names.join(", "));
            let json = to_json(&info);
            Ok((info, detail, json))
        })
        .await;

    let products = flow
        .step("Build the products for the preferred region", async {
            let info = info
                .clone()
                .unwrap_or_else(|| unreachable!("runs only after the claim info"));
            let products = client
                .subscriptions()
                .build_products_from_claim_info(&info, region.clone());
            let detail = info
                .products
                .iter()
                .zip(&products)
                .map(|(product, chosen)| {
                    format!("{} → {}", product.name.clone().unwrap_or_default(), chosen.region_code)
                })
                .collect::<Vec<_>>()
                .join(", ");
            let json = to_json(&products);
            Ok((products, format!("{detail} (preferred {region})"), json))
        })
        .await;

    flow.step("Claim the subscription", async {
        let products = products.clone().unwrap_or_default();
        let count = products.len();
        let created = client
            .subscriptions()
            .create(org.as_str(), claim_code.as_str())
            .products(products)
            .send()
            .await?;
        let detail = format!(
            "{} ({} products provisioned)",
            created.name.clone().unwrap_or_default(),
            count
        );
        Ok(((), detail, to_json(&created)))
    })
    .await;

    flow.step("Invite the users in one bulk call", async {
        let operations: Vec<_> = USERS
            .iter()
            .map(|(email, first, last, admin)| UserOperation::invite(*email, *first, *last).admin(*admin))
            .collect();
        let result = client.users().patch(org.as_str(), operations).await?;
        let summary = result.summary();
        let detail = format!("{} of {} invited", summary.succeeded, summary.total);
        if !summary.all_successful {
            let reasons: Vec<_> = result.failures().filter_map(|f| f.error_description.clone()).collect();
            return Err(scc_sdk::Error::InvalidInput {
                field: "users".into(),
                reason: format!("{detail}: {}", reasons.join("; ")),
            });
        }
        Ok(((), detail, to_json(&result)))
    })
    .await;

    let group_id: Option<GroupId> = flow
        .step("Create an admin group", async {
            let group = client
                .groups()
                .create(org.as_str(), GROUP_NAME)
                .description("Administrators of the onboarded customer")
                .applies_to(AppliesTo::All)
                .send()
                .await?;
            let detail = format!("{} ({})", group.name.clone().unwrap_or_default(), group.id);
            let json = to_json(&group);
            Ok((group.id, detail, json))
        })
        .await;
    let group = group_id.clone().unwrap_or_else(|| GroupId::new(""));

    flow.step("Add the users to the group", async {
        let mut request = client.groups().patch(org.as_str(), &group);
        for (email, ..) in USERS {
            request = request.add_user(*email);
        }
        let result = request.send().await?;
        let summary = result.summary();
        Ok((
            (),
            format!("{} of {} added", summary.succeeded, summary.total),
            to_json(&result),
        ))
    })
    .await;

    let role_id = flow
        .step("Find the role", async {
            match client.roles().find_role_id(org.as_str(), PRODUCT, ROLE).await? {
                Some(id) => Ok((id.clone(), format!("{PRODUCT} / {ROLE}: {id}"), json!({"id": id}))),
                None => Err(scc_sdk::Error::InvalidInput {
                    field: "role".into(),
                    reason: format!("no STATIC role {ROLE:?} for {PRODUCT:?}"),
                }),
            }
        })
        .await;

    flow.step("Assign the role to the group", async {
        let role = role_id.clone().unwrap_or_else(|| scc_sdk::types::RoleId::new(""));
        let result = client
            .roles()
            .patch(org.as_str(), &role)
            .add_group(group.as_str())
            .send()
            .await?;
        let summary = result.summary();
        Ok((
            (),
            format!("{} of {} assignments succeeded", summary.succeeded, summary.total),
            to_json(&result),
        ))
    })
    .await;

    flow.step("Show the group's users and roles", async {
        let users = client.groups().get_users(org.as_str(), &group).await?;
        let roles = client.groups().get_assigned_roles(org.as_str(), &group).await?;
        let emails: Vec<_> = users.items.iter().filter_map(|user| user.email.clone()).collect();
        let role_names: Vec<_> = roles
            .items
            .iter()
            .filter_map(|role| role.display_name.clone())
            .collect();
        let detail = format!("users: {}; roles: {}", emails.join(", "), role_names.join(", "));
        Ok((
            (),
            detail,
            json!({"users": to_json_list(&users.items), "roles": to_json_list(&roles.items)}),
        ))
    })
    .await;

    report(ctx, &flow, emulator.base_url(), started.elapsed().as_secs_f64())
}

const STEP_COUNT: usize = 10;

fn report(ctx: &Ctx, flow: &Flow, base_url: &str, seconds: f64) -> Result<Code, CliError> {
    let succeeded = flow.steps.iter().filter(|step| step.outcome.is_ok()).count();
    let failed = flow.steps.len() - succeeded;
    let skipped = STEP_COUNT - flow.steps.len();
    match ctx.ui.format {
        Format::Json | Format::Ndjson | Format::Yaml => {
            let mut steps: Vec<Value> = flow
                .steps
                .iter()
                .enumerate()
                .map(|(index, step)| match &step.outcome {
                    Ok((detail, result)) => {
                        json!({"step": index + 1, "name": step.name, "status": "ok", "detail": detail, "result": result})
                    }
                    Err(error) => json!({"step": index + 1, "name": step.name, "status": "failed", "error": error}),
                })
                .collect();
            for index in flow.steps.len()..STEP_COUNT {
                steps.push(json!({"step": index + 1, "status": "skipped"}));
            }
            let document = json!({
                "emulator": base_url,
                "steps": steps,
                "summary": {"total": STEP_COUNT, "succeeded": succeeded, "failed": failed, "skipped": skipped,
                            "seconds": (seconds * 1000.0).round() / 1000.0},
            });
            ctx.ui.item(&document, &[]);
        }
        Format::Table | Format::Wide => {
            let mut text = format!("scc demo: the onboarding flow against the embedded emulator at {base_url}\n\n");
            for (index, step) in flow.steps.iter().enumerate() {
                match &step.outcome {
                    Ok((detail, _)) => text.push_str(&format!("✓ {:>2}. {}: {detail}\n", index + 1, step.name)),
                    Err(error) => text.push_str(&format!("✗ {:>2}. {}: {error}\n", index + 1, step.name)),
                }
            }
            for index in flow.steps.len()..STEP_COUNT {
                text.push_str(&format!("- {:>2}. skipped\n", index + 1));
            }
            text.push_str(&format!(
                "\n{succeeded}/{STEP_COUNT} steps succeeded, {failed} failed, {skipped} skipped, in {seconds:.2} s\n"
            ));
            ctx.ui.write_stdout(&text);
        }
    }
    if succeeded == STEP_COUNT {
        Ok(Code::Ok)
    } else {
        Err(CliError::failure(
            format!("{failed} demo step(s) failed"),
            Some("see the failed step above"),
        ))
    }
}
