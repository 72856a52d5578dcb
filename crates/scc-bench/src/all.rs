//! `scc-bench all`: every workload, each figure the median of interleaved runs with min and max.
//!
//! - W1: 10,000 `organizations.get` through the SDK at concurrency 1 and 64, beside a bare reqwest
//!   loop at the same concurrency (the limit an SDK can approach).
//! - W2: the seed's onboarding flow for 100 managed organizations, the emulator at 20 ms latency: the
//!   SDK one organization after another and 16 at once, beside the latency lower bound.
//! - W3: the original Python SDK (`cisco-scc-sdk` 1.0.6, installed into its own virtual environment)
//!   doing W1 at concurrency 1 and W2 one organization after another.
//! - W4: the emulator beside a bare axum handler returning fixed JSON, same load generator, 64
//!   connections.
//! - Memory: peak RSS of the SDK's process in W1 and W2, and of the emulator after W2.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::Context;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::load::{Sample, Summary, summarize};
use crate::servers::ChildServer;

/// The flow's requests that wait on each other, per organization.
pub(crate) const FLOW_CHAIN: usize = 8;

#[derive(Debug, clap::Args)]
pub(crate) struct AllArgs {
    /// Measured runs of each figure (interleaved); the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The CI smoke version: a few hundred requests, a few organizations, no Python.
    #[arg(long)]
    quick: bool,
    /// Run the Python SDK too (default: yes, unless --quick).
    #[arg(long)]
    python: Option<bool>,
    /// Write every figure as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

pub(crate) async fn child_json(mut command: tokio::process::Command, job: &Value) -> anyhow::Result<Value> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("cannot start the workload")?;
    let mut stdin = child.stdin.take().context("no stdin")?;
    stdin.write_all(job.to_string().as_bytes()).await?;
    drop(stdin);
    let output = child.wait_with_output().await?;
    anyhow::ensure!(
        output.status.success(),
        "the workload failed: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    Ok(serde_json::from_slice(&output.stdout)?)
}

pub(crate) async fn rust_worker(job: &Value) -> anyhow::Result<Value> {
    let mut command = tokio::process::Command::new(std::env::current_exe()?);
    command.arg("worker");
    child_json(command, job).await
}

pub(crate) struct Python {
    interpreter: PathBuf,
    script: PathBuf,
}

impl Python {
    /// The Python SDK in a virtual environment beside the build (created once).
    async fn setup() -> anyhow::Result<Self> {
        Self::in_venv("bench-venv", "cisco-scc-sdk 1.0.6", &["cisco-scc-sdk==1.0.6"]).await
    }

    /// An interpreter of a virtual environment `name` in the target folder, with `packages` installed
    /// by pip when the environment is new.
    pub(crate) async fn in_venv(name: &str, what: &str, packages: &[&str]) -> anyhow::Result<Self> {
        let target = std::env::current_exe()?
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .context("no target folder")?;
        let venv = target.join(name);
        let interpreter = venv.join("bin").join("python");
        if !interpreter.exists() {
            eprintln!("installing {what} into {}", venv.display());
            let status = tokio::process::Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .await?;
            anyhow::ensure!(status.success(), "python3 -m venv failed");
            let status = tokio::process::Command::new(venv.join("bin").join("pip"))
                .args(["install", "--quiet"])
                .args(packages)
                .status()
                .await?;
            anyhow::ensure!(status.success(), "pip install {what} failed");
        }
        Ok(Self {
            interpreter,
            script: Path::new(env!("CARGO_MANIFEST_DIR")).join("python").join("bench.py"),
        })
    }

    pub(crate) async fn run(&self, job: &Value) -> anyhow::Result<Value> {
        self.run_with(job, &[]).await
    }

    /// `run` with arguments for the script (`--gevent`).
    pub(crate) async fn run_with(&self, job: &Value, args: &[&str]) -> anyhow::Result<Value> {
        let mut command = tokio::process::Command::new(&self.interpreter);
        command.arg(&self.script).args(args);
        child_json(command, job).await
    }

    /// Installs `package` into this environment unless it imports as `module` already.
    pub(crate) async fn ensure(&self, module: &str, package: &str) -> anyhow::Result<()> {
        let found = tokio::process::Command::new(&self.interpreter)
            .args(["-c", &format!("import {module}")])
            .stderr(std::process::Stdio::null())
            .status()
            .await?;
        if !found.success() {
            let pip = self.interpreter.with_file_name("pip");
            let status = tokio::process::Command::new(pip)
                .args(["install", "--quiet", package])
                .status()
                .await?;
            anyhow::ensure!(status.success(), "pip install {package} failed");
        }
        Ok(())
    }
}

pub(crate) fn sample(value: &Value) -> anyhow::Result<Sample> {
    Ok(serde_json::from_value(value.clone())?)
}

pub(crate) fn median(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let min = values.first().copied().unwrap_or_default();
    let max = values.last().copied().unwrap_or_default();
    (values.get(values.len() / 2).copied().unwrap_or_default(), min, max)
}

pub(crate) fn max_rss(results: &[Value]) -> u64 {
    results
        .iter()
        .filter_map(|r| r["peak_rss_kib"].as_u64())
        .max()
        .unwrap_or(0)
}

/// Creates `count` managed organizations (not timed) and pairs each with a claim code.
pub(crate) async fn managed_orgs(emulator: &ChildServer, count: usize) -> anyhow::Result<Vec<(String, String)>> {
    let client = scc_sdk::Client::builder()
        .access_token(emulator.ready["admin"]["access_token"].as_str().unwrap_or_default())
        .base_url(emulator.base_url())
        .build()?;
    let codes: Vec<String> = emulator.ready["claim_codes"]["valid"]
        .as_array()
        .map(|codes| codes.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let created: Vec<_> = futures_util::stream::iter(0..count)
        .map(|index| {
            let client = client.clone();
            async move {
                client
                    .organizations()
                    .create(format!("Bench {index:03}"), "NAM")
                    .organization_type(scc_sdk::types::OrganizationType::Managed)
                    .send()
                    .await
            }
        })
        .buffered(16)
        .collect()
        .await;
    created
        .into_iter()
        .zip(codes)
        .map(|(org, code)| Ok((org?.id.to_string(), code)))
        .collect()
}

pub(crate) async fn run(args: AllArgs) -> anyhow::Result<()> {
    let runs = args.runs.max(1);
    let (w1_requests, w2_orgs, w4_requests) = if args.quick {
        (300, 4, 300)
    } else {
        (10_000, 100, 20_000)
    };
    let python = if args.python.unwrap_or(!args.quick) {
        Some(Python::setup().await?)
    } else {
        None
    };
    let mut report = json!({
        "date": jiff::Timestamp::now().to_string(),
        "machine": {
            "cpus": std::thread::available_parallelism().map(usize::from).unwrap_or(1),
            "os": std::env::consts::OS,
            "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim(),
        },
        "runs": runs,
    });

    println!("== W4: the emulator beside a bare axum handler, 64 connections");
    report["w4"] = crate::emulator_report(w4_requests, 64, runs).await?;

    println!("\n== W1: organizations.get, {w1_requests} requests per run");
    let emulator = ChildServer::start(&["emulator", "--journal-limit", "0"]).await?;
    let base = emulator.base_url();
    let token = emulator.ready["admin"]["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let org = emulator.ready["org_id"].as_str().unwrap_or_default().to_owned();
    let job = |workload: &str, concurrency: usize| {
        json!({"workload": workload, "base_url": base, "token": token, "org_id": org,
               "requests": w1_requests, "concurrency": concurrency})
    };
    let mut w1: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for run in 0..runs {
        for concurrency in [1, 64] {
            let order = if run % 2 == 0 {
                ["w1-sdk", "w1-bare"]
            } else {
                ["w1-bare", "w1-sdk"]
            };
            for workload in order {
                let result = rust_worker(&job(workload, concurrency)).await?;
                w1.entry(format!("{workload} c{concurrency}")).or_default().push(result);
            }
        }
        if let Some(python) = &python {
            w1.entry("w1-python c1".into())
                .or_default()
                .push(python.run(&job("w1", 1)).await?);
        }
    }
    drop(emulator);
    println!(
        "{:<18} {:>10} {:>10} {:>10} {:>9} {:>9} {:>12}",
        "W1", "req/s", "min", "max", "p50 ms", "p99 ms", "peak RSS MiB"
    );
    let mut w1_report = serde_json::Map::new();
    for (name, results) in &w1 {
        let summary: Summary = summarize(results.iter().map(sample).collect::<anyhow::Result<_>>()?);
        let rss = max_rss(results);
        println!(
            "{name:<18} {:>10.0} {:>10.0} {:>10.0} {:>9.2} {:>9.2} {:>12.1}",
            summary.median.rps,
            summary.min_rps,
            summary.max_rps,
            summary.median.p50_ms,
            summary.median.p99_ms,
            rss as f64 / 1024.0
        );
        w1_report.insert(name.clone(), json!({"summary": summary, "peak_rss_kib": rss}));
    }
    let rps = |name: &str| {
        w1_report
            .get(name)
            .and_then(|v| v["summary"]["median"]["rps"].as_f64())
            .unwrap_or(f64::NAN)
    };
    let rss_of = |name: &str| {
        w1_report
            .get(name)
            .and_then(|v| v["peak_rss_kib"].as_f64())
            .unwrap_or(f64::NAN)
    };
    let w1_ratios = json!({
        "sdk_over_bare_c1": rps("w1-sdk c1") / rps("w1-bare c1"),
        "sdk_over_bare_c64": rps("w1-sdk c64") / rps("w1-bare c64"),
        "time_scc_over_python_c1": rps("w1-python c1") / rps("w1-sdk c1"),
        "rss_scc_over_python": rss_of("w1-sdk c1") / rss_of("w1-python c1"),
    });
    println!("ratios: {w1_ratios}");
    report["w1"] = json!({"results": w1_report, "ratios": w1_ratios});

    println!("\n== W2: the onboarding flow for {w2_orgs} managed organizations, emulator at 20 ms latency");
    let mut variants: Vec<(&str, usize)> = vec![("sdk", 1), ("sdk", 16)];
    if python.is_some() {
        variants.push(("python", 1));
    }
    let mut w2: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    let mut emulator_rss = (0, 0);
    for _ in 0..runs {
        for (kind, concurrency) in &variants {
            let emulator = ChildServer::start(&[
                "emulator",
                "--latency-ms",
                "20",
                "--claim-codes",
                &w2_orgs.to_string(),
                "--journal-limit",
                "0",
            ])
            .await?;
            let orgs = managed_orgs(&emulator, w2_orgs).await?;
            let job = json!({
                "workload": if *kind == "sdk" { "w2-sdk" } else { "w2" },
                "base_url": emulator.base_url(),
                "token": emulator.ready["admin"]["access_token"],
                "orgs": orgs,
                "concurrency": concurrency,
            });
            let result = match (kind, &python) {
                (&"python", Some(python)) => python.run(&job).await?,
                _ => rust_worker(&job).await?,
            };
            anyhow::ensure!(
                result["errors"].as_u64() == Some(0),
                "W2 {kind} c{concurrency} had errors: {result}"
            );
            if *kind == "sdk" && *concurrency == 16 {
                emulator_rss = emulator.rss_kib();
            }
            w2.entry(format!("w2-{kind} c{concurrency}")).or_default().push(result);
        }
    }
    println!(
        "{:<16} {:>9} {:>9} {:>9} {:>10} {:>8} {:>12}",
        "W2", "seconds", "min", "max", "bound (s)", "x bound", "peak RSS MiB"
    );
    let mut w2_report = serde_json::Map::new();
    for (name, results) in &w2 {
        let (seconds, min, max) = median(results.iter().filter_map(|r| r["seconds"].as_f64()).collect());
        let concurrency: usize = name.rsplit('c').next().and_then(|c| c.parse().ok()).unwrap_or(1);
        let bound = w2_orgs.div_ceil(concurrency) as f64 * FLOW_CHAIN as f64 * 0.020;
        let rss = max_rss(results);
        println!(
            "{name:<16} {seconds:>9.2} {min:>9.2} {max:>9.2} {bound:>10.2} {:>8.2} {:>12.1}",
            seconds / bound,
            rss as f64 / 1024.0
        );
        w2_report.insert(
            name.clone(),
            json!({"seconds": seconds, "min": min, "max": max, "bound_seconds": bound, "peak_rss_kib": rss}),
        );
    }
    let seconds_of = |name: &str| {
        w2_report
            .get(name)
            .and_then(|v| v["seconds"].as_f64())
            .unwrap_or(f64::NAN)
    };
    let w2_rss = |name: &str| {
        w2_report
            .get(name)
            .and_then(|v| v["peak_rss_kib"].as_f64())
            .unwrap_or(f64::NAN)
    };
    let w2_ratios = json!({
        "time_scc_over_python_sequential": seconds_of("w2-sdk c1") / seconds_of("w2-python c1"),
        "rss_scc_over_python": w2_rss("w2-sdk c1") / w2_rss("w2-python c1"),
    });
    println!("ratios: {w2_ratios}");
    println!(
        "emulator after W2 (16 at once): RSS {:.1} MiB, peak {:.1} MiB",
        emulator_rss.0 as f64 / 1024.0,
        emulator_rss.1 as f64 / 1024.0
    );
    report["w2"] = json!({"results": w2_report, "ratios": w2_ratios, "orgs": w2_orgs,
                          "emulator_rss_kib": emulator_rss.0, "emulator_peak_rss_kib": emulator_rss.1});
    if let Some(path) = args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(())
}
