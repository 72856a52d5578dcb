use scc_sdk::secrecy::ExposeSecret;

use crate::support::{Harness, TOKEN, fixture};

#[tokio::test]
async fn refresh_sends_the_refresh_token_as_bearer_with_a_form_body() {
    let harness = Harness::json(200, fixture("token_refresh.json")).await;
    let pair = harness
        .client
        .tokens()
        .refresh("org-1", "key-1", "old-refresh-token")
        .await
        .expect("refresh");
    let request = harness.request().await;
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/organizations/org-1/apiKeys/key-1/token");
    assert!(request.query.is_empty());
    assert_eq!(request.header("authorization"), Some("Bearer old-refresh-token"));
    assert_ne!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.body, b"grant_type=refresh_token");

    assert_eq!(pair.expires_in, Some(64799));
    assert_eq!(pair.refresh_token_expires_in, Some(5_183_999));
    assert_eq!(pair.token_type.as_deref(), Some("Bearer"));
    assert_eq!(
        pair.refresh_token.expose_secret(),
        "RjFhMGZkYzctYTI2My00Njc2LTgyMWUtZDljNjhjMGMyYTk0"
    );
    let debug = format!("{pair:?}");
    assert!(!debug.contains("RjFh") && !debug.contains("eyJ"), "{debug}");
}
