//! `scc apply` at scale: the onboarding plan of many organizations against the emulator with added
//! latency, timed as a whole, with the number of requests it sent and the lower bound they imply.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use serde_json::json;

use crate::servers::ChildServer;

/// The plan of the CLI's tests: per organization one claim code, 10 users, 2 groups, role assignments.
pub(crate) fn plan(claim_codes: &[String], orgs: usize) -> String {
    let mut text = String::from("organizations:\n");
    for (o, code) in claim_codes.iter().take(orgs).enumerate() {
        text.push_str(&format!(
            "  - name: Customer {o:03}\n    create: true\n    region: NAM\n    subscriptions:\n      - claim_code: {code}\n    users:\n"
        ));
        for u in 0..10 {
            text.push_str(&format!(
                "      - {{email: user{u}@customer{o:03}.example, first_name: User, last_name: Number {u}, admin: {}}}\n",
                u == 0
            ));
        }
        text.push_str(&format!(
            "    groups:\n      - {{name: Admins {o:03}, members: [user0@customer{o:03}.example, user1@customer{o:03}.example]}}\n      - {{name: Analysts {o:03}, members: [user2@customer{o:03}.example, user3@customer{o:03}.example]}}\n"
        ));
        text.push_str(&format!(
            "    roles:\n      - {{product: Security Cloud Control, role: Organization Administrator, groups: [Admins {o:03}]}}\n      - {{product: Security Cloud Control, role: Organization Member, groups: [Analysts {o:03}], users: [user9@customer{o:03}.example]}}\n"
        ));
    }
    text
}

fn scc_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name(format!("scc{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(
        path.exists(),
        "{} is missing: build it with `cargo build --release -p scc-cli`",
        path.display()
    );
    Ok(path)
}

/// Requests the emulator received, from its journal.
async fn requests(base_url: &str, control_token: &str) -> anyhow::Result<Vec<serde_json::Value>> {
    let journal: serde_json::Value = reqwest::Client::new()
        .get(format!("{base_url}/_emulator/requests"))
        .bearer_auth(control_token)
        .send()
        .await?
        .json()
        .await?;
    Ok(journal["requests"].as_array().cloned().unwrap_or_default())
}

pub(crate) async fn bench(
    orgs: usize,
    latency_ms: u64,
    levels: &[usize],
    json_path: Option<PathBuf>,
) -> anyhow::Result<()> {
    let scc = scc_binary()?;
    let dir = std::env::temp_dir().join(format!("scc-bench-apply-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut rows = Vec::new();
    println!(
        "scc apply: {orgs} organizations (1 claim code, 10 users, 2 groups, 3 role assignments each), emulator latency {latency_ms} ms"
    );
    println!(
        "{:>11} {:>9} {:>9} {:>11} {:>12} {:>10} {:>8}",
        "concurrency", "seconds", "requests", "chain bound", "request bound", "x bound", "result"
    );
    for &concurrency in levels {
        let emulator = ChildServer::start(&[
            "emulator",
            "--latency-ms",
            &latency_ms.to_string(),
            "--claim-codes",
            &orgs.to_string(),
            "--journal-limit",
            "1000000",
        ])
        .await?;
        let base = emulator.base_url();
        let control_token = emulator.ready["control_token"].as_str().unwrap_or_default().to_owned();
        let codes: Vec<String> = emulator.ready["claim_codes"]["valid"]
            .as_array()
            .map(|codes| codes.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        let plan_path = dir.join(format!("plan-{concurrency}.yaml"));
        std::fs::write(&plan_path, plan(&codes, orgs))?;
        let before = requests(&base, &control_token).await?.len();
        let started = Instant::now();
        let status = tokio::process::Command::new(&scc)
            .args([
                "apply",
                "--yes",
                "--concurrency",
                &concurrency.to_string(),
                "-o",
                "json",
            ])
            .arg(&plan_path)
            .env("SCC_BASE_URL", &base)
            .env(
                "SCC_ACCESS_TOKEN",
                emulator.ready["admin"]["access_token"].as_str().unwrap_or_default(),
            )
            .env("SCC_ORG_ID", emulator.ready["org_id"].as_str().unwrap_or_default())
            .env("SCC_CONFIG_DIR", &dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .await
            .context("cannot run scc")?;
        let seconds = started.elapsed().as_secs_f64();
        let journal = requests(&base, &control_token).await?;
        let sent = journal.len() - before;
        let per_org = sent as f64 / orgs.max(1) as f64;
        // The longest chain of requests that wait on each other for one organization, read off the
        // engine (observe → diff → execute): the name asked again before the create (1), the create
        // (2), the look for a duplicate (3), the observation, its four lists at once (4), invites and
        // group creation (5), the users read again for the new users' ids (6), the role patch (7);
        // the claim (claim info, claim) and the members' patch run beside that chain. One listing of
        // the organizations for the whole run comes before it.
        let chain = 7usize;
        let latency = latency_ms as f64 / 1000.0;
        let waves = orgs.div_ceil(concurrency.max(1));
        let chain_bound = waves as f64 * chain as f64 * latency;
        // Inside an organization, subscriptions, users and groups go in parallel: up to three requests
        // in flight per organization.
        let throughput_bound = sent as f64 * latency / (3 * concurrency.max(1)) as f64;
        let bound = chain_bound.max(throughput_bound);
        let result = if status.success() { "ok" } else { "failed" };
        println!(
            "{concurrency:>11} {seconds:>9.2} {sent:>9} {chain_bound:>12.2} {throughput_bound:>14.2} {:>8.2} {result:>8}",
            seconds / bound
        );
        rows.push(json!({
            "concurrency": concurrency, "seconds": seconds, "requests": sent, "requests_per_org": per_org,
            "chain": chain, "chain_bound_seconds": chain_bound, "throughput_bound_seconds": throughput_bound,
            "bound_seconds": bound, "ratio_to_bound": seconds / bound, "exit": status.code(),
        }));
    }
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(path) = json_path {
        std::fs::write(
            path,
            serde_json::to_vec_pretty(&json!({"orgs": orgs, "latency_ms": latency_ms, "runs": rows}))?,
        )?;
    }
    Ok(())
}
