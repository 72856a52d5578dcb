//! The servers under load, each in a child process of its own so the load generator does not share
//! its runtime: the emulator, and a bare axum handler returning fixed JSON (the limit a server on
//! this stack can reach).

use std::process::Stdio;

use anyhow::Context;
use axum::Router;
use axum::routing::get;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const ORG_JSON: &str = r#"{"id":"550e8400-e29b-41d4-a716-446655440000","name":"Acme Corporation","regionCode":"NAM","regionDescription":"North America","type":"MANAGED","created":"2025-01-15T09:00:00Z"}"#;

/// Serves the bare handler on 127.0.0.1 and prints `{"base_url": …}`.
pub(crate) async fn serve_bare() -> anyhow::Result<()> {
    let results: String = format!(
        r#"{{"results":[{}]}}"#,
        (0..10)
            .map(|i| format!(
                r#"{{"id":"u{i}@example.com","type":"user","operation":"reset_password","status":"success"}}"#
            ))
            .collect::<Vec<_>>()
            .join(",")
    );
    let patch_body: &'static str = Box::leak(results.into_boxed_str());
    let app = Router::new()
        .route(
            "/v1/organizations/{org_id}",
            get(|| async { ([("content-type", "application/json")], ORG_JSON) }),
        )
        .route(
            "/v1/organizations/{org_id}/users",
            // The body is read, as any handler reads it: left unread, hyper has to drain it before
            // the next request on the connection, and the anchor would measure that instead.
            axum::routing::patch(move |_body: axum::body::Bytes| async move {
                ([("content-type", "application/json")], patch_body)
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!(
        "{}",
        serde_json::json!({"base_url": format!("http://{}", listener.local_addr()?)})
    );
    // Served as the emulator serves (hyper's HTTP/1.1 connection, no Nagle delay, a timer for the
    // header-read timeout), so the two differ only in their handlers.
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Resident memory of process `pid` now and at its peak (VmRSS, VmHWM), in KiB; zeros when unknown.
pub(crate) fn rss_kib(pid: Option<u32>) -> (u64, u64) {
    let status = pid
        .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|value| value.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A server in a child process (this binary, `serve …`), stopped on drop.
pub(crate) struct ChildServer {
    _child: Child,
    pub(crate) ready: serde_json::Value,
}

impl ChildServer {
    pub(crate) async fn start(args: &[&str]) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start the server process")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = lines.next_line().await?.context("the server printed no ready line")?;
        let ready = serde_json::from_str(&line).with_context(|| format!("bad ready line: {line}"))?;
        Ok(Self { _child: child, ready })
    }

    /// Resident memory of the server process now and at its peak, in KiB.
    pub(crate) fn rss_kib(&self) -> (u64, u64) {
        rss_kib(self._child.id())
    }

    pub(crate) fn base_url(&self) -> String {
        self.ready["base_url"].as_str().unwrap_or_default().to_owned()
    }
}
