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
