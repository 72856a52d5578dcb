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
