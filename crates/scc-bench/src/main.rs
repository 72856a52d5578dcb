//! `scc-bench`: throughput and latency figures of the emulator and the SDK, against servers on
//! 127.0.0.1 only. Every comparison is measured in the same run, A and B interleaved, and each
//! figure is the median of several runs with the min and max beside it.

mod all;
mod apply;
mod load;
mod mcp;
mod python;
mod scale;
mod servers;
mod store;
mod worker;

use std::sync::Arc;

use clap::{Parser, Subcommand};
use serde_json::json;

use crate::load::{Summary, run, summarize};
use crate::servers::ChildServer;

#[derive(Parser)]
#[command(about = "Benchmarks of scc (127.0.0.1 only)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The emulator next to a bare axum handler returning fixed JSON, with the same load generator:
    /// GET /v1/organizations/{id} and a 10-item users PATCH.
    Emulator {
        /// Requests per measured run.
        #[arg(long, default_value_t = 20_000)]
        requests: usize,
        /// Concurrent connections.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Measured runs of each target (interleaved); the median is reported.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Also write the results as JSON here.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
    },
    /// `organizations.get` through the SDK next to a bare reqwest loop, against the emulator.
    Sdk {
        /// Requests per measured run.
        #[arg(long, default_value_t = 10_000)]
        requests: usize,
        /// Concurrent requests.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Measured runs of each (interleaved); the median is reported.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Also write the results as JSON here.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
    },
    /// `scc apply` of plans of several sizes against the emulator at several latencies, next to the
    /// chain bound, with the peak memory of scc and of the emulator. Needs the `scc` binary beside
    /// this one (`cargo build --release -p scc-cli -p scc-bench`).
    Apply {
        /// Organizations in the plans.
        #[arg(long, value_delimiter = ',', default_value = "50")]
        orgs: Vec<usize>,
        /// Latencies the emulator adds to every request, in ms.
        #[arg(long, value_delimiter = ',', default_value = "20")]
        latency_ms: Vec<u64>,
        /// Organizations worked on at once.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Runs of each size (the sizes alternate; the 5,000/500 ratio is the median of the rounds).
        #[arg(long, default_value_t = 1)]
        runs: usize,
        /// How the plan is applied: by the `scc` binary, by the engine in this process, or both.
        #[arg(long, value_delimiter = ',', default_value = "process,engine")]
        modes: Vec<apply::Mode>,
        /// Also write the results as JSON here.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
    },
    /// `scc mcp`: a read tool's round trip over stdio beside the same SDK call in process, and the
    /// server's peak memory while paging through an organization's users.
    Mcp {
        /// Calls of each kind measured.
        #[arg(long, default_value_t = 500)]
        calls: usize,
        /// Users of the organization paged through.
        #[arg(long, default_value_t = 20000)]
        users: usize,
        /// Also write the results as JSON here.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
    },
    /// The candidates for the emulator's state file: an append-only log and redb, beside the
    /// whole-state rewrite, at several table sizes.
    Store {
        /// Table sizes (rows).
        #[arg(long, value_delimiter = ',', default_value = "0,20000,100000")]
        rows: Vec<usize>,
        /// Changes measured at each size.
        #[arg(long, default_value_t = 200)]
        writes: usize,
        /// Also write the results as JSON here.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
    },
    /// The emulator with a state file at several numbers of users: invite latency, GET latency while
    /// invites run, memory.
    Scale {
        /// Users in the organization.
        #[arg(long, value_delimiter = ',', default_value = "0,20000,100000")]
        users: Vec<usize>,
        /// Invites measured at each size.
        #[arg(long, default_value_t = 300)]
        invites: usize,
        /// Also write the results as JSON here.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
    },
    /// Every workload (W1–W4 and memory), against the Python SDK too: a table and JSON.
    All(all::AllArgs),
    /// The Python package `scc_sdk` beside `cisco-scc-sdk` 1.0.6 and the Rust SDK: W1 on 1 and 16
    /// threads, W2, peak memory.
    Python(python::PythonArgs),
    /// Runs one workload from a job on stdin (used by `all`).
    #[command(hide = true)]
    Worker,
    /// Serves a target in this process (used by the benchmarks themselves).
    #[command(hide = true)]
    Serve {
        #[command(subcommand)]
        target: ServeTarget,
    },
}

#[derive(Subcommand)]
enum ServeTarget {
    Emulator {
        #[command(flatten)]
        options: scc_emulator::EmulatorOptions,
    },
    Bare,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Serve {
            target: ServeTarget::Bare,
        } => servers::serve_bare().await,
        Command::Serve {
            target: ServeTarget::Emulator { mut options },
        } => {
            options.port = 0;
            let emulator = scc_emulator::start(options).await?;
            let line = serde_json::to_string(emulator.ready())?;
            let serving = emulator.serve_until_signal()?;
            println!("{line}");
            serving.await
        }
        Command::Emulator {
            requests,
            concurrency,
            runs,
            json,
        } => emulator_bench(requests, concurrency, runs, json).await,
        Command::Sdk {
            requests,
            concurrency,
            runs,
            json,
        } => sdk_bench(requests, concurrency, runs, json).await,
        Command::Store { rows, writes, json } => store::bench(&rows, writes, json),
        Command::Scale { users, invites, json } => scale::bench(&users, invites, json).await,
        Command::All(args) => all::run(args).await,
        Command::Python(args) => python::run(args).await,
        Command::Worker => worker::work().await,
        Command::Mcp { calls, users, json } => mcp::bench(calls, users, json).await,
        Command::Apply {
            orgs,
            latency_ms,
            concurrency,
            runs,
            modes,
            json,
        } => apply::bench(&orgs, &latency_ms, concurrency, runs, &modes, json).await,
    }
}

fn http_client(concurrency: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder().pool_max_idle_per_host(concurrency).build()?)
}

async fn emulator_bench(
    requests: usize,
    concurrency: usize,
    runs: usize,
    json_path: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let report = emulator_report(requests, concurrency, runs).await?;
    if let Some(path) = json_path {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(())
}

/// W4: the emulator next to a bare axum handler, same load generator, interleaved runs.
pub(crate) async fn emulator_report(
    requests: usize,
    concurrency: usize,
    runs: usize,
) -> anyhow::Result<serde_json::Value> {
    let emulator = ChildServer::start(&["emulator", "--journal-limit", "0"]).await?;
    let bare = ChildServer::start(&["bare"]).await?;
    let org = emulator.ready["org_id"].as_str().unwrap_or_default().to_owned();
    let token = emulator.ready["admin"]["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let http = http_client(concurrency)?;
    let emails = [
        "alice.admin@acme.example",
        "bob.analyst@acme.example",
        "carol.new@acme.example",
    ];
    let patch_body = Arc::new(
        json!({"users": (0..10).map(|i| json!({"email": emails[i % 3], "operation": "reset_password"})).collect::<Vec<_>>()})
            .to_string(),
    );

    let target = |base: String, patch: bool| {
        let http = http.clone();
        let token = token.clone();
        let org = org.clone();
        let body = patch_body.clone();
        move |_index: usize| {
            let http = http.clone();
            let request = if patch {
                http.patch(format!("{base}/v1/organizations/{org}/users"))
                    .header("content-type", "application/json")
                    .body(body.as_str().to_owned())
            } else {
                http.get(format!("{base}/v1/organizations/{org}"))
            };
            let request = request.bearer_auth(&token);
            async move {
                match request.send().await {
                    Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                    Err(_) => false,
                }
            }
        }
    };
    let names = [
        "bare GET",
        "emulator GET",
        "bare PATCH (10 items)",
        "emulator PATCH (10 items)",
    ];
    let targets = [
        (bare.base_url(), false),
        (emulator.base_url(), false),
        (bare.base_url(), true),
        (emulator.base_url(), true),
    ];
    // Warm-up: connections, caches.
    for (base, patch) in &targets {
        run(2_000.min(requests), concurrency, target(base.clone(), *patch)).await;
    }
    let mut samples: Vec<Vec<load::Sample>> = vec![Vec::new(); targets.len()];
    for _ in 0..runs.max(1) {
        for (index, (base, patch)) in targets.iter().enumerate() {
            samples[index].push(run(requests, concurrency, target(base.clone(), *patch)).await);
        }
    }
    let summaries: Vec<Summary> = samples.into_iter().map(summarize).collect();
    println!(
        "{requests} requests per run, {concurrency} connections, median of {} interleaved runs",
        runs.max(1)
    );
    println!(
        "{:<28} {:>10} {:>10} {:>10} {:>9} {:>9} {:>7}",
        "target", "req/s", "min", "max", "p50 ms", "p99 ms", "errors"
    );
    for (name, summary) in names.iter().zip(&summaries) {
        let m = &summary.median;
        println!(
            "{name:<28} {:>10.0} {:>10.0} {:>10.0} {:>9.2} {:>9.2} {:>7}",
            m.rps, summary.min_rps, summary.max_rps, m.p50_ms, m.p99_ms, m.errors
        );
    }
    let get_ratio = summaries[1].median.rps / summaries[0].median.rps.max(f64::EPSILON);
    let patch_ratio = summaries[3].median.rps / summaries[2].median.rps.max(f64::EPSILON);
    println!("emulator/bare: GET {get_ratio:.2}, PATCH {patch_ratio:.2}");
    Ok(json!({
        "requests": requests,
        "concurrency": concurrency,
        "runs": runs,
        "targets": names.iter().zip(&summaries).map(|(name, s)| json!({"name": name, "summary": s})).collect::<Vec<_>>(),
        "ratios": {"get": get_ratio, "patch": patch_ratio},
    }))
}

/// Prints a table of summaries and returns them as JSON.
fn report(title: &str, names: &[&str], summaries: &[Summary]) -> serde_json::Value {
    println!("{title}");
    println!(
        "{:<28} {:>10} {:>10} {:>10} {:>9} {:>9} {:>7}",
        "target", "req/s", "min", "max", "p50 ms", "p99 ms", "errors"
    );
    for (name, summary) in names.iter().zip(summaries) {
        let m = &summary.median;
        println!(
            "{name:<28} {:>10.0} {:>10.0} {:>10.0} {:>9.2} {:>9.2} {:>7}",
            m.rps, summary.min_rps, summary.max_rps, m.p50_ms, m.p99_ms, m.errors
        );
    }
    json!(
        names
            .iter()
            .zip(summaries)
            .map(|(name, s)| json!({"name": name, "summary": s}))
            .collect::<Vec<_>>()
    )
}

async fn sdk_bench(
    requests: usize,
    concurrency: usize,
    runs: usize,
    json_path: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let emulator = ChildServer::start(&["emulator", "--journal-limit", "0"]).await?;
    let base = emulator.base_url();
    let org = emulator.ready["org_id"].as_str().unwrap_or_default().to_owned();
    let token = emulator.ready["admin"]["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let http = http_client(concurrency)?;
    let sdk = scc_sdk::Client::builder()
        .access_token(&token)
        .base_url(&base)
        .http_client(http.clone())
        .build()?;
    let bare = {
        let url = format!("{base}/v1/organizations/{org}");
        let http = http.clone();
        let token = token.clone();
        move |_: usize| {
            let request = http.get(&url).bearer_auth(&token).header("accept", "application/json");
            async move {
                match request.send().await {
                    Ok(response) if response.status().is_success() => response
                        .bytes()
                        .await
                        .ok()
                        .and_then(|body| serde_json::from_slice::<serde_json::Value>(&body).ok())
                        .is_some(),
                    _ => false,
                }
            }
        }
    };
    let through_sdk = {
        let sdk = sdk.clone();
        let org = org.clone();
        move |_: usize| {
            let sdk = sdk.clone();
            let org = org.clone();
            async move { sdk.organizations().get(org).await.is_ok() }
        }
    };
    run(2_000.min(requests), concurrency, bare.clone()).await;
    run(2_000.min(requests), concurrency, through_sdk.clone()).await;
    let mut bare_samples = Vec::new();
    let mut sdk_samples = Vec::new();
    for _ in 0..runs.max(1) {
        bare_samples.push(run(requests, concurrency, bare.clone()).await);
        sdk_samples.push(run(requests, concurrency, through_sdk.clone()).await);
    }
    // The ratio of every run, not only of the medians. On a shared machine whole runs drift by more
    // than the gap measured, so each run ratio comes from 20 alternating slices of the two loops
    // (bare, SDK, bare, …): both meet the same moments of the machine.
    let mut pair_ratios = Vec::with_capacity(runs.max(1));
    let slice = (requests / 20).max(100);
    for _ in 0..runs.max(1) {
        let (mut bare_time, mut sdk_time) = (0.0, 0.0);
        for _ in 0..20 {
            bare_time += run(slice, concurrency, bare.clone()).await.seconds;
            sdk_time += run(slice, concurrency, through_sdk.clone()).await.seconds;
        }
        pair_ratios.push(bare_time / sdk_time.max(f64::EPSILON));
    }
    pair_ratios.sort_by(f64::total_cmp);
    let summaries = [summarize(bare_samples), summarize(sdk_samples)];
    let table = report(
        &format!(
            "organizations.get: {requests} requests per run, concurrency {concurrency}, median of {} interleaved runs",
            runs.max(1)
        ),
        &["bare reqwest (decode JSON)", "scc-sdk organizations.get"],
        &summaries,
    );
    let ratio = summaries[1].median.rps / summaries[0].median.rps.max(f64::EPSILON);
    println!(
        "SDK/bare: {ratio:.3} (medians); each run, 20 alternating slices: {} (lowest {:.3})",
        pair_ratios
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect::<Vec<_>>()
            .join(" "),
        pair_ratios.first().copied().unwrap_or_default()
    );
    if let Some(path) = json_path {
        std::fs::write(
            path,
            serde_json::to_vec_pretty(&json!({"targets": table, "ratio": ratio, "pair_ratios": pair_ratios}))?,
        )?;
    }
    Ok(())
}
