//! The run's ledger: each change as it is sent and what became of it. It is what an interrupt
//! reports (a change sent and not answered is unknown), and, with `--journal FILE`, one JSON line
//! per change in that file, written (to the operating system, unbuffered) as the change ends and
//! before the ledger records another.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde_json::json;

use crate::diff::Change;
use crate::outcome::{Outcome, Outcomes, Subject};

/// What an interrupt finds of a change that was sent and not answered.
pub(crate) const IN_FLIGHT: &str = "sent; no answer yet (interrupted): it may have been applied";

#[derive(Debug, Clone)]
enum Entry {
    /// Sent; no answer yet.
    InFlight,
    Ended(Outcome),
}

/// The change journal: an append-only file of JSON lines.
struct Journal {
    path: PathBuf,
    file: Box<dyn Write + Send>,
    /// The first write that failed; after it the run makes no further change.
    broken: Option<String>,
}

/// Who made the changes, for every journal line.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// The service's base URL.
    pub service: String,
    /// The API key id of the credentials (never a token); none for a bare access token.
    pub api_key_id: Option<String>,
    /// The face the changes were made through: `cli`, `python` or `mcp`.
    pub via: &'static str,
}

#[derive(Debug, Default)]
struct Org {
    label: String,
    org_id: Option<String>,
    entries: Vec<(Subject, Entry)>,
    /// Once the organization is done: its outcomes, kept here until the run reports them (one copy,
    /// which an interrupt reports too).
    done: Option<Outcomes>,
}

/// Every organization's changes as they happen, and the journal.
#[derive(Debug)]
pub struct Ledger {
    actor: Actor,
    journal: Mutex<Option<Journal>>,
    orgs: Vec<Mutex<Org>>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

impl Ledger {
    /// A ledger whose journal is `sink`, named `path` in messages: a journal that fails as a full
    /// disk would, for tests.
    #[cfg(test)]
    pub(crate) fn with_journal(labels: Vec<String>, actor: Actor, path: &Path, sink: Box<dyn Write + Send>) -> Self {
        let ledger = Self::new(labels, actor, None).unwrap_or_else(|_| unreachable!("no file to open"));
        *ledger.journal.lock().unwrap_or_else(PoisonError::into_inner) = Some(Journal {
            path: path.to_owned(),
            file: sink,
            broken: None,
        });
        ledger
    }

    /// A ledger for organizations labelled `labels`, journaling to `journal` when given (the file
    /// is created if missing, appended to otherwise, and only ever by whole lines).
    pub fn new(labels: Vec<String>, actor: Actor, journal: Option<&Path>) -> std::io::Result<Self> {
        let journal = match journal {
            Some(path) => Some(Journal {
                path: path.to_owned(),
                // Private (it names people), never through a link, never a FIFO to wait on.
                file: Box::new(scc_sdk::files::open_append_private(path)?),
                broken: None,
            }),
            None => None,
        };
        Ok(Self {
            actor,
            journal: Mutex::new(journal),
            orgs: labels
                .into_iter()
                .map(|label| {
                    Mutex::new(Org {
                        label,
                        ..Org::default()
                    })
                })
                .collect(),
        })
    }

    /// The organization at `index` of the plan: its recorder for one round.
    pub(crate) fn recorder(&self, index: usize) -> Recorder<'_> {
        Recorder {
            ledger: self,
            index,
            round: Mutex::new(1),
            results: Mutex::new(Vec::new()),
        }
    }

    /// Why the journal cannot be written, once a write failed.
    pub fn journal_broken(&self) -> Option<String> {
        let journal = self.journal.lock().unwrap_or_else(PoisonError::into_inner);
        journal
            .as_ref()
            .and_then(|journal| journal.broken.as_ref())
            .map(|error| {
                format!(
                    "{}: {error}",
                    journal
                        .as_ref()
                        .map_or_else(String::new, |j| j.path.display().to_string())
                )
            })
    }

    fn org(&self, index: usize) -> std::sync::MutexGuard<'_, Org> {
        self.orgs[index].lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, index: usize, subject: Subject, entry: Entry) -> bool {
        let mut org = self.org(index);
        match org.entries.iter_mut().find(|(seen, _)| *seen == subject) {
            Some((_, existing)) => {
                let sent = matches!(existing, Entry::InFlight);
                *existing = entry;
                sent
            }
            None => {
                org.entries.push((subject, entry));
                false
            }
        }
    }

    /// One journal line: the change and what became of it.
    fn journal(&self, index: usize, round: u32, change: &Change, outcome: &Outcome, sent: bool) {
        let mut journal = self.journal.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(journal) = journal.as_mut() else { return };
        if journal.broken.is_some() {
            return;
        }
        let (label, org_id) = {
            let org = self.org(index);
            (org.label.clone(), org.org_id.clone())
        };
        let line = json!({
            "time": jiff::Timestamp::now().to_string(),
            "service": self.actor.service,
            "api_key_id": self.actor.api_key_id,
            "via": self.actor.via,
            "organization": label,
            "organization_id": org_id,
            "round": round,
            "change": change,
            "object": change.object(),
            "action": change.action(),
            "outcome": outcome.status(),
            "reason": outcome.reason(),
            "tracking_id": outcome.tracking_id(),
            "sent": sent,
        });
        let mut bytes = line.to_string().into_bytes();
        bytes.push(b'\n');
        if let Err(error) = journal.file.write_all(&bytes).and_then(|()| journal.file.flush()) {
            journal.broken = Some(error.to_string());
        }
    }

    /// The organization is done: its outcomes replace what was recorded as it went.
    pub(crate) fn done(&self, index: usize, outcomes: Outcomes) {
        let mut org = self.org(index);
        org.entries = Vec::new();
        org.done = Some(outcomes);
    }

    /// The outcomes of a finished organization, for the report.
    pub(crate) fn take_done(&self, index: usize) -> Outcomes {
        self.org(index).done.take().unwrap_or_default()
    }

    /// After Ctrl-C: each organization's changes, those sent and not answered as unknown (and
    /// journaled so), so the summary and the journal agree.
    pub(crate) fn interrupted(&self) -> Vec<(String, Vec<(Subject, Outcome)>)> {
        let mut all = Vec::new();
        for index in 0..self.orgs.len() {
            let mut unanswered = Vec::new();
            let (label, items) = {
                let mut org = self.org(index);
                for (subject, entry) in &mut org.entries {
                    if matches!(entry, Entry::InFlight) {
                        *entry = Entry::Ended(Outcome::Unknown(IN_FLIGHT.into()));
                        if let Some(change) = subject.change() {
                            unanswered.push(change.clone());
                        }
                    }
                }
                let items: Vec<(Subject, Outcome)> = match &org.done {
                    Some(done) => done.iter().cloned().collect(),
                    None => org
                        .entries
                        .iter()
                        .filter_map(|(subject, entry)| match entry {
                            Entry::Ended(outcome) => Some((subject.clone(), outcome.clone())),
                            Entry::InFlight => None,
                        })
                        .collect(),
                };
                (org.label.clone(), items)
            };
            for change in unanswered {
                self.journal(index, 0, &change, &Outcome::Unknown(IN_FLIGHT.into()), true);
            }
            all.push((label, items));
        }
        all
    }
}

/// One organization's view of the ledger: what its changes record, and what this round recorded
/// (returned to the engine as values by [`Recorder::take`]).
pub(crate) struct Recorder<'l> {
    ledger: &'l Ledger,
    index: usize,
    round: Mutex<u32>,
    results: Mutex<Vec<(Subject, Outcome)>>,
}

impl Recorder<'_> {
    /// The organization's id, once it is known (found, or created by this run).
    pub(crate) fn organization(&self, id: &str) {
        self.ledger.org(self.index).org_id = Some(id.to_owned());
    }

    /// The journal cannot be written: no further change may be made.
    pub(crate) fn journal_broken(&self) -> bool {
        self.ledger.journal_broken().is_some()
    }

    pub(crate) fn round(&self, round: u32) {
        *self.round.lock().unwrap_or_else(PoisonError::into_inner) = round;
    }

    /// The change is about to be sent: unknown should the run be interrupted before its answer.
    pub(crate) fn start(&self, change: &Change) {
        self.ledger
            .set(self.index, Subject::Change(change.target()), Entry::InFlight);
    }

    /// What became of a change (sent or not): recorded, journaled, and kept for the engine.
    pub(crate) fn finish(&self, change: &Change, outcome: Outcome) {
        let subject = Subject::Change(change.target());
        let sent = self
            .ledger
            .set(self.index, subject.clone(), Entry::Ended(outcome.clone()));
        let round = *self.round.lock().unwrap_or_else(PoisonError::into_inner);
        self.ledger.journal(self.index, round, change, &outcome, sent);
        self.results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((subject, outcome));
    }

    /// A change whose answer was lost, found in place by reading the state back: done, and
    /// journaled so (not sent again).
    pub(crate) fn settled(&self, change: &Change) {
        let subject = Subject::Change(change.target());
        self.ledger.set(self.index, subject, Entry::Ended(Outcome::Done));
        let round = *self.round.lock().unwrap_or_else(PoisonError::into_inner);
        self.ledger.journal(self.index, round, change, &Outcome::Done, false);
    }

    /// A change whose request failed.
    pub(crate) fn failed(&self, change: &Change, error: &scc_sdk::Error) {
        self.finish(change, Outcome::of_error(error, true));
    }

    /// A read (or a lookup) and its outcome: reported, not journaled (nothing changed).
    pub(crate) fn read(&self, subject: Subject, outcome: Outcome) {
        self.ledger
            .set(self.index, subject.clone(), Entry::Ended(outcome.clone()));
        self.results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((subject, outcome));
    }

    /// What was recorded since the last call.
    pub(crate) fn take(&self) -> Vec<(Subject, Outcome)> {
        std::mem::take(&mut *self.results.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupt_reports_and_journals_the_unanswered_change_as_unknown() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("journal.jsonl");
        let actor = Actor {
            service: "http://127.0.0.1:1".into(),
            api_key_id: Some("key-1".into()),
            via: "cli",
        };
        let ledger = Ledger::new(vec!["Acme".into()], actor, Some(&path)).expect("ledger");
        let done = Change::RemoveUser {
            email: "a@acme.example".into(),
        };
        let cut = Change::RemoveUser {
            email: "b@acme.example".into(),
        };
        let recorder = ledger.recorder(0);
        recorder.organization("org-1");
        recorder.start(&done);
        recorder.finish(&done, Outcome::Done);
        recorder.start(&cut);
        let text = std::fs::read_to_string(&path).expect("journal");
        assert_eq!(text.lines().count(), 1, "one line per change ended, written as it ends");

        let summary = ledger.interrupted();
        let statuses: Vec<(String, &str)> = summary[0]
            .1
            .iter()
            .map(|(s, o)| (s.object(), o.status().as_str()))
            .collect();
        assert_eq!(
            statuses,
            vec![
                ("user a@acme.example".to_owned(), "ok"),
                ("user b@acme.example".to_owned(), "unknown")
            ]
        );
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(&path)
            .expect("journal")
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect();
        let journaled: Vec<(&str, &str, bool)> = lines
            .iter()
            .map(|line| {
                (
                    line["object"].as_str().unwrap_or_default(),
                    line["outcome"].as_str().unwrap_or_default(),
                    line["sent"].as_bool().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            journaled,
            vec![
                ("user a@acme.example", "ok", true),
                ("user b@acme.example", "unknown", true)
            ],
            "the journal and the summary agree"
        );
        assert_eq!(lines[0]["api_key_id"], "key-1");
        assert_eq!(lines[0]["via"], "cli");
        assert_eq!(lines[0]["organization_id"], "org-1");
        assert_eq!(lines[0]["change"]["change"], "remove_user");
        assert!(!text.contains("token"), "{text}");
    }
}
