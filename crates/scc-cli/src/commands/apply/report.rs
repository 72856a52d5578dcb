//! The report of `scc plan` and `scc apply`: one item per change (or failed read) and what became of
//! it, recorded as it happens.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use scc_sdk::{Client, Error};
use serde::Serialize;

use super::diff::{self, Change};
use super::observe::{Observation, Section};
use super::plan::OrgPlan;

/// What an interrupt finds of a write that was sent and not answered.
pub(crate) const IN_FLIGHT: &str = "sent; no answer yet (interrupted)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Read and list the changes; write nothing.
    Plan,
    /// Make the changes (confirmed by then: deletions too).
    Apply,
}

/// What became of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Planned,
    Ok,
    Failed,
    /// The answer was lost and reading back could not settle it.
    Unknown,
    Skipped,
}

/// One change (or read) and what became of it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ItemReport {
    pub(crate) org: String,
    pub(crate) object: String,
    pub(crate) action: String,
    pub(crate) result: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tracking_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    /// `+`, `~` or `-` for a change; none for a read.
    #[serde(skip)]
    pub(crate) sign: Option<char>,
    #[serde(skip)]
    pub(crate) section: Option<Section>,
}

/// Everything one organization's reconciliation did.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OrgOutcome {
    pub(crate) org: String,
    pub(crate) org_id: Option<String>,
    pub(crate) rounds: u32,
    pub(crate) items: Vec<ItemReport>,
}

/// Where one organization's reconciliation writes its items as they happen, so an interrupt can
/// report what was done.
pub(crate) type Progress = Arc<Mutex<Vec<ItemReport>>>;

/// How an item ended, before it becomes a report.
pub(crate) enum Outcome<'e> {
    Planned,
    Ok,
    Skipped(&'static str),
    /// A request failed: a read, or a write the service refused, is failed; a write whose answer was
    /// lost (it may have been applied) is unknown until the next observation settles it.
    Failed(&'e Error),
    Refused(String),
    Unknown(String),
    /// Sent and not answered yet: unknown should the run be interrupted; replaced by the answer.
    InFlight,
}

/// The reconciliation of one organization: its plan, its mode and its report.
pub(crate) struct Run<'a> {
    pub(crate) client: &'a Client,
    pub(crate) plan: &'a OrgPlan,
    pub(crate) mode: Mode,
    pub(crate) label: String,
    pub(crate) items: Progress,
    /// Something failed in a way another round may fix (or settle).
    pub(crate) again: AtomicBool,
}

impl Run<'_> {
    pub(crate) fn writing(&self) -> bool {
        matches!(self.mode, Mode::Apply)
    }

    /// Records the outcome of a change.
    pub(crate) fn change(&self, change: &Change, outcome: Outcome<'_>) {
        let sign = Some(change.sign().symbol());
        self.record(change.object(), change.action(), Some(change.section()), sign, outcome);
    }

    pub(crate) fn record(
        &self,
        object: String,
        action: &str,
        section: Option<Section>,
        sign: Option<char>,
        outcome: Outcome<'_>,
    ) {
        let write = sign.is_some();
        let (result, tracking_id, error) = match outcome {
            Outcome::Planned => (Status::Planned, None, None),
            Outcome::Ok => (Status::Ok, None, None),
            Outcome::Skipped(why) => (Status::Skipped, None, Some(why.to_owned())),
            Outcome::Failed(error) => {
                let refused = error.status().is_some_and(|s| (400..500).contains(&s));
                let lost = error.may_have_reached_server() && !refused;
                if error.is_retryable() || lost {
                    self.again.store(true, Ordering::SeqCst);
                }
                let result = if lost && write && error.was_write() {
                    Status::Unknown
                } else {
                    Status::Failed
                };
                (result, error.tracking_id().map(str::to_owned), Some(error.to_string()))
            }
            Outcome::Refused(reason) => (Status::Failed, None, Some(reason)),
            Outcome::Unknown(reason) => {
                self.again.store(true, Ordering::SeqCst);
                (Status::Unknown, None, Some(reason))
            }
            Outcome::InFlight => (Status::Unknown, None, Some(IN_FLIGHT.to_owned())),
        };
        let report = ItemReport {
            org: self.label.clone(),
            object,
            action: action.to_owned(),
            result,
            tracking_id,
            error,
            sign,
            section,
        };
        let mut items = self.items.lock().unwrap_or_else(PoisonError::into_inner);
        match items
            .iter_mut()
            .find(|item| item.object == report.object && item.action == report.action)
        {
            Some(existing) => *existing = report,
            None => items.push(report),
        }
    }

    /// Removes and returns the failed items and those of unknown outcome.
    pub(crate) fn take_unsettled(&self) -> Vec<ItemReport> {
        let mut items = self.items.lock().unwrap_or_else(PoisonError::into_inner);
        let (unsettled, kept): (Vec<_>, Vec<_>) = items
            .drain(..)
            .partition(|item| matches!(item.result, Status::Failed | Status::Unknown));
        *items = kept;
        unsettled
    }

    /// Earlier failures and unknowns, against this round's observation and diff: a read that failed
    /// before leaves no trace (this round read again); a write whose change the diff no longer
    /// holds was applied, and is reported done, but only when this round could read its section;
    /// one the diff still holds is done again by this round's execute (it records it anew).
    pub(crate) fn settle(&self, earlier: Vec<ItemReport>, seen: &Observation, diff: &diff::Diff) {
        let mut blind: HashSet<Section> = seen.failures.iter().map(|failure| failure.section).collect();
        // Members and role holders are read through the group and user lists.
        if blind.contains(&Section::Groups) {
            blind.extend([Section::Members, Section::Roles]);
        }
        if blind.contains(&Section::Users) {
            blind.insert(Section::Roles);
        }
        let pending: HashSet<(String, &str)> = diff.changes.iter().map(|c| (c.object(), c.action())).collect();
        let mut items = self.items.lock().unwrap_or_else(PoisonError::into_inner);
        for mut item in earlier {
            if item.sign.is_none() {
                continue;
            }
            let unread = item.section.is_some_and(|section| blind.contains(&section));
            if unread {
                items.push(item);
                continue;
            }
            if pending.contains(&(item.object.clone(), item.action.as_str())) {
                continue;
            }
            item.result = Status::Ok;
            item.error = None;
            item.tracking_id = None;
            items.push(item);
        }
    }

    pub(crate) fn report_reads(&self, seen: &Observation) {
        for failure in &seen.failures {
            self.record(
                failure.object.clone(),
                failure.action,
                Some(failure.section),
                None,
                Outcome::Failed(&failure.error),
            );
        }
    }
}

pub(crate) fn duplicates_message(matches: &[scc_sdk::types::Organization]) -> String {
    let ids: Vec<String> = matches.iter().map(|org| org.id.to_string()).collect();
    format!(
        "{} organizations have this name ({}): another run may have created one at the same time; \
         keep one, remove the others in Security Cloud Control, then apply again",
        matches.len(),
        ids.join(", ")
    )
}
