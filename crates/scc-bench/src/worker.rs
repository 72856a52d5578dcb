//! A workload run in a child process of its own, so its peak memory is its own: reads a job as JSON on
//! stdin, prints the result as JSON on stdout.

use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

use scc_sdk::Client;
use scc_sdk::types::{RegionCode, UserOperation};
use serde::Deserialize;
use serde_json::json;

use crate::load::run;

#[derive(Debug, Deserialize)]
pub(crate) struct Job {
    /// `w1-sdk`, `w1-bare` or `w2-sdk`.
    pub(crate) workload: String,
    pub(crate) base_url: String,
    pub(crate) token: String,
    #[serde(default)]
    pub(crate) org_id: String,
    #[serde(default)]
    pub(crate) requests: usize,
    #[serde(default = "one")]
    pub(crate) concurrency: usize,
    /// W2: the managed organizations and their claim codes.
    #[serde(default)]
    pub(crate) orgs: Vec<(String, String)>,
}

fn one() -> usize {
    1
}

/// Peak resident memory of this process, in KiB (`VmHWM`).
pub(crate) fn peak_rss_kib() -> u64 {
    peak_rss_kib_of("self")
}

/// Peak resident memory of a process (`self` or a pid), in KiB, while it still runs.
pub(crate) fn peak_rss_kib_of(process: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{process}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|value| value.parse().ok())
        })
        .unwrap_or(0)
}

/// The seed's onboarding flow for one organization: 8 requests, each waiting on the one before.
pub(crate) async fn onboard(client: &Client, org: &str, claim_code: &str) -> scc_sdk::Result<()> {
    client.organizations().get(org).await?;
    let subscriptions = client.subscriptions();
    let info = subscriptions.read_claim_code(org, claim_code).await?;
    let products = subscriptions.build_products_from_claim_info(&info, RegionCode::Nam);
    subscriptions.create(org, claim_code).products(products).send().await?;
    let invites: Vec<_> = (0..10)
        .map(|i| UserOperation::invite(format!("user{i}@{org}.example"), "User", format!("Number {i}")))
        .collect();
    client.users().patch(org, invites).await?;
    let group = client.groups().create(org, "Onboarding Administrators").send().await?;
    let mut patch = client.groups().patch(org, &group.id);
    for i in 0..10 {
        patch = patch.add_user(format!("user{i}@{org}.example"));
    }
    patch.send().await?;
    let role = client
        .roles()
        .find_role_id(org, "Security Cloud Control", "Organization Administrator")
        .await?
        .ok_or_else(|| scc_sdk::Error::Configuration("role not found".into()))?;
    client
        .roles()
        .patch(org, role)
        .add_group(group.id.as_str())
        .send()
        .await?;
    Ok(())
}

pub(crate) async fn work() -> anyhow::Result<()> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let job: Job = serde_json::from_str(&input)?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(job.concurrency.max(1))
        .build()?;
    let client = Client::builder()
        .access_token(&job.token)
        .base_url(&job.base_url)
        .http_client(http.clone())
        .build()?;
    let result = match job.workload.as_str() {
        "w1-sdk" => {
            let org = Arc::new(job.org_id.clone());
            let sample = run(job.requests, job.concurrency, move |_| {
                let client = client.clone();
                let org = org.clone();
                async move { client.organizations().get(org.as_str()).await.is_ok() }
            })
            .await;
            serde_json::to_value(sample)?
        }
        "w1-bare" => {
            let url = Arc::new(format!("{}/v1/organizations/{}", job.base_url, job.org_id));
            let token = Arc::new(job.token.clone());
            let sample = run(job.requests, job.concurrency, move |_| {
                let request = http
                    .get(url.as_str())
                    .bearer_auth(token.as_str())
                    .header("accept", "application/json");
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
            })
            .await;
            serde_json::to_value(sample)?
        }
        "w2-sdk" => {
            let started = Instant::now();
            let orgs = Arc::new(job.orgs.clone());
            let sample = run(orgs.len(), job.concurrency, move |index| {
                let client = client.clone();
                let orgs = orgs.clone();
                async move {
                    let (org, code) = &orgs[index];
                    onboard(&client, org, code).await.is_ok()
                }
            })
            .await;
            json!({"seconds": started.elapsed().as_secs_f64(), "orgs": sample.requests, "errors": sample.errors})
        }
        other => anyhow::bail!("unknown workload {other}"),
    };
    let mut result = result;
    result["peak_rss_kib"] = peak_rss_kib().into();
    println!("{result}");
    Ok(())
}
