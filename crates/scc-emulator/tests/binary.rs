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
        "control_token",
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

fn start(args: &[&str]) -> (std::process::Child, serde_json::Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scc-emulator"))
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("ready line");
    (child, serde_json::from_str(&line).expect("JSON"))
}

fn address(ready: &serde_json::Value) -> String {
    ready["base_url"]
        .as_str()
        .and_then(|url| url.strip_prefix("http://"))
        .expect("http URL")
        .to_owned()
}

#[test]
fn sigterm_does_not_wait_on_a_half_sent_request() {
    use std::io::Write;
    let (mut child, ready) = start(&["--header-timeout", "60"]);
    let mut half = std::net::TcpStream::connect(address(&ready)).expect("connects");
    half.write_all(b"GET /v1/organizations HTTP/1.1\r\nHost: x\r\n")
        .expect("half a request");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let started = std::time::Instant::now();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    let status = child.wait().expect("ends");
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "stopped within the shutdown deadline, not the header timeout: {:?}",
        started.elapsed()
    );
}

#[test]
fn a_client_that_never_finishes_its_headers_is_cut_off() {
    use std::io::{Read, Write};
    let (mut child, ready) = start(&["--header-timeout", "1"]);
    let mut slow = std::net::TcpStream::connect(address(&ready)).expect("connects");
    slow.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    slow.write_all(b"GET /v1/organizations HTTP/1.1\r\n").expect("start");
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "closed after the header timeout: {:?}",
        started.elapsed()
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn past_the_connection_cap_a_client_waits_for_a_free_slot() {
    use std::io::{Read, Write};
    let (mut child, ready) = start(&["--max-connections", "1", "--header-timeout", "2"]);
    let address = address(&ready);
    // The one slot is held by an idle connection until its header timeout passes.
    let _held = std::net::TcpStream::connect(&address).expect("connects");
    std::thread::sleep(std::time::Duration::from_millis(100));
    let mut next = std::net::TcpStream::connect(&address).expect("queued in the backlog");
    next.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    let started = std::time::Instant::now();
    next.write_all(b"GET /v1/organizations HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("request");
    let mut answer = String::new();
    let _ = next.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "served once the slot was free: {answer}"
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(1000),
        "it waited for the slot: {:?}",
        started.elapsed()
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// Sends `request` on a new connection and reads the answer until the server closes it (or 10 s).
fn exchange(address: &str, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("connects");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(request).expect("sends");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn bodies_that_never_finish_do_not_stop_other_clients() {
    use std::io::Write;
    let (mut child, ready) = start(&["--max-connections", "4", "--header-timeout", "1"]);
    let address = address(&ready);
    let token = ready["admin"]["access_token"].as_str().expect("token").to_owned();
    // Every connection slot taken by a body announced as 10 bytes, of which 1 is sent.
    let slow: Vec<_> = (0..4)
        .map(|_| {
            let mut stream = std::net::TcpStream::connect(&address).expect("connects");
            let head = format!(
                "POST /v1/organizations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{{"
            );
            stream.write_all(head.as_bytes()).expect("half a body");
            stream
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let started = std::time::Instant::now();
    let answer = exchange(
        &address,
        format!(
            "GET /v1/organizations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "served once the slow bodies' deadline passed: {:?}",
        started.elapsed()
    );
    // Each slow body was answered 408 in the envelope, and its connection closed.
    for mut stream in slow {
        use std::io::Read;
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .expect("timeout");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(
            answer.contains("did not arrive within 1 s") && answer.contains("trackingId"),
            "{answer}"
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_body_without_credentials_is_refused_before_it_is_read() {
    let (mut child, ready) = start(&["--header-timeout", "30"]);
    let started = std::time::Instant::now();
    // A megabyte announced and never sent: refused at once on the head.
    let answer = exchange(
        &address(&ready),
        b"POST /v1/organizations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("missing Authorization header"), "{answer}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn two_authorization_headers_are_refused() {
    let (mut child, ready) = start(&[]);
    let admin = ready["admin"]["access_token"].as_str().expect("token");
    let member = ready["member"]["access_token"].as_str().expect("token");
    let answer = exchange(
        &address(&ready),
        format!(
            "GET /v1/organizations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {member}\r\nAuthorization: Bearer {admin}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("more than one Authorization header"), "{answer}");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn integer_edges_saturate_or_are_refused_naming_the_flag() {
    let output = Command::new(env!("CARGO_BIN_EXE_scc-emulator"))
        .args(["--port", "0", "--token-ttl", "9223372036854775807"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--token-ttl must be at most"));

    // The clock moved as far as an i64 goes: "now" is the far future, tokens have expired, nothing wraps.
    let (mut child, ready) = start(&[]);
    let control = ready["control_token"].as_str().expect("control token");
    for _ in 0..2 {
        let body = r#"{"advance_seconds": 9223372036854775807}"#;
        let answer = exchange(
            &address(&ready),
            format!(
                "POST /_emulator/clock HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {control}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let json: serde_json::Value =
            serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap_or_default()).expect("JSON");
        assert_eq!(json["offset_seconds"], i64::MAX, "{json}");
        assert!(json["now"].as_i64().is_some_and(|now| now > 4_000_000_000), "{json}");
    }
    let token = ready["admin"]["access_token"].as_str().expect("token");
    let answer = exchange(
        &address(&ready),
        format!(
            "GET /v1/organizations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    );
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "the token expired long ago: {answer}"
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// A POST over a plain socket; the status line of the answer.
fn post(address: &str, path: &str, token: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("connects");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("sends");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn every_acknowledged_change_survives_kill_9() {
    let dir = tempfile::tempdir().expect("dir");
    let state = dir.path().join("state.json");
    let state_arg = state.display().to_string();
    for round in 0..3 {
        let (mut child, ready) = start(&["--state-file", &state_arg]);
        let token = ready["admin"]["access_token"].as_str().expect("token").to_owned();
        let address = address(&ready);
        let control = ready["control_token"].as_str().expect("control token").to_owned();
        for index in 0..15 {
            let status = post(
                &address,
                "/v1/organizations",
                &token,
                &format!(r#"{{"name": "Durable {round}-{index}", "regionCode": "NAM"}}"#),
            );
            assert!(status.contains("201"), "{status}");
            if index == 7 {
                // The disk fills for two writes: refused (503), half their records written and cut.
                let status = post(&address, "/_emulator/disk", &control, r#"{"full_for_writes": 2}"#);
                assert!(status.contains("204"), "{status}");
                for lost in 0..2 {
                    let status = post(
                        &address,
                        "/v1/organizations",
                        &token,
                        &format!(r#"{{"name": "Lost {round}-{lost}", "regionCode": "NAM"}}"#),
                    );
                    assert!(status.contains("503"), "{status}");
                }
            }
        }
        // No goodbye: the process dies at once.
        child.kill().expect("kill -9");
        let _ = child.wait();
    }
    // It starts again from what is on disk (a broken file would stop it).
    let (mut child, _) = start(&["--state-file", &state_arg]);
    let _ = child.kill();
    let _ = child.wait();
    let snapshot: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).expect("snapshot")).expect("json");
    let log = std::fs::read_to_string(dir.path().join("state.json.log")).unwrap_or_default();
    let mut names: std::collections::BTreeSet<String> = snapshot["organizations"]
        .as_object()
        .expect("orgs")
        .values()
        .filter_map(|org| org["name"].as_str().map(str::to_owned))
        .collect();
    for line in log.lines() {
        // A record: LENGTH:CHECKSUM:JSON.
        let json = line.splitn(3, ':').nth(2).expect("a whole record");
        let change: serde_json::Value = serde_json::from_str(json).expect("a whole record");
        for pair in change["organizations"].as_array().into_iter().flatten() {
            if let Some(name) = pair[1]["name"].as_str() {
                names.insert(name.to_owned());
            }
        }
    }
    for round in 0..3 {
        for index in 0..15 {
            assert!(
                names.contains(&format!("Durable {round}-{index}")),
                "Durable {round}-{index} was lost"
            );
        }
    }
    assert!(
        !names.iter().any(|name| name.starts_with("Lost")),
        "a refused write was kept: {names:?}"
    );
}

#[test]
fn a_control_token_on_the_command_line_is_warned_of() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scc-emulator"))
        .args(["--port", "0", "--control-token", "control-token-in-ps-0123456789"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("ready line");
    let _ = child.kill();
    let output = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--control-token on the command line can be read"),
        "{stderr}"
    );
    assert!(
        stderr.contains("SCC_EMULATOR_CONTROL_TOKEN") && !stderr.contains("0123456789"),
        "{stderr}"
    );
}
