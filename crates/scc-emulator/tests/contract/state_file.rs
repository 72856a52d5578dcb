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

    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        files,
        vec![std::ffi::OsString::from("state.json")],
        "no temp file is left behind"
    );

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
