//! The emulator with a state file at 0, 20,000 and 100,000 users in one organization: the latency of
//! a one-user invite (a users PATCH), of GETs while invites run, and the server's memory. Bound: an
//! invite at 100,000 users within 3× of an empty state, and GET p50 under 1 ms.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::servers::ChildServer;

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The default fixtures with `users` more users in the principal organization.
async fn fixtures_with(users: usize, dir: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    let plain = ChildServer::start(&["emulator", "--journal-limit", "0"]).await?;
    let base = plain.ready["base_url"].as_str().unwrap_or_default().to_owned();
    let control = plain.ready["control_token"].as_str().unwrap_or_default().to_owned();
    let mut state: Value = reqwest::Client::new()
        .get(format!("{base}/_emulator/state"))
        .bearer_auth(&control)
        .send()
        .await?
        .json()
        .await?;
    let org = plain.ready["org_id"].as_str().unwrap_or_default().to_owned();
    let template = state["users"]
        .as_object()
        .and_then(|users| users.values().find(|user| user["org_id"] == org.as_str()))
        .cloned()
        .unwrap_or_default();
    if let Some(table) = state["users"].as_object_mut() {
        for index in 0..users {
            let id = format!("{index:08x}-5ca1-4e00-8000-000000000000");
            let mut user = template.clone();
            user["id"] = json!(id);
            user["email"] = json!(format!("scale{index}@customer.example"));
            user["seq"] = json!(1_000_000 + index);
            table.insert(id, user);
        }
    }
    let path = dir.join(format!("fixtures-{users}.json"));
    std::fs::write(&path, serde_json::to_vec(&state)?)?;
    Ok(path)
}

pub(crate) async fn bench(
    sizes: &[usize],
    invites: usize,
    json_path: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    println!(
        "emulator with a state file: {invites} one-user invites one after the other, GETs of the organization meanwhile"
    );
    println!(
        "{:>8}  {:>22}  {:>22}  {:>12}  {:>12}",
        "users", "invite p50/p99 ms", "GET p50/p99 ms", "RSS MiB", "x empty p50"
    );
    let mut results = Vec::new();
    let mut empty_p50 = None;
    for &users in sizes {
        let fixtures = fixtures_with(users, dir.path()).await?;
        let state_file = dir.path().join(format!("state-{users}.json"));
        let server = ChildServer::start(&[
            "emulator",
            "--journal-limit",
            "0",
            "--fixtures",
            &fixtures.display().to_string(),
            "--state-file",
            &state_file.display().to_string(),
        ])
        .await?;
        let base = server.ready["base_url"].as_str().unwrap_or_default().to_owned();
        let org = server.ready["org_id"].as_str().unwrap_or_default().to_owned();
        let token = server.ready["admin"]["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let http = reqwest::Client::new();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let (http, base, org, token, stop) = (http.clone(), base.clone(), org.clone(), token.clone(), stop.clone());
            tokio::spawn(async move {
                let mut samples = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let started = Instant::now();
                    let answer = http
                        .get(format!("{base}/v1/organizations/{org}"))
                        .bearer_auth(&token)
                        .send()
                        .await;
                    if let Ok(answer) = answer {
                        let _ = answer.bytes().await;
                        samples.push(started.elapsed());
                    }
                }
                samples
            })
        };
        let mut writes = Vec::with_capacity(invites);
        for index in 0..invites {
            let body = json!({"users": [{"operation": "invite", "email": format!("new{index}@scale.example"),
                                          "firstName": "New", "lastName": "User"}]});
            let started = Instant::now();
            let answer = http
                .patch(format!("{base}/v1/organizations/{org}/users"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await?;
            anyhow::ensure!(answer.status().is_success(), "invite failed: {}", answer.status());
            let _ = answer.bytes().await?;
            writes.push(started.elapsed());
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut reads = reader.await?;
        let (rss, _) = server.rss_kib();
        let invite = (percentile(&mut writes, 0.5), percentile(&mut writes, 0.99));
        let get = (percentile(&mut reads, 0.5), percentile(&mut reads, 0.99));
        let base_p50 = *empty_p50.get_or_insert(invite.0);
        println!(
            "{users:>8}  {:>22}  {:>22}  {:>12.1}  {:>12.2}",
            format!("{:.2} / {:.2}", invite.0, invite.1),
            format!("{:.2} / {:.2}", get.0, get.1),
            rss as f64 / 1024.0,
            invite.0 / base_p50,
        );
        results.push(json!({
            "users": users,
            "invite_ms": {"p50": invite.0, "p99": invite.1},
            "get_while_writing_ms": {"p50": get.0, "p99": get.1, "count": reads.len()},
            "rss_mib": rss as f64 / 1024.0,
            "invite_p50_x_empty": invite.0 / base_p50,
        }));
    }
    println!("bounds: invite p50 at the largest size within 3x of the empty state; GET p50 under 1 ms");
    if let Some(path) = json_path {
        std::fs::write(path, serde_json::to_vec_pretty(&json!({"scale": results}))?)?;
    }
    Ok(())
}
