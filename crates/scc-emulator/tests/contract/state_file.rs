//! The state file: changes survive a restart; a corrupt file stops the start and is left as it was.

use scc_emulator::EmulatorOptions;
use serde_json::json;

use crate::support::Emu;

#[tokio::test]
async fn changes_survive_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("state.json");
    let options = EmulatorOptions::default().state_file(&path);
    let emu = Emu::with(options.clone()).await;
    let created = emu
        .call(
            "POST",
            "/v1/organizations",
            Some(&emu.admin()),
            Some(json!({"name": "Durable", "regionCode": "APJC", "type": "MANAGED"})),
        )
        .await
        .expect(201);
    let id = created.body["id"].as_str().expect("id").to_owned();
    let token = emu.admin();
    let state = emu.state();
    emu.emulator.shutdown().await.expect("stops");

    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["state.json", "state.json.lock", "state.json.log"],
        "the snapshot, its change log and its lock; no temp file is left behind"
    );
    #[cfg(unix)]
    for name in ["state.json", "state.json.log", "state.json.lock"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(name))
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{name} holds secrets: 0600");
    }

    let again = Emu::with(options).await;
    assert_eq!(again.state(), state);
    let got = again
        .call("GET", &format!("/v1/organizations/{id}"), Some(&token), None)
        .await
        .expect(200);
    assert_eq!(got.body["name"], "Durable");
    assert_eq!(again.admin(), token, "a token still valid is handed out again");
}

#[tokio::test]
async fn a_corrupt_state_file_stops_the_start_and_is_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("state.json");
    std::fs::write(&path, b"{\"organizations\": [truncated").expect("write");
    let error = scc_emulator::spawn(EmulatorOptions::default().state_file(&path))
        .await
        .expect_err("refused");
    let message = format!("{error:#}");
    assert!(
        message.contains("state.json") && message.contains("left as it is"),
        "{message}"
    );
    assert_eq!(std::fs::read(&path).expect("read"), b"{\"organizations\": [truncated");

    std::fs::write(&path, b"{\"valid\": \"json\", \"but\": \"not a state\"}").expect("write");
    let error = scc_emulator::spawn(EmulatorOptions::default().state_file(&path))
        .await
        .expect_err("refused");
    assert!(format!("{error:#}").contains("not a valid emulator state"), "{error:#}");
}

#[tokio::test]
async fn a_fixtures_file_replaces_the_defaults_and_reset_returns_to_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fixtures.json");
    let seeded = Emu::with(EmulatorOptions::default().seed(9)).await;
    std::fs::write(&path, seeded.emulator.state_json().to_string()).expect("write");
    let emu = Emu::with(EmulatorOptions::default().fixtures(&path)).await;
    assert_eq!(emu.org(), seeded.org());
    emu.call(
        "POST",
        "/v1/organizations",
        Some(&emu.admin()),
        Some(json!({"name": "Extra", "regionCode": "NAM"})),
    )
    .await
    .expect(201);
    emu.call("POST", "/_emulator/reset", None, None).await.expect(204);
    assert_eq!(emu.state(), seeded.state());
}

#[tokio::test]
async fn one_emulator_per_state_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("state.json");
    let _first = Emu::with(EmulatorOptions::default().state_file(&path)).await;
    let error = scc_emulator::spawn(EmulatorOptions::default().state_file(&path))
        .await
        .expect_err("the second refuses");
    assert!(
        format!("{error:#}").contains("another emulator is using the state file"),
        "{error:#}"
    );
}

#[tokio::test]
async fn a_change_writes_one_log_line_and_the_log_replays_over_the_snapshot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("state.json");
    let options = EmulatorOptions::default().state_file(&path);
    let emu = Emu::with(options.clone()).await;
    let snapshot = std::fs::read(&path).expect("snapshot");
    for index in 0..5 {
        emu.call(
            "POST",
            "/v1/organizations",
            Some(&emu.admin()),
            Some(json!({"name": format!("Logged {index}"), "regionCode": "NAM"})),
        )
        .await
        .expect(201);
    }
    assert_eq!(
        std::fs::read(&path).expect("snapshot"),
        snapshot,
        "the snapshot is not rewritten per change"
    );
    let log = std::fs::read_to_string(dir.path().join("state.json.log")).expect("log");
    assert_eq!(log.lines().count(), 5, "one line a change");
    assert!(
        log.lines().all(|line| line.len() < 4096),
        "a line holds the change, not the state"
    );
    let state = emu.state();
    emu.emulator.shutdown().await.expect("stops");
    let again = Emu::with(options).await;
    assert_eq!(again.state(), state);
}

#[tokio::test]
async fn broken_files_stop_the_start_with_where_they_break() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("state.json");
    let options = EmulatorOptions::default().state_file(&path);
    let emu = Emu::with(options.clone()).await;
    emu.call(
        "POST",
        "/v1/organizations",
        Some(&emu.admin()),
        Some(json!({"name": "Kept", "regionCode": "NAM"})),
    )
    .await
    .expect(201);
    let state = emu.state();
    emu.emulator.shutdown().await.expect("stops");
    let log_path = dir.path().join("state.json.log");
    let good_log = std::fs::read(&log_path).expect("log");

    // A last line cut by a crash was never acknowledged: dropped, the rest kept.
    let mut cut = good_log.clone();
    cut.extend_from_slice(b"{\"ids\": {\"sta");
    std::fs::write(&log_path, &cut).expect("write");
    let again = Emu::with(options.clone()).await;
    assert_eq!(again.state(), state);
    again.emulator.shutdown().await.expect("stops");
    assert_eq!(std::fs::read(&log_path).expect("log"), good_log, "the cut line is gone");

    // A broken line in the middle: refused, with its line number, nothing changed.
    let mut broken = b"not json\n".to_vec();
    broken.extend_from_slice(&good_log);
    std::fs::write(&log_path, &broken).expect("write");
    let error = scc_emulator::spawn(options.clone()).await.expect_err("refused");
    assert!(format!("{error:#}").contains("broken at line 1"), "{error:#}");
    assert_eq!(std::fs::read(&log_path).expect("log"), broken, "left as it is");
    std::fs::write(&log_path, &good_log).expect("write");

    // Trailing bytes after the snapshot.
    let mut snapshot = std::fs::read(&path).expect("snapshot");
    let clean = snapshot.clone();
    snapshot.extend_from_slice(b" {\"more\": 1}");
    std::fs::write(&path, &snapshot).expect("write");
    let error = scc_emulator::spawn(options.clone()).await.expect_err("refused");
    assert!(format!("{error:#}").contains("bytes after the state"), "{error:#}");
    std::fs::write(&path, &clean).expect("write");

    // A temp file of a snapshot a killed process did not finish is removed at start.
    let stale = dir.path().join(".state.json.4242.tmp");
    std::fs::write(&stale, b"half").expect("write");
    let _started = Emu::with(options).await;
    assert!(!stale.exists(), "the stale temp file is gone");
}

#[cfg(unix)]
#[tokio::test]
async fn a_torn_last_record_is_dropped_and_a_torn_middle_one_stops_the_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("state.json");
    let options = EmulatorOptions::default().state_file(&path);
    let emu = Emu::with(options.clone()).await;
    for index in 0..2 {
        emu.call(
            "POST",
            "/v1/organizations",
            Some(&emu.admin()),
            Some(json!({"name": format!("Whole {index}"), "regionCode": "NAM"})),
        )
        .await
        .expect(201);
    }
    let state = emu.state();
    emu.emulator.shutdown().await.expect("stops");
    let log_path = dir.path().join("state.json.log");
    let good_log = std::fs::read(&log_path).expect("log");
    let records: Vec<&[u8]> = good_log.split_inclusive(|&byte| byte == b'\n').collect();
    assert_eq!(records.len(), 2);
    // A record whose newline reached the disk but some of its bytes did not: its checksum disagrees.
    let mut torn = records[1].to_vec();
    let middle = torn.len() / 2;
    torn[middle] = if torn[middle] == b'x' { b'y' } else { b'x' };

    let mut last_torn = records[0].to_vec();
    last_torn.extend_from_slice(&torn);
    std::fs::write(&log_path, &last_torn).expect("write");
    let again = Emu::with(options.clone()).await;
    let names = |state: &serde_json::Value| -> Vec<String> {
        state["organizations"]
            .as_object()
            .map(|orgs| {
                orgs.values()
                    .filter_map(|org| org["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let kept = names(&again.state());
    assert!(
        kept.contains(&"Whole 0".to_owned()) && !kept.contains(&"Whole 1".to_owned()),
        "{kept:?}"
    );
    again.emulator.shutdown().await.expect("stops");
    assert_eq!(
        std::fs::read(&log_path).expect("log"),
        records[0],
        "the torn record is cut off"
    );

    let mut middle_torn = torn.clone();
    middle_torn.extend_from_slice(records[1]);
    std::fs::write(&log_path, &middle_torn).expect("write");
    let error = scc_emulator::spawn(options.clone()).await.expect_err("refused");
    let text = format!("{error:#}");
    assert!(text.contains("broken at line 1") && text.contains("checksum"), "{text}");
    assert_eq!(std::fs::read(&log_path).expect("log"), middle_torn, "left as it is");

    // Lines of earlier versions (plain JSON, no length and checksum) still replay.
    let legacy: Vec<u8> = records
        .iter()
        .flat_map(|record| {
            let json_start = record
                .iter()
                .enumerate()
                .filter(|(_, byte)| **byte == b':')
                .nth(1)
                .map_or(0, |(at, _)| at + 1);
            record[json_start..].to_vec()
        })
        .collect();
    assert!(legacy.starts_with(b"{"));
    std::fs::write(&log_path, &legacy).expect("write");
    let again = Emu::with(options).await;
    assert_eq!(again.state(), state);
}

#[tokio::test]
async fn a_full_disk_answers_503_and_loses_no_acknowledged_change() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("state.json");
    let options = EmulatorOptions::default().state_file(&path);
    let emu = Emu::with(options.clone()).await;
    let create = |name: String| {
        let emu = &emu;
        async move {
            emu.call(
                "POST",
                "/v1/organizations",
                Some(&emu.admin()),
                Some(json!({"name": name, "regionCode": "NAM"})),
            )
            .await
        }
    };
    create("Before".to_owned()).await.expect(201);
    emu.call("POST", "/_emulator/disk", None, Some(json!({"full_for_writes": 2})))
        .await
        .expect(204);
    for index in 0..2 {
        let refused = create(format!("Lost {index}")).await.expect(503);
        assert!(
            refused.body["message"]
                .as_str()
                .unwrap_or_default()
                .contains("could not be saved"),
            "{:?}",
            refused.body
        );
    }
    create("After".to_owned()).await.expect(201);
    let state = emu.state();
    emu.emulator.shutdown().await.expect("stops");
    // It starts again, with every acknowledged change and none of the refused ones.
    let again = Emu::with(options).await;
    assert_eq!(again.state(), state);
    let names: Vec<String> = state["organizations"]
        .as_object()
        .map(|orgs| {
            orgs.values()
                .filter_map(|org| org["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        names.contains(&"Before".to_owned()) && names.contains(&"After".to_owned()),
        "{names:?}"
    );
    assert!(!names.iter().any(|name| name.starts_with("Lost")), "{names:?}");
}

#[tokio::test]
async fn a_symbolic_link_is_not_followed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("elsewhere.json");
    std::fs::write(&target, b"{}").expect("write");
    let link = dir.path().join("state.json");
    std::os::unix::fs::symlink(&target, &link).expect("link");
    let error = scc_emulator::spawn(EmulatorOptions::default().state_file(&link))
        .await
        .expect_err("refused");
    assert!(format!("{error:#}").contains("symbolic link"), "{error:#}");
    assert_eq!(
        std::fs::read(&target).expect("target"),
        b"{}",
        "the target is untouched"
    );
}
