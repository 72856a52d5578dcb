//! The Python SDK's Quick Start, in Rust: organizations, subscriptions and admin groups.
//!
//! Reads `SCC_ACCESS_TOKEN` (and `SCC_BASE_URL` / `SCC_BASE_PATH` to point at another server, such as the
//! local emulator). `SCC_ORG_ID` picks the organization; without it the first one listed is used.
//!
//! ```sh
//! SCC_ACCESS_TOKEN=… cargo run -p scc-sdk --example quick_start
//! ```

use scc_sdk::Client;
use scc_sdk::types::RegionCode;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Initialize the client with your access token (from the environment here).
    let client = Client::from_env()?;

    // Work with organizations.
    let organizations = client.organizations().list().send().await?;
    println!("{} organization(s) on the first page", organizations.items.len());
    let org_id = match std::env::var("SCC_ORG_ID") {
        Ok(id) => id,
        Err(_) => organizations
            .items
            .first()
            .ok_or("no organization is visible to this token")?
            .id
            .to_string(),
    };
    let org = client.organizations().get(org_id.as_str()).await?;
    println!(
        "Organization: {} ({}, {})",
        org.name.as_deref().unwrap_or("-"),
        org.organization_type.as_ref().map_or("-", |kind| kind.as_str()),
        org.region_code.as_ref().map_or("-", |region| region.as_str()),
    );
    if std::env::var("SCC_QUICK_START_CREATE").is_ok_and(|value| value == "1") {
        let new_org = client.organizations().create("New Org", RegionCode::Nam).send().await?;
        println!("Created organization with ID: {}", new_org.id);
    }

    // Work with subscriptions.
    let subscriptions = client.subscriptions().list(org_id.as_str()).send().await?;
    for sub in &subscriptions {
        let subscription = client.subscriptions().get(org_id.as_str(), &sub.id).await?;
        println!(
            "Subscription: {} {}",
            subscription.id,
            subscription.name.as_deref().unwrap_or("-")
        );
    }

    // Work with groups.
    let groups = client.groups().list(org_id.as_str()).send().await?;
    for listed in &groups {
        let group = client.groups().get(org_id.as_str(), &listed.id).await?;
        println!("Group: {} {}", group.id, group.name.as_deref().unwrap_or("-"));
    }
    Ok(())
}
