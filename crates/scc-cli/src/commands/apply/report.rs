//! The report of `scc plan` and `scc apply`, rendered at the end from the outcomes (or, after an
//! interrupt, from the ledger).

use serde::Serialize;
use serde_json::{Value, json};

use super::outcome::{Outcome, Status, Subject};

/// One organization's lines: its changes (planned, or what became of them) and its problems.
#[derive(Debug, Clone)]
pub(crate) struct OrgReport {
    pub(crate) org: String,
    pub(crate) org_id: Option<String>,
    pub(crate) items: Vec<(Subject, Outcome)>,
}

/// One line of the report, as tables and JSON show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    pub(crate) org: String,
    pub(crate) object: String,
    pub(crate) action: String,
    pub(crate) result: Status,
    /// What the change sets ([`super::diff::Change::attributes`]); none for a read.
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub(crate) attributes: serde_json::Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tracking_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
}

impl OrgReport {
    pub(crate) fn rows(&self) -> Vec<Row> {
        self.items
            .iter()
            .map(|(subject, outcome)| Row {
                org: self.org.clone(),
                object: subject.object(),
                action: subject.action().to_owned(),
                result: outcome.status(),
                attributes: match subject {
                    Subject::Change(change) => change.attributes(),
                    Subject::Read { .. } => serde_json::Map::new(),
                },
                tracking_id: outcome.tracking_id().map(str::to_owned),
                error: outcome.reason(),
            })
            .collect()
    }

    /// How many lines have this status.
    pub(crate) fn count(&self, status: Status) -> usize {
        self.items
            .iter()
            .filter(|(_, outcome)| outcome.status() == status)
            .count()
    }

    /// Changes by what they do, among the lines of this status.
    pub(crate) fn signs(reports: &[&OrgReport], status: Status) -> Value {
        let lines: Vec<&(Subject, Outcome)> = reports
            .iter()
            .flat_map(|report| &report.items)
            .filter(|(subject, outcome)| subject.sign().is_some() && outcome.status() == status)
            .collect();
        let by = |sign: char| lines.iter().filter(|(subject, _)| subject.sign() == Some(sign)).count();
        json!({"create": by('+'), "update": by('~'), "remove": by('-'), "total": lines.len()})
    }
}
