//! `scc-bench python`: the Python package `scc_sdk` (this project, on the Rust core) beside the
//! original `cisco-scc-sdk` 1.0.6 and the Rust SDK, in one run against one emulator process.
//!
//! - W1: `organizations.get` on one thread, and on 16 threads sharing one client (the Rust SDK: 16
//!   requests in flight on one client); beside them a keep-alive loop on Python's own `http.client`
//!   (a connection a thread), the limit of pure Python; and this package's native core called
//!   straight from the Python loop, without the package's Python layer (what the interpreter and the
//!   core cost alone, the most the package could reach on this machine).
//! - W2: the seed's onboarding flow for the managed organizations one after another, the emulator at
//!   20 ms latency.
//! - Clients: 2,000 clients made one after another (an MSP service's one per customer): the time of
//!   each and the memory they add.
//! - gevent: five greenlets each making one call at once under `monkey.patch_all()`, the emulator at
//!   1 s latency (a `gunicorn -k gevent` worker: ≈ 1 s when calls overlap, 5 s when they queue).
//!
//! Each client runs in a process of its own, so its peak RSS is its own. The two Python packages live
//! in their own virtual environments in the target folder; ours is built from this checkout with
//! `pip install` (release), the way a user installs it.

use std::path::Path;

use serde_json::{Value, json};

use crate::all::{FLOW_CHAIN, Python, managed_orgs, max_rss, median, rust_worker};
use crate::servers::ChildServer;

#[derive(Debug, clap::Args)]
pub(crate) struct PythonArgs {
    /// W1 requests per measured run.
    #[arg(long, default_value_t = 5_000)]
    requests: usize,
    /// W2 organizations.
    #[arg(long, default_value_t = 50)]
    orgs: usize,
    /// Measured runs of each figure (interleaved); the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Write every figure as JSON here.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

enum Contestant<'a> {
    Rust,
    Python(&'a Python),
    /// W1 only, on the loop `bench.py` names by the job's `client`: `http.client` (a keep-alive loop on
    /// Python's own `http.client`, `json.loads` of each answer: the pure-Python limit, no SDK at all)
    /// or `core` (`scc_sdk`'s native core called from the loop, with no Python layer between).
    Loop(&'a Python, &'static str),
}

impl Contestant<'_> {
    async fn run(&self, job: &Value, rust_workload: &str) -> anyhow::Result<Value> {
        match self {
            Self::Rust => {
                let mut job = job.clone();
                job["workload"] = json!(rust_workload);
                rust_worker(&job).await
            }
            Self::Python(python) => python.run(job).await,
            Self::Loop(python, client) => {
                let mut job = job.clone();
                job["client"] = json!(client);
                python.run(&job).await
            }
        }
    }
}

pub(crate) async fn run(args: PythonArgs) -> anyhow::Result<()> {
    let runs = args.runs.max(1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .map(|root| root.display().to_string())
        .unwrap_or_default();
    let original = Python::in_venv("bench-venv", "cisco-scc-sdk 1.0.6", &["cisco-scc-sdk==1.0.6"]).await?;
    let ours = Python::in_venv("bench-venv-scc-sdk", "scc_sdk from this checkout", &[root.as_str()]).await?;
    let contestants = [
        ("cisco-scc-sdk", Contestant::Python(&original)),
        ("scc_sdk", Contestant::Python(&ours)),
        ("rust-sdk", Contestant::Rust),
        ("http.client", Contestant::Loop(&original, "http.client")),
        ("scc_sdk core", Contestant::Loop(&ours, "core")),
    ];
    let mut report = json!({
        "date": jiff::Timestamp::now().to_string(),
        "cpus": std::thread::available_parallelism().map(usize::from).unwrap_or(1),
        "runs": runs,
    });

    println!("== W1: organizations.get, {} requests per run", args.requests);
    let emulator = ChildServer::start(&["emulator", "--journal-limit", "0"]).await?;
    let job = |concurrency: usize| {
        json!({"workload": "w1", "base_url": emulator.base_url(), "token": emulator.ready["admin"]["access_token"],
               "org_id": emulator.ready["org_id"], "requests": args.requests, "concurrency": concurrency})
    };
    let mut w1: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for run in 0..runs {
        for concurrency in [1, 16] {
            // Interleaved, and in a different order each run.
            let mut order: Vec<&(&str, Contestant<'_>)> = contestants.iter().collect();
            order.rotate_left(run % contestants.len());
            for (name, contestant) in order {
                let result = contestant.run(&job(concurrency), "w1-sdk").await?;
                anyhow::ensure!(
                    result["errors"].as_u64() == Some(0),
                    "W1 {name} c{concurrency}: {result}"
                );
                w1.entry(format!("{name} c{concurrency}")).or_default().push(result);
            }
        }
    }
    drop(emulator);
    println!(
        "{:<20} {:>9} {:>9} {:>9} {:>8} {:>8} {:>9}",
        "W1", "req/s", "min", "max", "p50 ms", "p99 ms", "RSS MiB"
    );
    let mut w1_report = serde_json::Map::new();
    for (name, results) in &w1 {
        let (rps, min, max) = median(results.iter().filter_map(|r| r["rps"].as_f64()).collect());
        let (p50, _, _) = median(results.iter().filter_map(|r| r["p50_ms"].as_f64()).collect());
        let (p99, _, _) = median(results.iter().filter_map(|r| r["p99_ms"].as_f64()).collect());
        let rss = max_rss(results);
        println!(
            "{name:<20} {rps:>9.0} {min:>9.0} {max:>9.0} {p50:>8.2} {p99:>8.2} {:>9.1}",
            rss as f64 / 1024.0
        );
        w1_report.insert(
            name.clone(),
            json!({"rps": rps, "min_rps": min, "max_rps": max, "p50_ms": p50, "p99_ms": p99, "peak_rss_kib": rss}),
        );
    }
    let rps = |name: &str| w1_report.get(name).and_then(|v| v["rps"].as_f64()).unwrap_or(f64::NAN);
    let rss = |name: &str| {
        w1_report
            .get(name)
            .and_then(|v| v["peak_rss_kib"].as_f64())
            .unwrap_or(f64::NAN)
    };
    let w1_ratios = json!({
        "scc_sdk_over_original_c1": rps("scc_sdk c1") / rps("cisco-scc-sdk c1"),
        "scc_sdk_over_original_c16": rps("scc_sdk c16") / rps("cisco-scc-sdk c1"),
        "scc_sdk_c16_over_original_c16": rps("scc_sdk c16") / rps("cisco-scc-sdk c16"),
        "scc_sdk_over_rust_c1": rps("scc_sdk c1") / rps("rust-sdk c1"),
        "scc_sdk_over_rust_c16": rps("scc_sdk c16") / rps("rust-sdk c16"),
        "scc_sdk_over_http_client_c1": rps("scc_sdk c1") / rps("http.client c1"),
        "scc_sdk_over_http_client_c16": rps("scc_sdk c16") / rps("http.client c16"),
        "scc_sdk_core_over_rust_c1": rps("scc_sdk core c1") / rps("rust-sdk c1"),
        "scc_sdk_core_over_rust_c16": rps("scc_sdk core c16") / rps("rust-sdk c16"),
        "rss_scc_sdk_over_original_c1": rss("scc_sdk c1") / rss("cisco-scc-sdk c1"),
    });
    println!("ratios: {w1_ratios}");
    report["w1"] = json!({"results": w1_report, "ratios": w1_ratios});

    println!(
        "\n== W2: the onboarding flow for {} managed organizations, one after another, 20 ms latency",
        args.orgs
    );
    let mut w2: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for run in 0..runs {
        let mut order: Vec<&(&str, Contestant<'_>)> = contestants.iter().collect();
        order.rotate_left(run % contestants.len());
        for (name, contestant) in order {
            if matches!(contestant, Contestant::Loop(..)) {
                continue; // W1 only: the flow is an SDK's job.
            }
            let emulator = ChildServer::start(&[
                "emulator",
                "--latency-ms",
                "20",
                "--claim-codes",
                &args.orgs.to_string(),
                "--journal-limit",
                "0",
            ])
            .await?;
            let orgs = managed_orgs(&emulator, args.orgs).await?;
            let job = json!({"workload": "w2", "base_url": emulator.base_url(),
                             "token": emulator.ready["admin"]["access_token"], "orgs": orgs, "concurrency": 1});
            let result = contestant.run(&job, "w2-sdk").await?;
            anyhow::ensure!(result["errors"].as_u64() == Some(0), "W2 {name}: {result}");
            w2.entry((*name).to_owned()).or_default().push(result);
        }
    }
    let bound = args.orgs as f64 * FLOW_CHAIN as f64 * 0.020;
    println!(
        "{:<20} {:>9} {:>9} {:>9} {:>10} {:>9}",
        "W2", "seconds", "min", "max", "bound (s)", "RSS MiB"
    );
    let mut w2_report = serde_json::Map::new();
    for (name, results) in &w2 {
        let (seconds, min, max) = median(results.iter().filter_map(|r| r["seconds"].as_f64()).collect());
        let rss = max_rss(results);
        println!(
            "{name:<20} {seconds:>9.2} {min:>9.2} {max:>9.2} {bound:>10.2} {:>9.1}",
            rss as f64 / 1024.0
        );
        w2_report.insert(
            name.clone(),
            json!({"seconds": seconds, "min": min, "max": max, "bound_seconds": bound, "peak_rss_kib": rss}),
        );
    }
    report["w2"] = json!({"results": w2_report, "orgs": args.orgs});

    println!("\n== Clients: 2,000 clients made one after another (distinct tokens)");
    println!(
        "{:<20} {:>12} {:>12} {:>14}",
        "clients", "p50 ms", "p99 ms", "added RSS MiB"
    );
    let mut clients_report = serde_json::Map::new();
    for (name, python) in [("cisco-scc-sdk", &original), ("scc_sdk", &ours)] {
        let mut results = Vec::new();
        for _ in 0..runs {
            let job = json!({"workload": "clients", "count": 2000, "base_url": "http://127.0.0.1:9"});
            results.push(python.run(&job).await?);
        }
        let (p50, _, _) = median(results.iter().filter_map(|r| r["construct_ms_p50"].as_f64()).collect());
        let (p99, _, _) = median(results.iter().filter_map(|r| r["construct_ms_p99"].as_f64()).collect());
        let (added, _, _) = median(results.iter().filter_map(|r| r["added_rss_kib"].as_f64()).collect());
        println!("{name:<20} {p50:>12.3} {p99:>12.3} {:>14.1}", added / 1024.0);
        clients_report.insert(
            name.into(),
            json!({"construct_ms_p50": p50, "construct_ms_p99": p99, "added_rss_kib": added}),
        );
    }
    report["clients"] = Value::Object(clients_report);

    println!("\n== gevent: five greenlets, one call each at once, emulator at 1 s latency");
    println!("{:<20} {:>9} {:>9} {:>9}", "gevent", "seconds", "min", "max");
    let emulator = ChildServer::start(&["emulator", "--latency-ms", "1000", "--journal-limit", "0"]).await?;
    let mut gevent_report = serde_json::Map::new();
    for (name, python) in [("cisco-scc-sdk", &original), ("scc_sdk", &ours)] {
        python.ensure("gevent", "gevent").await?;
        let mut results = Vec::new();
        for _ in 0..runs {
            let job = json!({"workload": "gevent", "count": 5, "base_url": emulator.base_url(),
                             "token": emulator.ready["admin"]["access_token"], "org_id": emulator.ready["org_id"]});
            let result = python.run_with(&job, &["--gevent"]).await?;
            anyhow::ensure!(result["errors"].as_u64() == Some(0), "gevent {name}: {result}");
            results.push(result);
        }
        let (seconds, min, max) = median(results.iter().filter_map(|r| r["seconds"].as_f64()).collect());
        println!("{name:<20} {seconds:>9.2} {min:>9.2} {max:>9.2}");
        gevent_report.insert(name.into(), json!({"seconds": seconds, "min": min, "max": max}));
    }
    drop(emulator);
    report["gevent"] = Value::Object(gevent_report);
    if let Some(path) = args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(())
}
