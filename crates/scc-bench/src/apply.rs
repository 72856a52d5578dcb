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
            // One administrator; the others leave `admin` out (`admin: false` would also manage, and
            // read, who holds the role directly).
            let admin = if u == 0 { ", admin: true" } else { "" };
            text.push_str(&format!(
                "      - {{email: user{u}@customer{o:03}.example, first_name: User, last_name: Number {u}{admin}}}\n"
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

pub(crate) fn scc_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name(format!("scc{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(
        path.exists(),
        "{} is missing: build it with `cargo build --release -p scc-cli`",
        path.display()
    );
    Ok(path)
}

/// API requests the emulator received since it started.
async fn requests_seen(base_url: &str, control_token: &str) -> anyhow::Result<u64> {
    let journal: serde_json::Value = reqwest::Client::new()
        .get(format!("{base_url}/_emulator/requests"))
        .bearer_auth(control_token)
        .send()
        .await?
        .json()
        .await?;
    Ok(journal["total"].as_u64().unwrap_or_default())
}

/// `scc apply` for each number of organizations at each latency, `concurrency` organizations at once.
pub(crate) async fn bench(
    org_counts: &[usize],
    latencies_ms: &[u64],
    concurrency: usize,
    runs: usize,
    modes: &[Mode],
    json_path: Option<PathBuf>,
) -> anyhow::Result<()> {
    let scc = if modes.contains(&Mode::Process) {
        scc_binary()?
    } else {
        PathBuf::new()
    };
    let dir = std::env::temp_dir().join(format!("scc-bench-apply-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut rows = Vec::new();
    println!(
        "scc apply --concurrency {concurrency}: per organization 1 claim code, 10 users, 2 groups, 3 role assignments"
    );
    println!(
        "{:>7} {:>6} {:>8} {:>9} {:>9} {:>8} {:>11} {:>8} {:>9} {:>12} {:>6}",
        "mode",
        "orgs",
        "latency",
        "seconds",
        "requests",
        "req/org",
        "chain bound",
        "x bound",
        "scc MiB",
        "emulator MiB",
        "exit"
    );
    // Every run of each size, in the order run: sizes alternate within a round, so the runs of a
    // ratio meet the same moments of the machine.
    let mut seconds_at: std::collections::BTreeMap<(&str, u64, usize), Vec<f64>> = Default::default();
    for &latency_ms in latencies_ms {
        let rounds = (0..runs.max(1)).flat_map(|_| org_counts.iter().copied());
        for (orgs, mode) in rounds.flat_map(|orgs| modes.iter().map(move |mode| (orgs, *mode))) {
            let emulator = ChildServer::start(&[
                "emulator",
                "--latency-ms",
                &latency_ms.to_string(),
                "--claim-codes",
                &orgs.to_string(),
                "--journal-limit",
                "0",
            ])
            .await?;
            let base = emulator.base_url();
            let control_token = emulator.ready["control_token"].as_str().unwrap_or_default().to_owned();
            let codes: Vec<String> = emulator.ready["claim_codes"]["valid"]
                .as_array()
                .map(|codes| codes.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            let plan_path = dir.join(format!("plan-{orgs}-{latency_ms}.yaml"));
            std::fs::write(&plan_path, plan(&codes, orgs))?;
            let before = requests_seen(&base, &control_token).await?;
            let started = Instant::now();
            let (status, scc_rss) = match mode {
                Mode::Process => run_process(&scc, &plan_path, concurrency, &emulator, &dir).await?,
                Mode::Engine => (run_engine(&plan_path, concurrency, &emulator).await?, 0),
            };
            let seconds = started.elapsed().as_secs_f64();
            let sent = requests_seen(&base, &control_token).await? - before;
            let (_, emulator_peak) = emulator.rss_kib();
            // The longest chain of requests that wait on each other for one organization, read off
            // the engine (observe → diff → execute): the create (1), the look for a duplicate (2),
            // the observation, its four lists at once (3), invites and group creations at once (4),
            // the users read again for the new users' ids (5), the role patches (6); the claim
            // (claim info, claim) and the members' patches run beside that chain. Before all of it,
            // one listing of the organizations the token reaches (pages of 500, one after the other).
            let chain = 6usize;
            let latency = latency_ms as f64 / 1000.0;
            let waves = orgs.div_ceil(concurrency.max(1));
            let directory_pages = (orgs + 3).div_ceil(500).max(1);
            let chain_bound = (waves * chain + directory_pages) as f64 * latency;
            let ratio = if chain_bound > 0.0 {
                seconds / chain_bound
            } else {
                f64::NAN
            };
            println!(
                "{:>7} {orgs:>6} {:>8} {seconds:>9.2} {sent:>9} {:>8.1} {chain_bound:>11.2} {:>8} {:>9.1} {:>12.1} {:>6}",
                mode.name(),
                format!("{latency_ms} ms"),
                sent as f64 / orgs.max(1) as f64,
                if ratio.is_nan() {
                    "-".to_owned()
                } else {
                    format!("{ratio:.2}")
                },
                scc_rss as f64 / 1024.0,
                emulator_peak as f64 / 1024.0,
                status.map_or("signal".to_owned(), |code| code.to_string()),
            );
            seconds_at
                .entry((mode.name(), latency_ms, orgs))
                .or_default()
                .push(seconds);
            rows.push(json!({
                "mode": mode.name(), "orgs": orgs, "latency_ms": latency_ms, "concurrency": concurrency, "seconds": seconds,
                "requests": sent, "chain": chain, "chain_bound_seconds": chain_bound,
                "ratio_to_chain_bound": if ratio.is_nan() { serde_json::Value::Null } else { json!(ratio) },
                "scc_peak_rss_mib": scc_rss as f64 / 1024.0, "emulator_peak_rss_mib": emulator_peak as f64 / 1024.0,
                "exit": status,
            }));
        }
    }
    for &latency_ms in latencies_ms {
        for mode in modes {
            let (small, large) = (
                seconds_at.get(&(mode.name(), latency_ms, 500)),
                seconds_at.get(&(mode.name(), latency_ms, 5000)),
            );
            if let (Some(small), Some(large)) = (small, large) {
                let mut ratios: Vec<f64> = small.iter().zip(large).map(|(small, large)| large / small).collect();
                ratios.sort_by(f64::total_cmp);
                let median = ratios[ratios.len() / 2];
                let each: Vec<String> = ratios.iter().map(|ratio| format!("{ratio:.2}")).collect();
                println!(
                    "{} at {latency_ms} ms: 5,000 organizations took {median:.2}x the time of 500 (median of {} runs: {}; bound 10.5x)",
                    mode.name(),
                    ratios.len(),
                    each.join(" ")
                );
            }
        }
        // The face's cost: the process (startup, parsing, rendering the report) beside the engine alone.
        for &orgs in org_counts {
            let median = |mode: Mode| {
                let mut runs = seconds_at.get(&(mode.name(), latency_ms, orgs))?.clone();
                runs.sort_by(f64::total_cmp);
                Some(runs[runs.len() / 2])
            };
            if let (Some(process), Some(engine)) = (median(Mode::Process), median(Mode::Engine)) {
                println!(
                    "at {latency_ms} ms, {orgs} organizations: the process {process:.2} s, the engine in-process {engine:.2} s ({:.2}x)",
                    process / engine
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(path) = json_path {
        std::fs::write(path, serde_json::to_vec_pretty(&json!({"runs": rows}))?)?;
    }
    Ok(())
}

/// How the plan is applied: by the `scc` binary, or by the engine in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Mode {
    /// `scc apply --yes -o json`, a process of its own.
    Process,
    /// `scc_apply::Session::apply` called here, with no face.
    Engine,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Self::Process => "process",
            Self::Engine => "engine",
        }
    }
}

/// `scc apply` of the plan as a process: its exit code and its peak memory (KiB).
async fn run_process(
    scc: &std::path::Path,
    plan_path: &std::path::Path,
    concurrency: usize,
    emulator: &ChildServer,
    dir: &std::path::Path,
) -> anyhow::Result<(Option<i32>, u64)> {
    let mut child = tokio::process::Command::new(scc)
        .args([
            "apply",
            "--yes",
            "--concurrency",
            &concurrency.to_string(),
            "-o",
            "json",
        ])
        .arg(plan_path)
        .env("SCC_BASE_URL", emulator.base_url())
        .env(
            "SCC_ACCESS_TOKEN",
            emulator.ready["admin"]["access_token"].as_str().unwrap_or_default(),
        )
        .env("SCC_ORG_ID", emulator.ready["org_id"].as_str().unwrap_or_default())
        .env("SCC_CONFIG_DIR", dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("cannot run scc")?;
    // The peak memory of scc, read while it runs (the last reading before it ends).
    let mut scc_rss = 0;
    let status = loop {
        if let Some(pid) = child.id() {
            scc_rss = scc_rss.max(crate::worker::peak_rss_kib_of(&pid.to_string()));
        }
        tokio::select! {
            status = child.wait() => break status?,
            _ = tokio::time::sleep(std::time::Duration::from_millis(20)) => {}
        }
    };
    Ok((status.code(), scc_rss))
}

/// The engine alone, in this process: the plan applied as `scc apply --yes` applies it, every
/// organization confirmed ahead. Its exit code is the CLI's meaning of the outcome (0 all made).
async fn run_engine(
    plan_path: &std::path::Path,
    concurrency: usize,
    emulator: &ChildServer,
) -> anyhow::Result<Option<i32>> {
    let client = scc_sdk::Client::builder()
        .base_url(emulator.base_url())
        .access_token(emulator.ready["admin"]["access_token"].as_str().unwrap_or_default())
        .build()?;
    let (file, _, _) = scc_apply::read(plan_path)?.into_parts();
    let locks = tempfile::tempdir()?;
    let session = scc_apply::Session::new(&client, emulator.base_url(), locks.path()).concurrency(concurrency);
    let labels = file.organizations.iter().map(scc_apply::OrgPlan::label).collect();
    let ledger = scc_apply::Ledger::new(labels, scc_apply::Actor::default(), None)?;
    let work = (0..file.organizations.len())
        .map(|index| (index, scc_apply::Confirmed::Ahead))
        .collect();
    let applied = session
        .apply(&file, work, &ledger)
        .await?
        .map_err(|_| anyhow::anyhow!("stopped"))?;
    let all_made = applied.iter().all(|(_, org)| {
        org.outcomes
            .clone()
            .into_items()
            .iter()
            .all(|(_, outcome)| outcome.status() == scc_apply::Status::Ok)
    });
    Ok(Some(if all_made { 0 } else { 3 }))
}
