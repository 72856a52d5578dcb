//! The `scc-emulator` binary: exactly one JSON ready line on stdout, then a clean stop on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn prints_one_ready_line_and_stops_cleanly_on_ctrl_c() {
    let dir = tempfile::tempdir().expect("dir");
    let state = dir.path().join("state.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_scc-emulator"))
        .args(["--port", "0", "--seed", "3", "--state-file"])
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("ready line");
    let ready: serde_json::Value = serde_json::from_str(&line).expect("the ready line is JSON");
    for key in [
        "base_url",
        "org_id",
        "admin",
        "member",
        "managed_org_ids",
        "claim_codes",
        "xdr",
    ] {
        assert!(ready.get(key).is_some(), "ready line has {key}: {line}");
    }
    for key in ["api_key_id", "access_token", "refresh_token"] {
        assert!(
            ready["admin"][key].is_string() && ready["member"][key].is_string(),
            "{key}"
        );
    }
    assert!(
        ready["base_url"]
            .as_str()
            .is_some_and(|url| url.starts_with("http://127.0.0.1:"))
    );
    assert!(ready["claim_codes"]["valid"].is_array() && ready["claim_codes"]["claimed"].is_array());
    for key in ["base_url", "client_id", "client_secret"] {
        assert!(ready["xdr"][key].is_string(), "xdr.{key}");
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("stdout ends");
    assert_eq!(rest, "", "exactly one line on stdout");
    assert!(child.wait().expect("ends").success(), "Ctrl-C stops it cleanly");
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state).expect("state file")).expect("valid state");
    assert_eq!(saved["principal"]["org_id"], ready["org_id"]);
}
