//! The complete working example (the Python SDK's `examples/setup_org_flow.py`): read the
//! organization, validate a claim code, claim the subscription for a preferred region, invite users in
//! one bulk call, create an admin group, add the users, find the "Security Cloud Control" /
//! "Organization Administrator" role and assign it to the group.
//!
//! Configuration, from the environment:
//! - `SCC_EMULATOR_READY`: the emulator's ready line (the JSON text, or a file holding it), which gives
//!   the URL, the organization, a token and a claim code; or
//! - `SCC_BASE_URL`, `SCC_ACCESS_TOKEN`, `SCC_ORG_ID`, `SCC_CLAIM_CODE`.
//!
//! ```sh
//! cargo run -p scc-emulator -- --port 0 > /tmp/ready.json &   # or use the real service
//! SCC_EMULATOR_READY=/tmp/ready.json cargo run -p scc-sdk --example setup_org_flow
//! ```

use scc_sdk::Client;
use scc_sdk::types::{AppliesTo, RegionCode, UserOperation};

/// What the flow needs to know.
#[derive(Debug, Clone)]
pub struct FlowConfig {
    /// The service (or emulator) address.
    pub base_url: String,
    /// An admin access token.
    pub access_token: String,
    /// The organization to set up.
    pub org_id: String,
    /// The claim code of its subscription.
    pub claim_code: String,
    /// Where its products go when they may.
    pub preferred_region: RegionCode,
    /// E-mail, first and last name of each user to invite.
    pub users: Vec<(String, String, String)>,
    /// The admin group to create.
    pub group_name: String,
}

impl FlowConfig {
    /// The flow for one organization, with two users and one group.
    pub fn new(base_url: String, access_token: String, org_id: String, claim_code: String) -> Self {
        Self {
            base_url,
            access_token,
            org_id,
            claim_code,
            preferred_region: RegionCode::Nam,
            users: vec![
                ("john.doe@example.com".into(), "John".into(), "Doe".into()),
                ("jane.smith@example.com".into(), "Jane".into(), "Smith".into()),
            ],
            group_name: "Workshop Administrators".into(),
        }
    }

    /// From `SCC_EMULATOR_READY`, else from the `SCC_*` variables.
    pub fn from_env() -> Result<Self, Box<dyn std::error::Error>> {
        let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let (base_url, access_token, org_id, claim_code) = match var("SCC_EMULATOR_READY") {
            Some(ready) => {
                let text = if ready.trim_start().starts_with('{') {
                    ready
                } else {
                    std::fs::read_to_string(ready)?
                };
                let ready: serde_json::Value = serde_json::from_str(text.lines().next().unwrap_or_default())?;
                let field = |path: &[&str]| {
                    path.iter()
                        .fold(&ready, |value, key| &value[*key])
                        .as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("the ready line has no {}", path.join(".")))
                };
                (
                    field(&["base_url"])?,
                    field(&["admin", "access_token"])?,
                    field(&["org_id"])?,
                    ready["claim_codes"]["valid"][0].as_str().unwrap_or_default().to_owned(),
                )
            }
            None => (
                var("SCC_BASE_URL").unwrap_or_else(|| scc_sdk::config::DEFAULT_BASE_URL.to_owned()),
                var("SCC_ACCESS_TOKEN").ok_or("set SCC_EMULATOR_READY or SCC_ACCESS_TOKEN")?,
                var("SCC_ORG_ID").ok_or("set SCC_ORG_ID")?,
                var("SCC_CLAIM_CODE").ok_or("set SCC_CLAIM_CODE")?,
            ),
        };
        Ok(Self::new(base_url, access_token, org_id, claim_code))
    }
}

/// What the flow did.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowReport {
    /// The claimed subscription.
    pub subscription_id: String,
    /// Invitations that succeeded.
    pub invited: usize,
    /// The created group.
    pub group_id: String,
    /// The assigned role.
    pub role_id: String,
    /// The group's members at the end.
    pub group_users: Vec<String>,
    /// The group's roles at the end.
    pub group_roles: Vec<String>,
}

/// The whole onboarding of one organization.
pub async fn run(client: &Client, config: &FlowConfig) -> Result<FlowReport, Box<dyn std::error::Error>> {
    let org_id = config.org_id.as_str();

    // 1. Organization details.
    let org = client.organizations().get(org_id).await?;
    println!(
        "Organization: {} ({:?})",
        org.name.as_deref().unwrap_or("-"),
        org.organization_type
    );

    // 2. Read and validate the claim code, build the products, claim the subscription.
    let subscriptions = client.subscriptions();
    let claim_info = subscriptions
        .read_claim_code(org_id, config.claim_code.as_str())
        .await?;
    println!(
        "Claim code {}: {} product(s)",
        config.claim_code,
        claim_info.products.len()
    );
    let products = subscriptions.build_products_from_claim_info(&claim_info, config.preferred_region.clone());
    let subscription = subscriptions
        .create(org_id, config.claim_code.as_str())
        .products(products)
        .send()
        .await?;
    println!("Claimed subscription {}", subscription.id);

    // 3. Invite the users in one bulk call.
    let invitations: Vec<_> = config
        .users
        .iter()
        .map(|(email, first, last)| UserOperation::invite(email.as_str(), first.as_str(), last.as_str()))
        .collect();
    let invited = client.users().patch(org_id, invitations).await?;
    for failure in invited.failures() {
        println!("Invitation of {:?} failed: {:?}", failure.id, failure.error_description);
    }
    println!(
        "Invited {} of {} user(s)",
        invited.summary().succeeded,
        invited.summary().total
    );

    // 4. Create the admin group.
    let group = client
        .groups()
        .create(org_id, config.group_name.as_str())
        .description("Administrators created by the setup flow")
        .applies_to(AppliesTo::All)
        .send()
        .await?;
    println!("Created admin group {}", group.id);

    // 5. Add the users to the group.
    let mut patch = client.groups().patch(org_id, &group.id);
    for (email, ..) in &config.users {
        patch = patch.add_user(email.as_str());
    }
    let added = patch.send().await?;
    println!("Added {} user(s) to the group", added.summary().succeeded);

    // 6. Find the role and assign it to the group.
    let role_id = client
        .roles()
        .find_role_id(org_id, "Security Cloud Control", "Organization Administrator")
        .await?
        .ok_or("the Organization Administrator role of Security Cloud Control was not found")?;
    let assigned = client
        .roles()
        .patch(org_id, &role_id)
        .add_group(group.id.as_str())
        .send()
        .await?;
    println!("Role assignment: {:?}", assigned.summary());

    let users = client.groups().get_users(org_id, &group.id).await?;
    let roles = client.groups().get_assigned_roles(org_id, &group.id).await?;
    for user in &users {
        println!("Group member: {}", user.email.as_deref().unwrap_or("-"));
    }
    for role in &roles {
        println!("Group role: {}", role.display_name.as_deref().unwrap_or("-"));
    }
    Ok(FlowReport {
        subscription_id: subscription.id.to_string(),
        invited: invited.summary().succeeded,
        group_id: group.id.to_string(),
        role_id: role_id.to_string(),
        group_users: users.items.iter().filter_map(|user| user.email.clone()).collect(),
        group_roles: roles
            .items
            .iter()
            .filter_map(|role| role.display_name.clone())
            .collect(),
    })
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = FlowConfig::from_env()?;
    let client = Client::builder()
        .base_url(config.base_url.as_str())
        .access_token(config.access_token.as_str())
        .build()?;
    let report = run(&client, &config).await?;
    println!("Done: {report:?}");
    Ok(())
}
