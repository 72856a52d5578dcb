//! The report of `scc plan` and `scc apply`, rendered at the end from the outcomes (or, after an
//! interrupt, from the ledger).

use serde::Serialize;
use serde_json::{Value, json};

use crate::outcome::{Outcome, Status, Subject};

/// One organization's lines: its changes (planned, or what became of them) and its problems.
#[derive(Debug, Clone)]
pub struct OrgReport {
    /// The organization's label (its name in the plan, or its id).
    pub org: String,
    /// Its id, when known.
    pub org_id: Option<String>,
    /// Each change or read, with its outcome.
    pub items: Vec<(Subject, Outcome)>,
}

/// One line of the report, as tables and JSON show it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The organization's label.
    pub org: String,
    /// What the line is about: `user ana@…`.
    pub object: String,
    /// `invite`, `create`, `find`, …
    pub action: String,
    /// `planned`, `ok`, `failed`, `unknown` or `skipped`.
    pub result: Status,
    /// What the change sets ([`crate::diff::Change::attributes`]); none for a read.
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub attributes: serde_json::Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The service's tracking id of the request, for support.
    pub tracking_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Why it failed or was refused.
    pub error: Option<String>,
}

impl OrgReport {
    /// The report's lines, one per change or read.
    pub fn rows(&self) -> Vec<Row> {
        self.items
            .iter()
            .map(|(subject, outcome)| Row {
                org: self.org.clone(),
                object: subject.object(),
                action: subject.action().to_owned(),
                result: outcome.status(),
                // A plan shows what each change sets; the report of an apply names what was done
                // (the journal keeps each change whole): thousands of organizations hold no copy.
                attributes: match (subject, outcome) {
                    (Subject::Change(change), Outcome::Planned) => change.attributes(),
                    _ => serde_json::Map::new(),
                },
                tracking_id: outcome.tracking_id().map(str::to_owned),
                error: outcome.reason(),
            })
            .collect()
    }

    /// How many lines have this status.
    pub fn count(&self, status: Status) -> usize {
        self.items
            .iter()
            .filter(|(_, outcome)| outcome.status() == status)
            .count()
    }

    /// Changes by what they do, among the lines of this status.
    pub fn signs(reports: &[&OrgReport], status: Status) -> Value {
        let lines: Vec<&(Subject, Outcome)> = reports
            .iter()
            .flat_map(|report| &report.items)
            .filter(|(subject, outcome)| subject.sign().is_some() && outcome.status() == status)
            .collect();
        let by = |sign: char| lines.iter().filter(|(subject, _)| subject.sign() == Some(sign)).count();
        json!({"create": by('+'), "update": by('~'), "remove": by('-'), "total": lines.len()})
    }
}
