//! The README's "In CI" recipe, run line by line as written, with the credentials in the environment
//! and access tokens that expire between its steps: each step refreshes, and the next finds the
//! rotated pair instead of the spent one.

mod common;

use common::Env;
use scc_emulator::EmulatorOptions;

/// The bash block of the README's "In CI" section.
fn recipe() -> String {
    let readme = include_str!("../../../README.md");
    let section = readme
        .split("### In CI")
        .nth(1)
        .expect("README has an \"In CI\" section");
    let block = section.split("```bash\n").nth(1).expect("a bash block");
    block.split("```").next().expect("closed").to_owned()
}

#[cfg(unix)]
#[test]
fn the_ci_recipe_runs_as_written_across_expiring_tokens_and_keeps_the_rotated_pair() {
    use std::os::unix::fs::PermissionsExt;

    // Tokens that outlive a step but not the wait between steps (one second is too short: the
    // service's expiry counts whole seconds, so a fresh token could expire before its first use).
    let env = Env::with(EmulatorOptions::default().token_ttl(3));
    let work = tempfile::tempdir().expect("dir");
    std::fs::write(
        work.path().join("customers.yaml"),
        format!(
            "organizations:\n  - id: {}\n    users:\n      - {{email: ci.user@example.com, first_name: Ci, last_name: User}}\n",
            env.org()
        ),
    )
    .expect("plan file");
    let ready = env.emulator.ready();
    let scc_dir = assert_cmd::cargo::cargo_bin!("scc")
        .parent()
        .expect("folder")
        .to_owned();
    let path = format!("{}:{}", scc_dir.display(), std::env::var("PATH").unwrap_or_default());
    // The job's environment, and nothing else: the credentials as a CI system's secrets give them.
    let in_the_job = |command: &mut std::process::Command| {
        command
            .env_clear()
            .env("PATH", &path)
            .env("SCC_CONFIG_DIR", env.config_dir.path())
            .env("SCC_BASE_URL", env.emulator.base_url())
            .env("SCC_ORG_ID", env.org())
            .env("SCC_API_KEY_ID", &ready.admin.api_key_id)
            .env("SCC_ACCESS_TOKEN", &ready.admin.access_token)
            .env("SCC_REFRESH_TOKEN", &ready.admin.refresh_token)
            .env("NO_COLOR", "1");
    };
    // The job starts with an access token already expired.
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let mut lines = 0;
    for line in recipe()
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
    {
        lines += 1;
        let mut bash = std::process::Command::new("bash");
        bash.args(["-c", line]).current_dir(work.path());
        in_the_job(&mut bash);
        let output = bash.output().expect("bash runs");
        assert!(
            output.status.success(),
            "`{line}` exited {:?}\nstdout: {}\nstderr: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains(&ready.admin.refresh_token), "{stderr}");
        // The next step's access token is expired too.
        std::thread::sleep(std::time::Duration::from_millis(3100));
    }
    assert_eq!(lines, 3, "the recipe's three steps");
    // The invite was made: read with the job's credentials once more (the rotated pair again).
    let mut list = std::process::Command::new(assert_cmd::cargo::cargo_bin!("scc"));
    list.args(["user", "list", "-o", "json"]);
    in_the_job(&mut list);
    let users = list.output().expect("runs");
    assert!(
        String::from_utf8_lossy(&users.stdout).contains("ci.user@example.com"),
        "{}",
        String::from_utf8_lossy(&users.stderr)
    );
    let rotated = env
        .config_dir
        .path()
        .join("rotated")
        .join(format!("{}.json", ready.admin.api_key_id));
    let mode = std::fs::metadata(&rotated)
        .expect("the rotated pair is kept")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let folder = std::fs::metadata(rotated.parent().expect("folder"))
        .expect("folder")
        .permissions()
        .mode();
    assert_eq!(folder & 0o077, 0, "the folder is private");
}

#[test]
fn token_refresh_rotates_environment_credentials_into_the_rotated_pair() {
    let env = Env::new();
    let ready = env.emulator.ready();
    let refresh = |refresh_token: &str| {
        env.bare()
            .env("SCC_BASE_URL", env.emulator.base_url())
            .env("SCC_ORG_ID", env.org())
            .env("SCC_API_KEY_ID", &ready.admin.api_key_id)
            .env("SCC_ACCESS_TOKEN", &ready.admin.access_token)
            .env("SCC_REFRESH_TOKEN", refresh_token)
            .args(["token", "refresh", "-o", "json"])
            .output()
            .expect("runs")
    };
    let first = refresh(&ready.admin.refresh_token);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    // The environment's refresh token is spent now; the rotated pair is found and refreshed again.
    let second = refresh(&ready.admin.refresh_token);
    assert!(second.status.success(), "{}", String::from_utf8_lossy(&second.stderr));
    let saved = common::stdout_json(&second);
    assert!(
        saved["saved_to"].as_str().is_some_and(|path| path.contains("rotated")),
        "{saved}"
    );
}

#[test]
fn init_writes_a_starter_that_plans_and_refuses_to_overwrite_and_schema_prints_the_schema() {
    let env = Env::new();
    let work = tempfile::tempdir().expect("dir");
    let file = work.path().join("customers.yaml");
    env.bare().arg("init").arg(&file).assert().success();
    let starter = std::fs::read_to_string(&file).expect("written");
    assert!(
        starter.starts_with("# yaml-language-server: $schema=plan-file.json"),
        "{starter}"
    );
    // The starter is a plan file scc reads: every problem it has is the service's, not its shape.
    let planned = env.scc().arg("plan").arg(&file).output().expect("runs");
    assert!(
        !String::from_utf8_lossy(&planned.stderr).contains("unknown field"),
        "{}",
        String::from_utf8_lossy(&planned.stderr)
    );
    std::fs::write(&file, "mine").expect("edit");
    env.bare().arg("init").arg(&file).assert().code(2);
    assert_eq!(std::fs::read_to_string(&file).expect("kept"), "mine");
    let schema = common::stdout_json(&env.bare().arg("schema").output().expect("runs"));
    assert_eq!(schema["$id"], "scc://schema/plan-file");
}

#[cfg(unix)]
#[test]
fn a_credentials_file_given_by_flag_is_read_rotated_in_place_and_wins_over_the_environment() {
    use std::os::unix::fs::OpenOptionsExt;

    let env = Env::new();
    let ready = env.emulator.ready();
    let work = tempfile::tempdir().expect("dir");
    let file = work.path().join("ci-credentials.json");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true).mode(0o600);
    std::io::Write::write_all(
        &mut options.open(&file).expect("file"),
        serde_json::json!({"org_id": env.org(), "api_key_id": ready.admin.api_key_id,
                           "access_token": ready.admin.access_token, "refresh_token": ready.admin.refresh_token})
        .to_string()
        .as_bytes(),
    )
    .expect("written");
    let scc = |args: &[&str]| {
        env.bare()
            .env("SCC_BASE_URL", env.emulator.base_url())
            .env("SCC_ACCESS_TOKEN", "not-this-one")
            .arg("--credentials-file")
            .arg(&file)
            .args(args)
            .output()
            .expect("runs")
    };
    let refreshed = scc(&["token", "refresh"]);
    assert!(
        refreshed.status.success(),
        "{}",
        String::from_utf8_lossy(&refreshed.stderr)
    );
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).expect("kept")).expect("JSON");
    assert_ne!(
        saved["refresh_token"],
        ready.admin.refresh_token.as_str(),
        "rotated in place"
    );
    let read = scc(&["org", "get", &env.org(), "-o", "json"]);
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
}
