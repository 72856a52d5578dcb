//! Results of bulk requests (users, admin-group and role PATCH): one result per item and a summary
//! computed on our side.

use serde::{Deserialize, Serialize};

use crate::types::{Extra, ResultStatus};

/// The answer to a bulk PATCH: `results`, one per item sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BulkResult {
    /// `results`.
    #[serde(default)]
    pub results: Vec<ItemResult>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

impl BulkResult {
    /// Counts computed from `results` (not a wire field; the Python SDK's `summary`).
    ///
    /// ```
    /// let result: scc_sdk::BulkResult = serde_json::from_str(r#"{"results": [
    ///     {"id": "a@x.com", "type": "user", "operation": "invite", "status": "success"},
    ///     {"id": "b@x.com", "type": "user", "operation": "invite", "status": "failed", "errorDescription": "exists"}
    /// ]}"#).unwrap();
    /// let summary = result.summary();
    /// assert_eq!((summary.total, summary.succeeded, summary.failed, summary.all_successful), (2, 1, 1, false));
    /// assert_eq!(result.failures().next().and_then(|f| f.error_description.as_deref()), Some("exists"));
    /// ```
    pub fn summary(&self) -> Summary {
        let succeeded = self.results.iter().filter(|item| item.is_success()).count();
        Summary {
            total: self.results.len(),
            succeeded,
            failed: self.results.len() - succeeded,
            all_successful: succeeded == self.results.len(),
        }
    }

    /// The items that did not succeed.
    pub fn failures(&self) -> impl Iterator<Item = &ItemResult> {
        self.results.iter().filter(|item| !item.is_success())
    }
}

/// The outcome of one item of a bulk request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemResult {
    /// `id` of the item (the e-mail for user operations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `type`: `user`, `group` or `managedOrg`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub item_type: Option<String>,
    /// `operation`, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// `status`.
    pub status: ResultStatus,
    /// `errorDescription`, on failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ItemResult {
    /// True when the item was applied.
    pub fn is_success(&self) -> bool {
        self.status == ResultStatus::Success
    }
}

/// Counts over the items of a bulk result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Items in the answer.
    pub total: usize,
    /// Items with status `success`.
    pub succeeded: usize,
    /// Items with any other status.
    pub failed: usize,
    /// True when every item succeeded.
    pub all_successful: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_every_non_success_as_failed() {
        let result: BulkResult = serde_json::from_value(serde_json::json!({"results": [
            {"id": "a@x.com", "type": "user", "operation": "invite", "status": "success"},
            {"id": "b@x.com", "type": "user", "operation": "invite", "status": "failed", "errorDescription": "user already exists"},
            {"id": "c@x.com", "type": "user", "operation": "invite", "status": "queued"}
        ]}))
        .expect("decodes");
        assert_eq!(
            result.summary(),
            Summary {
                total: 3,
                succeeded: 1,
                failed: 2,
                all_successful: false
            }
        );
        assert_eq!(result.failures().count(), 2);
    }
}

/// The outcome of one input item of a bulk job ([`crate::api::Users::patch_all`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ItemOutcome {
    /// The service applied it.
    Succeeded(ItemResult),
    /// The service refused it; `errorDescription` says why.
    Failed(ItemResult),
    /// The SDK refused it before sending (a malformed e-mail, a missing factor id, ..).
    NotSent(std::sync::Arc<crate::Error>),
    /// Its request failed as a whole (after retries); it may or may not have been applied.
    RequestFailed(std::sync::Arc<crate::Error>),
    /// Its request succeeded but the answer held no result for it.
    NoResult,
}

impl ItemOutcome {
    /// True when the item was applied.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Succeeded(_))
    }

    /// Why the item did not succeed, in one line.
    pub fn failure_reason(&self) -> Option<String> {
        match self {
            Self::Succeeded(_) => None,
            Self::Failed(result) => Some(
                result
                    .error_description
                    .clone()
                    .unwrap_or_else(|| format!("status {}", result.status)),
            ),
            Self::NotSent(error) | Self::RequestFailed(error) => Some(error.to_string()),
            Self::NoResult => Some("the service returned no result for this item".into()),
        }
    }

    /// The tracking id of the failed request, when there is one.
    pub fn tracking_id(&self) -> Option<&str> {
        match self {
            Self::RequestFailed(error) => error.tracking_id(),
            _ => None,
        }
    }
}

/// One input item of a bulk job and what became of it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BulkItem {
    /// Position in the input.
    pub index: usize,
    /// The item's e-mail.
    pub email: String,
    /// The item's operation.
    pub operation: crate::types::UserOperationType,
    /// What happened.
    pub outcome: ItemOutcome,
}

/// Every input item of a bulk job, in input order, each exactly once.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct BulkReport {
    /// One entry per input item, in input order.
    pub items: Vec<BulkItem>,
    /// Requests sent.
    pub requests: usize,
}

impl BulkReport {
    /// Counts over the items.
    pub fn summary(&self) -> Summary {
        let succeeded = self.items.iter().filter(|item| item.outcome.is_success()).count();
        Summary {
            total: self.items.len(),
            succeeded,
            failed: self.items.len() - succeeded,
            all_successful: succeeded == self.items.len(),
        }
    }

    /// The items that did not succeed.
    pub fn failures(&self) -> impl Iterator<Item = &BulkItem> {
        self.items.iter().filter(|item| !item.outcome.is_success())
    }
}

/// Matches the results of one request to its items: by position when the counts agree, else by
/// (`id` = e-mail, `operation`) in order, each result used once.
pub(crate) fn match_results(items: &[crate::types::UserOperation], results: Vec<ItemResult>) -> Vec<ItemOutcome> {
    let outcome = |result: ItemResult| {
        if result.is_success() {
            ItemOutcome::Succeeded(result)
        } else {
            ItemOutcome::Failed(result)
        }
    };
    if results.len() == items.len() {
        return results.into_iter().map(outcome).collect();
    }
    let mut pool: Vec<Option<ItemResult>> = results.into_iter().map(Some).collect();
    items
        .iter()
        .map(|item| {
            let found = pool.iter_mut().find(|slot| {
                slot.as_ref().is_some_and(|result| {
                    result
                        .id
                        .as_deref()
                        .is_some_and(|id| id.eq_ignore_ascii_case(item.email()))
                        && result
                            .operation
                            .as_deref()
                            .is_none_or(|op| op == item.operation().as_str())
                })
            });
            found.and_then(Option::take).map_or(ItemOutcome::NoResult, outcome)
        })
        .collect()
}
