//! The engine against a service of the test's making: what is sent, in which round, and what is
//! reported, when answers are lost, the state moves, or a saved plan is out of date.

use std::collections::HashMap;
use std::sync::Mutex;

use super::*;
use crate::ledger::{Actor, Ledger};
use crate::observe::SeenUser;
use crate::spec::PlanFile;

/// What a write does to the fake service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// Made, and answered.
    Made,
    /// Made, and the answer lost.
    MadeAnswerLost,
    /// Not made, and the answer lost.
    LostBeforeMaking,
}

#[derive(Default)]
struct State {
    exists: bool,
    users: Vec<SeenUser>,
}

/// What a write does to the fake's state.
type Edit = dyn Fn(&mut State);

/// An organization of users, and a script of how writes are answered.
#[derive(Default)]
struct Fake {
    state: Mutex<State>,
    /// How the next writes to each target are answered (by e-mail, or `org`), in order; then `Made`.
    script: Mutex<HashMap<String, Vec<Answer>>>,
    /// Every write, in the order sent.
    sent: Mutex<Vec<String>>,
    /// Users another actor adds while a round's writes are being made.
    appear_during_execute: Mutex<Vec<&'static str>>,
}

impl Fake {
    fn with_users(emails: &[&str]) -> Self {
        let fake = Self::default();
        {
            let mut state = fake.state.lock().expect("the fake's lock");
            state.exists = true;
            for email in emails {
                state.users.push(user(email));
            }
        }
        fake
    }

    fn answer(&self, target: &str) -> Answer {
        let mut script = self.script.lock().expect("the fake's lock");
        match script.get_mut(target) {
            Some(answers) if !answers.is_empty() => answers.remove(0),
            _ => Answer::Made,
        }
    }

    fn sent(&self) -> Vec<String> {
        self.sent.lock().expect("the fake's lock").clone()
    }

    fn emails(&self) -> Vec<String> {
        let mut emails: Vec<String> = self
            .state
            .lock()
            .expect("the fake's lock")
            .users
            .iter()
            .map(|u| u.email.clone())
            .collect();
        emails.sort();
        emails
    }
}

fn user(email: &str) -> SeenUser {
    SeenUser {
        id: format!("id-{email}"),
        email: email.into(),
        first_name: Some("First".into()),
        last_name: Some("Last".into()),
        disabled: false,
    }
}

fn organization() -> Organization {
    serde_json::from_value(serde_json::json!({"id": "org-1", "name": "Acme"})).expect("organization")
}

impl Service for Fake {
    async fn find(&self, _plan: &OrgPlan, _first: bool) -> Lookup {
        if self.state.lock().expect("the fake's lock").exists {
            Lookup::Found(organization())
        } else {
            Lookup::Missing
        }
    }

    async fn observe(&self, _org: &Organization, _plan: &OrgPlan) -> Observation {
        Observation {
            claim_codes: Some(Default::default()),
            users: Some(self.state.lock().expect("the fake's lock").users.clone()),
            groups: Some(Vec::new()),
            roles: Some(Vec::new()),
            ..Observation::default()
        }
    }

    async fn blank(&self, _plan: &OrgPlan) -> std::sync::Arc<Observation> {
        std::sync::Arc::new(Observation::empty())
    }

    fn creator(&self) -> Option<&str> {
        None
    }

    async fn create(&self, plan: &OrgPlan, recorder: &Recorder<'_>) -> Option<Organization> {
        let change = diff::create_org(plan);
        recorder.start(&change);
        self.sent.lock().expect("the fake's lock").push("create org".into());
        let answer = self.answer("org");
        if answer != Answer::LostBeforeMaking {
            self.state.lock().expect("the fake's lock").exists = true;
        }
        if answer == Answer::Made {
            recorder.finish(&change, Outcome::Done);
            Some(organization())
        } else {
            recorder.finish(&change, Outcome::Unknown("the answer was lost".into()));
            None
        }
    }

    async fn will_fail(&self, _org: &str, _changes: &[Change], _seen: &Observation) -> Vec<(Change, Refusal)> {
        Vec::new()
    }

    async fn execute(&self, _org: &str, changes: Vec<Change>, _seen: &Observation, recorder: &Recorder<'_>) {
        for change in changes {
            recorder.start(&change);
            let (target, make): (String, Box<Edit>) = match &change {
                Change::Invite { email, .. } => {
                    let email = email.clone();
                    (
                        email.clone(),
                        Box::new(move |state: &mut State| state.users.push(user(&email))),
                    )
                }
                Change::RemoveUser { email } => {
                    let email = email.clone();
                    (
                        email.clone(),
                        Box::new(move |state: &mut State| state.users.retain(|u| u.email != email)),
                    )
                }
                other => panic!("the fake makes no {other:?}"),
            };
            self.sent
                .lock()
                .expect("the fake's lock")
                .push(format!("{} {}", change.action(), target));
            let answer = self.answer(&target);
            if answer != Answer::LostBeforeMaking {
                make(&mut self.state.lock().expect("the fake's lock"));
            }
            let outcome = match answer {
                Answer::Made => Outcome::Done,
                _ => Outcome::Unknown("the answer was lost".into()),
            };
            recorder.finish(&change, outcome);
        }
        let mut state = self.state.lock().expect("the fake's lock");
        for email in self.appear_during_execute.lock().expect("the fake's lock").drain(..) {
            state.users.push(user(email));
        }
    }
}

fn org_plan(yaml: &str) -> OrgPlan {
    let file: PlanFile = serde_norway::from_str(yaml).expect("plan");
    file.organizations.into_iter().next().expect("one organization")
}

const TWO_USERS: &str = "organizations:\n  - name: Acme\n    users:\n      - {email: ana@acme.example, first_name: First, last_name: Last}\n      - {email: bo@acme.example, first_name: First, last_name: Last}\n";
const PRUNED: &str = "organizations:\n  - name: Acme\n    users:\n      - {email: ana@acme.example, first_name: First, last_name: Last}\n    prune: {users: true}\n";

fn ledger(journal: Option<&std::path::Path>) -> Ledger {
    Ledger::new(vec!["Acme".into()], Actor::default(), journal).expect("ledger")
}

/// Each subject's report word, by object.
fn statuses(applied: &Applied) -> Vec<(String, &'static str)> {
    applied
        .outcomes
        .iter()
        .map(|(subject, outcome)| (subject.object(), outcome.status().as_str()))
        .collect()
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(future)
}

#[test]
fn a_lost_answer_is_settled_by_reading_back_and_never_sent_twice() {
    let fake = Fake::with_users(&[]);
    fake.script
        .lock()
        .expect("the fake's lock")
        .insert("ana@acme.example".into(), vec![Answer::MadeAnswerLost]);
    let dir = tempfile::tempdir().expect("dir");
    let journal = dir.path().join("journal.jsonl");
    let ledger = ledger(Some(&journal));
    let plan = org_plan(TWO_USERS);
    let applied = block_on(apply(&fake, &plan, Confirmed::Ahead, true, &ledger.recorder(0)));
    assert_eq!(fake.sent(), vec!["invite ana@acme.example", "invite bo@acme.example"]);
    assert_eq!(
        statuses(&applied),
        vec![
            ("user ana@acme.example".to_owned(), "ok"),
            ("user bo@acme.example".to_owned(), "ok")
        ],
        "the second round read ana back: done, not sent again"
    );
    assert!(matches!(applied.verdict, Verdict::Applied));
    // The journal holds each attempt as it ended, then ana found in place in round two.
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&journal)
        .expect("journal")
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect();
    let journaled: Vec<(&str, &str, u64, bool)> = lines
        .iter()
        .map(|line| {
            (
                line["object"].as_str().unwrap_or_default(),
                line["outcome"].as_str().unwrap_or_default(),
                line["round"].as_u64().unwrap_or_default(),
                line["sent"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        journaled,
        vec![
            ("user ana@acme.example", "unknown", 1, true),
            ("user bo@acme.example", "ok", 1, true),
            ("user ana@acme.example", "ok", 2, false)
        ],
        "the settlement by reading back is journaled too, as not sent"
    );
}

#[test]
fn an_unknown_write_the_state_does_not_show_is_made_again_in_the_next_round() {
    let fake = Fake::with_users(&[]);
    fake.script.lock().expect("the fake's lock").insert(
        "ana@acme.example".into(),
        vec![Answer::LostBeforeMaking, Answer::LostBeforeMaking],
    );
    let plan = org_plan(TWO_USERS);
    let ledger = ledger(None);
    let applied = block_on(apply(&fake, &plan, Confirmed::Ahead, true, &ledger.recorder(0)));
    assert_eq!(
        fake.sent(),
        vec![
            "invite ana@acme.example",
            "invite bo@acme.example",
            "invite ana@acme.example",
            "invite ana@acme.example"
        ],
        "rounds two and three send again what the state shows missing; bo is done and left alone"
    );
    assert_eq!(fake.emails(), vec!["ana@acme.example", "bo@acme.example"]);
    assert!(statuses(&applied).iter().all(|(_, status)| *status == "ok"));

    // An answer lost in every round stays unknown: never reported done or failed.
    let fake = Fake::with_users(&[]);
    fake.script.lock().expect("the fake's lock").insert(
        "ana@acme.example".into(),
        vec![Answer::LostBeforeMaking; ROUNDS as usize],
    );
    let applied = block_on(apply(&fake, &plan, Confirmed::Ahead, true, &ledger.recorder(0)));
    assert_eq!(
        fake.sent().iter().filter(|sent| sent.contains("ana")).count(),
        ROUNDS as usize
    );
    assert_eq!(statuses(&applied)[0], ("user ana@acme.example".to_owned(), "unknown"));
}

#[test]
fn a_shown_plan_is_not_made_when_the_state_changed_before_the_answer() {
    let fake = Fake::with_users(&["ana@acme.example", "old@acme.example"]);
    let plan = org_plan(PRUNED);
    let shown = block_on(super::plan(&fake, &plan, true));
    assert_eq!(
        shown.changes,
        vec![Change::RemoveUser {
            email: "old@acme.example".into()
        }]
    );
    // A user appears between the prompt and the answer: removing them was never shown.
    fake.state
        .lock()
        .expect("the fake's lock")
        .users
        .push(user("new@acme.example"));
    let ledger = ledger(None);
    let applied = block_on(apply(&fake, &plan, Confirmed::Shown(&shown), true, &ledger.recorder(0)));
    assert!(fake.sent().is_empty(), "nothing was made: {:?}", fake.sent());
    let Verdict::Changed { now, .. } = &applied.verdict else {
        panic!("expected the new plan, got {:?}", applied.verdict);
    };
    assert!(now.changes.contains(&Change::RemoveUser {
        email: "new@acme.example".into()
    }));
    // Shown again (the new plan) and confirmed: made.
    let applied = block_on(apply(&fake, &plan, Confirmed::Shown(now), true, &ledger.recorder(0)));
    assert!(matches!(applied.verdict, Verdict::Applied));
    assert_eq!(fake.emails(), vec!["ana@acme.example"]);
}

#[test]
fn a_removal_that_appears_while_applying_is_reported_and_never_made() {
    let fake = Fake::with_users(&["ana@acme.example", "old@acme.example"]);
    // old's answer is lost, so a second round reads the state, in which someone added intruder.
    fake.script
        .lock()
        .expect("the fake's lock")
        .insert("old@acme.example".into(), vec![Answer::MadeAnswerLost]);
    fake.appear_during_execute
        .lock()
        .expect("the fake's lock")
        .push("intruder@acme.example");
    let plan = org_plan(PRUNED);
    let ledger = ledger(None);
    let applied = block_on(apply(&fake, &plan, Confirmed::Ahead, true, &ledger.recorder(0)));
    assert_eq!(fake.sent(), vec!["remove old@acme.example"]);
    assert_eq!(
        statuses(&applied),
        vec![
            ("user old@acme.example".to_owned(), "ok"),
            ("user intruder@acme.example".to_owned(), "skipped")
        ]
    );
    assert!(fake.emails().contains(&"intruder@acme.example".to_owned()));
}

#[test]
fn a_saved_plan_is_made_on_the_state_it_was_computed_against_and_refused_on_another() {
    let plan = org_plan(TWO_USERS);
    let fake = Fake::with_users(&["ana@acme.example"]);
    let saved = block_on(super::plan(&fake, &plan, true)).fingerprinted();
    assert!(saved.fingerprint.starts_with("fnv1a64:"), "{}", saved.fingerprint);
    let round_trip: Planned = serde_json::from_value(serde_json::to_value(&saved).expect("saved")).expect("read back");
    // Someone renames ana: the changes are the same (invite bo), the state is not.
    fake.state.lock().expect("the fake's lock").users[0].first_name = Some("Renamed".into());
    let ledger = ledger(None);
    let applied = block_on(apply(
        &fake,
        &plan,
        Confirmed::Saved(&round_trip),
        true,
        &ledger.recorder(0),
    ));
    assert!(
        matches!(applied.verdict, Verdict::Stale { .. }),
        "{:?}",
        applied.verdict
    );
    assert!(fake.sent().is_empty());

    fake.state.lock().expect("the fake's lock").users[0].first_name = Some("First".into());
    let applied = block_on(apply(
        &fake,
        &plan,
        Confirmed::Saved(&round_trip),
        true,
        &ledger.recorder(0),
    ));
    assert!(matches!(applied.verdict, Verdict::Applied));
    assert_eq!(fake.sent(), vec!["invite bo@acme.example"]);
}

#[test]
fn an_organization_whose_create_answer_was_lost_is_found_and_not_made_twice() {
    let fake = Fake::default();
    fake.script
        .lock()
        .expect("the fake's lock")
        .insert("org".into(), vec![Answer::MadeAnswerLost]);
    let plan = org_plan(
        "organizations:\n  - name: Acme\n    create: true\n    region: NAM\n    users:\n      - {email: ana@acme.example, first_name: First, last_name: Last}\n",
    );
    let shown = block_on(super::plan(&fake, &plan, true));
    assert_eq!(shown.org_id, None);
    let ledger = ledger(None);
    let applied = block_on(apply(&fake, &plan, Confirmed::Shown(&shown), true, &ledger.recorder(0)));
    assert_eq!(fake.sent(), vec!["create org", "invite ana@acme.example"]);
    assert_eq!(
        statuses(&applied),
        vec![
            ("organization Acme".to_owned(), "ok"),
            ("user ana@acme.example".to_owned(), "ok")
        ]
    );
    assert_eq!(applied.org_id.as_deref(), Some("org-1"));
}

/// A journal on a full disk: every write refused (ENOSPC).
struct Full;

impl std::io::Write for Full {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::from(std::io::ErrorKind::StorageFull))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn once_the_journal_cannot_be_written_no_further_change_is_made() {
    let ledger = Ledger::with_journal(
        vec!["Acme".into()],
        Actor::default(),
        std::path::Path::new("full.jsonl"),
        Box::new(Full),
    );
    let fake = Fake::with_users(&[]);
    fake.script
        .lock()
        .expect("the fake's lock")
        .insert("ana@acme.example".into(), vec![Answer::LostBeforeMaking]);
    let plan = org_plan(TWO_USERS);
    let applied = block_on(apply(&fake, &plan, Confirmed::Ahead, true, &ledger.recorder(0)));
    assert!(ledger.journal_broken().is_some_and(|why| why.contains("full.jsonl")));
    assert_eq!(
        fake.sent(),
        vec!["invite ana@acme.example", "invite bo@acme.example"],
        "the round under way finished; ana's second invite was not sent"
    );
    assert_eq!(
        applied.outcomes.get(&Subject::Change(Change::Invite {
            email: "ana@acme.example".into(),
            first_name: "First".into(),
            last_name: "Last".into(),
            admin: false,
        })),
        Some(&Outcome::Skipped(Skip::JournalBroken))
    );
}
