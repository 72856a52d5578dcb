//! `scc mcp`'s cost: a read tool's round trip over stdio (JSON-RPC lines to a child `scc mcp`)
//! beside the same SDK call made in this process, against one emulator in the same run; and the
//! server's peak memory while an assistant pages through a large organization's users.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Instant;

use anyhow::Context;
use scc_sdk::types::UserOperation;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

use crate::servers::ChildServer;

struct McpChild {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    next_id: u64,
}

impl McpChild {
    async fn start(emulator: &ChildServer, config: &std::path::Path) -> anyhow::Result<Self> {
        let scc = crate::apply::scc_binary()?;
        let mut child = tokio::process::Command::new(scc)
            .arg("mcp")
            .env("SCC_BASE_URL", emulator.base_url())
            .env(
                "SCC_ACCESS_TOKEN",
                emulator.ready["admin"]["access_token"].as_str().unwrap_or_default(),
            )
            .env("SCC_ORG_ID", emulator.ready["org_id"].as_str().unwrap_or_default())
            .env("SCC_CONFIG_DIR", config)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start scc mcp")?;
        let stdin = child.stdin.take().context("no stdin")?;
        let lines = BufReader::new(child.stdout.take().context("no stdout")?).lines();
        let mut server = Self {
            child,
            stdin,
            lines,
            next_id: 0,
        };
        server
            .request(
                "initialize",
                json!({"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "scc-bench", "version": "1"}}),
            )
            .await?;
        server
            .send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await?;
        Ok(server)
    }

    async fn send(&mut self, message: &Value) -> anyhow::Result<()> {
        let mut line = serde_json::to_vec(message)?;
        line.push(b'\n');
        self.stdin.write_all(&line).await?;
        self.stdin.flush().await?;
        Ok(())
    }

    async fn request(&mut self, method: &str, params: Value) -> anyhow::Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await?;
        loop {
            let line = self.lines.next_line().await?.context("scc mcp closed its output")?;
            let message: Value = serde_json::from_str(&line)?;
            if message["id"] == id {
                anyhow::ensure!(message["error"].is_null(), "{method}: {}", message["error"]);
                return Ok(message["result"].clone());
            }
        }
    }

    async fn tool(&mut self, name: &str, arguments: Value) -> anyhow::Result<Value> {
        let result = self
            .request("tools/call", json!({"name": name, "arguments": arguments}))
            .await?;
        anyhow::ensure!(result["isError"] != true, "{name}: {}", result["structuredContent"]);
        Ok(result["structuredContent"].clone())
    }

    /// Resident memory now and at the peak, in KiB.
    fn rss_kib(&self) -> (u64, u64) {
        crate::servers::rss_kib(self.child.id())
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or_default()
}

fn percentile(values: &mut [f64], share: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let index = ((values.len() as f64 * share).ceil() as usize).saturating_sub(1);
    values.get(index).copied().unwrap_or_default()
}

pub(crate) async fn bench(calls: usize, users: usize, json_path: Option<PathBuf>) -> anyhow::Result<()> {
    let emulator = ChildServer::start(&["emulator", "--journal-limit", "0"]).await?;
    let org = emulator.ready["org_id"].as_str().unwrap_or_default().to_owned();
    let client = scc_sdk::Client::builder()
        .base_url(emulator.base_url())
        .access_token(emulator.ready["admin"]["access_token"].as_str().unwrap_or_default())
        .build()?;
    let config = tempfile::tempdir()?;
    let mut server = McpChild::start(&emulator, config.path()).await?;

    // A read tool's round trip beside the SDK call it makes, interleaved call by call.
    let arguments = json!({"organization": org});
    for _ in 0..20 {
        server.tool("organizations_get", arguments.clone()).await?;
        client.organizations().get(org.as_str()).await?;
    }
    let (mut over_stdio, mut in_process) = (Vec::with_capacity(calls), Vec::with_capacity(calls));
    for _ in 0..calls {
        let started = Instant::now();
        server.tool("organizations_get", arguments.clone()).await?;
        over_stdio.push(started.elapsed().as_secs_f64() * 1e6);
        let started = Instant::now();
        client.organizations().get(org.as_str()).await?;
        in_process.push(started.elapsed().as_secs_f64() * 1e6);
    }
    let (stdio_median, sdk_median) = (median(&mut over_stdio), median(&mut in_process));
    let (stdio_p99, sdk_p99) = (percentile(&mut over_stdio, 0.99), percentile(&mut in_process, 0.99));
    println!(
        "scc mcp: organizations_get over stdio beside client.organizations().get() in process, {calls} calls each, interleaved"
    );
    println!("{:>22} {:>12} {:>12}", "", "median µs", "p99 µs");
    println!("{:>22} {:>12.0} {:>12.0}", "tool over stdio", stdio_median, stdio_p99);
    println!("{:>22} {:>12.0} {:>12.0}", "SDK in process", sdk_median, sdk_p99);
    println!("{:>22} {:>12.2}", "ratio (median)", stdio_median / sdk_median.max(1.0));

    // An organization of `users` users, paged through 500 at a time.
    let operations: Vec<UserOperation> = (0..users)
        .map(|index| UserOperation::invite(format!("user{index}@paging.example"), "Page", format!("User {index}")))
        .collect();
    let report = client.users().patch_all(org.as_str(), operations).send().await;
    anyhow::ensure!(report.summary().failed == 0, "seeding the users failed");
    let (rss_before, _) = server.rss_kib();
    let started = Instant::now();
    let (mut seen, mut pages, mut cursor) = (0usize, 0usize, None::<String>);
    let total = loop {
        let mut arguments = json!({"organization": org, "page_size": 500});
        if let Some(cursor) = &cursor {
            arguments["cursor"] = json!(cursor);
        }
        let page = server.tool("users_list", arguments).await?;
        seen += page["items"].as_array().map_or(0, Vec::len);
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break page["total"].as_u64().unwrap_or_default() as usize,
        }
    };
    let paging_seconds = started.elapsed().as_secs_f64();
    let (rss_after, peak) = server.rss_kib();
    anyhow::ensure!(seen == total && total >= users, "paged {seen} of {total} users");
    println!(
        "\nusers_list of {total} users, 500 a page: {pages} pages in {paging_seconds:.2} s; server RSS {:.1} MiB before, \
         {:.1} MiB after, peak {:.1} MiB",
        rss_before as f64 / 1024.0,
        rss_after as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    if let Some(path) = json_path {
        let document = json!({
            "calls": calls,
            "tool_over_stdio_us": {"median": stdio_median, "p99": stdio_p99},
            "sdk_in_process_us": {"median": sdk_median, "p99": sdk_p99},
            "ratio_median": stdio_median / sdk_median.max(1.0),
            "paging": {"users": total, "pages": pages, "seconds": paging_seconds,
                       "rss_before_kib": rss_before, "rss_after_kib": rss_after, "peak_kib": peak},
        });
        std::fs::write(path, serde_json::to_vec_pretty(&document)?)?;
    }
    Ok(())
}
