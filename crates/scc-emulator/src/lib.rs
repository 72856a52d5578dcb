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
//!
//! Inside, in layers: `routes` read requests and write answers (`views`), `domain` holds each
//! resource's rules over the `model`, `store` keeps the state (in memory, or in a state file with a
//! change log), and `http` and `server` carry the requests.

mod app;
mod closed;
mod control;
mod domain;
mod error;
mod faults;
mod fixtures;
mod handle;
mod http;
mod ids;
mod journal;
mod model;
mod options;
mod pagination;
mod ready;
mod router;
mod routes;
mod server;
mod store;
mod table;
mod views;

pub use faults::ScriptedFault;
pub use handle::{Emulator, spawn, start};
pub use options::{EmulatorOptions, HELP, warn_of_secrets_on_the_command_line};
pub use ready::{ClaimCodes, KeyCredentials, ReadyInfo, XdrCredentials};
