//! What a person reviewed is what runs, on the organizations they named, and nothing else: each way
//! a reviewed change set was found to differ from the one run, as a test through `scc`.

mod common;

use common::{Env, stdout_json};
use predicates::prelude::*;
use serde_json::Value;

fn write(env: &Env, name: &str, text: &str) -> std::path::PathBuf {
    let path = env.config_dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// The e-mails of the users of an organization (by name), as the service lists them.
fn emails(env: &Env, org: &str) -> Vec<String> {
    let listed = env
        .scc()
        .args(["user", "list", "-o", "json", "--org", org])
        .output()
        .expect("runs");
    let mut emails: Vec<String> = stdout_json(&listed)
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|user| user["email"].as_str().map(str::to_owned))
        .collect();
    emails.sort();
    emails
}

fn writes(env: &Env) -> Vec<Value> {
    env.journal()
        .into_iter()
        .filter(|entry| {
            entry["method"] != "GET"
                && !entry["path"]
                    .as_str()
                    .is_some_and(|path| path.ends_with("/subscriptions/claimInfo"))
        })
        .collect()
}

/// A saved plan is a change set: editing the plan file it carries (a user added, or one taken out
/// under `prune`) makes `apply` refuse that organization with the difference shown (exit 8), and
/// nothing is written; `scc plan PLAN` shows exactly the saved changes.
#[test]
fn an_edited_saved_plan_applies_nothing_and_shows_the_difference() {
    let env = Env::new();
    let plan = write(
        &env,
        "one.yaml",
        "organizations:\n  - name: Acme Customer East\n    users:\n      - {email: erin.east@customer-east.example, first_name: Erin, last_name: East}\n      - {email: frank.east@customer-east.example, first_name: Frank, last_name: East}\n      - {email: three@customer-east.example, first_name: Three, last_name: Ree}\n    prune: {users: true}\n",
    );
    let saved = env.config_dir.path().join("p.json");
    env.scc()
        .args(["plan", "--out"])
        .arg(&saved)
        .arg(&plan)
        .assert()
        .success()
        .stdout(predicate::str::contains("+ invite user three@customer-east.example"));
    let original: Value = serde_json::from_str(&std::fs::read_to_string(&saved).expect("saved")).expect("json");

    // A user slipped into the saved file's plan section, `planned.changes` left alone.
    let mut added = original.clone();
    added["organizations"][0]["plan"]["users"]
        .as_array_mut()
        .expect("users")
        .push(serde_json::json!({"email": "mallory@evil.example", "first_name": "Mal", "last_name": "Lory"}));
    std::fs::write(&saved, serde_json::to_string(&added).expect("json")).expect("write");
    let shown = env.scc().args(["plan"]).arg(&saved).output().expect("runs");
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("1 change(s)"),
        "the saved changes are what is shown:\n{text}"
    );
    assert!(!text.contains("mallory"), "{text}");
    env.clear_journal();
    let applied = env.scc().args(["apply"]).arg(&saved).output().expect("runs");
    let stdout = String::from_utf8_lossy(&applied.stdout);
    let stderr = String::from_utf8_lossy(&applied.stderr);
    assert_eq!(applied.status.code(), Some(8), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("since the plan was saved: now also: + invite user mallory@evil.example"),
        "{stdout}"
    );
    assert!(stderr.contains("the saved plan was edited"), "{stderr}");
    assert_eq!(writes(&env), Vec::<Value>::new(), "nothing was written");

    // Frank taken out of the section under `prune: {users: true}`: his removal was never reviewed.
    let mut removed = original.clone();
    removed["organizations"][0]["plan"]["users"]
        .as_array_mut()
        .expect("users")
        .remove(1);
    std::fs::write(&saved, serde_json::to_string(&removed).expect("json")).expect("write");
    env.clear_journal();
    env.scc()
        .args(["apply"])
        .arg(&saved)
        .assert()
        .code(8)
        .stdout(predicate::str::contains(
            "now also: - remove user frank.east@customer-east.example",
        ));
    assert_eq!(writes(&env), Vec::<Value>::new(), "nothing was written");
    assert!(
        emails(&env, "Acme Customer East").contains(&"frank.east@customer-east.example".to_owned()),
        "frank keeps access"
    );

    // The saved plan as it was written: exactly its change is made.
    std::fs::write(&saved, serde_json::to_string(&original).expect("json")).expect("write");
    env.scc().args(["apply"]).arg(&saved).assert().success();
    assert_eq!(
        emails(&env, "Acme Customer East"),
        [
            "erin.east@customer-east.example",
            "frank.east@customer-east.example",
            "three@customer-east.example"
        ]
    );
}

/// `--org` on plan and apply selects organizations of the file (repeatable, by name or id); one that
/// names none is a usage error before anything is read; other commands refuse it twice.
#[test]
fn org_scopes_plan_and_apply_to_the_organizations_named() {
    let env = Env::new();
    let plan = write(
        &env,
        "two.yaml",
        "organizations:\n  - name: Acme Customer East\n    users:\n      - {email: east.new@customer-east.example, first_name: East, last_name: New}\n  - name: Acme Customer West\n    users:\n      - {email: west.new@west.example, first_name: West, last_name: New}\n",
    );
    let shown = env
        .scc()
        .args(["plan", "--org", "acme customer east"])
        .arg(&plan)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&shown.stdout);
    assert_eq!(shown.status.code(), Some(0), "{text}");
    assert!(text.contains("+ invite user east.new@customer-east.example"), "{text}");
    assert!(!text.contains("West"), "only the organization named is shown:\n{text}");

    env.scc()
        .args(["apply", "--yes", "--org", "Acme Customer East"])
        .arg(&plan)
        .assert()
        .success();
    assert!(emails(&env, "Acme Customer East").contains(&"east.new@customer-east.example".to_owned()));
    assert!(
        !emails(&env, "Acme Customer West").contains(&"west.new@west.example".to_owned()),
        "the organization not named is not changed"
    );

    env.clear_journal();
    env.scc()
        .args(["apply", "--yes", "--org", "Acme Customer Esat"])
        .arg(&plan)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--org \"Acme Customer Esat\": no organization of",
        ))
        .stderr(predicate::str::contains(
            "the file's organizations: Acme Customer East, Acme Customer West",
        ));
    assert_eq!(env.journal(), Vec::<Value>::new(), "nothing was sent");

    // Repeated: both organizations.
    env.scc()
        .args([
            "plan",
            "--detailed-exitcode",
            "--org",
            "Acme Customer East",
            "--org",
            "Acme Customer West",
        ])
        .arg(&plan)
        .assert()
        .code(10)
        .stdout(predicate::str::contains("+ invite user west.new@west.example"));
    env.scc()
        .args([
            "user",
            "list",
            "--org",
            "Acme Customer East",
            "--org",
            "Acme Customer West",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--org is given 2 times"));
    // export takes it the same way: those organizations only.
    let exported = env
        .scc()
        .args([
            "export",
            "-o",
            "json",
            "--org",
            "Acme Customer West",
            "--org",
            "Acme Customer East",
        ])
        .output()
        .expect("runs");
    let names: Vec<String> = stdout_json(&exported)["organizations"]
        .as_array()
        .expect("organizations")
        .iter()
        .filter_map(|org| org["name"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(names, ["Acme Customer West", "Acme Customer East"]);
}

/// An organization to be created is checked as an existing one is: a member who is no user and a
/// role that does not exist are found by `plan`, before anything is created.
#[test]
fn a_new_organization_is_planned_with_the_checks_of_an_existing_one() {
    let env = Env::new();
    let plan = write(
        &env,
        "new.yaml",
        "organizations:\n  - name: Initech\n    create: true\n    region: NAM\n    users:\n      - {email: peter@initech.example, first_name: Peter, last_name: Gibbons, admin: true}\n    groups:\n      - {name: TPS, members: [peter@initech.example, milton@initech.example]}\n    roles:\n      - {product: Security Cloud Control, role: Stapler Custodian, groups: [TPS]}\n      - {product: Security Cloud Control, role: Organization Member, groups: [TPS]}\n",
    );
    env.clear_journal();
    let shown = env.scc().args(["plan"]).arg(&plan).output().expect("runs");
    let text = String::from_utf8_lossy(&shown.stdout);
    assert_eq!(shown.status.code(), Some(3), "problems are a non-zero exit:\n{text}");
    for expected in [
        "Initech (new): ",
        "+ create organization Initech",
        "+ invite user peter@initech.example",
        "admin: true",
        "+ add member peter@initech.example of group TPS",
        "+ assign role Security Cloud Control / Organization Member of group TPS",
        "groups[0].members[1] is not a user of the organization",
        "no role \"Stapler Custodian\" for product \"Security Cloud Control\"",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    assert!(!text.contains("+ add member milton"), "{text}");
    assert_eq!(writes(&env), Vec::<Value>::new(), "a plan writes nothing");

    // The JSON plan carries every change's attributes: the privilege a reviewer must see.
    let json = env
        .scc()
        .args(["plan", "-o", "json"])
        .arg(&plan)
        .output()
        .expect("runs");
    let document = stdout_json(&json);
    let changes = document["organizations"][0]["changes"].as_array().expect("changes");
    let invite = changes
        .iter()
        .find(|row| row["object"] == "user peter@initech.example")
        .expect("the invite");
    assert_eq!(
        invite["attributes"],
        serde_json::json!({"first_name": "Peter", "last_name": "Gibbons", "admin": true})
    );
    let create = changes
        .iter()
        .find(|row| row["object"] == "organization Initech")
        .expect("the create");
    assert_eq!(create["attributes"], serde_json::json!({"region": "NAM"}));
}

/// `create: true` never adopts an organization of its name that is not the one it would create.
#[test]
fn create_true_refuses_an_organization_of_another_region() {
    let env = Env::new();
    let plan = write(
        &env,
        "west.yaml",
        "organizations:\n  - name: Acme Customer West\n    create: true\n    region: APJC\n    users:\n      - {email: nia@west.example, first_name: Nia, last_name: Okafor}\n",
    );
    let shown = env.scc().args(["plan"]).arg(&plan).output().expect("runs");
    let text = String::from_utf8_lossy(&shown.stdout);
    assert_eq!(shown.status.code(), Some(3), "{text}");
    assert!(text.contains("is in region EMEA, not APJC"), "{text}");
    assert!(
        text.contains("`create: true` adopts only the organization it would create"),
        "{text}"
    );
    assert!(!text.contains("+ invite"), "nothing is planned for it:\n{text}");
    env.clear_journal();
    env.scc().args(["apply", "--yes"]).arg(&plan).assert().code(3);
    assert_eq!(writes(&env), Vec::<Value>::new(), "nothing was written");
}

/// `org create` refuses a name that exists (exit 1, with its id); `--if-missing` answers it.
#[test]
fn org_create_refuses_a_name_that_exists_unless_if_missing() {
    let env = Env::new();
    let create = |extra: &[&str]| {
        let mut command = env.scc();
        command.args(["org", "create", "--name", "Globex Two", "--region", "NAM", "-o", "json"]);
        command.args(extra);
        command.output().expect("runs")
    };
    let first = create(&[]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let id = stdout_json(&first)["id"].as_str().expect("id").to_owned();
    let second = create(&[]);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("exists already (id {id})")), "{stderr}");
    assert!(stderr.contains("--if-missing"), "{stderr}");
    let again = create(&["--if-missing"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(stdout_json(&again)["id"], id.as_str());
    env.scc().args(["org", "get", "Globex Two"]).assert().success();
}

/// A key its token says is read-only is refused before the first write of an apply (exit 4, naming
/// the scope); `plan` works with it.
#[test]
fn a_read_only_key_is_refused_before_the_first_write() {
    let env = Env::new();
    let plan = write(
        &env,
        "one.yaml",
        "organizations:\n  - name: Acme MSP\n    users:\n      - {email: ro@acme.example, first_name: Read, last_name: Only}\n",
    );
    let member = env.emulator.ready().member.access_token.clone();
    env.scc_with_token(&member).args(["plan"]).arg(&plan).assert().success();
    env.clear_journal();
    env.scc_with_token(&member)
        .args(["apply", "--yes"])
        .arg(&plan)
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "the API key is read-only (its scope is \"security:enterprise:member\")",
        ))
        .stderr(predicate::str::contains("nothing was changed"));
    assert_eq!(env.journal(), Vec::<Value>::new(), "nothing was sent");
}

/// `--detailed-exitcode`: 0 nothing to change, 10 changes; a broken file keeps its usage code (2),
/// so a drift job never reports drift for a broken YAML. Flags a command would ignore are refused.
#[test]
fn detailed_exit_codes_are_distinct_from_every_error() {
    let env = Env::new();
    let broken = write(&env, "broken.yaml", "organizations:\n  - name: [unclosed\n");
    env.scc()
        .args(["plan", "--detailed-exitcode"])
        .arg(&broken)
        .assert()
        .code(2);
    let pending = write(
        &env,
        "pending.yaml",
        "organizations:\n  - name: Acme MSP\n    users:\n      - {email: drift@acme.example, first_name: D, last_name: Rift}\n",
    );
    env.scc()
        .args(["plan", "--detailed-exitcode"])
        .arg(&pending)
        .assert()
        .code(10);
    let settled = write(
        &env,
        "settled.yaml",
        "organizations:\n  - name: Acme MSP\n    users:\n      - {email: alice.admin@acme.example, first_name: Alice, last_name: Admin}\n",
    );
    env.scc()
        .args(["plan", "--detailed-exitcode"])
        .arg(&settled)
        .assert()
        .code(0);
    env.scc()
        .args(["apply", "--yes", "--detailed-exitcode"])
        .arg(&pending)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--detailed-exitcode is for `scc plan`"));
    env.scc()
        .args(["plan", "--journal", "j.jsonl"])
        .arg(&pending)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`scc plan` (and --dry-run) makes none"));
    env.scc()
        .args(["apply", "--dry-run", "--journal", "j.jsonl"])
        .arg(&pending)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("makes none"));
}
