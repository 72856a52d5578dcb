//! What a request sends, as a value: below the errors (a dry run's error carries one).

use serde::Serialize;

/// What a request sends: returned instead of sending a write when the client is in dry-run mode, and
/// by [`Operation::plan`](crate::Operation::plan).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PlannedRequest {
    /// The SDK operation, e.g. `organizations.create`.
    pub operation: String,
    /// The HTTP method.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The body: JSON, or the form text of a token refresh.
    pub body: Option<serde_json::Value>,
}
