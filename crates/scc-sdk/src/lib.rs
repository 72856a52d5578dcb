//! # scc-sdk
//!
//! An async Rust SDK for the Cisco Security Cloud Control (SCC) Platform Management API:
//! organizations, subscriptions and claim codes, users, admin groups, roles and token refresh.
//!
//! Method names follow Cisco's Python SDK (`cisco-scc-sdk`), so `client.organizations.get(org_id=…)`
//! becomes `client.organizations().get(org_id).await?`. Every operation goes through one transport
//! path; models keep every field the server sends; errors carry the API's tracking id.
//!
//! ```no_run
//! use scc_sdk::Client;
//!
//! # async fn run() -> scc_sdk::Result<()> {
//! let client = Client::new("your_bearer_token_here")?;
//!
//! // Organizations
//! let organizations = client.organizations().list().send().await?;
//! let org = client.organizations().get("550e8400-e29b-41d4-a716-446655440000").await?;
//! let new_org = client.organizations().create("New Org", "NAM").send().await?;
//!
//! // Subscriptions
//! let subscriptions = client.subscriptions().list("org-uuid").send().await?;
//! let subscription = client.subscriptions().get("org-uuid", "sub-uuid").await?;
//!
//! // Groups
//! let groups = client.groups().list("org-uuid").send().await?;
//! let group = client.groups().get("org-uuid", "group-uuid").await?;
//! # Ok(()) }
//! ```
//!
//! Errors: every call returns [`Result`]; [`Error::kind`] and the predicates (`is_not_found()`, …)
//! tell what happened, and [`ApiError`] holds the service's message, tracking id, timestamp and path.
//!
//! ```no_run
//! # async fn run(client: scc_sdk::Client) {
//! match client.subscriptions().read_claim_code("org-uuid", "INVALID-CODE").await {
//!     Ok(info) => println!("{:?}", info.name),
//!     Err(error) if error.is_validation() => {
//!         let api = error.as_api_error().expect("a 400 is an API error");
//!         println!("{} (tracking id {:?})", api.message, api.tracking_id);
//!     }
//!     Err(error) => println!("{error}"),
//! }
//! # }
//! ```

mod answer;
pub mod api;
pub mod auth;
pub mod bulk;
pub mod catalog;
mod client;
pub mod config;
mod error;
pub mod files;
mod identity;
mod operation;
pub mod pagination;
mod planned;
pub mod ratelimit;
mod request;
pub mod retry;
pub mod text;
mod transport;
pub mod types;
pub mod validate;
pub mod xdr;

pub use answer::{RawBody, RawResponse};
pub use auth::{Credentials, FileTokenStore, TokenStore};
pub use bulk::{BulkItem, BulkReport, BulkResult, ItemOutcome, ItemResult, Summary};
pub use client::{Client, ClientBuilder};
pub use error::{ApiError, Error, ErrorKind, Result};
pub use operation::Operation;
pub use pagination::Page;
pub use planned::PlannedRequest;
pub use ratelimit::RateLimit;
pub use retry::RetryConfig;
pub use secrecy;

/// The README's Rust examples, compiled as doctests so they stay true.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
