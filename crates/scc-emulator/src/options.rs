//! How to start the emulator: the flags of the `scc-emulator` binary (and `scc emulator`), and its
//! long help.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

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

/// Warns on stderr when the control token was given as `--control-token VALUE`: other users of the
/// machine see a process's command line (`ps`), and shells keep it in their history.
pub fn warn_of_secrets_on_the_command_line(matches: &clap::ArgMatches) {
    if matches.value_source("control_token") == Some(clap::parser::ValueSource::CommandLine) {
        eprintln!(
            "scc-emulator: warning: --control-token on the command line can be read by other users of this machine (ps) and stays in shell history; set SCC_EMULATOR_CONTROL_TOKEN instead"
        );
    }
}
