//! A running emulator: starting it (`spawn` for tests, `start` for the binary), its handle, and
//! stopping it on drop or on a signal.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::app::{App, build_app};
use crate::options::EmulatorOptions;
use crate::ready::{ReadyInfo, ready_info};
use crate::router::router;
use crate::server;

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    ready: ReadyInfo,
    address: SocketAddr,
    app: Arc<App>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// What the ready line says: URL, organization, credentials, claim codes.
    pub fn ready(&self) -> &ReadyInfo {
        &self.ready
    }
    /// Scheme, host and port.
    pub fn base_url(&self) -> &str {
        &self.ready.base_url
    }
    /// The socket address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
    /// The client id and secret of another XDR user of the fixtures: `admin`, `member` (non-admin,
    /// Secure Malware Analytics), `denied` (non-admin, Secure Endpoint), `master`, `pending` (an
    /// organization waiting for activation).
    pub fn xdr_client(&self, who: &str) -> Option<(String, String)> {
        self.app.store.read(|state| {
            let id = state.principal.xdr_clients.get(who)?;
            let client = state.xdr.clients.get(id)?;
            Some((client.client_id.clone(), client.client_secret.clone()))
        })
    }
    /// The current state as the state file holds it (JSON).
    pub fn state_json(&self) -> serde_json::Value {
        serde_json::to_value(self.app.store.snapshot()).unwrap_or_default()
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        self.stop();
        if let Some(task) = self.task.take() {
            task.await.context("the server task failed")??;
        }
        Ok(())
    }

    /// Listens for Ctrl-C and SIGTERM from now on and returns the future that serves until one
    /// arrives, then stops cleanly. Call it before printing the ready line: a signal sent as soon as
    /// the line is read must not find the default handler (which would kill the process uncleanly).
    pub fn serve_until_signal(self) -> anyhow::Result<impl std::future::Future<Output = anyhow::Result<()>>> {
        let signal = ShutdownSignal::listen().context("cannot listen for Ctrl-C")?;
        Ok(async move {
            signal.wait().await;
            self.shutdown().await
        })
    }

    fn stop(&mut self) {
        if let Some(sender) = self.shutdown.take() {
            let _ = sender.send(());
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Ctrl-C and SIGTERM, listened for from the moment this is made.
struct ShutdownSignal {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl ShutdownSignal {
    #[cfg(unix)]
    fn listen() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn listen() -> std::io::Result<Self> {
        Ok(Self {})
    }

    #[cfg(unix)]
    async fn wait(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {},
            _ = self.terminate.recv() => {},
        }
    }

    #[cfg(not(unix))]
    async fn wait(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// How long a stopping server waits for open requests before closing their connections.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(3);

/// Starts the emulator on 127.0.0.1 and a free port, for tests (ours and our users'). The server
/// runs on the current Tokio runtime and stops when the handle is dropped.
pub async fn spawn(mut options: EmulatorOptions) -> anyhow::Result<Emulator> {
    options.host = IpAddr::V4(Ipv4Addr::LOCALHOST);
    options.port = 0;
    start(options).await
}

/// Starts the emulator where the options say (the binary's path).
pub async fn start(options: EmulatorOptions) -> anyhow::Result<Emulator> {
    if !options.host.is_loopback() {
        anyhow::ensure!(
            options.allow_remote,
            "--host {} can be reached from other machines, and anyone who reaches the emulator can use its credentials: \
             listen on 127.0.0.1, or pass --allow-remote to mean it",
            options.host
        );
        eprintln!(
            "scc-emulator: warning: listening on {}: anyone who reaches this port can use the fixtures' API keys",
            options.host
        );
    }
    let app = build_app(&options)?;
    let listener = TcpListener::bind((options.host, options.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", options.host, options.port))?;
    let address = listener.local_addr()?;
    let base_url = format!("http://{address}");
    let ready = ready_info(&app, &base_url)?;
    let (shutdown, signal) = tokio::sync::oneshot::channel::<()>();
    let service = router(app.clone());
    let limits = server::ServeLimits {
        header_read_timeout: Duration::from_secs(options.header_timeout),
        max_connections: options.max_connections,
        shutdown_deadline: SHUTDOWN_DEADLINE,
    };
    let task = tokio::spawn(server::serve(listener, service, signal, limits));
    Ok(Emulator {
        ready,
        address,
        app,
        shutdown: Some(shutdown),
        task: Some(task),
    })
}
