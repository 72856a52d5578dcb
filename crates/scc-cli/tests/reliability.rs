//! What `scc apply` and the other commands promise when things go wrong: names as the service keeps
//! them, lost answers reported as unknown, claim codes of other organizations, large groups, two runs
//! at once, Ctrl-C, hostile profiles and credentials files, and hints true for each case.

mod common;

use common::{Env, stdout_json};
use predicates::prelude::*;
use serde_json::{Value, json};

fn write_plan(env: &Env, name: &str, text: &str) -> std::path::PathBuf {
    let path = env.config_dir.path().join(name);
    std::fs::write(&path, text).expect("write plan");
    path
}

fn orgs_named(env: &Env, name: &str) -> Vec<Value> {
    env.control("GET", "state")["organizations"]
        .as_object()
        .expect("organizations")
        .values()
        .filter(|org| {
            org["name"]
                .as_str()
                .is_some_and(|n| n.trim().eq_ignore_ascii_case(name.trim()))
        })
        .cloned()
        .collect()
}

fn fault(env: &Env, spec: Value) {
    common::post_control(env, "faults", &spec);
}

#[test]
fn names_with_spaces_or_another_case_match_what_the_service_keeps() {
    let env = Env::new();
    let plan = write_plan(
        &env,
        "plan.yaml",
        "organizations:\n  - name: \"Acme \"\n    create: true\n    region: NAM\n    users:\n      - {email: ana@acme.example, first_name: Ana, last_name: Silva}\n    groups:\n      - name: \" SOC \"\n        members: [ana@acme.example]\n",
    );
    env.scc()
        .args(["apply", "--yes", "-o", "json"])
        .arg(&plan)
        .assert()
        .code(0);
    let again = env
        .scc()
        .args(["apply", "--yes", "-o", "json"])
        .arg(&plan)
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(stdout_json(&again)["items"], json!([]), "nothing to do the second time");
    let orgs = orgs_named(&env, "acme");
    assert_eq!(orgs.len(), 1, "one organization, stored trimmed: {orgs:?}");
    assert_eq!(orgs[0]["name"], "Acme");
    // Another case in the plan is the same organization and the same group.
    let other_case = write_plan(
        &env,
        "case.yaml",
        "organizations:\n  - name: ACME\n    create: true\n    region: NAM\n    groups:\n      - name: soc\n        members: [ana@acme.example]\n",
    );
    let output = env
        .scc()
        .args(["apply", "--yes", "-o", "json"])
        .arg(&other_case)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout_json(&output)["items"], json!([]));
    assert_eq!(orgs_named(&env, "acme").len(), 1);
}

#[test]
fn names_in_other_unicode_forms_cases_or_with_invisible_characters_are_one_name() {
    let env = Env::new();
    // NFC in the first plan; the second spells the organization in NFD, the group in another case, the
    // member's e-mail in upper case with an accent, and hides a zero-width space in the group's name.
    let first = write_plan(
        &env,
        "nfc.yaml",
        "organizations:\n  - name: \"Café Zürich\"\n    create: true\n    region: EMEA\n    users:\n      - {email: élodie@x.example, first_name: Élodie, last_name: Roux}\n    groups:\n      - name: équipe\n        members: [élodie@x.example]\n",
    );
    env.scc()
        .args(["apply", "--yes", "-o", "json"])
        .arg(&first)
        .assert()
        .code(0);
    let second = write_plan(
        &env,
        "nfd.yaml",
        "organizations:\n  - name: \"Cafe\u{301} Zu\u{308}rich\"\n    create: true\n    region: EMEA\n    users:\n      - {email: ÉLODIE@X.EXAMPLE, first_name: Élodie, last_name: Roux}\n    groups:\n      - name: \"ÉQUI\u{200b}PE\"\n        members: [ÉLODIE@x.example]\n",
    );
    let output = env
        .scc()
        .args(["apply", "--yes", "-o", "json"])
        .arg(&second)
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout_json(&output)["items"],
        json!([]),
        "the same organization, group and member"
    );
    let cafes = env.control("GET", "state")["organizations"]
        .as_object()
        .expect("organizations")
        .values()
        .filter(|org| scc_sdk::validate::name_key(org["name"].as_str().unwrap_or_default()) == "café zürich")
        .count();
    assert_eq!(cafes, 1);
    // A name of invisible characters alone is no name.
    let invisible = write_plan(
        &env,
        "invisible.yaml",
        "organizations:\n  - name: \"\u{200b}\"\n    create: true\n    region: NAM\n",
    );
    env.scc()
        .args(["apply", "--yes"])
        .arg(&invisible)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("must not be empty"));
}

#[test]
fn a_lost_answer_whose_read_back_fails_is_unknown_exit_7_never_ok() {
    let env = Env::new();
    let plan = write_plan(
        &env,
        "plan.yaml",
        &format!(
            "organizations:\n  - id: {}\n    users:\n      - {{email: lost@unknown.example, first_name: Lost, last_name: Answer}}\n",
            env.org()
        ),
    );
    // The first list passes (a delay-only fault), every later one fails; the invite is applied and
    // its answer lost.
    let users = format!("/v1/organizations/{}/users", env.org());
    fault(&env, json!({"method": "GET", "path": users, "delay_ms": 1}));
    fault(
        &env,
        json!({"method": "GET", "path": users, "count": 1000, "status": 503}),
    );
    fault(
        &env,
        json!({"method": "PATCH", "path": users, "status": 503, "after": true}),
    );
    let output = env
        .scc()
        .args(["apply", "--yes", "-o", "json"])
        .arg(&plan)
        .output()
        .expect("runs");
    let report = stdout_json(&output);
    assert_eq!(output.status.code(), Some(7), "{report}");
    let invite: Vec<&Value> = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|item| item["object"] == "user lost@unknown.example")
        .collect();
    assert_eq!(invite.len(), 1, "{report}");
    assert_eq!(invite[0]["result"], "unknown", "{report}");
    assert_eq!(report["summary"]["unknown"], 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("may have been applied"), "{stderr}");
}

#[test]
fn a_listing_that_keeps_failing_stops_the_run_before_any_change_and_says_so() {
    let env = Env::new();
    let plan = write_plan(
        &env,
        "plan.yaml",
        "organizations:\n  - name: Listing Fails\n    create: true\n    region: NAM\n",
    );
    fault(
        &env,
        json!({"method": "GET", "path": "/v1/organizations", "count": 1000, "status": 503}),
    );
    env.clear_journal();
    let output = env
        .scc()
        .args(["apply", "--yes", "-o", "json"])
        .arg(&plan)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty(), "no report: nothing was attempted");
    assert!(
        stderr.contains("listing the organizations failed, nothing was changed") && stderr.contains("503"),
        "{stderr}"
    );
    let methods: Vec<Value> = env.journal().iter().map(|e| e["method"].clone()).collect();
    assert!(!methods.is_empty() && methods.iter().all(|m| m == "GET"), "{methods:?}");
    assert!(orgs_named(&env, "Listing Fails").is_empty());
}

#[test]
fn a_claim_code_held_by_another_organization_is_an_error_naming_it_and_ours_is_done() {
    let env = Env::new();
    let claimed = env.emulator.ready().claim_codes.claimed[0].clone();
    let other = write_plan(
        &env,
        "other.yaml",
        &format!(
            "organizations:\n  - name: Newcomer\n    create: true\n    region: NAM\n    subscriptions:\n      - claim_code: {claimed}\n"
        ),
    );
    let output = env
        .scc()
        .args(["apply", "--yes", "-o", "json"])
        .arg(&other)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(3));
    let report = stdout_json(&output);
    let claim = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["action"] == "claim")
        .cloned()
        .unwrap_or_else(|| panic!("the claim is reported: {report}"));
    assert_eq!(claim["result"], "failed");
    let error = claim["error"].as_str().unwrap_or_default();
    assert!(
        error.contains(&env.org()) && error.contains("not by this organization"),
        "{error}"
    );
    // The organization that holds it: nothing to do.
    let ours = write_plan(
        &env,
        "ours.yaml",
        &format!(
            "organizations:\n  - id: {}\n    subscriptions:\n      - claim_code: {claimed}\n",
            env.org()
        ),
    );
    let output = env
        .scc()
        .args(["apply", "--yes", "-o", "json"])
        .arg(&ours)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout_json(&output)["items"], json!([]));
}

#[test]
fn a_group_of_six_hundred_members_converges_in_batches_of_five_hundred() {
    let env = Env::new();
    let mut text = String::from("organizations:\n  - name: Big Co\n    create: true\n    region: NAM\n    users:\n");
    for n in 0..600 {
        text.push_str(&format!(
            "      - {{email: u{n}@big.example, first_name: U, last_name: N{n}}}\n"
        ));
    }
    text.push_str("    groups:\n      - name: Everyone\n        members: [");
    text.push_str(
        &(0..600)
            .map(|n| format!("u{n}@big.example"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    text.push_str("]\n");
    let plan = write_plan(&env, "big.yaml", &text);
    env.clear_journal();
    env.scc()
        .args(["apply", "--yes", "-o", "json"])
        .arg(&plan)
        .assert()
        .code(0);
    let patches: Vec<Value> = env
        .journal()
        .into_iter()
        .filter(|entry| {
            entry["method"] == "PATCH" && entry["path"].as_str().is_some_and(|p| p.contains("/adminGroups/"))
        })
        .collect();
    assert_eq!(patches.len(), 2, "600 members in two PATCHes");
    for patch in &patches {
        let items = patch["body"]["users"]["add"].as_array().map_or(0, Vec::len)
            + patch["body"]["usersToAdd"].as_array().map_or(0, Vec::len);
        assert!(items <= 500, "at most 500 per request: {items}");
    }
    let again = env
        .scc()
        .args(["apply", "--yes", "-o", "json"])
        .arg(&plan)
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(stdout_json(&again)["items"], json!([]), "converged");
}

#[test]
fn two_applies_of_one_plan_at_once_create_no_duplicate() {
    let env = Env::new();
    let mut text = String::from("organizations:\n");
    for n in 0..12 {
        text.push_str(&format!("  - name: Twin {n:02}\n    create: true\n    region: NAM\n"));
    }
    let plan = write_plan(&env, "twins.yaml", &text);
    let spawn = || {
        let mut command = env.scc_process();
        command
            .args(["apply", "--yes", "--concurrency", "8", "-o", "json"])
            .arg(&plan)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawns")
    };
    let (one, two) = (spawn(), spawn());
    let (one, two) = (
        one.wait_with_output().expect("one"),
        two.wait_with_output().expect("two"),
    );
    assert_eq!(one.status.code(), Some(0), "{}", String::from_utf8_lossy(&one.stderr));
    assert_eq!(two.status.code(), Some(0), "{}", String::from_utf8_lossy(&two.stderr));
    for n in 0..12 {
        assert_eq!(
            orgs_named(&env, &format!("Twin {n:02}")).len(),
            1,
            "Twin {n:02} exists once"
        );
    }
}

#[test]
fn duplicates_already_there_are_reported_with_their_ids_and_a_true_hint() {
    let env = Env::new();
    // `org create` refuses a second organization of a name; the raw API makes one, as the service allows.
    env.scc()
        .args([
            "org", "create", "--name", "Dup Co", "--region", "NAM", "--type", "MANAGED",
        ])
        .assert()
        .code(0);
    env.scc()
        .args([
            "api",
            "POST",
            "organizations",
            "--data",
            r#"{"name": "Dup Co", "regionCode": "NAM", "type": "MANAGED"}"#,
        ])
        .assert()
        .code(0);
    let plan = write_plan(
        &env,
        "dup.yaml",
        "organizations:\n  - name: Dup Co\n    create: true\n    region: NAM\n",
    );
    let output = env.scc().args(["apply", "--yes"]).arg(&plan).output().expect("runs");
    assert_eq!(output.status.code(), Some(3));
    let ids: Vec<String> = orgs_named(&env, "Dup Co")
        .iter()
        .filter_map(|org| org["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 2, "nothing more was created");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for id in &ids {
        assert!(all.contains(id.as_str()), "the ids are named: {all}");
    }
    assert!(all.contains("remove the others"), "{all}");
    assert!(!all.contains("apply again to converge"), "no untrue promise: {all}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_or_sigterm_during_apply_prints_what_was_done_and_exits_130() {
    for signal in ["-INT", "-TERM"] {
        interrupted_apply(signal);
    }
}

#[cfg(unix)]
fn interrupted_apply(signal: &str) {
    let env = Env::with(scc_emulator::EmulatorOptions::default().latency_ms(150));
    let mut text = String::from("organizations:\n");
    for n in 0..30 {
        text.push_str(&format!(
            "  - name: Slow {n:02}\n    create: true\n    region: NAM\n    users:\n      - {{email: a{n}@slow.example, first_name: A, last_name: B}}\n"
        ));
    }
    let plan = write_plan(&env, "slow.yaml", &text);
    let mut command = env.scc_process();
    let child = command
        .args(["apply", "--yes", "--concurrency", "2"])
        .arg(&plan)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    std::thread::sleep(std::time::Duration::from_millis(2500));
    std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    let output = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{signal}: {stderr}");
    assert!(stderr.contains("interrupted:") && stderr.contains("done"), "{stderr}");
    assert!(stderr.contains("Slow 00:"), "per organization: {stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Slow 00"), "the items done are listed: {stdout}");
}

#[test]
fn a_profile_name_cannot_leave_the_configuration_folder() {
    let env = Env::new();
    for bad in ["../..", "a/b", ".hidden", ""] {
        env.scc()
            .args(["--profile", bad, "org", "list"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("not a profile name"));
    }
}

#[cfg(unix)]
#[test]
fn a_credentials_file_others_may_read_is_refused_like_ssh() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let dir = env.config_dir.path().join("credentials");
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("default.json");
    std::fs::write(
        &path,
        format!("{{\"access_token\": \"{}\"}}", env.emulator.ready().admin.access_token),
    )
    .expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    env.bare()
        .env("SCC_BASE_URL", env.emulator.base_url())
        .env("SCC_ORG_ID", env.org())
        .args(["org", "list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("chmod 600"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    env.bare()
        .env("SCC_BASE_URL", env.emulator.base_url())
        .env("SCC_ORG_ID", env.org())
        .args(["org", "list"])
        .assert()
        .code(0);
}

#[test]
fn a_read_that_loses_its_answer_gets_a_read_hint_and_a_write_the_write_hint() {
    let env = Env::new();
    fault(
        &env,
        json!({"method": "GET", "path": "/v1/organizations/*", "count": 10, "drop": true}),
    );
    env.scc()
        .args(["org", "get", &env.org()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("this was a read and changed nothing"))
        .stderr(predicate::str::contains("may have been applied").not());
    common::delete_control(&env, "faults");
    fault(
        &env,
        json!({"method": "POST", "path": "/v1/organizations", "drop": true, "after": true}),
    );
    env.scc()
        .args(["org", "create", "--name", "Half Known", "--region", "NAM"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("may have been applied"));
    assert_eq!(orgs_named(&env, "Half Known").len(), 1, "it was");
}

#[test]
fn a_delete_whose_answer_was_lost_is_success_when_the_retry_finds_nothing() {
    let env = Env::new();
    let created = env
        .scc()
        .args(["group", "create", "--name", "Short Lived", "-o", "json"])
        .output()
        .expect("runs");
    let id = stdout_json(&created)["id"].as_str().expect("id").to_owned();
    fault(
        &env,
        json!({"method": "DELETE", "path": "/v1/organizations/*", "status": 503, "after": true}),
    );
    env.scc().args(["group", "delete", &id, "--yes"]).assert().code(0);
}

#[test]
fn an_answer_over_the_limit_is_an_error_with_a_hint_naming_the_flag() {
    let env = Env::new();
    env.scc()
        .args(["--max-response-bytes", "64", "org", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("larger than 64 bytes"))
        .stderr(predicate::str::contains("--max-response-bytes"));
}

#[test]
fn eight_processes_sharing_a_profile_refresh_once_and_all_succeed() {
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
            "--access-token",
            "expired-access-token",
            "--refresh-token",
            "-",
            "--no-input",
        ])
        .write_stdin(format!("{}\n", ready.admin.refresh_token))
        .assert()
        .success();
    // The saved access token has expired: every process must refresh before its first request.
    let path = env.config_dir.path().join("credentials/default.json");
    let mut saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    saved["access_token"] = serde_json::json!("expired-access-token");
    saved["access_token_expires_at"] = serde_json::json!(1);
    std::fs::write(&path, serde_json::to_vec(&saved).expect("json")).expect("write");
    env.clear_journal();
    let children: Vec<_> = (0..8)
        .map(|_| {
            env.bare_process()
                .args(["org", "list", "-o", "json"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawns")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("ends");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(!stderr.contains("create a new API key"), "{stderr}");
    }
    let refreshes = env
        .journal()
        .iter()
        .filter(|request| request["path"].as_str().is_some_and(|path| path.ends_with("/token")))
        .count();
    assert_eq!(refreshes, 1, "one refresh for the eight processes");
    // The newest pair is in the file, and it works.
    env.bare().args(["org", "list"]).assert().success();
}
