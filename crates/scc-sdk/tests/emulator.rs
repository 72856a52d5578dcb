//! The SDK against the emulator (127.0.0.1): pagination, bulk at scale, token expiry and rotation.

use futures_util::TryStreamExt;
use scc_emulator::{EmulatorOptions, spawn};
use scc_sdk::secrecy::ExposeSecret;
use scc_sdk::types::{OrganizationType, RegionCode, UserOperation, UserStatus};
use scc_sdk::{Client, Credentials, FileTokenStore};

fn client(emulator: &scc_emulator::Emulator) -> Client {
    Client::builder()
        .access_token(&emulator.ready().admin.access_token)
        .base_url(emulator.base_url())
        .build()
        .expect("client")
}

/// The fixtures' admin API key, as refreshing credentials.
fn admin_credentials(ready: &scc_emulator::ReadyInfo) -> Credentials {
    Credentials::new(
        ready.org_id.as_str(),
        ready.admin.api_key_id.as_str(),
        ready.admin.access_token.as_str(),
        ready.admin.refresh_token.as_str(),
    )
}

/// Moves the emulator's clock (token expiry) forward.
async fn advance_clock(emulator: &scc_emulator::Emulator, seconds: u64) {
    reqwest::Client::new()
        .post(format!("{}/_emulator/clock", emulator.base_url()))
        .bearer_auth(&emulator.ready().control_token)
        .json(&serde_json::json!({ "advance_seconds": seconds }))
        .send()
        .await
        .expect("clock moved");
}

#[tokio::test]
async fn pages_and_items_walk_the_emulator() {
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let client = client(&emulator);
    for index in 0..9 {
        client
            .organizations()
            .create(format!("Walk {index}"), RegionCode::Emea)
            .organization_type(OrganizationType::Managed)
            .send()
            .await
            .expect("created");
    }
    let pages: Vec<_> = client
        .organizations()
        .list()
        .name("walk")
        .max(4)
        .pages()
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(pages.iter().map(|page| page.items.len()).collect::<Vec<_>>(), [4, 4, 1]);
    let names: Vec<_> = client
        .organizations()
        .list()
        .name("walk")
        .sort_by("name")
        .max(2)
        .max_items(5)
        .items()
        .map_ok(|org| org.name.unwrap_or_default())
        .try_collect()
        .await
        .expect("items");
    assert_eq!(names, ["Walk 0", "Walk 1", "Walk 2", "Walk 3", "Walk 4"]);
}

#[tokio::test]
async fn twelve_hundred_invites_in_bulk() {
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let client = client(&emulator);
    let org = emulator.ready().org_id.clone();
    let operations: Vec<_> = (0..1200)
        .map(|i| UserOperation::invite(format!("bulk{i}@example.com"), "Bulk", format!("User {i}")))
        .collect();
    let report = client
        .users()
        .patch_all(org.as_str(), operations.clone())
        .concurrency(3)
        .send()
        .await;
    assert!(report.summary().all_successful, "{:?}", report.failures().next());
    assert_eq!(report.requests, 3);
    let pending = client
        .users()
        .list(org.as_str())
        .status(UserStatus::Pending)
        .send()
        .await
        .expect("list");
    assert_eq!(
        pending
            .items
            .iter()
            .filter(|u| u.email.as_deref().is_some_and(|e| e.starts_with("bulk")))
            .count(),
        1200
    );

    let again = client.users().patch_all(org.as_str(), operations).send().await;
    assert_eq!(
        again.summary().failed,
        1200,
        "inviting twice fails per item, never silently"
    );
    assert_eq!(
        again.items[0].outcome.failure_reason().as_deref(),
        Some("user already exists in the organization")
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed_and_the_rotation_is_stored() {
    let emulator = spawn(EmulatorOptions::default().token_ttl(120))
        .await
        .expect("emulator");
    let ready = emulator.ready().clone();
    let dir = tempfile::tempdir().expect("dir");
    let store = FileTokenStore::new(dir.path().join("credentials.json"));
    let client = Client::builder()
        .base_url(emulator.base_url())
        .credentials(admin_credentials(&ready))
        .token_store(store.clone())
        .build()
        .expect("client");
    client
        .organizations()
        .get(ready.org_id.as_str())
        .await
        .expect("works at first");
    assert_eq!(client.refresh_count(), 0);

    // The fixtures' first token carries no `exp`: once it expires, the 401 triggers the refresh.
    advance_clock(&emulator, 121).await;
    client
        .organizations()
        .get(ready.org_id.as_str())
        .await
        .expect("refreshed and replayed");
    assert_eq!(client.refresh_count(), 1);
    let stored = store.load().expect("stored");
    assert_ne!(stored.refresh_token().expose_secret(), ready.admin.refresh_token);
    assert!(stored.access_expires_at().is_some(), "the new token's JWT carries exp");

    let old = client
        .tokens()
        .refresh(
            ready.org_id.as_str(),
            ready.admin.api_key_id.as_str(),
            ready.admin.refresh_token.as_str(),
        )
        .await;
    assert!(
        old.is_err_and(|error| error.is_authentication()),
        "the old refresh token no longer works"
    );
}

#[tokio::test]
async fn the_xdr_profile_against_the_emulator() {
    use scc_sdk::xdr::{IdpDefaults, LoginRule, OrgUpdate, XdrClient};
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let ready = emulator.ready().clone();
    let xdr = |id: &str, secret: &str| {
        XdrClient::builder()
            .base_url(ready.xdr.base_url.as_str())
            .client_credentials(id, secret)
            .build()
            .expect("client")
    };
    let code = |error: &scc_sdk::Error| error.as_api_error().and_then(|api| api.error_code());

    let admin = xdr(&ready.xdr.client_id, &ready.xdr.client_secret);
    let me = admin.profile().whoami().await.expect("whoami");
    assert_eq!(me.user.display_name(), "Jannie");
    assert!(me.org.is_activated() && me.org.any_user_can_log_in());
    let login = me.org.non_admins_may_log_in(&me.user, &IdpDefaults::default());
    assert!(!login.allowed);
    assert!(matches!(login.rule, LoginRule::IdentityProvider { ref idp, .. } if idp == "idb-amp"));

    // A non-admin of Secure Malware Analytics may log in by default; it reads, it cannot write.
    let (member_id, member_secret) = emulator.xdr_client("member").expect("member");
    let member = xdr(&member_id, &member_secret);
    member.profile().whoami().await.expect("read scope is enough to read");
    let scope = member
        .profile()
        .update_org(OrgUpdate::new().name("x"))
        .await
        .expect_err("no write scope");
    assert_eq!(code(&scope).as_deref(), Some("missing_scope"));

    // Admins edit settings; the top level needs the master role.
    let org = admin
        .profile()
        .update_org(OrgUpdate::new().allow_all_roles_to_login(Some(true)))
        .await
        .expect("settings");
    let login = org.non_admins_may_log_in(&me.user, &IdpDefaults::default());
    assert_eq!((login.allowed, login.rule), (true, LoginRule::Settings));
    let refused = admin
        .profile()
        .update_org(OrgUpdate::new().enabled(false))
        .await
        .expect_err("master only");
    assert!(refused.is_forbidden());

    let (master_id, master_secret) = emulator.xdr_client("master").expect("master");
    let master = xdr(&master_id, &master_secret);
    let org = master
        .profile()
        .update_org(OrgUpdate::new().allow_all_role_to_login(Some(false)))
        .await
        .expect("top level");
    assert_eq!(
        org.non_admins_may_log_in(&me.user, &IdpDefaults::default()).rule,
        LoginRule::TopLevel
    );
    let denied = xdr(&member_id, &member_secret)
        .profile()
        .whoami()
        .await
        .expect_err("non-admins are refused now");
    assert_eq!(code(&denied).as_deref(), Some("access_denied"));

    let unknown = xdr("client-unknown", "x")
        .profile()
        .whoami()
        .await
        .expect_err("unknown client");
    assert_eq!(code(&unknown).as_deref(), Some("invalid_client"));
    let wrong = xdr(&ready.xdr.client_id, "wrong")
        .profile()
        .whoami()
        .await
        .expect_err("wrong secret");
    assert_eq!(code(&wrong).as_deref(), Some("wrong_client_creds"));
    assert!(wrong.to_string().contains("wrong client credentials"), "{wrong}");
}

/// Under faults before and after commit, every outcome the SDK reports is true: a success is in the
/// state, a failure the SDK says never reached the server (or the service refused) is not, and only
/// a failure that "may have reached the server" may go either way.
#[tokio::test]
async fn under_faults_every_reported_outcome_is_true() {
    let emulator = spawn(EmulatorOptions::default().fault_rate(0.3).seed(11))
        .await
        .expect("emulator");
    let client = Client::builder()
        .access_token(&emulator.ready().admin.access_token)
        .base_url(emulator.base_url())
        .retry(
            scc_sdk::RetryConfig::new()
                .max_attempts(3)
                .initial_backoff(std::time::Duration::from_millis(1))
                .max_backoff(std::time::Duration::from_millis(5)),
        )
        .build()
        .expect("client");
    let org = emulator.ready().org_id.clone();
    let mut outcomes = Vec::new();
    for index in 0..60 {
        let name = format!("Faulted {index:02}");
        let created = client.groups().create(org.as_str(), name.as_str()).send().await;
        outcomes.push((name, created.map(|_| ())));
    }
    let state = emulator.state_json();
    let exists = |name: &str| {
        state["groups"]
            .as_object()
            .expect("groups")
            .values()
            .filter(|group| group["name"] == name)
            .count()
    };
    let (mut done, mut refused, mut unknown) = (0, 0, 0);
    for (name, outcome) in &outcomes {
        match outcome {
            Ok(()) => {
                done += 1;
                assert_eq!(exists(name), 1, "{name}: reported created");
            }
            Err(error) if !error.may_have_reached_server() || error.is_rate_limited() => {
                refused += 1;
                assert_eq!(exists(name), 0, "{name}: reported not applied: {error}");
            }
            Err(error) => {
                unknown += 1;
                assert!(exists(name) <= 1, "{name}: never twice: {error}");
            }
        }
    }
    assert!(
        done > 0 && unknown > 0,
        "done {done}, refused {refused}, unknown {unknown}"
    );
}

/// Two threads, each driving its own current-thread runtime with a client of its own connections
/// (as the Python package's threads do): one refresh after expiry serves both, and each thread's
/// requests go over its own connections.
#[test]
fn clients_with_their_own_connections_share_one_refresh() {
    let shared = tokio::runtime::Runtime::new().expect("runtime");
    let emulator = shared
        .block_on(spawn(EmulatorOptions::default().token_ttl(120)))
        .expect("emulator");
    let ready = emulator.ready().clone();
    let client = Client::builder()
        .base_url(emulator.base_url())
        .credentials(admin_credentials(&ready))
        .build()
        .expect("client");
    let get = |client: Client| {
        let org = ready.org_id.clone();
        std::thread::spawn(move || {
            let here = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            here.block_on(client.organizations().get(org.as_str()).send())
                .map(|org| org.id)
        })
    };
    let first = get(client.with_own_connections().expect("own connections"));
    assert!(first.join().expect("thread").is_ok());
    shared.block_on(advance_clock(&emulator, 121));
    let threads: Vec<_> = (0..2)
        .map(|_| get(client.with_own_connections().expect("own connections")))
        .collect();
    for thread in threads {
        assert!(thread.join().expect("thread").is_ok(), "refreshed and replayed");
    }
    // Whichever thread refreshed, the other used the rotated token: the old refresh token was
    // traded once, and the parent sees the rotation.
    assert_eq!(client.refresh_count(), 1);
    let rotated = shared.block_on(client.credentials()).expect("credentials");
    assert_ne!(rotated.refresh_token().expose_secret(), ready.admin.refresh_token);
    let given = Client::builder()
        .access_token("token")
        .http_client(reqwest::Client::new())
        .build()
        .expect("client");
    assert!(matches!(
        given.with_own_connections(),
        Err(scc_sdk::Error::Configuration(_))
    ));
}
