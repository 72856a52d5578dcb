//! `scc` as a user runs it: against an emulator spawned on 127.0.0.1, with its stdout, stderr and
//! exit code checked, and the emulator's state and request journal after.

mod common;

use std::path::Path;

use common::{Env, stdout_json};
use predicates::prelude::*;
use serde_json::{Value, json};

#[test]
fn org_list_get_create_update() {
    let env = Env::new();
    let listed = env.scc().args(["org", "list", "-o", "json"]).output().expect("runs");
    assert!(listed.status.success());
    let orgs = stdout_json(&listed);
    assert_eq!(orgs.as_array().map(Vec::len), Some(3));
    assert_eq!(orgs[0]["name"], "Acme MSP");
    assert_eq!(
        orgs[0]["regionDescription"], "North America",
        "the server's JSON, every field"
    );

    // Piped table output: tab-separated, stable, no header.
    env.scc()
        .args(["orgs", "ls", "--type", "MANAGED"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "\tAcme Customer East\tMANAGED\tNAM\tUS\t2025-01-20T09:00:00Z\n",
        ))
        .stdout(predicate::str::contains("ID").not());

    let created = env
        .scc()
        .args([
            "org",
            "create",
            "--name",
            "New Customer",
            "--region",
            "EMEA",
            "--type",
            "MANAGED",
            "-o",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let id = stdout_json(&created)["id"].as_str().expect("id").to_owned();
    env.scc()
        .args(["org", "update", &id, "--name", "Renamed Customer"])
        .assert()
        .success();
    env.scc()
        .args(["org", "get", &id, "-o", "yaml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("name: Renamed Customer"));
    env.scc()
        .args(["org", "get"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Acme MSP"));
}

#[test]
fn not_found_exits_5_with_the_tracking_id() {
    let env = Env::new();
    env.scc()
        .args(["org", "get", "no-such-org"])
        .assert()
        .code(5)
        .stdout("")
        .stderr(
            predicate::str::is_match(
                r"^error: HTTP 404: organization no-such-org not found \(tracking id [0-9a-f-]{36}\)\nhint: ",
            )
            .expect("regex"),
        );
}

#[test]
fn a_member_token_writing_exits_4() {
    let env = Env::new();
    let member = env.emulator.ready().member.access_token.clone();
    env.scc_with_token(&member)
        .args(["group", "create", "--name", "Nope"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("HTTP 403"));
    env.scc_with_token(&member).args(["group", "list"]).assert().success();
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    env.scc().args(["org", "list", "--bogus"]).assert().code(2);
    env.scc().args(["frobnicate"]).assert().code(2);
    env.scc()
        .args(["org", "list", "--page-size", "900"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`max` must be between 1 and 500"));
    env.scc()
        .env_remove("SCC_ORG_ID")
        .args(["user", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no organization given"));
    env.bare()
        .args(["org", "list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("no credentials"));
}

#[test]
fn subscriptions_claim_info_and_claim() {
    let env = Env::new();
    let code = env.emulator.ready().claim_codes.valid[0].clone();
    env.scc()
        .args(["subscription", "claim-info", &code])
        .assert()
        .success()
        .stdout(predicate::str::contains("Secure Access"));
    // As people paste them: lower case, spaces around; sent in the service's form.
    env.clear_journal();
    env.scc()
        .args(["subscription", "claim-info", &format!("  {}  ", code.to_lowercase())])
        .assert()
        .success();
    assert_eq!(env.journal()[0]["body"]["claimCode"], code.as_str());
    let claimed = env
        .scc()
        .args(["sub", "claim", &code, "--region", "EMEA", "-o", "json"])
        .output()
        .expect("runs");
    assert!(claimed.status.success(), "{}", String::from_utf8_lossy(&claimed.stderr));
    let subscription = stdout_json(&claimed);
    let regions: Vec<_> = subscription["products"]
        .as_array()
        .expect("products")
        .iter()
        .map(|p| p["regionCode"].clone())
        .collect();
    assert!(
        regions.contains(&json!("GLOBAL")) && regions.contains(&json!("EMEA")),
        "{regions:?}"
    );
    env.scc()
        .args(["subscription", "claim", &code])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("HTTP 409"));
    env.scc()
        .args(["subscriptions", "list", "-o", "ndjson"])
        .assert()
        .success()
        .stdout(predicate::str::contains(subscription["id"].as_str().expect("id")));
    // Products by name wherever an id is asked: a claim's --product, update's --product.
    let other = env.emulator.ready().claim_codes.valid[1].clone();
    let info = env
        .scc()
        .args(["subscription", "claim-info", &other, "-o", "json"])
        .output()
        .expect("runs");
    let info = stdout_json(&info);
    let product = info["products"][0]["name"]
        .as_str()
        .expect("a product's name")
        .to_owned();
    let product_id = info["products"][0]["id"].as_str().expect("its id").to_owned();
    env.clear_journal();
    let named = env
        .scc()
        .args([
            "sub",
            "claim",
            &other,
            "--product",
            &product.to_lowercase(),
            "-o",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(named.status.success(), "{}", String::from_utf8_lossy(&named.stderr));
    let one = stdout_json(&named);
    let claim = env
        .journal()
        .into_iter()
        .find(|entry| {
            entry["method"] == "POST"
                && entry["path"]
                    .as_str()
                    .is_some_and(|path| path.ends_with("/subscriptions"))
        })
        .expect("the claim");
    let sent: Vec<&str> = claim["body"]["products"]
        .as_array()
        .expect("products")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(sent, [product_id.as_str()], "only the named product, by id: {claim}");
    env.clear_journal();
    env.scc()
        .args([
            "subscription",
            "update",
            one["id"].as_str().expect("id"),
            "--product",
            &product,
            "--deactivate",
        ])
        .assert()
        .success();
    let sent = env.journal();
    let write = sent.iter().find(|entry| entry["method"] != "GET").expect("the update");
    assert!(write.to_string().contains(&product_id), "sent by id: {write}");
    env.scc()
        .args([
            "sub",
            "claim",
            &env.emulator.ready().claim_codes.valid[2],
            "--product",
            "Nothing Such",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("product Nothing Such is not offered"));
}

#[test]
fn users_bulk_verbs_and_partial_failure() {
    let env = Env::new();
    env.scc()
        .args([
            "user",
            "invite",
            "new.person@example.com",
            "--first-name",
            "New",
            "--last-name",
            "Person",
            "--admin",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("new.person@example.com\tinvite\tsuccess"));
    // A user the organization does not have is not found (exit 5), never "already in place".
    env.scc()
        .args(["user", "disable", "new.person@example.com", "ghost@example.com"])
        .assert()
        .code(5)
        .stdout(predicate::str::contains(
            "ghost@example.com\tdisable\tnot_found\tno user has this e-mail in the organization",
        ))
        .stdout(predicate::str::contains("new.person@example.com\tdisable\tsuccess"))
        .stderr(predicate::str::contains(
            "1 of 2 items name a user the organization does not have; 1 succeeded",
        ));
    // Offboarding a misspelt address: nothing is sent, the real user keeps access, exit 5.
    env.clear_journal();
    env.scc()
        .args(["user", "remove", "new.persn@example.com", "--yes"])
        .assert()
        .code(5)
        .stdout(predicate::str::contains("new.persn@example.com\tremove\tnot_found"))
        .stderr(predicate::str::contains("--ignore-missing"));
    assert!(
        env.journal().iter().all(|entry| entry["method"] == "GET"),
        "nothing was written: {:?}",
        env.journal()
    );
    env.scc()
        .args(["user", "remove", "new.persn@example.com", "--yes", "--ignore-missing"])
        .assert()
        .success()
        .stdout(predicate::str::contains("new.persn@example.com\tremove\tunchanged"));
    // --ignore-missing: a script that wants a missing user passed over.
    env.scc()
        .args(["user", "enable", "ghost@example.com", "--ignore-missing"])
        .assert()
        .success();
    env.scc()
        .args(["users", "list", "--status", "DISABLED", "-o", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("new.person@example.com"));
    env.scc()
        .args(["user", "remove", "new.person@example.com"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --yes"));
    env.scc()
        .args(["user", "remove", "new.person@example.com", "--yes"])
        .assert()
        .success();
}

#[test]
fn user_patch_reads_ndjson_from_stdin_and_json_files() {
    let env = Env::new();
    let ndjson = "{\"email\": \"a1@example.com\", \"operation\": \"invite\", \"firstName\": \"A\", \"lastName\": \"One\"}\n\
                  {\"email\": \"a2@example.com\", \"operation\": \"invite\", \"firstName\": \"A\", \"lastName\": \"Two\"}\n";
    let output = env
        .scc()
        .args(["user", "patch", "--file", "-", "-o", "json"])
        .write_stdin(ndjson)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rows = stdout_json(&output);
    assert_eq!(rows.as_array().map(Vec::len), Some(2));
    assert_eq!(rows[1]["result"], "success");

    let file = env.config_dir.path().join("ops.json");
    std::fs::write(
        &file,
        r#"{"users": [{"email": "a1@example.com", "operation": "reset_mfa"}]}"#,
    )
    .expect("write");
    // Every item refused before sending: nothing was sent, a usage error (exit 2), as the README's
    // table says for input refused before sending (it was 3, "partial", before).
    env.scc()
        .args(["user", "patch", "--file"])
        .arg(&file)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("`users[0].factorId` must not be empty"));
}

#[test]
fn groups_and_roles() {
    let env = Env::new();
    let created = env
        .scc()
        .args(["group", "create", "--name", "Ops", "--applies-to", "all", "-o", "json"])
        .output()
        .expect("runs");
    assert!(created.status.success());
    let group = stdout_json(&created)["id"].as_str().expect("id").to_owned();
    env.scc()
        .args([
            "group",
            "patch",
            &group,
            "--add-user",
            "alice.admin@acme.example",
            "--add-user",
            "bob.analyst@acme.example",
        ])
        .assert()
        .success();
    env.scc().args(["group", "users", &group]).assert().success().stdout(
        predicate::str::contains("alice.admin@acme.example").and(predicate::str::contains("bob.analyst@acme.example")),
    );
    let found = env
        .scc()
        .args([
            "role",
            "find",
            "--product",
            "Security Cloud Control",
            "--name",
            "Organization Administrator",
            "-o",
            "json",
        ])
        .output()
        .expect("runs");
    let role = stdout_json(&found)["id"].as_str().expect("role").to_owned();
    env.scc()
        .args(["role", "patch", &role, "--add-group", &group])
        .assert()
        .success();
    env.scc()
        .args(["group", "roles", &group])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Organization Administrator\tSTATIC\tSecurity Cloud Control",
        ));
    env.scc()
        .args([
            "role",
            "find",
            "--product",
            "Security Cloud Control",
            "--name",
            "Nobody",
        ])
        .assert()
        .code(5);
    env.scc().args(["group", "delete", &group, "--yes"]).assert().success();
    env.scc().args(["group", "get", &group]).assert().code(5);
}

#[test]
fn remove_shared_never_deletes_the_organizations_own_group() {
    let env = Env::new();
    let created = env
        .scc()
        .args(["group", "create", "--name", "Own Ops", "-o", "json"])
        .output()
        .expect("runs");
    let group = stdout_json(&created)["id"].as_str().expect("id").to_owned();
    env.clear_journal();
    // The caller's organization is a MANAGER with no manager above it: nothing is shared into it.
    env.scc()
        .args(["group", "remove-shared", &group, "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no manager organization").and(predicate::str::contains("groups.delete")));
    assert!(
        env.journal().iter().all(|request| request["method"] != "DELETE"),
        "{:?}",
        env.journal()
    );
    env.scc().args(["group", "get", &group]).assert().success();
}

#[test]
fn a_ca_bundle_that_cannot_be_read_is_a_usage_error() {
    let env = Env::new();
    env.scc()
        .args(["org", "list", "--ca-bundle", "/nonexistent/ca.pem"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ca_bundle").and(predicate::str::contains("/nonexistent/ca.pem")));
    env.scc()
        .env("SCC_CA_BUNDLE", "/nonexistent/env-ca.pem")
        .args(["org", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/env-ca.pem"));
}

#[test]
fn group_list_pages() {
    let env = Env::new();
    for index in 0..5 {
        env.scc()
            .args(["group", "create", "--name", &format!("G{index}")])
            .assert()
            .success();
    }
    let all = env
        .scc()
        .args(["groups", "list", "--page-size", "2", "-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(
        stdout_json(&all).as_array().map(Vec::len),
        Some(6),
        "every page by default"
    );
    let some = env
        .scc()
        .args(["groups", "list", "--page-size", "2", "--max-items", "3", "-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(stdout_json(&some).as_array().map(Vec::len), Some(3));
    env.scc()
        .args(["groups", "list", "--page-size", "2", "--no-paginate", "-o", "json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("next cursor: "));
}

#[test]
fn dry_run_sends_nothing() {
    let env = Env::new();
    env.clear_journal();
    let output = env
        .scc()
        .args([
            "org",
            "create",
            "--name",
            "Dry",
            "--region",
            "NAM",
            "--dry-run",
            "-o",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let planned = stdout_json(&output);
    assert_eq!(planned["method"], "POST");
    // With an MSP key, a new organization is one the key manages (it was STANDALONE, out of reach).
    assert_eq!(
        planned["body"],
        json!({"name": "Dry", "regionCode": "NAM", "type": "MANAGED"})
    );
    env.scc()
        .args(["user", "disable", "alice.admin@acme.example", "--dry-run"])
        .assert()
        .success();
    env.scc()
        .args(["group", "delete", "anything", "--dry-run"])
        .assert()
        .success();
    // Only reads reached the emulator (a name is looked up to show the real id); no write did.
    let writes: Vec<Value> = env
        .journal()
        .into_iter()
        .filter(|entry| entry["method"] != "GET")
        .collect();
    assert_eq!(writes, Vec::<Value>::new(), "the emulator received no write");
}

#[test]
fn no_token_on_stdout_or_stderr_at_the_highest_verbosity() {
    let env = Env::new();
    let ready = env.emulator.ready().clone();
    let output = env.scc().args(["-vvv", "org", "list"]).output().expect("runs");
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("scc.request"), "verbose output shows the requests");
    for text in [
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr.into_owned(),
    ] {
        assert!(!text.contains(&ready.admin.access_token));
    }
    // With refreshing credentials and a refresh happening under -vvv.
    let refreshed = env
        .bare()
        .env("SCC_BASE_URL", env.emulator.base_url())
        .env("SCC_ORG_ID", &ready.org_id)
        .env("SCC_ACCESS_TOKEN", "expired-or-unknown-token")
        .env("SCC_API_KEY_ID", &ready.admin.api_key_id)
        .env("SCC_REFRESH_TOKEN", &ready.admin.refresh_token)
        .args(["-vvv", "org", "get"])
        .output()
        .expect("runs");
    assert!(
        refreshed.status.success(),
        "{}",
        String::from_utf8_lossy(&refreshed.stderr)
    );
    // Credentials from the environment are never written to a profile; the rotation is said.
    assert!(
        !env.config_dir.path().join("credentials/default.json").exists(),
        "environment credentials are not persisted"
    );
    assert!(
        String::from_utf8_lossy(&refreshed.stderr).contains("SCC_REFRESH_TOKEN is now spent"),
        "the rotation is said"
    );
    let state = env.control("GET", "state");
    let new_refresh = state["api_keys"][&ready.admin.api_key_id]["refresh_token"]
        .as_str()
        .expect("the key's current refresh token")
        .to_owned();
    let new_access = state["access_tokens"]
        .as_object()
        .expect("tokens")
        .iter()
        .filter(|(_, token)| token["key_id"] == ready.admin.api_key_id.as_str())
        .max_by_key(|(_, token)| token["expires_at"].as_i64())
        .map(|(token, _)| token.clone())
        .expect("the newest access token");
    assert_ne!(new_refresh, ready.admin.refresh_token, "it was rotated");
    for text in [
        String::from_utf8_lossy(&refreshed.stdout),
        String::from_utf8_lossy(&refreshed.stderr),
    ] {
        for secret in [&ready.admin.refresh_token, &new_refresh, &new_access] {
            assert!(!text.contains(secret.as_str()), "a token leaked");
        }
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn configure_then_auth_status_and_token_refresh() {
    let env = Env::new();
    let ready = env.emulator.ready().clone();
    env.bare()
        .args([
            "configure",
            "--base-url",
            env.emulator.base_url(),
            "--org",
            &ready.org_id,
            "--api-key-id",
            &ready.admin.api_key_id,
        ])
        .args([
            "--access-token",
            &ready.admin.access_token,
            "--refresh-token",
            "-",
            "--no-input",
        ])
        .write_stdin(format!("{}\n", ready.admin.refresh_token))
        .assert()
        .success();
    let credentials = env.config_dir.path().join("credentials/default.json");
    #[cfg(unix)]
    assert_eq!(mode(&credentials), 0o600);

    let status = env
        .bare()
        .args(["auth", "status", "-o", "json"])
        .output()
        .expect("runs");
    assert!(status.status.success());
    let status_json = stdout_json(&status);
    assert_eq!(
        status_json["credentials"],
        "API key with refresh token (refreshes automatically)"
    );
    assert!(
        status_json["base_url_source"]
            .as_str()
            .unwrap_or_default()
            .starts_with("file")
    );
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(!text.contains(&ready.admin.access_token) && !text.contains(&ready.admin.refresh_token));

    env.bare()
        .args(["org", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Acme MSP"));
    env.bare()
        .args(["token", "refresh"])
        .assert()
        .success()
        .stdout(predicate::str::contains(&ready.admin.refresh_token).not());
    let saved: Value = serde_json::from_slice(&std::fs::read(&credentials).expect("read")).expect("json");
    assert_ne!(
        saved["refresh_token"],
        json!(ready.admin.refresh_token),
        "the rotated pair is saved"
    );
    env.bare().args(["org", "list"]).assert().success();
    // The old refresh token no longer works.
    env.bare()
        .env("SCC_BASE_URL", env.emulator.base_url())
        .env("SCC_ORG_ID", &ready.org_id)
        .env("SCC_ACCESS_TOKEN", "unknown")
        .env("SCC_API_KEY_ID", &ready.admin.api_key_id)
        .env("SCC_REFRESH_TOKEN", &ready.admin.refresh_token)
        .env("SCC_CONFIG_DIR", tempfile::tempdir().expect("dir").path())
        .args(["org", "list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("the refresh token is invalid or expired"))
        .stderr(predicate::str::contains("expired (the refresh token").not());
    env.bare()
        .env("SCC_PROFILE", "other")
        .args(["auth", "status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no profile \"other\" (there are: default)"));
}

#[test]
fn api_escape_hatch_with_pagination() {
    let env = Env::new();
    for index in 0..3 {
        env.scc()
            .args(["group", "create", "--name", &format!("Api{index}")])
            .assert()
            .success();
    }
    let org = env.org();
    let output = env
        .scc()
        .args([
            "api",
            "GET",
            &format!("organizations/{org}/adminGroups?max=2"),
            "--paginate",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let body = stdout_json(&output);
    assert_eq!(body["groups"].as_array().map(Vec::len), Some(4));
    assert!(body.get("cursor").is_none());
    env.scc()
        .args([
            "api",
            "POST",
            &format!("organizations/{org}/adminGroups"),
            "--data",
            r#"{"name": "Raw"}"#,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"name\": \"Raw\""));
    env.scc().args(["api", "GET", "organizations/nope"]).assert().code(5);
}

/// `scc api` as `gh api`: GET by default, a leading `/` or `/v1` handled, `{org}` the organization in
/// use, `-f`/`-F` fields (the JSON body, which makes it a POST; with `-X GET` the query), `--input`.
#[test]
fn api_takes_what_gh_api_takes() {
    let env = Env::new();
    let east = env
        .scc()
        .args(["api", "/v1/organizations/{org}", "--org", "Acme Customer East"])
        .output()
        .expect("runs");
    assert!(east.status.success(), "{}", String::from_utf8_lossy(&east.stderr));
    assert_eq!(stdout_json(&east)["name"], "Acme Customer East");
    env.clear_journal();
    let listed = env
        .scc()
        .args([
            "api",
            "-X",
            "GET",
            "organizations",
            "-f",
            "name=Acme Customer",
            "-F",
            "max=1",
        ])
        .output()
        .expect("runs");
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let sent = env.journal();
    assert_eq!(sent[0]["method"], "GET");
    assert_eq!(sent[0]["path"], "/v1/organizations");
    assert_eq!(sent[0]["query"], "max=1&name=Acme+Customer");
    env.clear_journal();
    env.scc()
        .args([
            "api",
            "organizations",
            "-F",
            "name=Globex Api",
            "-F",
            "regionCode=NAM",
            "-F",
            "type=MANAGED",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"name\": \"Globex Api\""));
    let sent = env.journal();
    assert_eq!(sent[0]["method"], "POST");
    assert_eq!(
        sent[0]["body"],
        serde_json::json!({"name": "Globex Api", "regionCode": "NAM", "type": "MANAGED"})
    );
    let input = env.config_dir.path().join("group.json");
    std::fs::write(&input, r#"{"name": "From Input"}"#).expect("input");
    env.scc()
        .args(["api", "organizations/{org}/adminGroups", "--input"])
        .arg(&input)
        .assert()
        .success()
        .stdout(predicate::str::contains("From Input"));
    // What cannot be honoured is refused, before anything is sent.
    env.clear_journal();
    env.scc()
        .args(["api", "organizations", "--org", "Acme Customer East"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the request names no {org}"));
    env.scc()
        .args(["api", "FETCH", "organizations"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not an HTTP method"));
    env.scc()
        .args(["api", "organizations", "-f", "novalue"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not KEY=VALUE"));
    assert!(env.journal().is_empty(), "nothing was sent: {:?}", env.journal());
}

/// `-H` sends a header (in place of the client's of that name), `-i` prints each answer's status and
/// headers before the body; the token's header is the client's alone.
#[test]
fn api_sends_headers_and_shows_the_answers() {
    let env = Env::new();
    env.clear_journal();
    let output = env
        .scc()
        .args([
            "api",
            "organizations?max=1",
            "-H",
            "X-Request-Purpose: audit",
            "-H",
            "accept:application/json; v=1",
            "-i",
            "--paginate",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let sent = env.journal();
    assert!(sent.len() >= 2, "paged: {sent:?}");
    for request in &sent {
        assert_eq!(request["headers"]["x-request-purpose"], "audit", "{request}");
        assert_eq!(
            request["headers"]["accept"], "application/json; v=1",
            "one Accept, the caller's: {request}"
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let heads = stdout.matches("HTTP 200 OK\n").count();
    assert_eq!(heads, sent.len(), "a head per page:\n{stdout}");
    assert!(
        stdout.to_lowercase().contains("content-type: application/json"),
        "{stdout}"
    );
    let body = &stdout[stdout.rfind("\n\n").expect("a blank line after the heads") + 2..];
    let body: serde_json::Value = serde_json::from_str(body).expect("the body after the heads");
    assert!(
        body["organizations"].as_array().is_some_and(|orgs| orgs.len() >= 2),
        "{body}"
    );
    // Refused before anything is sent: the token as a header, a header that is no header.
    env.clear_journal();
    env.scc()
        .args(["api", "organizations", "-H", "Authorization: Bearer stolen"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("header Authorization").and(predicate::str::contains("is the client's own")))
        .stderr(predicate::str::contains("stolen").not());
    env.scc()
        .args(["api", "organizations", "-H", "no colon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not NAME:VALUE"));
    env.scc()
        .args(["api", "organizations", "-H", "Bad Name: x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a header name"));
    assert!(env.journal().is_empty(), "nothing was sent: {:?}", env.journal());
}

#[test]
fn demo_runs_every_step() {
    let env = Env::new();
    let output = env.bare().args(["demo"]).output().expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    for step in [
        "1. Read the organization: Acme MSP (MANAGER, NAM)",
        "2. Read and validate the claim code",
        "3. Build the products for the preferred region",
        "4. Claim the subscription",
        "5. Invite the users in one bulk call: 3 of 3 invited",
        "6. Create an admin group: Onboarding Administrators",
        "7. Add the users to the group: 3 of 3 added",
        "8. Find the role: Security Cloud Control / Organization Administrator",
        "9. Assign the role to the group: 1 of 1 assignments succeeded",
        "10. Show the group's users and roles",
        "10/10 steps succeeded",
    ] {
        assert!(text.contains(step), "missing {step:?} in:\n{text}");
    }
    let report = env.bare().args(["demo", "-o", "json"]).output().expect("runs");
    let report = stdout_json(&report);
    assert_eq!(report["summary"]["succeeded"], 10);
    assert_eq!(report["steps"].as_array().map(Vec::len), Some(10));
    assert!(
        report["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .all(|step| step["status"] == "ok")
    );
}

#[test]
fn help_exit_codes_and_completion() {
    let env = Env::new();
    env.bare()
        .args(["help", "exit-codes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("130  interrupted"));
    env.bare()
        .args(["exit-codes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("3    partial failure"));
    env.bare()
        .args(["completion", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_scc_complete()"));
}

/// Replaces UUIDs, Okta-style user ids and timestamps, so a snapshot holds what stays the same.
fn redact(text: &str) -> String {
    let uuid = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").expect("regex");
    let user = regex::Regex::new(r"00u[A-Za-z0-9]{17}").expect("regex");
    let time = regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z").expect("regex");
    let text = uuid.replace_all(text, "<id>");
    let text = user.replace_all(&text, "<user-id>");
    time.replace_all(&text, "<time>").into_owned()
}

#[test]
fn snapshots_of_table_and_json_output() {
    let env = Env::new();
    let table = env.scc().args(["users", "list"]).output().expect("runs");
    assert_eq!(
        redact(&String::from_utf8_lossy(&table.stdout)),
        "<user-id>\talice.admin@acme.example\tAlice\tAdmin\tACTIVE\n\
         <user-id>\tbob.analyst@acme.example\tBob\tAnalyst\tACTIVE\n\
         <user-id>\tcarol.new@acme.example\tCarol\tNew\tPENDING\n\
         <user-id>\tdave.former@acme.example\tDave\tFormer\tDISABLED\n"
    );
    let json = env
        .scc()
        .args(["roles", "list", "--type", "BUNDLED", "-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(
        redact(&String::from_utf8_lossy(&json.stdout)),
        r#"[
  {
    "displayName": "Security Operations Bundle",
    "id": "<id>",
    "products": [
      {
        "name": "Security Cloud Control"
      },
      {
        "name": "Secure Access"
      },
      {
        "name": "Security Cloud Control Firewall Management"
      }
    ],
    "type": "BUNDLED"
  }
]
"#
    );
    let item = env.scc().args(["org", "get", "-o", "ndjson"]).output().expect("runs");
    assert_eq!(
        redact(&String::from_utf8_lossy(&item.stdout)),
        r#"{"countryCode":"US","created":"<time>","id":"<id>","name":"Acme MSP","regionCode":"NAM","regionDescription":"North America","type":"MANAGER"}
"#
    );
}

#[test]
fn xdr_whoami_and_org() {
    let env = Env::new();
    let ready = env.emulator.ready().clone();
    let xdr = |who: Option<&str>| {
        let (id, secret) = match who {
            Some(who) => env.emulator.xdr_client(who).expect("client"),
            None => (ready.xdr.client_id.clone(), ready.xdr.client_secret.clone()),
        };
        let mut command = env.bare();
        command
            .env("SCC_XDR_BASE_URL", &ready.xdr.base_url)
            .env("SCC_XDR_CLIENT_ID", id)
            .env("SCC_XDR_CLIENT_SECRET", secret);
        command
    };
    xdr(None)
        .args(["xdr", "whoami"])
        .assert()
        .success()
        .stdout(predicate::str::contains("NAME\tJannie\n"))
        .stdout(predicate::str::contains("NON-ADMINS MAY LOG IN\tfalse\n"))
        .stdout(predicate::str::contains(
            "DECIDED BY\tthe default of the identity provider idb-amp (Secure Endpoint)\n",
        ));
    let output = xdr(None).args(["xdr", "whoami", "-o", "json"]).output().expect("runs");
    let whoami = stdout_json(&output);
    assert_eq!(whoami["user"]["user-nick"], "Jannie");
    assert_eq!(whoami["org"]["enabled?"], true);
    assert_eq!(whoami["login"]["non_admins"]["allowed"], false);

    xdr(None)
        .args([
            "xdr",
            "org",
            "update",
            "--allow-all-roles-to-login",
            "true",
            "-o",
            "json",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"allow-all-roles-to-login\": true"));
    xdr(None)
        .args(["xdr", "whoami"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "DECIDED BY\tthe organization's settings.allow-all-roles-to-login\n",
        ));
    xdr(None)
        .args(["xdr", "org", "update", "--enabled", "false"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("master role"));
    xdr(Some("master"))
        .args(["xdr", "org", "update", "--allow-all-role-to-login", "false"])
        .assert()
        .success();
    xdr(None)
        .args(["xdr", "org", "get"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ALLOW ALL ROLE TO LOGIN\tfalse\n"));
    xdr(Some("member")).args(["xdr", "whoami"]).assert().code(4);
    env.bare()
        .env("SCC_XDR_BASE_URL", &ready.xdr.base_url)
        .env("SCC_XDR_CLIENT_ID", "client-nobody")
        .env("SCC_XDR_CLIENT_SECRET", "x")
        .args(["xdr", "whoami"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("unknown client"));
    env.bare()
        .args(["xdr", "whoami"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("no XDR credentials"));
    env.bare()
        .args(["xdr", "--region", "mars", "whoami"])
        .env("SCC_XDR_TOKEN", "t")
        .assert()
        .code(2);
    let journal_before = env.journal().len();
    xdr(None)
        .args(["xdr", "org", "update", "--name", "Dry", "--dry-run"])
        .assert()
        .success();
    let posts = env.journal()[journal_before..]
        .iter()
        .filter(|entry| entry["path"] == "/iroh/profile/org" && entry["method"] == "POST")
        .count();
    assert_eq!(posts, 0, "the dry run sent no update");
}

#[test]
fn ctrl_c_exits_130() {
    let env = Env::with(scc_emulator::EmulatorOptions::default().latency_ms(5_000));
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("scc"))
        .env_clear()
        .env("SCC_CONFIG_DIR", env.config_dir.path())
        .env("SCC_BASE_URL", env.emulator.base_url())
        .env("SCC_ACCESS_TOKEN", &env.emulator.ready().admin.access_token)
        .env("SCC_ORG_ID", env.org())
        .args(["org", "list"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("scc starts");
    std::thread::sleep(std::time::Duration::from_millis(700));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let output = child.wait_with_output().expect("scc ends");
    assert_eq!(output.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&output.stderr).contains("error: interrupted"));
}

#[test]
fn claim_dry_run_reads_the_claim_code_and_shows_the_create() {
    let env = Env::new();
    let code = env.emulator.ready().claim_codes.valid[0].clone();
    env.clear_journal();
    let output = env
        .scc()
        .args([
            "subscription",
            "claim",
            &code,
            "--region",
            "EMEA",
            "--dry-run",
            "-o",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let planned = stdout_json(&output);
    assert_eq!(planned["operation"], "subscriptions.create");
    assert_eq!(planned["body"]["claimCode"], code.as_str());
    assert_eq!(
        planned["body"]["products"].as_array().map(Vec::len),
        Some(2),
        "built from the claim info"
    );
    let journal = env.journal();
    assert_eq!(journal.len(), 1, "only the claim info was read: {journal:?}");
    assert!(
        journal[0]["path"]
            .as_str()
            .is_some_and(|path| path.ends_with("/subscriptions/claimInfo"))
    );
    env.scc().args(["subscription", "claim-info", &code]).assert().success();
}

#[test]
fn output_that_cannot_be_written_is_a_failure_and_a_closed_pipe_stays_quiet() {
    let env = Env::new();
    for args in [
        &["org", "list", "-o", "json"][..],
        &["export"][..],
        &["org", "list"][..],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let output = env
            .scc_process()
            .args(args)
            .stdout(full)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("write error: No space left on device"),
            "{args:?}: {stderr}"
        );
    }
    // A reader that closed its end (`| head`): no message, and the command's own code.
    let mut child = env
        .scc_process()
        .args(["org", "list", "-o", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("ends");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn a_rate_limit_no_client_can_keep_to_is_a_usage_error() {
    let env = Env::new();
    for rate in ["1e-300", "0", "-5", "inf", "NaN", "2e6"] {
        env.scc()
            .args(["apply", "plan.yaml", &format!("--rate-limit={rate}")])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--rate-limit"));
    }
}

#[test]
fn a_jq_recursion_without_end_is_a_usage_error_not_a_crash() {
    let env = Env::new();
    env.scc()
        .args(["org", "list", "--jq", "def f: 1 + f; f"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`f` calls itself"));
    env.scc()
        .args(["org", "list", "--jq", "[.[] | .name] | length"])
        .assert()
        .success()
        .stdout("3\n");
}

#[test]
fn names_from_the_server_never_drive_the_terminal() {
    let env = Env::new();
    let hostile = "Evil\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{1b}[31mRED\rFAKE";
    let created = env
        .scc()
        .args([
            "org", "create", "--name", hostile, "--region", "nam", "--type", "managed", "-o", "json",
        ])
        .output()
        .expect("runs");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    // JSON stays exact.
    assert_eq!(stdout_json(&created)["name"], hostile);
    for args in [&["org", "list"][..], &["org", "list", "-o", "wide"][..]] {
        let listed = env.scc().args(args).output().expect("runs");
        let text = String::from_utf8_lossy(&listed.stdout);
        assert!(!text.contains(['\u{1b}', '\u{7}', '\r']), "{args:?}: {text:?}");
        assert!(
            text.contains(r"Evil\x1b]0;PWNED\x07\x1b[2J\x1b[31mRED\x0dFAKE"),
            "{args:?}: {text:?}"
        );
    }
    // Errors quoting the server's text are escaped too.
    let missing = env.scc().args(["org", "get", hostile]).output().expect("runs");
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(!stderr.contains(['\u{1b}', '\u{7}', '\r']), "{stderr:?}");
}

#[test]
fn a_password_in_the_base_url_is_never_shown_and_never_used() {
    let env = Env::new();
    let with_password = env.emulator.base_url().replace("http://", "http://admin:Sup3rS3cret@");
    let status = env
        .scc()
        .env("SCC_BASE_URL", &with_password)
        .args(["auth", "status", "-o", "json"])
        .output()
        .expect("runs");
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&status.stdout),
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(
        !shown.contains("Sup3rS3cret") && shown.contains("***@127.0.0.1"),
        "{shown}"
    );
    let listed = env
        .scc()
        .env("SCC_BASE_URL", &with_password)
        .args(["org", "list"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&listed.stderr);
    assert_eq!(listed.status.code(), Some(2), "{stderr}");
    assert!(
        !stderr.contains("Sup3rS3cret") && stderr.contains("user name or password"),
        "{stderr}"
    );
}

#[test]
fn a_raw_path_that_climbs_out_of_the_base_path_is_refused() {
    let env = Env::new();
    env.clear_journal();
    env.scc()
        .args(["api", "GET", "../../_emulator/state"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("climbs out of the base path"));
    assert!(env.journal().is_empty());
}
