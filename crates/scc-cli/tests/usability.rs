//! The command line as a new user meets it, through the binary: enum flags checked before sending,
//! names where ids are wanted, --jq and -o wide, configure, the emulator's env file and log, whoami,
//! help, completion and a closed pipe.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use common::{Env, read_until, screen, stdout_json};
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn enum_flags_are_checked_in_any_case_before_anything_is_sent() {
    let env = Env::new();
    let code = env.emulator.ready().claim_codes.valid[0].clone();
    env.clear_journal();
    env.scc()
        .args(["subscription", "claim", &code, "--region", "bogus"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "[possible values: NAM, EMEA, APJC, US, GLOBAL]",
        ));
    for args in [
        vec!["org", "list", "--type", "managers"],
        vec!["user", "list", "--status", "gone"],
        vec!["role", "list", "--type", "odd"],
        vec!["org", "list", "--order", "up"],
        vec!["group", "create", "--name", "G", "--applies-to", "everyone"],
        vec!["org", "create", "--name", "X", "--region", "MARS"],
        vec!["-o", "xml", "org", "list"],
    ] {
        env.scc()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("possible values"));
    }
    assert!(env.journal().is_empty(), "nothing was sent for a bad value");
    // Lower case is the same value, sent as the API spells it.
    let planned = env
        .scc()
        .args([
            "subscription",
            "claim",
            &code,
            "--region",
            "emea",
            "--dry-run",
            "-o",
            "json",
        ])
        .output()
        .expect("runs");
    assert_eq!(
        planned.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&planned.stderr)
    );
    let body = stdout_json(&planned)["body"].to_string();
    assert!(body.contains("\"regionCode\":\"EMEA\""), "{body}");
    let listed = env
        .scc()
        .args(["org", "list", "--type", "managed", "-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(listed.status.code(), Some(0));
    assert!(
        stdout_json(&listed)
            .as_array()
            .is_some_and(|orgs| orgs.iter().all(|o| o["type"] == "MANAGED"))
    );
}

#[test]
fn names_and_e_mails_work_where_ids_are_wanted_and_ambiguity_lists_the_candidates() {
    let env = Env::new();
    let by_name = env
        .scc()
        .args(["org", "get", "acme msp", "-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(stdout_json(&by_name)["id"], env.org().as_str());
    let group = env
        .scc()
        .args(["group", "get", "SOC Analysts", "-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(stdout_json(&group)["name"], "SOC Analysts");
    let user = env
        .scc()
        .args(["user", "get", "Alice.Admin@acme.example", "-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(stdout_json(&user)["email"], "alice.admin@acme.example");
    let members = env
        .scc()
        .args(["group", "users", "SOC Analysts", "--jq", ".[].email"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&members.stdout).contains("alice.admin@acme.example"));
    env.scc()
        .args(["user", "get", "nobody@acme.example"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("no user of organization"));
    // Two organizations of one name (made through the raw API: `org create` refuses a second).
    let mut ids = Vec::new();
    for _ in 0..2 {
        let created = env
            .scc()
            .args([
                "api",
                "POST",
                "organizations",
                "--data",
                r#"{"name": "Twin Co", "regionCode": "NAM", "type": "MANAGED"}"#,
                "-o",
                "json",
            ])
            .output()
            .expect("runs");
        ids.push(stdout_json(&created)["id"].as_str().expect("id").to_owned());
    }
    let ambiguous = env.scc().args(["org", "get", "Twin Co"]).output().expect("runs");
    assert_eq!(ambiguous.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&ambiguous.stderr);
    for id in &ids {
        assert!(stderr.contains(id.as_str()), "{stderr}");
    }
    // --org takes a name too.
    let groups = env
        .scc()
        .args(["--org", "Acme MSP", "group", "list", "--jq", ".[].name"])
        .output()
        .expect("runs");
    assert_eq!(groups.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&groups.stdout).contains("SOC Analysts"));
}

#[test]
fn jq_filters_the_json_and_a_bad_expression_sends_nothing() {
    let env = Env::new();
    let emails = env
        .scc()
        .args(["user", "list", "--jq", "map(.email) | sort | .[0]"])
        .output()
        .expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&emails.stdout),
        "alice.admin@acme.example\n",
        "strings print bare"
    );
    let count = env
        .scc()
        .args(["user", "list", "--jq", "length"])
        .output()
        .expect("runs");
    assert!(
        String::from_utf8_lossy(&count.stdout)
            .trim()
            .parse::<u32>()
            .is_ok_and(|n| n >= 4)
    );
    env.clear_journal();
    env.scc()
        .args(["user", "list", "--jq", ".[ | nonsense"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--jq"));
    assert!(env.journal().is_empty(), "nothing was sent");
    // jq's @csv and @tsv, as jq writes them.
    env.scc()
        .args([
            "org",
            "list",
            "--jq",
            r#".[] | select(.name == "Acme MSP") | [.name, "say \"hi\"", 3, null, true] | @csv"#,
        ])
        .assert()
        .success()
        .stdout("\"Acme MSP\",\"say \"\"hi\"\"\",3,,true\n");
    env.scc()
        .args([
            "org",
            "list",
            "--jq",
            r#".[] | select(.name == "Acme MSP") | [.name, "a\tb", 3] | @tsv"#,
        ])
        .assert()
        .success()
        .stdout("Acme MSP\ta\\tb\t3\n");
}

#[test]
fn every_format_is_consistent_and_wide_shows_every_field() {
    let env = Env::new();
    let wide = env.scc().args(["-o", "wide", "user", "list"]).output().expect("runs");
    assert_eq!(wide.status.code(), Some(0));
    let json = env.scc().args(["-o", "json", "user", "list"]).output().expect("runs");
    let first = &stdout_json(&json)[0];
    let first_line = String::from_utf8_lossy(&wide.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        first_line.split('\t').count(),
        first.as_object().map_or(0, |o| o.len()),
        "every field: {first_line}"
    );
    for format in ["table", "json", "ndjson", "yaml", "wide"] {
        for args in [
            vec!["org", "list"],
            vec!["whoami"],
            vec!["group", "get", "SOC Analysts"],
        ] {
            let output = env.scc().args(["-o", format]).args(&args).output().expect("runs");
            assert_eq!(output.status.code(), Some(0), "-o {format} {args:?}");
            assert!(!output.stdout.is_empty(), "-o {format} {args:?}");
        }
    }
    let yaml = env.scc().args(["-o", "yaml", "org", "get"]).output().expect("runs");
    let parsed: Value = serde_norway::from_slice(&yaml.stdout).expect("yaml");
    assert_eq!(parsed["id"], env.org().as_str());
}

#[test]
fn whoami_says_the_organization_scope_and_expiry() {
    let env = Env::new();
    let me = env.scc().args(["whoami", "-o", "json"]).output().expect("runs");
    assert_eq!(me.status.code(), Some(0), "{}", String::from_utf8_lossy(&me.stderr));
    let me = stdout_json(&me);
    assert_eq!(me["org_id"], env.org().as_str());
    assert_eq!(me["org_name"], "Acme MSP");
    assert_eq!(me["scope"], "admin (read and write): security:enterprise:admin");
    assert!(
        me["expires"].is_null(),
        "the emulator's default token states no expiry: {me}"
    );
    // Times as scripts read them: RFC 3339, and the seconds left beside (a token that states one).
    let exp = jiff::Timestamp::now().as_second() + 3600;
    let token = format!("e30.{}.c2ln", base64url(&format!("{{\"exp\": {exp}}}")));
    let status = stdout_json(
        &env.scc_with_token(&token)
            .args(["auth", "status", "-o", "json"])
            .output()
            .expect("runs"),
    );
    let expires = status["access_token_expires"].as_str().expect("a time");
    assert!(expires.parse::<jiff::Timestamp>().is_ok(), "{expires}");
    assert!(
        status["access_token_expires_in_seconds"]
            .as_i64()
            .is_some_and(|left| left > 3000 && left <= 3600),
        "{status}"
    );
    let table = env
        .scc_with_token(&token)
        .args(["auth", "status"])
        .output()
        .expect("runs");
    assert!(
        String::from_utf8_lossy(&table.stdout).contains(" min)"),
        "people read minutes left"
    );
    let member = env
        .scc_with_token(&env.emulator.ready().member.access_token)
        .args(["whoami", "-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(
        stdout_json(&member)["scope"],
        "member (read only): security:enterprise:member"
    );
    env.scc_with_token("not-a-token").args(["whoami"]).assert().code(4);
}

#[test]
fn configure_dry_run_writes_nothing_and_a_token_from_stdin_is_said() {
    let env = Env::new();
    env.bare()
        .args([
            "configure",
            "--org",
            "0194a1b2-0000-7000-8000-000000000001",
            "--access-token",
            "-",
            "--dry-run",
            "--no-verify",
        ])
        .write_stdin("secret-from-stdin\n")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("read --access-token from stdin"))
        .stderr(predicate::str::contains("nothing was written"))
        .stdout(predicate::str::contains("secret-from-stdin").not());
    assert!(
        std::fs::read_dir(env.config_dir.path()).expect("dir").next().is_none(),
        "no file written"
    );
    env.bare()
        .args([
            "configure",
            "--org",
            "0194a1b2-0000-7000-8000-000000000001",
            "--token",
            "-",
            "--no-verify",
        ])
        .write_stdin("secret-from-stdin\n")
        .assert()
        .code(0);
    let saved = std::fs::read_to_string(env.config_dir.path().join("credentials/default.json")).expect("saved");
    assert!(saved.contains("secret-from-stdin"));
}

#[cfg(unix)]
#[test]
fn scc_emulator_writes_an_env_file_that_points_scc_at_it_and_logs_each_request() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let env_file = dir.path().join("scc.env");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("scc"))
        .args(["emulator", "--port", "0", "--log", "--env-file"])
        .arg(&env_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("ready");
    let ready: Value = serde_json::from_str(&line).expect("ready line");
    let text = std::fs::read_to_string(&env_file).expect("env file");
    let mode = std::fs::metadata(&env_file).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "it holds a token");
    assert!(text.contains(&format!(
        "export SCC_BASE_URL='{}'",
        ready["base_url"].as_str().unwrap_or_default()
    )));
    // Everything `scc configure` and refreshing credentials need, not only the access token.
    for (name, value) in [
        ("SCC_API_KEY_ID", &ready["admin"]["api_key_id"]),
        ("SCC_REFRESH_TOKEN", &ready["admin"]["refresh_token"]),
    ] {
        assert!(
            text.contains(&format!("export {name}='{}'", value.as_str().unwrap_or_default())),
            "{name}"
        );
    }
    // `. FILE` then scc: the same as the shell would do.
    let script = format!(
        ". '{}' && '{}' org get -o json",
        env_file.display(),
        assert_cmd::cargo::cargo_bin!("scc").display()
    );
    let output = std::process::Command::new("sh")
        .args(["-c", &script])
        .env_clear()
        .env("SCC_CONFIG_DIR", dir.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout_json(&output)["id"], ready["org_id"]);
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    let mut log = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut log)
        .expect("log");
    assert!(child.wait().expect("ends").success());
    assert!(
        log.contains(&format!(
            "GET /v1/organizations/{} 200",
            ready["org_id"].as_str().unwrap_or_default()
        )),
        "{log}"
    );
    assert!(!env_file.exists(), "removed at a clean stop");
    assert!(
        !log.contains(ready["admin"]["access_token"].as_str().unwrap_or("-")),
        "no token in the log"
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let env = Env::new();
    let plan = env.config_dir.path().join("plan.yaml");
    let mut text = String::from("organizations:\n");
    for n in 0..40 {
        text.push_str(&format!("  - name: Pipe {n}\n    create: true\n    region: NAM\n"));
    }
    std::fs::write(&plan, text).expect("plan");
    for args in [
        vec!["completion".to_owned(), "bash".to_owned()],
        vec!["plan".to_owned(), plan.display().to_string()],
    ] {
        let mut child = env
            .scc_process()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawns");
        let mut first = [0u8; 8];
        child
            .stdout
            .as_mut()
            .expect("stdout")
            .read_exact(&mut first)
            .expect("some output");
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("ends");
        assert_ne!(
            output.status.code(),
            Some(101),
            "{args:?} panicked: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !String::from_utf8_lossy(&output.stderr).contains("panicked"),
            "{args:?}"
        );
    }
}

#[test]
fn help_has_examples_and_the_environment_and_man_pages_are_written() {
    let env = Env::new();
    env.bare()
        .args(["user", "invite", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("EXAMPLES:"));
    env.bare()
        .args(["--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("SCC_ACCESS_TOKEN"));
    env.bare()
        .args(["emulator", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("/_emulator/faults").and(predicate::str::contains("control_token")));
    let dir = tempfile::tempdir().expect("dir");
    env.bare().args(["man", "--dir"]).arg(dir.path()).assert().code(0);
    assert!(dir.path().join("scc-apply.1").exists());
}

#[test]
fn a_secret_given_on_the_command_line_is_warned_of_and_stdin_offered() {
    let env = Env::new();
    env.bare()
        .args([
            "configure",
            "--org",
            "0194a1b2-0000-7000-8000-000000000001",
            "--access-token",
            "visible-in-ps",
            "--dry-run",
            "--no-verify",
        ])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "--access-token on the command line can be read by other users",
        ))
        .stderr(predicate::str::contains("`--access-token -`"))
        .stderr(predicate::str::contains("visible-in-ps").not());
    env.bare()
        .args([
            "configure",
            "--org",
            "0194a1b2-0000-7000-8000-000000000001",
            "--access-token",
            "-",
            "--dry-run",
            "--no-verify",
        ])
        .write_stdin("secret-from-stdin\n")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("warning").not());
}

#[test]
fn a_base_url_written_with_the_version_works() {
    let env = Env::new();
    env.scc()
        .args(["--base-url", &format!("{}/v1", env.emulator.base_url()), "org", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Acme MSP"));
}

#[test]
fn a_patch_without_changes_names_the_flags_it_takes() {
    let env = Env::new();
    env.scc()
        .args(["group", "patch", "SOC"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--add-user").and(predicate::str::contains("--add-managed-org")));
    env.scc()
        .args(["role", "patch", "Organization Administrator"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--add-user").and(predicate::str::contains("--add-group")));
}

#[test]
fn an_invitation_refused_before_sending_is_a_usage_error() {
    let env = Env::new();
    env.clear_journal();
    env.scc()
        .args([
            "user",
            "invite",
            "mike@contoso,com",
            "--first-name",
            "Mike",
            "--last-name",
            "Typo",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing was sent"));
    assert!(env.journal().is_empty());
}

#[test]
fn a_sort_field_is_checked_before_sending() {
    let env = Env::new();
    env.clear_journal();
    env.scc()
        .args(["org", "list", "--sort-by", "bogus"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("regionCode"));
    assert!(env.journal().is_empty());
    env.scc()
        .args(["org", "list", "--sort-by", "REGIONCODE", "--order", "desc"])
        .assert()
        .success();
    let sent = env.journal();
    assert!(
        sent.iter().any(|request| request["query"]
            .as_str()
            .is_some_and(|query| query.contains("sortBy=regionCode") && query.contains("order=DESC"))),
        "{sent:?}"
    );
}

#[cfg(unix)]
#[test]
fn on_a_terminal_the_emulator_keeps_its_credentials_off_the_screen() {
    // `script` gives the emulator a terminal (a pty) for stdout; it is stopped after its first lines.
    let scc = assert_cmd::cargo::cargo_bin!("scc").display().to_string();
    let output = std::process::Command::new("timeout")
        .args([
            "-s",
            "INT",
            "3",
            "script",
            "-qec",
            &format!("'{scc}' emulator --port 0"),
            "/dev/null",
        ])
        .env("SCC_CONFIG_DIR", tempfile::tempdir().expect("dir").path())
        .output()
        .expect("runs");
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(screen.contains("serving on http://127.0.0.1:"), "{screen}");
    assert!(
        screen.contains("not shown on a terminal") && screen.contains("--env-file"),
        "{screen}"
    );
    assert!(
        !screen.contains("access_token") && !screen.contains("refresh_token"),
        "{screen}"
    );
}

#[test]
fn an_organization_created_with_an_msp_key_is_one_it_can_reach() {
    let env = Env::new();
    let created = env
        .scc()
        .args([
            "org",
            "create",
            "--name",
            "Reachable Co",
            "--region",
            "nam",
            "-o",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    assert_eq!(stdout_json(&created)["type"], "MANAGED");
    assert!(String::from_utf8_lossy(&created.stderr).contains("creating a MANAGED organization"));
    // Right after, by its name: it is within the key's reach.
    env.scc().args(["org", "get", "Reachable Co"]).assert().success();
    // Asked for explicitly, a STANDALONE one is said to be out of reach before it is made.
    env.scc()
        .args([
            "org",
            "create",
            "--name",
            "Own Co",
            "--region",
            "nam",
            "--type",
            "standalone",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "will not reach the new STANDALONE organization",
        ));
}

#[test]
fn a_script_run_twice_changes_nothing_the_second_time_and_exits_zero() {
    let env = Env::new();
    let writes = |env: &Env| {
        env.journal()
            .into_iter()
            .filter(|entry| entry["method"] != "GET")
            .count()
    };
    let invite = [
        "user",
        "invite",
        "nia@acme.example",
        "--first-name",
        "Nia",
        "--last-name",
        "Okafor",
    ];
    env.scc().args(invite).assert().success();
    env.clear_journal();
    let steps: [&[&str]; 6] = [
        &invite,
        &["user", "enable", "bob.analyst@acme.example"],
        &[
            "user",
            "remove",
            "--yes",
            "--ignore-missing",
            "nobody.here@acme.example",
        ],
        &[
            "group",
            "patch",
            "SOC Analysts",
            "--add-user",
            "bob.analyst@acme.example",
        ],
        &[
            "role",
            "patch",
            "Organization Administrator",
            "--add-user",
            "alice.admin@acme.example",
        ],
        &["role", "patch", "Organization Member", "--add-group", "SOC Analysts"],
    ];
    for step in steps {
        env.scc()
            .args(step)
            .assert()
            .success()
            .stdout(predicate::str::contains("unchanged"))
            .stderr(predicate::str::contains("unchanged (already in place)"));
    }
    assert_eq!(writes(&env), 0, "nothing in place was sent: {:?}", env.journal());

    // Already there, but not as asked: still an error, and it shows the difference.
    env.scc()
        .args([
            "user",
            "invite",
            "nia@acme.example",
            "--first-name",
            "Nia",
            "--last-name",
            "Okafor-Lee",
        ])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("already a user, as \"Nia\" \"Okafor\""))
        .stdout(predicate::str::contains("scc user update nia@acme.example"));
    assert_eq!(writes(&env), 0);
    // Beside one that changes something: that one is sent, the rest reported unchanged.
    env.scc()
        .args([
            "user",
            "disable",
            "bob.analyst@acme.example",
            "dave.former@acme.example",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("1 of 1 succeeded, 1 unchanged"));
    assert_eq!(writes(&env), 1);
}

#[test]
fn configure_keeps_the_id_of_an_organization_given_by_name_and_checks_the_token() {
    let env = Env::new();
    let ready = env.emulator.ready().clone();
    // A refused token: nothing is saved.
    env.bare()
        .args(["configure", "--base-url", env.emulator.base_url(), "--org", "Acme MSP"])
        .args(["--access-token", "-", "--no-input"])
        .write_stdin("not-a-token\n")
        .assert()
        .code(4)
        .stderr(predicate::str::contains("nothing was saved"));
    assert!(!env.config_dir.path().join("config.toml").exists());
    // The name is resolved with the token, the id kept, and said.
    env.bare()
        .args(["configure", "--base-url", env.emulator.base_url(), "--org", "Acme MSP"])
        .args([
            "--api-key-id",
            &ready.admin.api_key_id,
            "--access-token",
            "-",
            "--refresh-token",
            "-",
        ])
        .arg("--no-input")
        .write_stdin(format!("{}\n{}\n", ready.admin.access_token, ready.admin.refresh_token))
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "organization \"Acme MSP\" is {}: the profile keeps the id",
            ready.org_id
        )))
        .stderr(predicate::str::contains("checked the token: it reaches \"Acme MSP\""));
    let config = std::fs::read_to_string(env.config_dir.path().join("config.toml")).expect("config");
    assert!(config.contains(&format!("org_id = \"{}\"", ready.org_id)), "{config}");
    let saved = std::fs::read_to_string(env.config_dir.path().join("credentials/default.json")).expect("credentials");
    assert!(saved.contains(&ready.org_id));
    // A refresh (which names the organization) works with the saved profile.
    env.bare().args(["token", "refresh"]).assert().success();
    env.bare().args(["whoami"]).assert().success();
    // Offline, a name cannot be kept: the refresh would fail later.
    env.bare()
        .args(["configure", "--org", "Acme MSP", "--no-verify", "--dry-run"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give the organization's id"));
}

#[cfg(unix)]
#[test]
fn at_80_columns_every_table_fits_and_keeps_its_names_whole() {
    let env = Env::new();
    let on_terminal = |args: &str| {
        let output = env
            .scc_on_terminal(args)
            .env("COLUMNS", "80")
            .env("NO_COLOR", "1")
            .output()
            .expect("script runs");
        screen(&output)
    };
    for (args, whole) in [
        ("org list", vec!["Acme Customer East", "Acme Customer West", "Acme MSP"]),
        (
            "user list",
            vec!["alice.admin@acme.example", "dave.former@acme.example"],
        ),
        ("group list", vec!["SOC Analysts"]),
        (
            "role list --user alice.admin@acme.example",
            vec!["Organization Administrator", "Organization Member"],
        ),
    ] {
        let screen = on_terminal(args);
        for line in screen.lines() {
            assert!(
                line.chars().count() <= 80,
                "{args}: {line:?} is wider than 80\n{screen}"
            );
        }
        for name in whole {
            assert!(screen.contains(name), "{args}: {name:?} whole in\n{screen}");
        }
    }
    let listed = env.scc().args(["user", "list", "-o", "json"]).output().expect("runs");
    let id = stdout_json(&listed)[0]["id"].as_str().expect("an id").to_owned();
    assert!(!on_terminal("user list").contains(&id), "at 80 columns the id is short");
    let wide = on_terminal("user list -o wide");
    assert!(wide.contains(&id), "-o wide shows every field whole: {wide}");
}

#[test]
fn profiles_are_listed_and_one_is_chosen_by_name_and_version_says_the_build() {
    let env = Env::new();
    let org = "0194a1b2-0000-7000-8000-000000000001";
    for profile in ["default", "staging"] {
        env.bare()
            .args([
                "configure",
                "--profile",
                profile,
                "--org",
                org,
                "--access-token",
                "-",
                "--no-verify",
            ])
            .args(["--base-url", &format!("http://127.0.0.1:9/{profile}")])
            .write_stdin("a-token\n")
            .assert()
            .success();
    }
    let listed = env
        .bare()
        .args(["profile", "list", "-o", "json"])
        .output()
        .expect("runs");
    let profiles = stdout_json(&listed);
    let names: Vec<(&str, &str)> = profiles
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default(),
                p["current"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(names, vec![("default", "*"), ("staging", "")]);
    assert_eq!(profiles[1]["credentials"], "access token");
    assert!(!listed.stdout.windows(7).any(|w| w == b"a-token"), "never a secret");

    env.bare().args(["profile", "use", "staging"]).assert().success();
    let status = env
        .bare()
        .args(["auth", "status", "-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(stdout_json(&status)["profile"], "staging");
    // --profile still comes first.
    let status = env
        .bare()
        .args(["auth", "status", "-o", "json", "--profile", "default"])
        .output()
        .expect("runs");
    assert_eq!(stdout_json(&status)["profile"], "default");
    env.bare()
        .args(["profile", "use", "stagign"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("there are: default, staging"));

    let version = env.bare().args(["version"]).output().expect("runs");
    let text = String::from_utf8_lossy(&version.stdout);
    let pattern = regex::Regex::new(
        r"^scc \d+\.\d+\.\d+ \(commit (?:[0-9a-f]{12}|unknown), built \d{4}-\d{2}-\d{2}, [\w-]+\)\n$",
    )
    .expect("regex");
    assert!(pattern.is_match(&text), "{text:?}");
    let document = stdout_json(&env.bare().args(["version", "-o", "json"]).output().expect("runs"));
    assert_eq!(document["version"], env!("CARGO_PKG_VERSION"));
    assert!(document["target"].as_str().is_some_and(|target| target.contains('-')));
}

#[cfg(unix)]
#[test]
fn long_output_on_a_terminal_goes_through_the_pager_unless_no_pager() {
    let env = Env::new();
    let on_terminal = |args: &str, lines: &str| {
        let output = env
            .scc_on_terminal(args)
            .env("LINES", lines)
            .env("PAGER", "sed s/^/paged:/")
            .env("NO_COLOR", "1")
            .output()
            .expect("script runs");
        screen(&output)
    };
    let paged = on_terminal("user list", "4");
    assert!(
        paged
            .lines()
            .filter(|line| !line.is_empty())
            .all(|line| line.starts_with("paged:")),
        "{paged}"
    );
    assert!(paged.contains("alice.admin@acme.example"), "{paged}");
    let unpaged = on_terminal("user list --no-pager", "4");
    assert!(
        !unpaged.contains("paged:") && unpaged.contains("alice.admin@acme.example"),
        "{unpaged}"
    );
    let short = on_terminal("user list", "200");
    assert!(!short.contains("paged:"), "shorter than the terminal: {short}");
}

/// The README's quick start, line by line, against the emulator: every `scc` line it prints works.
#[cfg(unix)]
#[test]
fn the_readme_quick_start_runs_as_printed() {
    let env = Env::new();
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README");
    let block = readme
        .split("Quick start against the emulator")
        .nth(1)
        .and_then(|rest| rest.split("```sh\n").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("the quick start block");
    let lines: Vec<&str> = block
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("scc ") && !line.starts_with("scc emulator"))
        .collect();
    assert!(lines.len() >= 6, "{lines:?}");
    let scc = assert_cmd::cargo::cargo_bin!("scc");
    let bin_dir = scc.parent().expect("the binary's folder").to_owned();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let work = tempfile::tempdir().expect("dir");
    for line in lines {
        let output = std::process::Command::new("sh")
            .args(["-c", line])
            .current_dir(work.path())
            .env_clear()
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env("SCC_CONFIG_DIR", env.config_dir.path())
            .env("SCC_BASE_URL", env.emulator.base_url())
            .env("SCC_ACCESS_TOKEN", &env.emulator.ready().admin.access_token)
            .env("SCC_ORG_ID", env.org())
            .output()
            .expect("sh runs");
        assert!(
            output.status.success(),
            "{line}\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[cfg(unix)]
#[test]
fn a_prompt_names_the_organization_and_no_changes_nothing_with_its_own_exit_code() {
    let env = Env::new();
    env.clear_journal();
    let mut child = env
        .scc_on_terminal("user remove bob.analyst@acme.example")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script runs");
    // The answer, once the question is on the screen.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut screen = Vec::new();
    read_until(&mut stdout, &mut screen, "[y/N]", 1);
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), b"n\n").expect("answers");
    stdout.read_to_end(&mut screen).expect("reads");
    let status = child.wait().expect("ends");
    let screen = String::from_utf8_lossy(&screen);
    assert!(
        screen.contains(&format!(
            "remove bob.analyst@acme.example from organization \"Acme MSP\" ({})?",
            env.org()
        )),
        "{screen}"
    );
    assert!(screen.contains("not confirmed: nothing was changed"), "{screen}");
    assert_eq!(status.code(), Some(9), "{screen}");
    assert!(
        env.journal().iter().all(|entry| entry["method"] == "GET"),
        "nothing written"
    );
}

#[test]
fn names_of_organizations_groups_and_roles_complete_from_the_service_and_are_kept_a_minute() {
    let env = Env::new();
    let complete = |words: &[&str]| {
        let output = env
            .scc()
            .args(["__complete", "fish", "--", "scc"])
            .args(words)
            .output()
            .expect("runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    env.clear_journal();
    let groups = complete(&["group", "get", "s"]);
    assert!(groups.starts_with("SOC Analysts\t"), "{groups:?}");
    let roles = complete(&["role", "patch", "Organization A"]);
    assert!(roles.starts_with("Organization Administrator\t"), "{roles:?}");
    // A name several products' roles share: one candidate a role, its id, described by name and product.
    let shared = complete(&["role", "get", "administrator ("]);
    let lines: Vec<&str> = shared.lines().collect();
    assert!(lines.len() > 1, "{shared:?}");
    for line in &lines {
        let (id, about) = line.split_once('\t').expect("a description");
        assert!(
            !id.contains("Administrator") && about.starts_with("Administrator ("),
            "{shared:?}"
        );
    }
    let orgs = complete(&["user", "list", "--org", "acme c"]);
    let names: Vec<&str> = orgs
        .lines()
        .map(|line| line.split('\t').next().unwrap_or_default())
        .collect();
    assert_eq!(names, vec!["Acme Customer East", "Acme Customer West"]);
    let read = env.journal().len();
    assert!(read > 0);
    // Asked again within the minute: from the cache, no request.
    assert_eq!(complete(&["group", "get", "S"]), groups);
    assert_eq!(env.journal().len(), read);
    // Another token (another identity) never gets the names the first one read.
    env.clear_journal();
    let other = env
        .scc_with_token(&env.emulator.ready().member.access_token)
        .args(["__complete", "fish", "--", "scc", "group", "get", "S"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&other.stdout).starts_with("SOC Analysts\t"));
    assert!(
        !env.journal().is_empty(),
        "read with its own token, not from the first one's cache"
    );
    // An entry dated in the future is read again, never kept forever.
    let cache = env.config_dir.path().join("cache");
    for entry in std::fs::read_dir(&cache).expect("cache") {
        let path = entry.expect("entry").path();
        let mut cached: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
        cached["at"] = serde_json::json!(u64::MAX / 2);
        std::fs::write(&path, serde_json::to_vec(&cached).expect("json")).expect("write");
    }
    env.clear_journal();
    assert_eq!(complete(&["group", "get", "S"]), groups);
    assert!(!env.journal().is_empty(), "a future time is no time");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cache).expect("cache").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the cache folder is the owner's");
    }
    // The script asks scc itself, through the hidden command.
    env.bare()
        .args(["completion", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("scc __complete bash --"));
}

#[test]
fn help_lists_a_commands_own_flags_before_the_global_ones_and_ends_with_examples() {
    let env = Env::new();
    let output = env.bare().args(["user", "invite", "--help"]).output().expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    let at = |text: &str| help.find(text).unwrap_or_else(|| panic!("{text:?} in:\n{help}"));
    assert!(at("--first-name") < at("Global options:"), "{help}");
    assert!(at("Global options:") < at("--profile"), "{help}");
    assert!(at("--profile") < at("EXAMPLES:"), "{help}");
    let root = env.bare().arg("--help").output().expect("runs");
    let root = String::from_utf8_lossy(&root.stdout);
    assert!(
        root.contains("EXAMPLES:\n  scc demo") && root.contains("ENVIRONMENT:"),
        "{root}"
    );
}

/// Ctrl-C at `scc apply`'s question ends the run at once (exit 130), nothing changed.
#[cfg(unix)]
#[test]
fn ctrl_c_at_the_apply_question_stops_at_once() {
    let env = Env::new();
    let plan = env.config_dir.path().join("plan.yaml");
    std::fs::write(
        &plan,
        "organizations:\n  - name: Acme MSP\n    users:\n      - {email: q@acme.example, first_name: Q, last_name: Uestion}\n",
    )
    .expect("plan");
    env.clear_journal();
    let mut child = env
        .scc_on_terminal(&format!("apply '{}'", plan.display()))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut screen = Vec::new();
    read_until(&mut stdout, &mut screen, "[y/N]", 1);
    let question = format!(
        "Apply these changes with profile default to {} (the key's organization: {})? [y/N]",
        env.emulator.base_url(),
        env.org()
    );
    assert!(
        String::from_utf8_lossy(&screen).contains(&question),
        "the question names where the changes go"
    );
    let asked = std::time::Instant::now();
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), b"\x03").expect("Ctrl-C");
    stdout.read_to_end(&mut screen).expect("reads");
    let status = child.wait().expect("ends");
    let screen = String::from_utf8_lossy(&screen);
    assert_eq!(status.code(), Some(130), "{screen}");
    assert!(screen.contains("interrupted at the question"), "{screen}");
    assert!(asked.elapsed() < std::time::Duration::from_secs(10), "at once");
    assert!(
        env.journal().iter().all(|entry| entry["method"] == "GET"),
        "nothing written"
    );
}

/// Base64url without padding, for a token a test makes.
fn base64url(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// `auth login` saves a profile as `configure` does, `auth logout` forgets its credentials, and
/// `profile delete` removes a profile whole (asking first; one that does not exist is not found).
#[test]
fn login_logout_and_profile_delete() {
    let env = Env::new();
    let ready = env.emulator.ready();
    let login = |profile: &str| {
        env.bare()
            .args(["auth", "login", "--profile", profile, "--base-url"])
            .arg(env.emulator.base_url())
            .args(["--org", &ready.org_id, "--access-token", "-"])
            .write_stdin(format!("{}\n", ready.admin.access_token))
            .assert()
            .success();
    };
    login("work");
    login("spare");
    let credentials = env.config_dir.path().join("credentials");
    assert!(credentials.join("work.json").exists());
    env.bare().args(["--profile", "work", "org", "list"]).assert().success();
    env.bare()
        .args(["--profile", "work", "auth", "logout"])
        .assert()
        .success()
        .stderr(predicate::str::contains("logged out of profile work"));
    assert!(!credentials.join("work.json").exists());
    env.bare().args(["--profile", "work", "org", "list"]).assert().code(4);
    // Deleting asks first: without a terminal and without --yes, nothing is deleted.
    env.bare().args(["profile", "delete", "spare"]).assert().code(2);
    assert!(credentials.join("spare.json").exists());
    env.bare()
        .args(["profile", "delete", "spare", "--yes"])
        .assert()
        .success();
    assert!(!credentials.join("spare.json").exists());
    let config = std::fs::read_to_string(env.config_dir.path().join("config.toml")).expect("config");
    assert!(!config.contains("[profiles.spare]"), "{config}");
    // Profile names complete, from the configuration folder.
    let offered = env
        .bare()
        .args(["__complete", "bash", "--", "scc", "profile", "use", "w"])
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&offered.stdout), "work\n");
    let offered = env
        .bare()
        .args(["__complete", "bash", "--", "scc", "--profile", ""])
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&offered.stdout), "work\n");
    env.bare()
        .args(["profile", "delete", "nowhere", "--yes"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("no profile \"nowhere\""));
}

#[test]
fn a_group_is_shared_with_a_managed_organization_named_by_its_name() {
    let env = Env::new();
    let managed_id = env.emulator.ready().managed_org_ids[0].clone();
    let managed = stdout_json(
        &env.scc()
            .args(["org", "get", &managed_id, "-o", "json"])
            .output()
            .expect("runs"),
    );
    let name = managed["name"].as_str().expect("a name").to_owned();
    env.scc()
        .args(["group", "create", "--name", "Shared SOC", "-o", "json"])
        .assert()
        .success();
    env.scc()
        .args(["group", "patch", "Shared SOC", "--add-managed-org", &name, "-o", "json"])
        .assert()
        .success();
    let shared = stdout_json(
        &env.scc()
            .args(["group", "managed-orgs", "Shared SOC", "-o", "json"])
            .output()
            .expect("runs"),
    );
    assert!(shared.to_string().contains(&managed_id), "{shared}");
    // Again: already in place, nothing sent, exit 0.
    env.scc()
        .args(["group", "patch", "Shared SOC", "--add-managed-org", &name])
        .assert()
        .success();
}

#[test]
fn user_patch_reads_the_plans_snake_case_names_and_refuses_an_unknown_operation_before_sending() {
    let env = Env::new();
    let work = tempfile::tempdir().expect("dir");
    let snake = work.path().join("snake.json");
    std::fs::write(
        &snake,
        r#"[{"email": "snake.case@example.com", "operation": "invite", "first_name": "Snake", "last_name": "Case"}]"#,
    )
    .expect("file");
    env.scc()
        .args(["user", "patch", "--file"])
        .arg(&snake)
        .assert()
        .success();
    let users = env.scc().args(["user", "list", "-o", "json"]).output().expect("runs");
    assert!(String::from_utf8_lossy(&users.stdout).contains("snake.case@example.com"));
    let unknown = work.path().join("unknown.json");
    std::fs::write(&unknown, r#"[{"email": "a@example.com", "operation": "add"}]"#).expect("file");
    env.clear_journal();
    env.scc()
        .args(["user", "patch", "--file"])
        .arg(&unknown)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"add\" is not one of invite"));
    assert!(
        env.journal().iter().all(|request| request["method"] != "PATCH"),
        "nothing was sent"
    );
}

#[test]
fn lists_across_every_organization_carry_an_organization_column() {
    let env = Env::new();
    let managed = env.emulator.ready().managed_org_ids[0].clone();
    env.scc()
        .args([
            "--org",
            &managed,
            "user",
            "invite",
            "far.away@example.com",
            "--first-name",
            "Far",
            "--last-name",
            "Away",
        ])
        .assert()
        .success();
    let all = stdout_json(
        &env.scc()
            .args(["user", "list", "--all-orgs", "-o", "json"])
            .output()
            .expect("runs"),
    );
    let rows = all.as_array().expect("a list");
    let far = rows
        .iter()
        .find(|row| row["email"] == "far.away@example.com")
        .expect("the managed organization's user is listed");
    assert_eq!(far["organization_id"], managed.as_str());
    assert!(
        rows.iter().any(|row| row["organization_id"] == env.org().as_str()),
        "the manager's too"
    );
    let table = env.scc().args(["group", "list", "--all-orgs"]).output().expect("runs");
    assert!(table.status.success(), "{}", String::from_utf8_lossy(&table.stderr));
    // Off a terminal a table is tab-separated, without its header: the organization comes first.
    let manager = stdout_json(&env.scc().args(["org", "get", "-o", "json"]).output().expect("runs"));
    let manager_name = manager["name"].as_str().expect("a name");
    assert!(
        String::from_utf8_lossy(&table.stdout)
            .lines()
            .any(|line| line.starts_with(&format!("{manager_name}\t"))),
        "{}",
        String::from_utf8_lossy(&table.stdout)
    );
    for command in [["role", "list"], ["subscription", "list"]] {
        env.scc().args(command).arg("--all-orgs").assert().success();
    }
    env.scc()
        .args(["--org", &managed, "user", "list", "--all-orgs"])
        .assert()
        .code(2);
    // Paging flags: --page-size goes to every organization's requests; a cursor or a cut names one
    // organization's list, so beside --all-orgs it is refused before anything is sent.
    env.clear_journal();
    env.scc()
        .args(["group", "list", "--all-orgs", "--page-size", "7"])
        .assert()
        .success();
    let listings: Vec<Value> = env
        .journal()
        .into_iter()
        .filter(|entry| {
            entry["path"]
                .as_str()
                .is_some_and(|path| path.ends_with("/adminGroups"))
        })
        .collect();
    assert!(
        !listings.is_empty()
            && listings
                .iter()
                .all(|entry| entry["query"].as_str().is_some_and(|q| q.contains("max=7"))),
        "{listings:?}"
    );
    for refused in [["--max-items", "1"], ["--cursor", "c"], ["--no-paginate", "--no-color"]] {
        env.clear_journal();
        env.scc()
            .args(["group", "list", "--all-orgs"])
            .args(refused)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot be used with"));
        assert!(env.journal().is_empty(), "{refused:?}");
    }
    // Rate-limited on request, as apply is: the same flag, every request of the run.
    env.scc()
        .args(["user", "list", "--all-orgs", "--rate-limit", "500"])
        .assert()
        .success()
        .stdout(predicate::str::contains("alice.admin@acme.example"));
    env.scc()
        .args(["user", "list", "--all-orgs", "--rate-limit", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--rate-limit"));
}

/// `scc configure` on a terminal asks a mistyped base URL and a refused token again, keeping the
/// answers before them, and saves the profile once they are right.
#[cfg(unix)]
#[test]
fn configure_asks_a_mistake_again_and_keeps_the_other_answers() {
    let env = Env::new();
    let ready = env.emulator.ready();
    let mut child = env
        .scc_on_terminal("configure --profile patient")
        .env_remove("SCC_ACCESS_TOKEN")
        .env_remove("SCC_BASE_URL")
        .env_remove("SCC_ORG_ID")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut screen = Vec::new();
    let answer = |child: &mut std::process::Child, text: &str| {
        std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), format!("{text}\r").as_bytes()).expect("typed");
    };
    read_until(&mut stdout, &mut screen, "Base URL", 1);
    answer(&mut child, "ftp://nowhere.example");
    read_until(&mut stdout, &mut screen, "Base URL", 2);
    answer(&mut child, env.emulator.base_url());
    read_until(&mut stdout, &mut screen, "Organization id", 1);
    answer(&mut child, &env.org());
    read_until(&mut stdout, &mut screen, "Access token", 1);
    answer(&mut child, "a-token-the-service-refuses");
    read_until(&mut stdout, &mut screen, "Access token again", 1);
    // The prompt is written before echo is turned off: typing at once (no person does) could be echoed.
    std::thread::sleep(std::time::Duration::from_millis(300));
    answer(&mut child, &ready.admin.access_token);
    read_until(&mut stdout, &mut screen, "API key id", 1);
    answer(&mut child, "");
    stdout.read_to_end(&mut screen).expect("reads");
    let status = child.wait().expect("ends");
    let shown = String::from_utf8_lossy(&screen).into_owned();
    assert_eq!(status.code(), Some(0), "{shown}");
    assert!(!shown.contains(&ready.admin.access_token), "the token is not echoed");
    let config = std::fs::read_to_string(env.config_dir.path().join("config.toml")).expect("saved");
    assert!(
        config.contains(env.emulator.base_url()) && config.contains(&env.org()),
        "{config}"
    );
    let credentials = std::fs::read_to_string(env.config_dir.path().join("credentials/patient.json")).expect("saved");
    assert!(credentials.contains(&ready.admin.access_token));
}

/// `scc org get <TAB>` completes organization names; a name two organizations share is offered as
/// each one's id, described by its name and region, never the same name twice.
#[test]
fn a_positional_organization_completes_once_per_organization() {
    let env = Env::new();
    let complete = |words: &[&str]| {
        let output = env
            .scc()
            .args(["__complete", "fish", "--", "scc"])
            .args(words)
            .output()
            .expect("runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let names = complete(&["org", "get", "Acme Customer"]);
    assert!(
        names.lines().any(|line| line.starts_with("Acme Customer East\t")),
        "{names}"
    );
    // The service allows a second organization of the same name (`scc org create` refuses one).
    env.scc()
        .args([
            "api",
            "organizations",
            "-f",
            "name=Acme Customer East",
            "-f",
            "regionCode=EMEA",
            "-f",
            "type=MANAGED",
        ])
        .assert()
        .success();
    // A fresh cache: the listing is read again.
    std::fs::remove_dir_all(env.config_dir.path().join("cache")).expect("cache");
    let shared = complete(&["org", "update", "Acme Customer E"]);
    let lines: Vec<&str> = shared.lines().collect();
    assert_eq!(lines.len(), 2, "{shared}");
    assert!(
        lines.iter().all(|line| !line.starts_with("Acme Customer East")),
        "{shared}"
    );
    assert!(
        lines.iter().any(|line| line.ends_with("Acme Customer East (EMEA)")),
        "{shared}"
    );
    assert!(
        lines.iter().any(|line| line.ends_with("Acme Customer East (NAM)")),
        "{shared}"
    );
}
