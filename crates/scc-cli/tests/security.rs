//! What an attacker tries, as tests through `scc`: tokens sent in clear, hostile plan files.
//! (Every request goes to 127.0.0.1; an address elsewhere is only ever refused before sending.)

mod common;

use common::Env;
use predicates::prelude::*;

/// A documentation address (RFC 5737): never reached, since it is refused before anything is sent.
const ELSEWHERE: &str = "http://192.0.2.10:8080";

/// Plain HTTP carries the token only to this machine: another host is refused before any request
/// (exit 2, naming the host), `--insecure-http` allows it knowingly and every run says so, and
/// `configure` saves such a URL only with the flag.
#[test]
fn the_token_never_goes_in_clear_to_another_host_unless_allowed_and_then_every_run_says_so() {
    let env = Env::new();
    env.scc()
        .args(["org", "list", "--base-url", ELSEWHERE])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is plain HTTP to 192.0.2.10"))
        .stderr(predicate::str::contains("in clear"));
    // Loopback needs no flag (the emulator is there).
    env.scc().args(["org", "list"]).assert().success();
    // Allowed knowingly: said on every run (auth status reads nothing from the network).
    env.scc()
        .args(["auth", "status", "--insecure-http", "--base-url", ELSEWHERE])
        .assert()
        .stderr(predicate::str::contains(
            "warning: the token is sent in clear over plain HTTP to 192.0.2.10",
        ));
    // configure: refused without the flag, nothing saved.
    env.bare()
        .args([
            "configure",
            "--base-url",
            ELSEWHERE,
            "--access-token",
            "-",
            "--no-verify",
        ])
        .write_stdin("a-token\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is plain HTTP to 192.0.2.10"))
        .stderr(predicate::str::contains("nothing was saved"));
    assert!(!env.config_dir.path().join("config.toml").exists(), "nothing saved");
    // With the flag: saved with the setting, and later runs warn without the flag.
    env.bare()
        .args([
            "configure",
            "--base-url",
            ELSEWHERE,
            "--access-token",
            "-",
            "--no-verify",
            "--insecure-http",
        ])
        .write_stdin("a-token\n")
        .assert()
        .success();
    let config = std::fs::read_to_string(env.config_dir.path().join("config.toml")).expect("saved");
    assert!(config.contains("insecure_http = true"), "{config}");
    env.bare()
        .args(["auth", "status"])
        .assert()
        .stderr(predicate::str::contains(
            "warning: the token is sent in clear over plain HTTP to 192.0.2.10",
        ));
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path).expect("exists").permissions().mode() & 0o777
}

/// `scc ARGS` run under `umask 000`, as a careless service manager would run it.
fn under_umask_000(env: &Env, args: &str) -> std::process::Output {
    env.shell(&format!("umask 000; exec \"$SCC\" {args}"))
}

/// Files scc writes are private whatever the umask, written through a new name (a link planted at
/// the destination is replaced, its target untouched), and the change journal is never a link or a
/// FIFO: refused at once, nothing changed.
#[test]
fn files_are_private_whatever_the_umask_and_never_written_through_a_planted_link() {
    let env = Env::new();
    let dir = env.config_dir.path();
    let plan = dir.join("plan.yaml");
    std::fs::write(
        &plan,
        "organizations:\n  - name: Acme MSP\n    users:\n      - {email: j@acme.example, first_name: J, last_name: Ournal}\n",
    )
    .expect("plan");
    // A saved plan at a planted link: the link is replaced, the file it pointed at is untouched.
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep me\n").expect("victim");
    let saved = dir.join("saved.plan.json");
    std::os::unix::fs::symlink(&victim, &saved).expect("link");
    let output = under_umask_000(&env, &format!("plan --out '{}' '{}'", saved.display(), plan.display()));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep me\n");
    assert!(
        !std::fs::symlink_metadata(&saved)
            .expect("saved")
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        mode(&saved),
        0o600,
        "a saved plan names users: the owner's only, whatever the umask"
    );
    // The journal, made under umask 000: 0600.
    let journal = dir.join("made.jsonl");
    let output = under_umask_000(
        &env,
        &format!("apply --yes --journal '{}' '{}'", journal.display(), plan.display()),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(mode(&journal), 0o600, "the journal names people");
    // A journal that is a link, or a FIFO: refused at once, nothing changed.
    let linked = dir.join("linked.jsonl");
    std::os::unix::fs::symlink(&victim, &linked).expect("link");
    env.clear_journal();
    env.scc()
        .args(["apply", "--yes", "--journal"])
        .arg(&linked)
        .arg(&plan)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a symbolic link: it is not followed"));
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep me\n");
    let fifo = dir.join("fifo.jsonl");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success(),
        "mkfifo"
    );
    let started = std::time::Instant::now();
    env.scc()
        .args(["apply", "--yes", "--journal"])
        .arg(&fifo)
        .arg(&plan)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a regular file"));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "never waits on a FIFO"
    );
    assert!(
        env.journal().iter().all(|entry| entry["method"] == "GET"),
        "nothing was changed: {:?}",
        env.journal()
    );
}

/// Settings that others may write could send the token anywhere: a config folder or file writable
/// by group or others is refused with the command that fixes it, before anything is read.
#[test]
fn settings_others_may_write_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let dir = env.config_dir.path();
    std::fs::write(dir.join("config.toml"), "[profiles.default]\n").expect("config");
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    env.clear_journal();
    env.scc()
        .args(["org", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("can be written by others (mode 777)"))
        .stderr(predicate::str::contains("chmod go-w"));
    assert!(env.journal().is_empty(), "nothing was sent");
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    std::fs::set_permissions(dir.join("config.toml"), std::fs::Permissions::from_mode(0o666)).expect("chmod");
    env.scc()
        .args(["org", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "config.toml can be written by others (mode 666)",
        ));
    std::fs::set_permissions(dir.join("config.toml"), std::fs::Permissions::from_mode(0o600)).expect("chmod");
    env.scc().args(["org", "list"]).assert().success();
}

/// `scc emulator --env-file` never overwrites a file that exists unless told to.
#[test]
fn the_emulator_does_not_overwrite_an_env_file_that_exists() {
    let env = Env::new();
    let existing = env.config_dir.path().join("existing.env");
    std::fs::write(&existing, "export MINE=1\n").expect("file");
    env.bare()
        .args(["emulator", "--port", "0", "--env-file"])
        .arg(&existing)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exists: scc emulator does not overwrite it"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read_to_string(&existing).expect("kept"), "export MINE=1\n");
    // With --force it is replaced (0600), and left in place at a clean stop.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("scc"))
        .args(["emulator", "--port", "0", "--force", "--env-file"])
        .arg(&existing)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().expect("stdout")),
        &mut line,
    )
    .expect("ready");
    assert!(
        std::fs::read_to_string(&existing)
            .expect("replaced")
            .contains("export SCC_BASE_URL=")
    );
    assert_eq!(mode(&existing), 0o600);
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(child.wait().expect("ends").success());
    assert!(existing.exists(), "a file it replaced is left in place");
}

/// A name from the service cannot forge a line or reorder one: a newline in a group name stays
/// inside its line of the prune plan, a right-to-left override is shown escaped in a table, and
/// `--jq` on a terminal escapes what it prints (piped, it is exact).
#[test]
fn text_from_the_service_forges_no_line() {
    let env = Env::new();
    let forged = "Temp\n  + create group Harmless (nothing is deleted)";
    let reversed = "Ops\u{202e}txt.exe";
    for name in [forged, reversed] {
        env.scc().args(["group", "create", "--name", name]).assert().success();
    }
    let plan = env.config_dir.path().join("prune.yaml");
    std::fs::write(
        &plan,
        "organizations:\n  - name: Acme MSP\n    groups:\n      - {name: SOC Analysts}\n    prune: {groups: true}\n",
    )
    .expect("plan");
    let output = env.scc().args(["plan"]).arg(&plan).output().expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("- delete group Temp\\n  + create group Harmless (nothing is deleted)"),
        "{text}"
    );
    assert!(
        !text
            .lines()
            .any(|line| line.trim_start().starts_with("+ create group Harmless")),
        "no forged line:\n{text}"
    );
    assert!(text.contains("- delete group Ops\\u{202e}txt.exe"), "{text}");
    assert!(!text.contains('\u{202e}'), "{text}");
    let table = env.scc().args(["group", "list"]).output().expect("runs");
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("Ops\\u{202e}txt.exe"), "{table}");
    assert!(!table.contains('\u{202e}') && !table.contains("Temp\n"), "{table}");
    // --jq: exact when piped (a script gets the name), escaped on a terminal.
    let piped = env
        .scc()
        .args(["group", "list", "--jq", ".[].name"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&piped.stdout).contains(reversed));
    let shown = env
        .scc_on_terminal("group list --no-pager --jq '.[].name'")
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let screen = common::screen(&shown);
    assert!(screen.contains("Ops\\u{202e}txt.exe"), "{screen}");
    assert!(!screen.contains('\u{202e}'), "{screen}");
    assert!(screen.contains("Temp\\n  + create group Harmless"), "{screen}");
}

/// A real interactive shell on a terminal, with `scc` on its PATH and the completion script loaded;
/// `keys` are typed one chunk at a time (a pause after each, for the completion to answer).
fn shell_session(env: &Env, shell: &str, keys: &[&str]) -> String {
    use std::io::Write;
    let home = tempfile::tempdir().expect("home");
    let bin = home.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin!("scc"), bin.join("scc")).expect("link");
    std::fs::write(home.path().join("star-file"), "").expect("a file a glob would find");
    let start = match shell {
        "bash" => "bash --norc --noprofile -i",
        _ => "zsh -f -i",
    };
    assert!(
        std::process::Command::new(shell)
            .arg("-c")
            .arg("true")
            .status()
            .is_ok_and(|status| status.success()),
        "{shell} is needed for this test: `apt-get install {shell}` (scripts/test installs it when run as root)"
    );
    let mut child = std::process::Command::new("script")
        .args(["-qec", start, "/dev/null"])
        .current_dir(home.path())
        .env_clear()
        .env("HOME", home.path())
        .env("TERM", "dumb")
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()),
        )
        .env("SCC_CONFIG_DIR", env.config_dir.path())
        .env("SCC_BASE_URL", env.emulator.base_url())
        .env("SCC_ACCESS_TOKEN", &env.emulator.ready().admin.access_token)
        .env("SCC_ORG_ID", env.org())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("script");
    let mut stdin = child.stdin.take().expect("stdin");
    let setup = match shell {
        "bash" => "PS1='$ '; source <(scc completion bash)\n",
        _ => "PS1='$ '; autoload -U compinit; compinit -u; source <(scc completion zsh)\n",
    };
    for chunk in std::iter::once(setup).chain(keys.iter().copied()).chain(["exit\n"]) {
        stdin.write_all(chunk.as_bytes()).expect("typed");
        stdin.flush().expect("typed");
        std::thread::sleep(std::time::Duration::from_millis(1000));
    }
    drop(stdin);
    let output = child.wait_with_output().expect("ends");
    assert!(
        !home.path().join("PWNED").exists(),
        "a name from the service ran as code"
    );
    String::from_utf8_lossy(&output.stdout).replace('\r', "")
}

/// Completion candidates are data, never code, in a real bash and zsh on a terminal: a name with
/// a command substitution is inserted as one quoted word (nothing runs), a name with a newline is
/// not offered, and `star*` reaches scc as written, not globbed against the current folder.
#[test]
fn completion_in_a_real_shell_inserts_hostile_names_as_data() {
    let env = Env::new();
    for name in ["Zed $(touch PWNED); x", "Ops\ntouch PWNED", "star*"] {
        env.scc().args(["group", "create", "--name", name]).assert().success();
    }
    for shell in ["bash", "zsh"] {
        let screen = shell_session(
            &env,
            shell,
            &[
                "scc group get -o json Ze\t",
                " --jq .name; echo ZED-DONE-$?\n",
                "scc group get Op\t",
                "; echo OPS-DONE-$?\n",
                "scc group get -o json sta\t",
                " --jq .name; echo STAR-DONE-$?\n",
            ],
        );
        assert!(
            screen.contains("Zed $(touch PWNED); x\nZED-DONE-0"),
            "{shell}:\n{screen}"
        );
        assert!(
            screen.contains("OPS-DONE-5"),
            "{shell}: no candidate, so no group `Op`:\n{screen}"
        );
        assert!(
            screen.contains("star*\nSTAR-DONE-0"),
            "{shell}: the name as written:\n{screen}"
        );
    }
}

/// Completion is a hidden command of its own: `COMPLETE` in the environment changes nothing an
/// ordinary command does.
#[test]
fn an_environment_variable_does_not_turn_a_command_into_completion() {
    let env = Env::new();
    let plan = env.config_dir.path().join("p.yaml");
    std::fs::write(
        &plan,
        "organizations:\n  - name: Acme MSP\n    users:\n      - {email: c@acme.example, first_name: C, last_name: Omplete}\n",
    )
    .expect("plan");
    env.scc()
        .env("COMPLETE", "fish")
        .args(["apply", "--yes"])
        .arg(&plan)
        .assert()
        .success()
        .stderr(predicate::str::contains("Applied 1 change(s)"));
}

/// fish asks the same hidden command and gets the names as data: a hostile name is one candidate
/// (nothing runs), a name with a newline is not offered.
#[test]
fn completion_in_fish_offers_hostile_names_as_data() {
    let env = Env::new();
    for name in ["Zed $(touch PWNED); x", "Ops\ntouch PWNED", "star*"] {
        env.scc().args(["group", "create", "--name", name]).assert().success();
    }
    assert!(
        std::process::Command::new("fish")
            .arg("-c")
            .arg("true")
            .status()
            .is_ok_and(|status| status.success()),
        "fish is needed for this test: `apt-get install fish` (scripts/test installs it when run as root)"
    );
    let home = tempfile::tempdir().expect("home");
    let bin = home.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin!("scc"), bin.join("scc")).expect("link");
    let output = std::process::Command::new("fish")
        .args([
            "--no-config",
            "-c",
            "scc completion fish | source; complete -C'scc group get Ze'; complete -C'scc group get Op'; complete -C'scc group get sta'",
        ])
        .current_dir(home.path())
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
        .env("SCC_CONFIG_DIR", env.config_dir.path())
        .env("SCC_BASE_URL", env.emulator.base_url())
        .env("SCC_ACCESS_TOKEN", &env.emulator.ready().admin.access_token)
        .env("SCC_ORG_ID", env.org())
        .output()
        .expect("fish runs");
    let offered = String::from_utf8_lossy(&output.stdout);
    let names: Vec<&str> = offered
        .lines()
        .map(|line| line.split('\t').next().unwrap_or_default())
        .collect();
    assert_eq!(names, ["Zed $(touch PWNED); x", "star*"], "{offered}");
    assert!(
        !home.path().join("PWNED").exists(),
        "a name from the service ran as code"
    );
}
