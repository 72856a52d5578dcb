//! The workshop's solution, run against the emulator.

#[allow(dead_code, unreachable_pub, missing_docs)]
#[path = "../examples/setup_org_flow.rs"]
mod setup_org_flow;

use scc_sdk::Client;

#[tokio::test]
async fn the_solution_onboards_an_organization() {
    let emulator = scc_emulator::spawn(scc_emulator::EmulatorOptions::default())
        .await
        .expect("emulator");
    let ready = emulator.ready();
    let config = setup_org_flow::FlowConfig::new(
        ready.base_url.clone(),
        ready.admin.access_token.clone(),
        ready.org_id.clone(),
        ready.claim_codes.valid[0].clone(),
    );
    let client = Client::builder()
        .base_url(config.base_url.as_str())
        .access_token(config.access_token.as_str())
        .build()
        .expect("client");
    let report = setup_org_flow::run(&client, &config).await.expect("the flow succeeds");
    assert_eq!(report.invited, 2);
    assert_eq!(report.group_users, ["john.doe@example.com", "jane.smith@example.com"]);
    assert_eq!(report.group_roles, ["Organization Administrator"]);

    let again = setup_org_flow::run(&client, &config).await;
    assert!(
        again.is_err(),
        "the claim code is used once: a second run stops at the claim"
    );
}
