//! A closed-loop load generator: `concurrency` workers send requests back to back until `total`
//! have been sent, each latency recorded.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

/// What one measured run gives.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub(crate) struct Sample {
    pub(crate) requests: usize,
    pub(crate) errors: usize,
    pub(crate) seconds: f64,
    pub(crate) rps: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
}

/// Runs `call` `total` times over `concurrency` workers.
pub(crate) async fn run<F, Fut>(total: usize, concurrency: usize, call: F) -> Sample
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let call = Arc::new(call);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency.max(1) {
        let call = call.clone();
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= total {
                    break;
                }
                let begun = Instant::now();
                if !call(index).await {
                    errors += 1;
                }
                latencies.push(begun.elapsed());
            }
            (latencies, errors)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(total);
    let mut errors = 0;
    for worker in workers {
        if let Ok((mut part, failed)) = worker.await {
            latencies.append(&mut part);
            errors += failed;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    let percentile = |p: f64| {
        if latencies.is_empty() {
            return 0.0;
        }
        let index = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[index].as_secs_f64() * 1000.0
    };
    Sample {
        requests: latencies.len(),
        errors,
        seconds,
        rps: latencies.len() as f64 / seconds.max(f64::EPSILON),
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
    }
}

/// The median of several samples by requests per second, with the min and max rate beside it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    pub(crate) median: Sample,
    pub(crate) min_rps: f64,
    pub(crate) max_rps: f64,
    pub(crate) runs: usize,
}

pub(crate) fn summarize(mut samples: Vec<Sample>) -> Summary {
    samples.sort_by(|a, b| a.rps.total_cmp(&b.rps));
    let runs = samples.len();
    let min_rps = samples.first().map_or(0.0, |s| s.rps);
    let max_rps = samples.last().map_or(0.0, |s| s.rps);
    let median = samples.get(runs / 2).cloned().unwrap_or(Sample {
        requests: 0,
        errors: 0,
        seconds: 0.0,
        rps: 0.0,
        p50_ms: 0.0,
        p99_ms: 0.0,
    });
    Summary {
        median,
        min_rps,
        max_rps,
        runs,
    }
}
