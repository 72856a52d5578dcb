//! # scc-emulator
//!
//! A stateful local Cisco Security Cloud Control (Platform Management) and Cisco XDR profile service:
//! every SCC operation under `/v1` and the XDR token, whoami and org endpoints, with the real paths,
//! shapes, status codes and error envelopes, token expiry and rotation, scopes, organization reach,
//! per-item bulk results, pagination, faults and a test control plane. Run it instead of the Cisco
//! cloud to develop and test automation.
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! let emulator = scc_emulator::spawn(scc_emulator::EmulatorOptions::default()).await?;
//! let ready = emulator.ready();
//! println!("SCC at {}/v1, organization {}", ready.base_url, ready.org_id);
//! println!("admin token {}", ready.admin.access_token);
//! // … point a client at it; the server stops when `emulator` is dropped.
//! # Ok(()) }
//! ```
//!
//! The behaviours the public documentation leaves open follow the project's decisions; each is written
//! down where it is implemented and listed in the README's emulator guide.

mod auth;
mod control;
mod error;
mod faults;
mod fixtures;
mod http;
mod ids;
mod model;
mod pagination;
mod routes;
mod server;
mod store;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

pub use faults::ScriptedFault;

use crate::faults::{Faults, Journal};
use crate::ids::IdGen;
use crate::model::State;
use crate::store::Store;

/// How to start the emulator. The same flags as the `scc-emulator` binary (and `scc emulator`).
#[derive(Debug, Clone, clap::Args)]
#[non_exhaustive]
pub struct EmulatorOptions {
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Port to listen on; 0 takes any free port.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// A state file (as written by --state-file or GET /_emulator/state) to start from instead of the
    /// default fixtures; /_emulator/reset returns to it.
    #[arg(long, value_name = "FILE")]
    pub fixtures: Option<PathBuf>,
    /// Keep the state in this file (a snapshot, FILE.log of the changes since, FILE.lock): loaded at
    /// start, each change on disk before its answer; one emulator per file.
    #[arg(long, value_name = "FILE")]
    pub state_file: Option<PathBuf>,
    /// Seed of the default fixtures and of the fault generator: same seed, same ids and credentials.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 64_799)]
    pub token_ttl: u64,
    /// Share of requests (0..=1) answered with 429 + Retry-After, 503 or a dropped connection.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Delay added to every request, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub latency_ms: u64,
    /// Requests per second allowed per token; past it, 429 with Retry-After.
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,
    /// How many unclaimed claim codes the default fixtures hold.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub claim_codes: usize,
    /// How many requests the journal (/_emulator/requests) keeps.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub journal_limit: usize,
    /// Listen on an address other machines can reach (--host other than loopback). Anyone who
    /// reaches the port can then use the API keys of the fixtures.
    #[arg(long)]
    pub allow_remote: bool,
    /// The credential of the control plane (/_emulator/*), sent as `Authorization: Bearer …`;
    /// a random one when absent. The ready line prints it as `control_token`.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "SCC_EMULATOR_CONTROL_TOKEN",
        hide_env_values = true
    )]
    pub control_token: Option<String>,
    /// Connections served at once; more wait in the listen backlog.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,
    /// Seconds a client may take to send a request's headers before the connection is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub header_timeout: u64,
    /// One line per request on stderr: method, path, status (or `dropped`), and which fault struck.
    #[arg(long)]
    pub log: bool,
}

/// The long help of the emulator (`scc-emulator --help`, `scc emulator --help`): the ready line,
/// the control plane and the fixtures file.
pub const HELP: &str = "\
The ready line (one JSON line on stdout once it listens):
  base_url          http://HOST:PORT; the SDK and scc add /v1
  control_token     the credential of /_emulator/* (Authorization: Bearer …); random per start
  org_id            the caller's organization (a MANAGER)
  admin, member     API keys of that organization: api_key_id, access_token, refresh_token
                    (admin reads and writes; member only reads)
  managed_org_ids   the organizations it manages
  claim_codes       valid (claimable) and claimed codes
  xdr               base_url, client_id, client_secret of the XDR admin user (/iroh/…)
The API credentials come from --seed and are test data, not secrets.

The control plane (every call needs the control token):
  POST   /_emulator/faults    script answers: {\"method\", \"path\" (a trailing * matches a prefix),
                              \"count\", \"status\", \"retry_after\", \"delay_ms\", \"drop\", \"after\"};
                              \"after\": true strikes once the change is kept (the answer is lost)
  GET    /_emulator/faults    the scripted faults left;  DELETE clears them
  GET    /_emulator/requests  the journal (secrets redacted);  DELETE clears it
  POST   /_emulator/reset     back to the fixtures
  POST   /_emulator/clock     {\"advance_seconds\": N} moves the clock (token expiry)
  GET    /_emulator/state     the whole state, in the format of --state-file and --fixtures

The fixtures file (--fixtures FILE) and the state file (--state-file FILE) hold that JSON state:
organizations, users, groups, roles, subscriptions, claim codes, API keys and tokens, the XDR side,
and the principal (the caller's organization and keys). Write one with GET /_emulator/state, edit it,
and start from it; /_emulator/reset returns to it.";

impl Default for EmulatorOptions {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            fixtures: None,
            state_file: None,
            seed: 1,
            token_ttl: 64_799,
            fault_rate: 0.0,
            latency_ms: 0,
            rate_limit: None,
            claim_codes: 10,
            journal_limit: 10_000,
            allow_remote: false,
            control_token: None,
            max_connections: 1024,
            header_timeout: 10,
            log: false,
        }
    }
}

impl EmulatorOptions {
    /// Options with another seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Options with another access-token lifetime.
    pub fn token_ttl(mut self, seconds: u64) -> Self {
        self.token_ttl = seconds;
        self
    }
    /// Options with a share of faulted requests.
    pub fn fault_rate(mut self, rate: f64) -> Self {
        self.fault_rate = rate;
        self
    }
    /// Options with added latency.
    pub fn latency_ms(mut self, millis: u64) -> Self {
        self.latency_ms = millis;
        self
    }
    /// Options with a per-token rate limit.
    pub fn rate_limit(mut self, per_second: Option<u32>) -> Self {
        self.rate_limit = per_second;
        self
    }
    /// Options with a state file.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }
    /// Options with a fixtures file.
    pub fn fixtures(mut self, path: impl Into<PathBuf>) -> Self {
        self.fixtures = Some(path.into());
        self
    }
    /// Options with a fixed control-plane credential instead of a random one.
    pub fn control_token(mut self, token: impl Into<String>) -> Self {
        self.control_token = Some(token.into());
        self
    }
    /// Options with a cap on connections served at once.
    pub fn max_connections(mut self, count: usize) -> Self {
        self.max_connections = count;
        self
    }
    /// Options with a header-read timeout in seconds.
    pub fn header_timeout(mut self, seconds: u64) -> Self {
        self.header_timeout = seconds;
        self
    }
    /// Options with this many unclaimed claim codes.
    pub fn claim_codes(mut self, count: usize) -> Self {
        self.claim_codes = count;
        self
    }
}

/// The credentials of one API key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyCredentials {
    /// The key id (path of the token refresh).
    pub api_key_id: String,
    /// A valid access token.
    pub access_token: String,
    /// The current refresh token.
    pub refresh_token: String,
}

/// Claim codes of the fixtures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimCodes {
    /// Codes that can be claimed.
    pub valid: Vec<String>,
    /// Codes already claimed (claiming them again answers 409).
    pub claimed: Vec<String>,
}

/// The XDR side: where it is and the admin user's client credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct XdrCredentials {
    /// Base URL of the XDR endpoints (`/iroh/…`).
    pub base_url: String,
    /// Client id (HTTP Basic user).
    pub client_id: String,
    /// Client secret (HTTP Basic password).
    pub client_secret: String,
}

/// What the emulator prints on its one ready line: where it is and how to call it. The API
/// credentials are made from the seed and are not secret; the control token is random (unless
/// `--control-token` fixed it) and guards `/_emulator/*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadyInfo {
    /// Scheme, host and port; the SDK adds `/v1`.
    pub base_url: String,
    /// The credential of the control plane: `Authorization: Bearer <control_token>` on `/_emulator/*`.
    pub control_token: String,
    /// The caller's organization (a MANAGER).
    pub org_id: String,
    /// An admin (read and write) API key of that organization.
    pub admin: KeyCredentials,
    /// A member (read-only) API key of that organization.
    pub member: KeyCredentials,
    /// The organizations the caller's organization manages.
    pub managed_org_ids: Vec<String>,
    /// Claim codes.
    pub claim_codes: ClaimCodes,
    /// The XDR endpoints and a client.
    pub xdr: XdrCredentials,
}

/// The shared state of the server.
pub(crate) struct App {
    pub(crate) store: Store,
    pub(crate) faults: Faults,
    pub(crate) journal: Journal,
    pub(crate) token_ttl: i64,
    pub(crate) latency: Duration,
    pub(crate) clock_offset: AtomicI64,
    pub(crate) control_token: String,
    /// `--log`: a line per request on stderr.
    pub(crate) log: bool,
    /// API requests received since the start or the last reset, journal or not.
    pub(crate) requests_seen: std::sync::atomic::AtomicU64,
    tracking: Mutex<IdGen>,
}

impl App {
    /// Seconds since the epoch, moved by `/_emulator/clock`.
    pub(crate) fn now(&self) -> i64 {
        jiff::Timestamp::now().as_second() + self.clock_offset.load(Ordering::SeqCst)
    }

    /// `now()` as RFC 3339 with seconds.
    pub(crate) fn timestamp(&self) -> String {
        jiff::Timestamp::from_second(self.now())
            .map(|t| t.to_string())
            .unwrap_or_default()
    }

    /// `now()` as RFC 3339 with milliseconds (XDR's format).
    pub(crate) fn timestamp_millis(&self) -> String {
        jiff::Timestamp::from_second(self.now())
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            .unwrap_or_default()
    }

    pub(crate) fn tracking_id(&self) -> String {
        self.tracking.lock().unwrap_or_else(PoisonError::into_inner).uuid()
    }
}

fn build_app(options: &EmulatorOptions) -> anyhow::Result<Arc<App>> {
    anyhow::ensure!(
        (0.0..=1.0).contains(&options.fault_rate),
        "--fault-rate must be between 0 and 1, got {}",
        options.fault_rate
    );
    anyhow::ensure!(options.token_ttl > 0, "--token-ttl must be at least 1 second");
    anyhow::ensure!(options.max_connections > 0, "--max-connections must be at least 1");
    anyhow::ensure!(options.header_timeout > 0, "--header-timeout must be at least 1 second");
    let control_token = match &options.control_token {
        Some(token) => {
            anyhow::ensure!(
                token.len() >= 16 && token.bytes().all(|b| b.is_ascii_graphic()),
                "--control-token must be at least 16 visible ASCII characters"
            );
            token.clone()
        }
        None => random_control_token()?,
    };
    let token_ttl = i64::try_from(options.token_ttl).context("--token-ttl is too large")?;
    let now = jiff::Timestamp::now().as_second();
    let initial = match &options.fixtures {
        Some(path) => {
            store::load(path)?.with_context(|| format!("the fixtures file {} does not exist", path.display()))?
        }
        None => fixtures::default_state(options.seed, options.claim_codes, now, token_ttl),
    };
    check_principal(&initial)?;
    let store = match &options.state_file {
        Some(path) => {
            let store = Store::open(path, initial.clone())?;
            store
                .read(check_principal)
                .with_context(|| format!("in the state file {}", path.display()))?;
            store
        }
        None => Store::in_memory(initial.clone(), initial),
    };
    Ok(Arc::new(App {
        store,
        faults: Faults::new(options.fault_rate, options.seed, options.rate_limit),
        journal: Journal::new(options.journal_limit),
        token_ttl,
        latency: Duration::from_millis(options.latency_ms),
        clock_offset: AtomicI64::new(0),
        control_token,
        log: options.log,
        requests_seen: std::sync::atomic::AtomicU64::new(0),
        tracking: Mutex::new(IdGen::new(options.seed ^ 0x7EAC_1D00)),
    }))
}

/// 128 bits from the operating system's generator, so nobody derives it from the seed.
fn random_control_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("no random source for the control token: {error}"))?;
    Ok(format!(
        "ctl-{}",
        bytes.iter().map(|byte| format!("{byte:02x}")).collect::<String>()
    ))
}

fn check_principal(state: &State) -> anyhow::Result<()> {
    let principal = &state.principal;
    anyhow::ensure!(
        state.organizations.contains_key(&principal.org_id),
        "the principal organization {:?} does not exist",
        principal.org_id
    );
    for key in [&principal.admin_key_id, &principal.member_key_id] {
        anyhow::ensure!(
            state.api_keys.contains_key(key),
            "the principal API key {key:?} does not exist"
        );
    }
    Ok(())
}

/// The router: SCC under `/v1`, XDR under `/iroh`, the control plane under `/_emulator`.
fn router(app: Arc<App>) -> Router {
    use routes::{groups, organizations, roles, subscriptions, tokens, users, xdr};
    let scc = Router::new()
        .route("/organizations", get(organizations::list).post(organizations::create))
        .route(
            "/organizations/{org_id}",
            get(organizations::get).put(organizations::update),
        )
        .route(
            "/organizations/{org_id}/subscriptions",
            get(subscriptions::list).post(subscriptions::create),
        )
        .route(
            "/organizations/{org_id}/subscriptions/claimInfo",
            post(subscriptions::claim_info),
        )
        .route(
            "/organizations/{org_id}/subscriptions/{subscription_id}",
            get(subscriptions::get)
                .put(subscriptions::update)
                .patch(subscriptions::patch),
        )
        .route("/organizations/{org_id}/users", get(users::list).patch(users::patch))
        .route(
            "/organizations/{org_id}/users/{user_id}",
            get(users::get).put(users::update),
        )
        .route("/organizations/{org_id}/users/{user_id}/groups", get(users::groups))
        .route(
            "/organizations/{org_id}/adminGroups",
            get(groups::list).post(groups::create),
        )
        .route(
            "/organizations/{org_id}/adminGroups/{group_id}",
            get(groups::get)
                .put(groups::update)
                .patch(groups::patch)
                .delete(groups::delete),
        )
        .route(
            "/organizations/{org_id}/adminGroups/{group_id}/users",
            get(groups::users),
        )
        .route(
            "/organizations/{org_id}/adminGroups/{group_id}/roles",
            get(groups::roles),
        )
        .route(
            "/organizations/{org_id}/adminGroups/{group_id}/managedOrgs",
            get(groups::managed_orgs),
        )
        .route("/organizations/{org_id}/roles", get(roles::list))
        .route(
            "/organizations/{org_id}/roles/{role_id}",
            get(roles::get).patch(roles::patch),
        )
        .route(
            "/organizations/{org_id}/apiKeys/{api_key_id}/token",
            post(tokens::refresh),
        );
    let iroh = Router::new()
        .route("/oauth2/token", post(xdr::token))
        .route("/profile/whoami", get(xdr::whoami))
        .route("/profile/org", get(xdr::get_org).post(xdr::update_org));
    Router::new()
        .nest("/v1", scc)
        .nest("/iroh", iroh)
        .nest("/_emulator", control::router())
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(app.clone(), http::layer))
        .with_state(app)
}

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

/// The ready line's data; mints a fresh access token for a key whose tokens have all expired (after a
/// restart from a state file).
fn ready_info(app: &App, base_url: &str) -> anyhow::Result<ReadyInfo> {
    let now = app.now();
    let ttl = app.token_ttl;
    let credentials = |key_id: &str| -> anyhow::Result<KeyCredentials> {
        let existing = app.store.read(|state| {
            state
                .access_tokens
                .iter()
                .filter(|(_, token)| token.key_id == key_id && token.expires_at > now)
                .max_by_key(|(_, token)| token.expires_at)
                .map(|(token, _)| token.clone())
        });
        let access_token = match existing {
            Some(token) => token,
            None => app
                .store
                .write(|state| Ok(auth::mint_access_token(state, key_id, now, ttl, true)))
                .map_err(|error| anyhow::anyhow!(error.message))?,
        };
        let refresh_token = app
            .store
            .read(|state| state.api_keys.get(key_id).map(|key| key.refresh_token.clone()))
            .context("the API key disappeared")?;
        Ok(KeyCredentials {
            api_key_id: key_id.to_owned(),
            access_token,
            refresh_token,
        })
    };
    let principal = app.store.read(|state| (*state.principal).clone());
    let admin = credentials(&principal.admin_key_id)?;
    let member = credentials(&principal.member_key_id)?;
    app.store.read(|state| {
        let mut managed: Vec<_> = state
            .organizations
            .values()
            .filter(|org| org.manager_org_id.as_deref() == Some(principal.org_id.as_str()))
            .collect();
        managed.sort_by_key(|org| org.seq);
        let (claimed, valid): (Vec<_>, Vec<_>) = state.claim_codes.values().partition(|code| code.claimed_by.is_some());
        let xdr_client = principal
            .xdr_clients
            .get("admin")
            .and_then(|id| state.xdr.clients.get(id))
            .context("the fixtures have no XDR admin client")?;
        Ok(ReadyInfo {
            base_url: base_url.to_owned(),
            control_token: app.control_token.clone(),
            org_id: principal.org_id.clone(),
            admin,
            member,
            managed_org_ids: managed.iter().map(|org| org.id.clone()).collect(),
            claim_codes: ClaimCodes {
                valid: valid.iter().map(|code| code.code.clone()).collect(),
                claimed: claimed.iter().map(|code| code.code.clone()).collect(),
            },
            xdr: XdrCredentials {
                base_url: base_url.to_owned(),
                client_id: xdr_client.client_id.clone(),
                client_secret: xdr_client.client_secret.clone(),
            },
        })
    })
}
