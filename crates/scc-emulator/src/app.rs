//! The server's shared state: the store, faults, journal, clock and credentials, built from the
//! options.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context;

use crate::faults::Faults;
use crate::fixtures;
use crate::ids::IdGen;
use crate::journal::Journal;
use crate::model::State;
use crate::options::EmulatorOptions;
use crate::store::{self, Store};

/// The shared state of the server.
pub(crate) struct App {
    pub(crate) store: Store,
    pub(crate) faults: Faults,
    pub(crate) journal: Journal,
    pub(crate) token_ttl: i64,
    pub(crate) latency: Duration,
    pub(crate) clock_offset: AtomicI64,
    /// How long a request's body may take to arrive once its head has (the head's own limit).
    pub(crate) body_timeout: Duration,
    pub(crate) control_token: String,
    /// `--log`: a line per request on stderr.
    pub(crate) log: bool,
    /// API requests received since the start or the last reset, journal or not.
    pub(crate) requests_seen: AtomicU64,
    tracking: Mutex<IdGen>,
}

impl App {
    /// Seconds since the epoch, moved by `/_emulator/clock`.
    pub(crate) fn now(&self) -> i64 {
        // Saturating, and within the times jiff can show: a huge `/_emulator/clock` advance is the
        // far future, never a negative "now".
        jiff::Timestamp::now()
            .as_second()
            .saturating_add(self.clock_offset.load(Ordering::SeqCst))
            .clamp(0, MAX_SECOND)
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

/// The longest `--token-ttl`: 100 years (an expiry past that adds nothing, and its sum with "now"
/// must stay a time).
pub(crate) const MAX_TOKEN_TTL: u64 = 100 * 365 * 24 * 3600;

/// The last second jiff represents (9999-12-31): "now" never goes past it.
const MAX_SECOND: i64 = 253_402_207_200;

pub(crate) fn build_app(options: &EmulatorOptions) -> anyhow::Result<Arc<App>> {
    anyhow::ensure!(
        (0.0..=1.0).contains(&options.fault_rate),
        "--fault-rate must be between 0 and 1, got {}",
        options.fault_rate
    );
    anyhow::ensure!(options.token_ttl > 0, "--token-ttl must be at least 1 second");
    anyhow::ensure!(
        options.token_ttl <= MAX_TOKEN_TTL,
        "--token-ttl must be at most {MAX_TOKEN_TTL} seconds (100 years), got {}",
        options.token_ttl
    );
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
        None => fixtures::default_state(options.seed, options.claim_codes, now, token_ttl)?,
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
        body_timeout: Duration::from_secs(options.header_timeout),
        control_token,
        log: options.log,
        requests_seen: AtomicU64::new(0),
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
