//! A bulk job's per-item report as JSON for Python: one entry per input item, in input order.

use scc_sdk::{BulkReport, ItemOutcome};
use serde::Serialize;

#[derive(Serialize)]
pub(crate) struct ItemReport<'a> {
    index: usize,
    email: &'a str,
    operation: &'a str,
    /// `succeeded`, `failed` (the service refused it, or it was never sent), or `unknown` (the
    /// request may have been applied but its answer was lost: read before repeating it).
    outcome: &'static str,
    error: Option<String>,
    tracking_id: Option<&'a str>,
}

#[derive(Serialize)]
pub(crate) struct Report<'a> {
    items: Vec<ItemReport<'a>>,
    succeeded: usize,
    failed: usize,
    unknown: usize,
}

pub(crate) fn report(report: &BulkReport) -> Report<'_> {
    let items: Vec<ItemReport<'_>> = report
        .items
        .iter()
        .map(|item| {
            let outcome = match &item.outcome {
                ItemOutcome::Succeeded(_) => "succeeded",
                ItemOutcome::Failed(_) | ItemOutcome::NotSent(_) => "failed",
                ItemOutcome::RequestFailed(error) if !error.may_have_reached_server() => "failed",
                _ => "unknown",
            };
            ItemReport {
                index: item.index,
                email: &item.email,
                operation: item.operation.as_str(),
                outcome,
                error: item.outcome.failure_reason(),
                tracking_id: item.outcome.tracking_id(),
            }
        })
        .collect();
    let count = |outcome: &str| items.iter().filter(|item| item.outcome == outcome).count();
    Report {
        succeeded: count("succeeded"),
        failed: count("failed"),
        unknown: count("unknown"),
        items,
    }
}
