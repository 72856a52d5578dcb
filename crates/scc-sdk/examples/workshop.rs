//! The scc SDK workshop: six exercises (about 30 minutes), the Rust version of the Python SDK's
//! `examples/workshop_template.py`. Each exercise has a TODO to implement and a HINT; the solution is
//! `setup_org_flow.rs`. It compiles and runs as shipped: unfinished exercises say so.
//!
//! Start the emulator and point the workshop at it:
//!
//! ```sh
//! cargo run -p scc-emulator -- --port 0 > /tmp/ready.json &
//! SCC_EMULATOR_READY=/tmp/ready.json cargo run -p scc-sdk --example workshop
//! ```
//!
//! Or set `SCC_BASE_URL`, `SCC_ACCESS_TOKEN`, `SCC_ORG_ID` and `SCC_CLAIM_CODE`.

use scc_sdk::Client;
use scc_sdk::types::{AdminGroup, ClaimInfo, Organization, RoleId, Subscription};

struct Workshop {
    client: Client,
    org_id: String,
    claim_code: String,
}

/// Exercise 1: organization details.
async fn exercise_1(w: &Workshop) -> scc_sdk::Result<Option<Organization>> {
    // TODO: read the organization `w.org_id` and return it.
    // HINT: `w.client.organizations().get(org_id).await?` returns an `Organization`.
    let _ = (&w.client, &w.org_id);
    Ok(None)
}

/// Exercise 2: read a claim code and claim its subscription.
async fn exercise_2(w: &Workshop) -> scc_sdk::Result<Option<(ClaimInfo, Subscription)>> {
    // TODO: read and validate `w.claim_code`, build the products for a region, claim the subscription.
    // HINT: `subscriptions().read_claim_code(org, code)`, then
    //       `subscriptions().build_products_from_claim_info(&info, RegionCode::Nam)`, then
    //       `subscriptions().create(org, code).products(products).send().await?`.
    let _ = (&w.client, &w.claim_code);
    Ok(None)
}

/// Exercise 3: invite users.
async fn exercise_3(w: &Workshop) -> scc_sdk::Result<Option<usize>> {
    // TODO: invite two users in one call and return how many invitations succeeded.
    // HINT: `users().patch(org, vec![UserOperation::invite(email, first, last), ...]).await?` and
    //       `.summary().succeeded` on the result.
    let _ = &w.client;
    Ok(None)
}

/// Exercise 4: create an admin group.
async fn exercise_4(w: &Workshop) -> scc_sdk::Result<Option<AdminGroup>> {
    // TODO: create an admin group that applies to all organizations.
    // HINT: `groups().create(org, name).description(..).applies_to(AppliesTo::All).send().await?`.
    let _ = &w.client;
    Ok(None)
}

/// Exercise 5: add the users to the group.
async fn exercise_5(w: &Workshop, group: Option<&AdminGroup>) -> scc_sdk::Result<Option<usize>> {
    // TODO: add the invited users (by e-mail) to the group; return how many were added.
    // HINT: `groups().patch(org, &group.id).add_user(email).send().await?`.
    let _ = (&w.client, group);
    Ok(None)
}

/// Exercise 6: find a role and assign it to the group.
async fn exercise_6(w: &Workshop, group: Option<&AdminGroup>) -> scc_sdk::Result<Option<RoleId>> {
    // TODO: find "Security Cloud Control" / "Organization Administrator" and assign it to the group.
    // HINT: `roles().find_role_id(org, product, display_name).await?`, then
    //       `roles().patch(org, &role_id).add_group(group_id).send().await?`.
    let _ = (&w.client, group);
    Ok(None)
}

fn report<T>(number: u32, title: &str, done: &Option<T>) {
    match done {
        Some(_) => println!("Exercise {number} ({title}): done"),
        None => println!("Exercise {number} ({title}): TODO — see the HINT in examples/workshop.rs"),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let (base_url, token, org_id, claim_code) = match var("SCC_EMULATOR_READY") {
        Some(ready) => {
            let text = if ready.trim_start().starts_with('{') {
                ready
            } else {
                std::fs::read_to_string(ready)?
            };
            let ready: serde_json::Value = serde_json::from_str(text.lines().next().unwrap_or_default())?;
            let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
            (
                text(&ready["base_url"]),
                text(&ready["admin"]["access_token"]),
                text(&ready["org_id"]),
                text(&ready["claim_codes"]["valid"][0]),
            )
        }
        None => (
            var("SCC_BASE_URL").unwrap_or_else(|| scc_sdk::config::DEFAULT_BASE_URL.to_owned()),
            var("SCC_ACCESS_TOKEN").ok_or("set SCC_EMULATOR_READY or SCC_ACCESS_TOKEN")?,
            var("SCC_ORG_ID").ok_or("set SCC_ORG_ID")?,
            var("SCC_CLAIM_CODE").unwrap_or_default(),
        ),
    };
    let client = Client::builder().base_url(base_url).access_token(token).build()?;
    let workshop = Workshop {
        client,
        org_id,
        claim_code,
    };

    report(1, "organization details", &exercise_1(&workshop).await?);
    report(2, "claim codes and subscriptions", &exercise_2(&workshop).await?);
    report(3, "inviting users", &exercise_3(&workshop).await?);
    let group = exercise_4(&workshop).await?;
    report(4, "creating admin groups", &group);
    report(
        5,
        "adding users to groups",
        &exercise_5(&workshop, group.as_ref()).await?,
    );
    report(6, "assigning roles", &exercise_6(&workshop, group.as_ref()).await?);
    Ok(())
}
