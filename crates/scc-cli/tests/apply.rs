//! `scc plan` / `scc apply` against the emulator: 50 organizations, idempotence, the state equal to
//! the plan, convergence under faults, and every mistake of a plan reported with nothing sent.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Env, read_until, stdout_json};
use predicates::prelude::*;
use scc_emulator::EmulatorOptions;
use serde_json::Value;

const ORGS: usize = 50;

/// A plan of 50 managed organizations, each with one claim code, 10 users (one admin), 2 groups and
/// role assignments.
fn plan(claim_codes: &[String]) -> String {
    let mut text = String::from("organizations:\n");
    for (o, code) in claim_codes.iter().take(ORGS).enumerate() {
        text.push_str(&format!(
            "  - name: Customer {o:03}\n    create: true\n    region: NAM\n    subscriptions:\n      - claim_code: {code}\n        region: EMEA\n    users:\n"
        ));
        for u in 0..10 {
            text.push_str(&format!(
                "      - {{email: user{u}@customer{o:03}.example, first_name: User, last_name: Number {u}, admin: {}}}\n",
                u == 0
            ));
        }
        text.push_str(&format!(
            "    groups:\n      - name: Admins {o:03}\n        description: Administrators\n        members: [user0@customer{o:03}.example, user1@customer{o:03}.example]\n"
        ));
        text.push_str(&format!(
            "      - name: Analysts {o:03}\n        applies_to: all\n        members: [user2@customer{o:03}.example, user3@customer{o:03}.example, user4@customer{o:03}.example]\n"
        ));
        text.push_str(&format!(
            "    roles:\n      - {{product: Security Cloud Control, role: Organization Administrator, groups: [Admins {o:03}]}}\n      - {{product: Security Cloud Control, role: Organization Member, groups: [Analysts {o:03}], users: [user9@customer{o:03}.example]}}\n"
        ));
    }
    text
}

fn write_plan(env: &Env, text: &str) -> std::path::PathBuf {
    let path = env.config_dir.path().join("plan.yaml");
    std::fs::write(&path, text).expect("write plan");
    path
}

/// `scc export -o json --org ORG`, which must succeed: the plan document.
fn export(env: &Env, org: &str) -> Value {
    let exported = env
        .scc()
        .args(["export", "-o", "json", "--org", org])
        .output()
        .expect("runs");
    assert_eq!(
        exported.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    stdout_json(&exported)
}

/// Asserts the emulator's state holds exactly what the plan declares, each thing once.
fn assert_state_matches_plan(env: &Env) {
    let state = env.control("GET", "state");
    let principal = env.org();
    let orgs: Vec<&Value> = state["organizations"]
        .as_object()
        .expect("orgs")
        .values()
        .filter(|org| {
            org["manager_org_id"] == principal.as_str()
                && org["name"].as_str().is_some_and(|n| n.starts_with("Customer "))
        })
        .collect();
    let names: BTreeSet<&str> = orgs.iter().filter_map(|org| org["name"].as_str()).collect();
    assert_eq!(orgs.len(), ORGS, "no duplicate organizations");
    assert_eq!(names.len(), ORGS);
    let ready = env.emulator.ready();
    for (o, org) in orgs.iter().enumerate() {
        let _ = o;
        let id = org["id"].as_str().expect("id");
        let number = org["name"]
            .as_str()
            .and_then(|n| n.strip_prefix("Customer "))
            .expect("number")
            .to_owned();
        let users: Vec<&Value> = state["users"]
            .as_object()
            .expect("users")
            .values()
            .filter(|u| u["org_id"] == id)
            .collect();
        let emails: BTreeSet<String> = users
            .iter()
            .filter_map(|u| u["email"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(users.len(), 10, "Customer {number}: 10 users, no duplicates");
        assert_eq!(
            emails,
            (0..10)
                .map(|u| format!("user{u}@customer{number}.example"))
                .collect::<BTreeSet<_>>()
        );
        let groups: Vec<&Value> = state["groups"]
            .as_object()
            .expect("groups")
            .values()
            .filter(|g| g["org_id"] == id)
            .collect();
        assert_eq!(groups.len(), 2, "Customer {number}: two groups");
        let user_ids: BTreeMap<String, String> = users
            .iter()
            .map(|u| {
                (
                    u["id"].as_str().unwrap_or_default().to_owned(),
                    u["email"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        for group in &groups {
            let members: BTreeSet<String> = group["members"]
                .as_array()
                .expect("members")
                .iter()
                .filter_map(|m| m.as_str().and_then(|id| user_ids.get(id)).cloned())
                .collect();
            let expected: BTreeSet<String> = if group["name"].as_str().is_some_and(|n| n.starts_with("Admins")) {
                (0..2).map(|u| format!("user{u}@customer{number}.example")).collect()
            } else {
                (2..5).map(|u| format!("user{u}@customer{number}.example")).collect()
            };
            assert_eq!(members, expected, "{}", group["name"]);
        }
        let roles: Vec<&Value> = state["roles"]
            .as_object()
            .expect("roles")
            .values()
            .filter(|r| r["org_id"] == id)
            .collect();
        let role = |name: &str| {
            roles
                .iter()
                .find(|r| r["display_name"] == name && r["products"][0] == "Security Cloud Control")
                .copied()
                .expect("role")
        };
        let group_id = |prefix: &str| {
            groups
                .iter()
                .find(|g| g["name"].as_str().is_some_and(|n| n.starts_with(prefix)))
                .and_then(|g| g["id"].as_str())
                .expect("group")
        };
        assert_eq!(
            role("Organization Administrator")["groups"],
            serde_json::json!([group_id("Admins")])
        );
        assert_eq!(
            role("Organization Member")["groups"],
            serde_json::json!([group_id("Analysts")])
        );
        let admin_users: Vec<String> = role("Organization Administrator")["users"]
            .as_array()
            .expect("users")
            .iter()
            .filter_map(|id| id.as_str().and_then(|id| user_ids.get(id)).cloned())
            .collect();
        assert_eq!(admin_users, [format!("user0@customer{number}.example")]);
        let member_users: Vec<String> = role("Organization Member")["users"]
            .as_array()
            .expect("users")
            .iter()
            .filter_map(|id| id.as_str().and_then(|id| user_ids.get(id)).cloned())
            .collect();
        assert_eq!(member_users, [format!("user9@customer{number}.example")]);
        let subscriptions = state["subscriptions"]
            .as_object()
            .expect("subs")
            .values()
            .filter(|s| s["org_id"] == id)
            .count();
        assert_eq!(subscriptions, 1, "Customer {number}: one subscription");
    }
    let claimed = state["claim_codes"]
        .as_object()
        .expect("codes")
        .values()
        .filter(|c| c["claimed_by"].is_string())
        .count();
    assert_eq!(claimed, ORGS + ready.claim_codes.claimed.len());
}

#[test]
fn fifty_organizations_apply_then_nothing_changes() {
    let env = Env::with(EmulatorOptions::default().claim_codes(ORGS));
    let path = write_plan(&env, &plan(&env.emulator.ready().claim_codes.valid));

    let planned = env
        .scc()
        .args(["plan", "-o", "json"])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(planned.status.success(), "{}", String::from_utf8_lossy(&planned.stderr));
    let summary = stdout_json(&planned)["summary"].clone();
    // Per organization: create it, claim 1, invite 10, create 2 groups, add 5 members, assign 2 group
    // roles and 1 user role (the admin's role comes with the invitation).
    assert_eq!(summary["changes"]["create"], ORGS * 22);
    assert_eq!(
        env.control("GET", "state")["subscriptions"]
            .as_object()
            .map(|s| s.len()),
        Some(1),
        "plan wrote nothing"
    );

    let applied = env
        .scc()
        .args(["apply", "--yes", "--concurrency", "8", "-o", "json"])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(applied.status.success(), "{}", String::from_utf8_lossy(&applied.stderr));
    let report = stdout_json(&applied);
    assert_eq!(report["summary"]["failed"], 0);
    assert_eq!(report["summary"]["applied"]["total"], ORGS * 22);
    assert_state_matches_plan(&env);

    env.scc()
        .args(["apply", "--yes"])
        .arg(&path)
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains(
            "No changes: the state of 50 organization(s) matches the plan.",
        ));
    env.scc()
        .args(["plan"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Plan: 0 to create or add, 0 to update, 0 to remove, in 0 organization(s); 50 need nothing.",
        ));
    assert_state_matches_plan(&env);
}

/// Whether what an item reports as done is in the state: organizations, users and memberships.
fn reported_done_is_true(state: &Value, item: &Value) -> bool {
    let object = item["object"].as_str().unwrap_or_default();
    let values = |table: &str| -> Vec<Value> {
        state[table]
            .as_object()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    };
    if let Some(name) = object.strip_prefix("organization ") {
        return values("organizations").iter().any(|org| org["name"] == name);
    }
    if let Some(email) = object.strip_prefix("user ") {
        return values("users").iter().any(|user| user["email"] == email);
    }
    if let Some(group) = object.strip_prefix("group ") {
        return values("groups").iter().any(|g| g["name"] == group);
    }
    true
}

#[test]
fn under_faults_before_and_after_commit_every_reported_outcome_is_true_and_it_converges() {
    let env = Env::with(EmulatorOptions::default().claim_codes(ORGS).fault_rate(0.2).seed(7));
    let path = write_plan(&env, &plan(&env.emulator.ready().claim_codes.valid));
    let mut runs = Vec::new();
    let mut operations = 0usize;
    for _ in 0..6 {
        env.clear_journal();
        let output = env
            .scc()
            .args(["apply", "--yes", "--concurrency", "16", "-o", "json"])
            .arg(&path)
            .output()
            .expect("runs");
        let code = output.status.code();
        if output.stdout.is_empty() {
            // Every attempt at the first listing failed: the run stops before any change, says so on
            // stderr and exits non-zero; nothing was sent but reads.
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(matches!(code, Some(1 | 6 | 7)), "exit {code:?}: {stderr}");
            assert!(stderr.contains("nothing was changed"), "{stderr}");
            let writes: Vec<Value> = env.journal().into_iter().filter(|e| e["method"] != "GET").collect();
            assert!(writes.is_empty(), "a run that stopped at the listing wrote: {writes:?}");
            runs.push((code, 0, 0, 0, 0));
            continue;
        }
        let report = stdout_json(&output);
        let items = report["items"].as_array().cloned().unwrap_or_default();
        let count = |result: &str| items.iter().filter(|i| i["result"] == result).count();
        assert_eq!(
            report["summary"]["failed"].as_u64(),
            Some(count("failed") as u64),
            "every failure is listed"
        );
        assert_eq!(
            report["summary"]["unknown"].as_u64(),
            Some(count("unknown") as u64),
            "every unknown is listed"
        );
        let expected = if count("unknown") > 0 {
            7
        } else if count("failed") > 0 {
            3
        } else {
            0
        };
        assert_eq!(
            code,
            Some(expected),
            "exit 7 for unknown, 3 for failed, else 0: {report}"
        );
        let state = env.control("GET", "state");
        for item in items.iter().filter(|i| i["result"] == "ok") {
            assert!(reported_done_is_true(&state, item), "reported done but absent: {item}");
        }
        for item in items.iter().filter(|i| i["result"] != "ok") {
            assert!(item["error"].is_string(), "{item}");
        }
        let journal = env.journal();
        operations += journal.len();
        let faults = journal
            .iter()
            .filter(|e| e["dropped"] == true || matches!(e["status"].as_u64(), Some(429 | 503 | 504)))
            .count();
        let after_commit = journal.iter().filter(|e| e["after_commit"] == true).count();
        runs.push((code, count("failed"), count("unknown"), faults, after_commit));
        if code == Some(0) {
            break;
        }
    }
    eprintln!(
        "apply under faults: {operations} requests, runs (exit, failed, unknown, faults, after commit): {runs:?}"
    );
    assert_eq!(runs.last().map(|run| run.0), Some(Some(0)), "converged: {runs:?}");
    assert!(
        runs.iter().map(|run| run.3).sum::<usize>() > 20,
        "faults were injected: {runs:?}"
    );
    assert!(
        runs.iter().map(|run| run.4).sum::<usize>() > 5,
        "some after the change: {runs:?}"
    );
    assert_state_matches_plan(&env);
}

#[test]
fn five_mistakes_are_all_reported_and_nothing_is_sent() {
    let env = Env::new();
    let code = env.emulator.ready().claim_codes.valid[0].clone();
    let path = write_plan(
        &env,
        &format!(
            r#"organizations:
  - name: Broken
    create: true
    region: MARS
    subscriptions:
      - {{claim_code: {code}}}
      - {{claim_code: {code}}}
    users:
      - {{email: not-an-email, first_name: A, last_name: B}}
      - {{email: ok@example.com, first_name: "", last_name: C}}
    groups:
      - {{name: SOC, members: [ok@example.com]}}
    roles:
      - {{product: Security Cloud Control, role: Organization Member, groups: [Nowhere]}}
"#
        ),
    );
    env.clear_journal();
    let output = env.scc().args(["apply", "--yes"]).arg(&path).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "has 5 problem(s); nothing was sent",
        "organizations[0].region: \"MARS\" is not NAM, EMEA or APJC",
        "organizations[0].subscriptions[1].claim_code",
        "organizations[0].users[0].email: \"not-an-email\" is not an e-mail address",
        "organizations[0].users[1].first_name: must not be empty",
        "organizations[0].roles[0].groups[0]: group \"Nowhere\" is not one of this organization's groups",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
    assert_eq!(env.journal(), Vec::<Value>::new(), "nothing was sent");
    env.scc().args(["plan"]).arg(&path).assert().code(2);
}

#[test]
fn apply_needs_a_confirmation_and_prunes_once_confirmed_and_toml_plans_work() {
    let env = Env::new();
    let path = env.config_dir.path().join("plan.toml");
    std::fs::write(
        &path,
        r#"
[[organizations]]
name = "Acme MSP"

[[organizations.groups]]
name = "SOC Analysts"
members = ["alice.admin@acme.example"]

[organizations.prune]
members = true
"#,
    )
    .expect("write");
    env.clear_journal();
    // No terminal to confirm on and no --yes: refused before anything is read or written.
    env.bare()
        .env("SCC_BASE_URL", env.emulator.base_url())
        .env("SCC_ACCESS_TOKEN", &env.emulator.ready().admin.access_token)
        .args(["apply"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --yes to confirm"));
    assert!(env.journal().is_empty(), "nothing was sent");
    // The plan shows the removal; --detailed-exitcode says there are changes.
    env.scc()
        .args(["plan", "--detailed-exitcode"])
        .arg(&path)
        .assert()
        .code(10)
        .stdout(predicate::str::contains(
            "- remove member bob.analyst@acme.example of group SOC Analysts",
        ));
    env.scc().args(["apply", "--yes"]).arg(&path).assert().success();
    env.scc()
        .args(["plan", "--detailed-exitcode"])
        .arg(&path)
        .assert()
        .code(0);
    env.scc()
        .args(["apply", "--yes"])
        .arg(&path)
        .assert()
        .success()
        .stderr(predicate::str::contains("No changes"));
}

#[test]
fn export_then_plan_reports_no_change_for_every_organization() {
    let env = Env::with(EmulatorOptions::default().claim_codes(3));
    let code = env.emulator.ready().claim_codes.valid[0].clone();
    let seed = write_plan(
        &env,
        &format!(
            "organizations:\n  - name: Exported Co\n    create: true\n    region: EMEA\n    subscriptions: [{{claim_code: {code}}}]\n    users:\n      - {{email: ana@exported.example, first_name: Ana, last_name: Silva, admin: true}}\n      - {{email: bo@exported.example, first_name: Bo, last_name: Lee}}\n    groups:\n      - {{name: SOC, description: Analysts, members: [bo@exported.example, ana@exported.example]}}\n    roles:\n      - {{product: Security Cloud Control, role: Organization Member, groups: [SOC], users: [bo@exported.example]}}\n"
        ),
    );
    env.scc().args(["apply", "--yes"]).arg(&seed).assert().code(0);
    let exported = env.scc().args(["export"]).output().expect("runs");
    assert_eq!(
        exported.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let yaml = String::from_utf8(exported.stdout).expect("utf-8");
    assert!(
        yaml.contains("Exported Co") && yaml.contains("ana@exported.example") && yaml.contains(&code),
        "{yaml}"
    );
    let path = env.config_dir.path().join("exported.yaml");
    std::fs::write(&path, &yaml).expect("write");
    let plan = env
        .scc()
        .args(["plan", "-o", "json"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(plan.status.code(), Some(0), "{}", String::from_utf8_lossy(&plan.stderr));
    let report = stdout_json(&plan);
    assert_eq!(
        report["summary"]["changes"]["total"], 0,
        "the export is the state: {report}"
    );
    assert!(
        report["summary"]["organizations"].as_u64().is_some_and(|n| n >= 4),
        "every organization the token reaches: {report}"
    );
    // JSON is the same plan.
    let as_json = env.scc().args(["export", "-o", "json"]).output().expect("runs");
    let from_yaml: Value = serde_norway::from_str(&yaml).expect("yaml");
    assert_eq!(stdout_json(&as_json), from_yaml);
    // --org exports that one organization only.
    let one = env
        .scc()
        .args(["export", "-o", "json", "--org", &env.org()])
        .output()
        .expect("runs");
    assert_eq!(stdout_json(&one)["organizations"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_group_the_manager_shares_is_never_pruned_nor_exported_and_export_takes_a_name() {
    let env = Env::new();
    let path = write_plan(
        &env,
        "organizations:\n  - name: Acme Customer East\n    groups:\n      - {name: East Operators}\n    prune: {groups: true}\n",
    );
    let plan = env
        .scc()
        .args(["plan", "-o", "json"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(plan.status.code(), Some(0), "{}", String::from_utf8_lossy(&plan.stderr));
    let report = stdout_json(&plan);
    let changes = report["organizations"][0]["changes"].to_string();
    assert!(
        !changes.contains("SOC Analysts"),
        "the MSP's shared group is not the organization's own: {report}"
    );
    env.scc().args(["apply", "--yes"]).arg(&path).assert().success();
    let state = env.control("GET", "state");
    let shared = state["groups"]
        .as_object()
        .expect("groups")
        .values()
        .find(|group| group["name"] == "SOC Analysts")
        .expect("the MSP's group");
    assert!(
        shared["shared_with"].to_string().contains(&{
            let east = state["organizations"]
                .as_object()
                .expect("orgs")
                .values()
                .find(|org| org["name"] == "Acme Customer East")
                .expect("east");
            east["id"].as_str().expect("id").to_owned()
        }),
        "still shared: {shared}"
    );
    // Export by name (names work where ids are asked), without the shared group or its members.
    let document = export(&env, "Acme Customer East");
    assert_eq!(document["organizations"][0]["name"], "Acme Customer East");
    assert!(!document.to_string().contains("SOC Analysts"), "{document}");
    // A plan naming the shared group is refused for that group, with why.
    let naming = write_plan(
        &env,
        "organizations:\n  - name: Acme Customer East\n    groups:\n      - {name: soc analysts, members: [someone@east.example]}\n",
    );
    env.scc()
        .args(["plan"])
        .arg(&naming)
        .assert()
        .code(3)
        .stdout(predicate::str::contains("shared into this organization by its manager"));
}

#[test]
fn a_saved_plan_is_applied_exactly_and_refused_once_the_state_moved() {
    let env = Env::new();
    let path = write_plan(
        &env,
        "organizations:\n  - name: Acme Customer West\n    users:\n      - {email: nia@west.example, first_name: Nia, last_name: Okafor}\n",
    );
    let saved = env.config_dir.path().join("west.plan.json");
    env.scc()
        .args(["plan", "--out"])
        .arg(&saved)
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("+ invite user nia@west.example"))
        .stderr(predicate::str::contains("Saved the plan to"));
    let document: Value = serde_json::from_str(&std::fs::read_to_string(&saved).expect("saved")).expect("json");
    assert_eq!(document["format"], "scc-saved-plan/1");
    assert_eq!(document["service"], env.emulator.base_url());
    assert_eq!(
        document["organizations"][0]["planned"]["changes"][0]["change"],
        "invite"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&saved).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a saved plan names users: the owner's only");
    }
    // Another service: refused before anything is read.
    env.clear_journal();
    env.scc()
        .args(["apply", "--base-url", "http://127.0.0.1:9"])
        .arg(&saved)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("was computed against"));

    // Someone changes the organization after the plan was saved: nothing is made, the difference is shown.
    env.scc()
        .args([
            "user",
            "invite",
            "--org",
            "Acme Customer West",
            "late@west.example",
            "--first-name",
            "Late",
            "--last-name",
            "Comer",
        ])
        .assert()
        .success();
    env.clear_journal();
    env.scc().args(["plan"]).arg(&path).assert().success();
    let plan_requests = env.journal().len();
    env.clear_journal();
    env.scc()
        .args(["apply"])
        .arg(&saved)
        .assert()
        .code(8)
        .stdout(predicate::str::contains("Not applied"))
        .stdout(predicate::str::contains(
            "the same changes, computed against another state",
        ));
    assert!(
        env.journal().iter().all(|entry| entry["method"] == "GET"),
        "nothing was written: {:?}",
        env.journal()
    );
    assert!(
        env.journal().len() <= plan_requests,
        "checking a saved plan costs one reading of the organization, as a plan does ({} > {plan_requests})",
        env.journal().len()
    );
    // Planned again and applied: exactly the saved changes, then nothing more to do.
    env.scc()
        .args(["plan", "--out"])
        .arg(&saved)
        .arg(&path)
        .assert()
        .success();
    let journal_file = env.config_dir.path().join("changes.jsonl");
    env.scc()
        .args(["apply", "--journal"])
        .arg(&journal_file)
        .arg(&saved)
        .assert()
        .success();
    env.scc()
        .args(["plan", "--detailed-exitcode"])
        .arg(&path)
        .assert()
        .code(0);
    let lines: Vec<Value> = std::fs::read_to_string(&journal_file)
        .expect("journal")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["object"], "user nia@west.example");
    assert_eq!(lines[0]["outcome"], "ok");
    assert_eq!(lines[0]["service"], env.emulator.base_url());
    assert_eq!(lines[0]["organization"], "Acme Customer West");
    let text = std::fs::read_to_string(&journal_file).expect("journal");
    assert!(
        !text.contains(&env.emulator.ready().admin.access_token),
        "never a token in the journal"
    );
}

#[test]
fn plans_tell_the_truth_attributes_admin_false_what_will_fail_and_roles_held_through_groups() {
    let env = Env::new();
    let claimed = env.emulator.ready().claim_codes.claimed[0].clone();
    // A role held through a group is the group's: export does not write its members as direct holders.
    let document = export(&env, "Acme MSP");
    let org = &document["organizations"][0];
    let member_role = org["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|role| role["role"] == "Organization Member")
        .expect("the member role, held by SOC Analysts");
    assert_eq!(member_role["groups"], serde_json::json!(["SOC Analysts"]));
    assert!(member_role.get("users").is_none(), "{member_role}");
    let admin_of = |email: &str| {
        org["users"]
            .as_array()
            .expect("users")
            .iter()
            .find(|user| user["email"] == email)
            .map(|user| user["admin"].clone())
    };
    assert_eq!(admin_of("alice.admin@acme.example"), Some(Value::Bool(true)));
    assert_eq!(admin_of("bob.analyst@acme.example"), Some(Value::Null));

    let path = write_plan(
        &env,
        &format!(
            "organizations:\n  - name: Acme MSP\n    users:\n      - {{email: alice.admin@acme.example, first_name: Alice, last_name: Administrator, admin: false}}\n    groups:\n      - {{name: SOC Analysts, members: [alice.admin@acme.example, bob.analyst@acme.example, ghost@acme.example]}}\n  - name: Acme Customer West\n    subscriptions: [{{claim_code: {claimed}}}]\n"
        ),
    );
    env.clear_journal();
    let plan = env.scc().args(["plan"]).arg(&path).output().expect("runs");
    let text = String::from_utf8_lossy(&plan.stdout);
    assert_eq!(plan.status.code(), Some(3), "problems are a non-zero exit: {text}");
    for expected in [
        "~ update user alice.admin@acme.example",
        "      last_name: \"Admin\" -> \"Administrator\"",
        "- unassign role Security Cloud Control / Organization Administrator of user alice.admin@acme.example",
        "! find user ghost@acme.example: will fail: ",
        "plan.yaml:6: organizations[0].groups[0].members[2] is not a user of the organization",
        &format!("! claim subscription {claimed}: will fail: "),
        "plan.yaml:8: organizations[1].subscriptions[0].claim_code claim code has already been claimed",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    assert!(!text.contains("\x1b["), "no colour off a terminal");
    assert!(
        env.journal().iter().all(|entry| entry["method"] == "GET"
            || entry["path"]
                .as_str()
                .is_some_and(|path| path.ends_with("/subscriptions/claimInfo"))),
        "a plan writes nothing (reading a claim code's details is a POST): {:?}",
        env.journal()
    );
    // Applied: what can be made is made; what was said to fail is not tried.
    env.clear_journal();
    env.scc().args(["apply", "--yes"]).arg(&path).assert().code(3);
    assert!(
        !env.journal()
            .iter()
            .any(|entry| entry["method"] == "POST"
                && entry["path"].as_str().is_some_and(|p| p.ends_with("/subscriptions"))),
        "the claim said to fail was not sent"
    );
    let after = export(&env, "Acme MSP");
    let alice = after["organizations"][0]["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|user| user["email"] == "alice.admin@acme.example")
        .cloned()
        .expect("alice");
    assert_eq!(alice["last_name"], "Administrator");
    assert!(alice.get("admin").is_none(), "no longer an administrator: {alice}");
}

#[cfg(unix)]
#[test]
fn on_a_terminal_the_plan_is_coloured_by_what_it_does_unless_no_color() {
    let env = Env::new();
    let path = write_plan(
        &env,
        "organizations:\n  - name: Acme MSP\n    users:\n      - {email: bob.analyst@acme.example, first_name: Bob, last_name: Analytic}\n      - {email: new.one@acme.example, first_name: New, last_name: One}\n",
    );
    let on_terminal = |no_color: Option<&str>| {
        let mut command = env.scc_on_terminal(&format!("plan '{}'", path.display()));
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        let output = command.output().expect("script runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let screen = on_terminal(None);
    assert!(
        screen.contains("\x1b[33m  ~ update user bob.analyst@acme.example\x1b[0m"),
        "{screen:?}"
    );
    assert!(
        screen.contains("\x1b[33m      last_name: \"Analyst\" -> \"Analytic\"\x1b[0m"),
        "{screen:?}"
    );
    assert!(
        screen.contains("\x1b[32m  + invite user new.one@acme.example\x1b[0m"),
        "{screen:?}"
    );
    let plain = on_terminal(Some("1"));
    assert!(plain.contains("  ~ update user bob.analyst@acme.example"), "{plain:?}");
    assert!(!plain.contains("\x1b[3"), "NO_COLOR: {plain:?}");
}

/// Between the prompt and the answer a user appears whom `prune` would remove: nothing is made, the
/// new plan (with the removal) is shown and asked about again; "n" leaves everything as it was, "y"
/// makes the new plan, the removal it showed included.
#[cfg(unix)]
#[test]
fn a_state_that_changes_while_the_prompt_waits_is_shown_again_and_nothing_unshown_is_made() {
    let (status, shown, emails) = apply_with_a_user_appearing(b"n\n");
    assert_eq!(status, Some(8), "{shown}");
    assert!(
        shown.contains("changed after the plan was shown: nothing was made there"),
        "{shown}"
    );
    assert!(shown.contains("- remove user intruder@acme.example"), "{shown}");
    assert!(
        emails.contains(&"intruder@acme.example".to_owned()),
        "the unshown removal was not made"
    );
    assert!(
        !emails.contains(&"new.one@acme.example".to_owned()),
        "nothing of the changed plan was made"
    );

    let (status, shown, emails) = apply_with_a_user_appearing(b"y\n");
    assert_eq!(status, Some(0), "{shown}");
    assert!(
        !emails.contains(&"intruder@acme.example".to_owned()),
        "shown, then confirmed: made"
    );
    assert!(emails.contains(&"new.one@acme.example".to_owned()));
}

/// `scc apply` on a terminal: "y" to the first plan after a user appeared, `second` to the plan shown
/// again; the exit code, the screen and the organization's users after.
#[cfg(unix)]
fn apply_with_a_user_appearing(second: &[u8]) -> (Option<i32>, String, Vec<String>) {
    use std::io::{Read, Write};
    use std::process::Stdio;
    let env = Env::new();
    let path = write_plan(
        &env,
        "organizations:\n  - name: Acme MSP\n    users:\n      - {email: alice.admin@acme.example, first_name: Alice, last_name: Admin}\n      - {email: bob.analyst@acme.example, first_name: Bob, last_name: Analyst}\n      - {email: carol.new@acme.example, first_name: Carol, last_name: New}\n      - {email: dave.former@acme.example, first_name: Dave, last_name: Former}\n      - {email: new.one@acme.example, first_name: New, last_name: One}\n    prune: {users: true}\n",
    );
    let mut child = env
        .scc_on_terminal(&format!("apply '{}'", path.display()))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut screen = Vec::new();
    read_until(&mut stdout, &mut screen, "[y/N]", 1);
    assert!(String::from_utf8_lossy(&screen).contains("+ invite user new.one@acme.example"));
    // Someone adds a user while the question waits.
    env.scc()
        .args([
            "user",
            "invite",
            "intruder@acme.example",
            "--first-name",
            "In",
            "--last-name",
            "Truder",
        ])
        .assert()
        .success();
    child.stdin.as_mut().expect("stdin").write_all(b"y\n").expect("answers");
    read_until(&mut stdout, &mut screen, "[y/N]", 2);
    child.stdin.as_mut().expect("stdin").write_all(second).expect("answers");
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).expect("reads");
    let status = child.wait().expect("ends");
    let shown = format!("{}{}", String::from_utf8_lossy(&screen), String::from_utf8_lossy(&rest));
    let users = env.scc().args(["user", "list", "-o", "json"]).output().expect("runs");
    let emails: Vec<String> = stdout_json(&users)
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|user| user["email"].as_str().map(str::to_owned))
        .collect();
    (status.code(), shown, emails)
}

#[test]
fn the_journal_comes_from_the_flag_the_environment_or_the_profile_and_one_that_cannot_be_written_fails_the_run() {
    let env = Env::new();
    let lines = |path: &std::path::Path| -> Vec<Value> {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    };
    let invite = |email: &str| {
        write_plan(
            &env,
            &format!(
                "organizations:\n  - name: Acme MSP\n    users:\n      - {{email: {email}, first_name: J, last_name: Ournal}}\n"
            ),
        )
    };
    let from_env = env.config_dir.path().join("env.jsonl");
    env.scc()
        .env("SCC_JOURNAL", &from_env)
        .args(["apply", "--yes"])
        .arg(invite("one@acme.example"))
        .assert()
        .success();
    assert_eq!(lines(&from_env)[0]["object"], "user one@acme.example");

    let from_profile = env.config_dir.path().join("profile.jsonl");
    std::fs::write(
        env.config_dir.path().join("config.toml"),
        format!(
            "[profiles.default]\njournal = {:?}\n",
            from_profile.display().to_string()
        ),
    )
    .expect("config");
    env.scc()
        .args(["apply", "--yes"])
        .arg(invite("two@acme.example"))
        .assert()
        .success();
    assert_eq!(lines(&from_profile)[0]["object"], "user two@acme.example");

    // A journal that cannot grow, as on a full disk: a file past the process's file-size limit
    // (SIGXFSZ ignored, so a write fails with EFBIG instead of ending the process).
    #[cfg(target_os = "linux")]
    {
        let full = env.config_dir.path().join("full.jsonl");
        std::fs::write(&full, "x".repeat(64 * 1024)).expect("a journal past the limit");
        let output = env.shell(&format!(
            "ulimit -f 32; trap '' XFSZ; exec \"$SCC\" apply --yes --journal '{}' '{}'",
            full.display(),
            invite("three@acme.example").display()
        ));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("the change journal could not be written"), "{stderr}");
    }
    // Not a regular file (a device, a FIFO): refused before anything is sent.
    #[cfg(target_os = "linux")]
    env.scc()
        .args(["apply", "--yes", "--journal", "/dev/full"])
        .arg(invite("four@acme.example"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/dev/full is not a regular file"));
}

/// A plan file of nested aliases ("billion laughs", a few KB expanding to gigabytes) is refused
/// before it is decoded, before any credential or network is needed, in well under a second.
#[test]
fn a_yaml_alias_bomb_is_refused_at_once_and_nothing_is_sent() {
    let env = Env::new();
    let mut text = String::from("x0: &x0 [\"lol lol lol lol lol lol lol lol lol lol\"]\n");
    for level in 1..=12 {
        let items = vec![format!("*x{}", level - 1); 10].join(", ");
        text.push_str(&format!("x{level}: &x{level} [{items}]\n"));
    }
    text.push_str("organizations: []\n");
    let path = write_plan(&env, &text);
    assert!(text.len() < 8 * 1024, "{} bytes", text.len());
    env.clear_journal();
    let started = std::time::Instant::now();
    let output = env.bare().args(["plan"]).arg(&path).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("refused before decoding"), "{stderr}");
    assert!(stderr.contains("alias(es) expand it to more than"), "{stderr}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(env.journal(), Vec::<Value>::new(), "nothing was sent");
}

#[test]
fn several_plan_files_a_folder_and_stdin_are_one_plan_and_their_problems_come_together() {
    let env = Env::new();
    let dir = env.config_dir.path().join("customers");
    std::fs::create_dir(&dir).expect("dir");
    // Each file keeps its own defaults; the folder's files are read in name order, hidden ones left out.
    std::fs::write(
        dir.join("east.yaml"),
        "defaults:\n  users:\n    - {email: soc@msp.example, first_name: Soc, last_name: Desk}\norganizations:\n  - name: Acme Customer East\n",
    )
    .expect("east");
    std::fs::write(
        dir.join("west.json"),
        r#"{"organizations": [{"name": "Acme Customer West", "users": [{"email": "wes@west.example", "first_name": "Wes", "last_name": "T"}]}]}"#,
    )
    .expect("west");
    std::fs::write(dir.join(".draft.yaml"), "not: a plan\n").expect("hidden");
    std::fs::write(dir.join("README.md"), "# not a plan\n").expect("readme");
    let manager = env.config_dir.path().join("msp.toml");
    std::fs::write(
        &manager,
        "[[organizations]]\nname = \"Acme MSP\"\n[[organizations.users]]\nemail = \"mo@msp.example\"\nfirst_name = \"Mo\"\nlast_name = \"M\"\n",
    )
    .expect("msp");
    let plan = env
        .scc()
        .args(["plan", "-o", "json"])
        .arg(&dir)
        .arg(&manager)
        .output()
        .expect("runs");
    assert_eq!(plan.status.code(), Some(0), "{}", String::from_utf8_lossy(&plan.stderr));
    let report = stdout_json(&plan);
    let orgs: Vec<(String, String)> = report["organizations"]
        .as_array()
        .expect("orgs")
        .iter()
        .map(|org| {
            let objects: Vec<String> = org["changes"]
                .as_array()
                .expect("changes")
                .iter()
                .map(|change| change["object"].as_str().unwrap_or_default().to_owned())
                .collect();
            (org["org"].as_str().unwrap_or_default().to_owned(), objects.join(","))
        })
        .collect();
    assert_eq!(
        orgs,
        [
            ("Acme Customer East".to_owned(), "user soc@msp.example".to_owned()),
            ("Acme Customer West".to_owned(), "user wes@west.example".to_owned()),
            ("Acme MSP".to_owned(), "user mo@msp.example".to_owned()),
        ],
        "{report}"
    );
    // `-`: the plan from standard input (YAML or JSON), applied beside a file.
    let mut apply = env.scc();
    apply
        .args(["apply", "--yes", "-"])
        .arg(&manager)
        .write_stdin("organizations:\n  - name: Acme Customer West\n    users:\n      - {email: wes@west.example, first_name: Wes, last_name: T}\n");
    apply.assert().success();
    let west = env
        .scc()
        .args(["user", "list", "-o", "json", "--org", "Acme Customer West"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&west.stdout).contains("wes@west.example"));
    // The problems of every file at once, each named by its file; then what only the join shows.
    let broken = env.config_dir.path().join("broken.yaml");
    std::fs::write(
        &broken,
        "organizations:\n  - name: Acme MSP\n    users:\n      - {email: nobody, first_name: N, last_name: B}\n",
    )
    .expect("broken");
    let typo = env.config_dir.path().join("typo.yaml");
    std::fs::write(&typo, "organisations: []\n").expect("typo");
    let output = env.scc().args(["plan"]).arg(&broken).arg(&typo).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("broken.yaml has 1 problem(s)")
            && stderr.contains("organizations[0].users[0].email: \"nobody\" is not an e-mail address")
            && stderr.contains("typo.yaml")
            && stderr.contains("organisations"),
        "{stderr}"
    );
    let again = env.config_dir.path().join("again.yaml");
    std::fs::write(&again, "organizations:\n  - name: acme msp\n").expect("again");
    let output = env
        .scc()
        .args(["plan"])
        .arg(&manager)
        .arg(&again)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("again.yaml: organizations[0]: organization \"acme msp\" is also in")
            && stderr.contains("msp.toml (organizations[0])"),
        "{stderr}"
    );
    env.scc()
        .args(["plan"])
        .arg(&manager)
        .arg(&manager)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is given twice"));
    let empty = env.config_dir.path().join("empty");
    std::fs::create_dir(&empty).expect("empty");
    env.scc()
        .args(["plan"])
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no plan file"));
}

#[test]
fn every_typo_of_a_file_comes_in_one_run_at_its_line_and_a_problem_found_later_says_its_line_too() {
    let env = Env::new();
    let path = write_plan(
        &env,
        "organizations:\n  - name: Acme MSP\n    users:\n      - email: q@acme.example\n        firstName: Q\n        last_name: Uestion\n    groups:\n      - {name: SOC, member: [q@acme.example]}\n    prune: {user: true}\n",
    );
    env.clear_journal();
    let output = env.scc().args(["plan"]).arg(&path).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "has 4 problem(s); nothing was sent",
        "plan.yaml:4: organizations[0].users[0]: `first_name` is missing",
        "plan.yaml:5: organizations[0].users[0].firstName: unknown key `firstName` (did you mean `first_name`?)",
        "plan.yaml:8: organizations[0].groups[0].member: unknown key `member` (did you mean `members`?)",
        "plan.yaml:9: organizations[0].prune.user: unknown key `user` (did you mean `users`?)",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
    assert_eq!(env.journal(), Vec::<Value>::new(), "nothing was read or sent");
    // TOML says its lines too; a check of the values (after decoding) is placed the same way.
    let toml = env.config_dir.path().join("plan.toml");
    std::fs::write(
        &toml,
        "[[organizations]]\nname = \"Acme MSP\"\n\n[[organizations.users]]\nemail = \"not-an-email\"\nfirst_name = \"N\"\nlast_name = \"E\"\n",
    )
    .expect("toml");
    let output = env.scc().args(["plan"]).arg(&toml).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("plan.toml:5: organizations[0].users[0].email: \"not-an-email\" is not an e-mail address"),
        "{stderr}"
    );
    // A problem the state shows (a member who is no user) says the line of the file it is in, among several.
    let second = env.config_dir.path().join("second.yaml");
    std::fs::write(
        &second,
        "organizations:\n  - name: Acme Customer East\n    groups:\n      - name: East SOC\n        members:\n          - ghost@east.example\n",
    )
    .expect("second");
    let first = write_plan(&env, "organizations:\n  - name: Acme MSP\n");
    let output = env
        .scc()
        .args(["plan"])
        .arg(&first)
        .arg(&second)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("second.yaml:6: organizations[0].groups[0].members[0] is not a user of the organization"),
        "{stdout}"
    );
}

#[test]
fn users_come_from_an_hr_export_into_a_plan_and_into_user_invite_and_bad_rows_are_named_by_line() {
    let env = Env::new();
    let folder = env.config_dir.path().join("hr");
    std::fs::create_dir(&folder).expect("folder");
    std::fs::write(
        folder.join("east.csv"),
        "Employee ID,E-mail,First Name,Last Name,Department,Admin\n1,ana@east.example,Ana,Silva,SOC,yes\n2,erin.east@customer-east.example,Erin,East,IT,\n",
    )
    .expect("csv");
    // The plan's own entry of a user wins over the CSV's row; the CSV is read beside the plan file.
    let plan = folder.join("plan.yaml");
    std::fs::write(
        &plan,
        "organizations:\n  - name: Acme Customer East\n    users_csv: east.csv\n    users:\n      - {email: ana@east.example, first_name: Ana, last_name: Own}\n",
    )
    .expect("plan");
    let output = env
        .scc()
        .args(["plan", "-o", "json"])
        .arg(&plan)
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = stdout_json(&output);
    let changes = &report["organizations"][0]["changes"];
    assert_eq!(
        changes.as_array().map(Vec::len),
        Some(1),
        "Erin exists already: {report}"
    );
    assert_eq!(changes[0]["object"], "user ana@east.example");
    assert_eq!(changes[0]["attributes"]["last_name"], "Own");
    // Bad rows: each by its line, under the plan's place for the file; nothing read or sent.
    std::fs::write(
        folder.join("bad.csv"),
        "email,first_name,last_name\nnobody,N,B\nzed@east.example,,Z\n",
    )
    .expect("bad");
    std::fs::write(
        &plan,
        "organizations:\n  - name: Acme Customer East\n    users_csv: bad.csv\n",
    )
    .expect("plan");
    env.clear_journal();
    let output = env.scc().args(["plan"]).arg(&plan).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("plan.yaml:3: organizations[0].users_csv:")
            && stderr.contains("bad.csv:2: email \"nobody\" is not an e-mail address")
            && stderr.contains("bad.csv:3: first_name is empty"),
        "{stderr}"
    );
    assert!(env.journal().is_empty(), "{:?}", env.journal());
    // Straight into scc user invite: the rows invited at once (an existing user reported unchanged).
    let output = env
        .scc()
        .args(["user", "invite", "--org", "Acme Customer East", "--csv"])
        .arg(folder.join("east.csv"))
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed = env
        .scc()
        .args(["user", "list", "-o", "json", "--org", "Acme Customer East"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains("ana@east.example"), "{text}");
    env.clear_journal();
    env.scc()
        .args(["user", "invite", "--org", "Acme Customer East", "--csv"])
        .arg(folder.join("bad.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.csv:2: email \"nobody\""));
    env.scc()
        .args(["user", "invite", "x@east.example", "--csv"])
        .arg(folder.join("east.csv"))
        .assert()
        .code(2);
    assert!(
        env.journal().iter().all(|entry| entry["method"] == "GET"),
        "nothing written: {:?}",
        env.journal()
    );
}

#[test]
fn a_new_customer_is_created_and_the_soc_group_shared_into_it_in_one_apply() {
    let env = Env::new();
    let path = write_plan(
        &env,
        "organizations:\n  - name: Acme MSP\n    groups:\n      - {name: SOC Analysts, managed_orgs: [Acme Customer East, Initech]}\n  - name: Initech\n    create: true\n    region: NAM\n",
    );
    let plan = env.scc().args(["plan"]).arg(&path).output().expect("runs");
    assert_eq!(plan.status.code(), Some(0), "{}", String::from_utf8_lossy(&plan.stderr));
    assert!(
        String::from_utf8_lossy(&plan.stdout)
            .contains("+ share group SOC Analysts with organization Initech (created by this run)"),
        "{}",
        String::from_utf8_lossy(&plan.stdout)
    );
    env.scc().args(["apply", "--yes"]).arg(&path).assert().success();
    env.scc()
        .args(["plan", "--detailed-exitcode"])
        .arg(&path)
        .assert()
        .code(0);
    let state = env.control("GET", "state");
    let initech = state["organizations"]
        .as_object()
        .expect("orgs")
        .values()
        .find(|org| org["name"] == "Initech")
        .expect("created");
    let group = state["groups"]
        .as_object()
        .expect("groups")
        .values()
        .find(|group| group["name"] == "SOC Analysts")
        .expect("the group");
    assert!(
        group["shared_with"]
            .to_string()
            .contains(initech["id"].as_str().expect("id")),
        "{group}"
    );
}
