//! One organization, planned and applied. A plan is a value: the organization's typed changes and a
//! fingerprint of the state they were computed against. Applying takes a plan that was confirmed (shown
//! and answered, saved and reviewed, or confirmed ahead with `--yes`), reads the state again under
//! the organization's lock, and makes the changes only when that state still gives the confirmed
//! plan; otherwise it makes nothing and returns the new plan. Then rounds of observe → diff →
//! execute settle what a lost answer left unknown; a round only ever makes confirmed changes (a
//! removal that was not shown is never made). Outcomes are values, folded per change. (docs/decisions.md,
//! "Plans and their confirmation".)

use scc_sdk::types::Organization;
use serde::{Deserialize, Serialize};

use crate::diff::{self, Change};
use crate::ledger::Recorder;
use crate::observe::{Observation, Section};
use crate::outcome::{Outcome, Outcomes, Refusal, Skip, Subject};
use crate::spec::OrgPlan;

/// Rounds of observe and fix per organization in one apply.
pub(crate) const ROUNDS: u32 = 4;

/// The fingerprint of an organization that does not exist (yet).
const ABSENT: &str = "absent";

/// What looking an organization up found.
pub(crate) enum Lookup {
    Found(Organization),
    /// The service answered: there is none.
    Missing,
    /// The lookup failed, or found several: nothing may be concluded.
    Blocked(Subject, Outcome),
}

/// What the engine needs of the service: the real one, or a test's.
pub(crate) trait Service {
    /// The plan's organization; `first` allows the run's listing of organizations.
    async fn find(&self, plan: &OrgPlan, first: bool) -> Lookup;
    /// What the organization holds now, as far as the plan needs.
    async fn observe(&self, org: &Organization, plan: &OrgPlan) -> Observation;
    /// What a new organization holds once created: nothing, and the built-in roles every
    /// organization starts with (as far as they can be read), so a new organization's plan is
    /// checked as an existing one's is.
    async fn blank(&self, plan: &OrgPlan) -> std::sync::Arc<Observation>;
    /// The organization that creates new ones (the key's own), to check that one found by name is
    /// the one `create: true` would have made.
    fn creator(&self) -> Option<&str>;
    /// Creates the plan's organization (recording the outcome); the organization when it is made and is
    /// the only one of its name.
    async fn create(&self, plan: &OrgPlan, recorder: &Recorder<'_>) -> Option<Organization>;
    /// The planned changes the service will refuse, as far as a read can tell (a claim code another
    /// organization holds). Writes nothing.
    async fn will_fail(&self, org: &str, changes: &[Change], seen: &Observation) -> Vec<(Change, Refusal)>;
    /// Makes the changes, recording each one's outcome.
    async fn execute(&self, org: &str, changes: Vec<Change>, seen: &Observation, recorder: &Recorder<'_>);
}

/// One organization's plan: its changes and what they were computed against.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Planned {
    /// The organization's id; none when it does not exist (it is created) or could not be found.
    pub org_id: Option<String>,
    /// The changes that make the organization hold what the plan says, each with its attributes.
    pub changes: Vec<Change>,
    /// The digest of the state read (the same for the same state however the service ordered it), or `absent`.
    pub fingerprint: String,
    /// What the plan asks for and the state rules out, and reads that failed.
    #[serde(skip)]
    pub problems: Vec<(Subject, Outcome)>,
    /// The organization and the state read, for applying right after.
    #[serde(skip)]
    found: Option<(Organization, Observation)>,
}

impl Planned {
    /// A read failed: the plan may miss changes of what could not be read.
    pub(crate) fn unread(&self) -> bool {
        self.problems
            .iter()
            .any(|(subject, outcome)| matches!(subject, Subject::Read { .. }) && matches!(outcome, Outcome::Failed(_)))
    }

    /// Every failed read may pass on another try.
    fn passing(&self) -> bool {
        self.problems
            .iter()
            .all(|(_, outcome)| !matches!(outcome, Outcome::Failed(failure) if !failure.passing))
    }

    /// The plan with the fingerprint of the state it was computed against, and without that state
    /// (a saved plan, or plans kept while the user is asked, need only the fingerprint).
    pub(crate) fn fingerprinted(mut self) -> Self {
        self.fingerprint = self.state_fingerprint();
        self.found = None;
        self
    }

    /// The fingerprint of the state this plan was computed against (computed when it was read now).
    fn state_fingerprint(&self) -> String {
        self.found
            .as_ref()
            .map_or_else(|| self.fingerprint.clone(), |(_, seen)| seen.fingerprint())
    }

    /// What differs between this plan, as confirmed, and `now`, change by change (each with its
    /// attributes): `now also: + invite user …`, `no longer: …`; the same changes computed against
    /// another state say so.
    pub fn difference(&self, now: &Planned) -> Vec<String> {
        let before: Vec<Change> = self.changes.iter().map(Change::target).collect();
        let after: Vec<Change> = now.changes.iter().map(Change::target).collect();
        let line = |change: &Change| format!("{} {} {}", change.sign().symbol(), change.action(), change.object());
        let same_object = |a: &Change, b: &Change| a.action() == b.action() && a.object() == b.object();
        let mut lines = Vec::new();
        for change in after.iter().filter(|change| !before.contains(change)) {
            match before.iter().find(|was| same_object(was, change)) {
                // The same object, other attributes: each one that moved.
                Some(was) => {
                    let (old, new) = (was.attributes(), change.attributes());
                    let moved: Vec<String> = new
                        .iter()
                        .filter(|(name, value)| old.get(*name) != Some(value))
                        .map(|(name, value)| {
                            let old = old.get(name).map_or_else(|| "none".to_owned(), ToString::to_string);
                            format!("{name}: {old} -> {value}")
                        })
                        .collect();
                    lines.push(format!("now otherwise: {} ({})", line(change), moved.join(", ")));
                }
                None => lines.push(format!("now also: {}", line(change))),
            }
        }
        for change in before.iter().filter(|change| !after.contains(change)) {
            if !after.iter().any(|now| same_object(now, change)) {
                lines.push(format!("no longer: {}", line(change)));
            }
        }
        if lines.is_empty() {
            lines.push(
                "the same changes, computed against another state: plan again to save the plan of this state".into(),
            );
        }
        lines
    }

    /// The plan as report lines: each change planned, then each problem.
    pub fn items(&self) -> Vec<(Subject, Outcome)> {
        self.changes
            .iter()
            .map(|change| (Subject::Change(change.clone()), Outcome::Planned))
            .chain(self.problems.iter().cloned())
            .collect()
    }
}

/// Reads the organization and computes its changes. Writes nothing.
pub(crate) async fn plan(service: &impl Service, plan: &OrgPlan, first: bool) -> Planned {
    let unplanned = |problems, fingerprint: &str| Planned {
        org_id: None,
        changes: Vec::new(),
        fingerprint: fingerprint.to_owned(),
        problems,
        found: None,
    };
    match service.find(plan, first).await {
        Lookup::Found(org) if let Some(differs) = not_as_created(plan, &org, service.creator()) => unplanned(
            vec![(
                Subject::find(&plan.label()),
                Outcome::Refused(Refusal::NotAsCreated {
                    id: org.id.to_string(),
                    differs,
                }),
            )],
            "unread",
        ),
        Lookup::Found(org) => {
            let seen = service.observe(&org, plan).await;
            let mut diff = diff::diff(plan, &seen, false);
            let mut problems: Vec<(Subject, Outcome)> = seen
                .failures
                .iter()
                .map(|failure| failure.item())
                .chain(diff.problems.iter().map(diff::Problem::item))
                .collect();
            // What would fail is said now, and left out of the changes.
            for (change, mut refusal) in service.will_fail(org.id.as_str(), &diff.changes, &seen).await {
                diff.changes.retain(|planned| *planned != change);
                // Where the plan writes the claim code, so the problem can say its line.
                if let (Refusal::WillFail(place, _), Change::Claim { code, .. }) = (&mut refusal, &change)
                    && place.path.is_none()
                {
                    place.path = plan
                        .subscriptions
                        .iter()
                        .position(|planned| planned.claim_code.trim().eq_ignore_ascii_case(code))
                        .map(|s| format!("subscriptions[{s}].claim_code"));
                }
                problems.push((Subject::Change(change), Outcome::Refused(refusal)));
            }
            Planned {
                org_id: Some(org.id.to_string()),
                changes: diff.changes,
                // Computed when a saved plan needs it ([`Planned::fingerprinted`]).
                fingerprint: String::new(),
                problems,
                found: Some((org, seen)),
            }
        }
        // Planned against what it will hold: the same checks as an existing organization's.
        Lookup::Missing if plan.create => {
            let blank = service.blank(plan).await;
            let diff = diff::diff(plan, &blank, true);
            let problems = blank
                .failures
                .iter()
                .map(|failure| failure.item())
                .chain(diff.problems.iter().map(diff::Problem::item))
                .collect();
            Planned {
                changes: diff.changes,
                ..unplanned(problems, ABSENT)
            }
        }
        Lookup::Missing => unplanned(
            vec![(
                Subject::find(&plan.label()),
                Outcome::Refused(Refusal::NoSuchOrganization),
            )],
            ABSENT,
        ),
        Lookup::Blocked(subject, outcome) => unplanned(vec![(subject, outcome)], "unread"),
    }
}

/// How an organization found by the name of a `create: true` plan differs from the one the plan
/// would create: its region, its type (created ones are MANAGED) or its manager (the key's
/// organization). `None` when it is that organization, or the plan does not create.
fn not_as_created(plan: &OrgPlan, org: &Organization, creator: Option<&str>) -> Option<String> {
    if !plan.create || plan.id.is_some() {
        return None;
    }
    let mut differs = Vec::new();
    let wanted = plan.region.clone().unwrap_or(scc_sdk::types::RegionCode::Nam);
    if let Some(region) = &org.region_code
        && *region != wanted
    {
        differs.push(format!("is in region {region}, not {wanted}"));
    }
    if let Some(kind) = &org.organization_type
        && *kind != scc_sdk::types::OrganizationType::Managed
    {
        differs.push(format!("is of type {kind}, not MANAGED"));
    }
    if let (Some(creator), Some(manager)) = (creator, org.manager_org_id())
        && creator != manager
    {
        differs.push(format!("is managed by {manager}, not by {creator}"));
    }
    (!differs.is_empty()).then(|| differs.join(", "))
}

/// The plan `apply` is asked to make, and how it was confirmed.
#[derive(Debug, Clone, Copy)]
pub enum Confirmed<'p> {
    /// `--yes`: whatever the state read under the lock gives.
    Ahead,
    /// Shown and answered: the changes read under the lock must be these.
    Shown(&'p Planned),
    /// A saved plan: the state read under the lock must be the one it was computed against.
    Saved(&'p Planned),
}

/// What applying did to one organization.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// The confirmed plan held: its changes were made (each outcome is in the report).
    Applied,
    /// The state now gives other changes than those shown: nothing was made; `now` is the new plan.
    Changed {
        /// The plan shown and confirmed.
        shown: Box<Planned>,
        /// The plan of the state now.
        now: Box<Planned>,
    },
    /// The state is not the one the saved plan was computed against: nothing was made.
    Stale {
        /// The plan saved.
        saved: Box<Planned>,
        /// The plan of the state (and the saved plan file) now.
        now: Box<Planned>,
    },
}

impl Verdict {
    /// What differs between the changes confirmed and those the state gives now (`now also: + …`);
    /// `None` when the confirmed changes were made.
    pub fn difference(&self) -> Option<Vec<String>> {
        match self {
            Verdict::Applied => None,
            Verdict::Changed { shown: was, now } | Verdict::Stale { saved: was, now } => Some(was.difference(now)),
        }
    }
}

/// One organization's apply: its outcomes and its verdict.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The organization's id, when it exists (or was created).
    pub org_id: Option<String>,
    /// What became of each change and read.
    pub outcomes: Outcomes,
    /// Whether the confirmed plan held.
    pub verdict: Verdict,
}

/// Applies one organization's confirmed plan (the caller holds its lock).
pub(crate) async fn apply(
    service: &impl Service,
    org_plan: &OrgPlan,
    confirmed: Confirmed<'_>,
    first: bool,
    recorder: &Recorder<'_>,
) -> Applied {
    let mut outcomes = Outcomes::default();
    // The state now; read again while a read fails for a passing reason.
    let mut rounds = 0;
    let now = loop {
        rounds += 1;
        let now = plan(service, org_plan, first && rounds == 1).await;
        if now.unread() && now.passing() && rounds < ROUNDS {
            continue;
        }
        break now;
    };
    let finish = |outcomes: Outcomes, org_id: Option<String>, verdict: Verdict| Applied {
        org_id,
        outcomes,
        verdict,
    };
    if now.unread() {
        // Part of the state could not be read: nothing may be concluded, nothing is made.
        outcomes.extend(now.problems.clone());
        return finish(outcomes, now.org_id.clone(), Verdict::Applied);
    }
    match confirmed {
        Confirmed::Shown(shown) if shown.org_id != now.org_id || !Change::same_list(&shown.changes, &now.changes) => {
            let org_id = now.org_id.clone();
            let verdict = Verdict::Changed {
                shown: Box::new(shown.clone()),
                now: Box::new(now.fingerprinted()),
            };
            return finish(outcomes, org_id, verdict);
        }
        // A saved plan holds until anything differs: the changes computed now from the plan file it
        // carries (an edited file gives others), or the state they are computed against.
        Confirmed::Saved(saved)
            if saved.org_id != now.org_id
                || !Change::same_list(&saved.changes, &now.changes)
                || saved.fingerprint != now.state_fingerprint() =>
        {
            let org_id = now.org_id.clone();
            let verdict = Verdict::Stale {
                saved: Box::new(saved.clone()),
                now: Box::new(now.fingerprinted()),
            };
            return finish(outcomes, org_id, verdict);
        }
        _ => {}
    }
    outcomes.extend(now.problems.clone());
    if now.org_id.is_none() && now.changes.is_empty() {
        // Not found and not to be created: the refusal is the report.
        return finish(outcomes, None, Verdict::Applied);
    }
    if let Some(id) = &now.org_id {
        recorder.organization(id);
    }
    // Exactly the changes confirmed (equal to those computed now, checked above): nothing else is made.
    let confirmed_changes = match confirmed {
        Confirmed::Shown(planned) | Confirmed::Saved(planned) => &planned.changes,
        Confirmed::Ahead => &now.changes,
    };
    let allowed: std::collections::HashSet<Change> = confirmed_changes.iter().map(Change::target).collect();
    let (mut org, mut first_seen) = match now.found {
        Some((org, seen)) => (Some(org), Some(seen)),
        None => (None, None),
    };
    let mut round = 1;
    loop {
        recorder.round(round);
        let next = round < ROUNDS;
        if org.is_none() {
            org = create(service, org_plan, &allowed, round, &mut outcomes, recorder).await;
            if org.is_none() {
                if next && outcomes.any_unsettled() {
                    round += 1;
                    continue;
                }
                break;
            }
        }
        let Some(current) = &org else { break };
        let seen = match first_seen.take() {
            Some(seen) => seen,
            None => {
                outcomes.forget_reads();
                service.observe(current, org_plan).await
            }
        };
        outcomes.extend(seen.failures.iter().map(|failure| failure.item()));
        let diff = diff::diff(org_plan, &seen, false);
        outcomes.extend(diff.problems.iter().map(diff::Problem::item));
        for change in settle(&mut outcomes, &seen, &diff) {
            recorder.settled(&change);
        }
        let mut to_make = Vec::new();
        for change in diff.changes {
            let subject = Subject::Change(change.target());
            if !allowed.contains(&change.target()) {
                // Appeared after the plan was confirmed: shown in the report, never made.
                if outcomes.get(&subject).is_none() {
                    recorder.finish(&change, Outcome::Skipped(Skip::NotConfirmed));
                }
                continue;
            }
            match outcomes.get(&subject) {
                None => to_make.push(change),
                Some(outcome) if outcome.unsettled() => to_make.push(change),
                Some(_) => {}
            }
        }
        if !to_make.is_empty() {
            if recorder.journal_broken() {
                for change in &to_make {
                    recorder.finish(change, Outcome::Skipped(Skip::JournalBroken));
                }
                outcomes.extend(recorder.take());
                break;
            }
            service.execute(current.id.as_str(), to_make, &seen, recorder).await;
        }
        outcomes.extend(recorder.take());
        if !(next && outcomes.any_unsettled()) {
            break;
        }
        round += 1;
    }
    finish(outcomes, org.map(|org| org.id.to_string()), Verdict::Applied)
}

/// Creates the organization, or finds the one an earlier round's create made (its answer lost).
async fn create(
    service: &impl Service,
    plan: &OrgPlan,
    allowed: &std::collections::HashSet<Change>,
    round: u32,
    outcomes: &mut Outcomes,
    recorder: &Recorder<'_>,
) -> Option<Organization> {
    let change = diff::create_org(plan);
    let subject = Subject::Change(change.target());
    if !allowed.contains(&change.target()) {
        return None;
    }
    if round > 1 {
        match service.find(plan, false).await {
            Lookup::Found(org) => {
                // An earlier create whose outcome was unknown: it was made.
                recorder.organization(org.id.as_str());
                outcomes.set(subject, Outcome::Done);
                recorder.settled(&change);
                return Some(org);
            }
            Lookup::Missing => {}
            Lookup::Blocked(read, outcome) => {
                outcomes.set(read, outcome);
                return None;
            }
        }
        if outcomes.get(&subject).is_some_and(|outcome| !outcome.unsettled()) {
            return None;
        }
    }
    if recorder.journal_broken() {
        recorder.finish(&change, Outcome::Skipped(Skip::JournalBroken));
        outcomes.extend(recorder.take());
        return None;
    }
    let made = service.create(plan, recorder).await;
    outcomes.extend(recorder.take());
    if let Some(org) = &made {
        recorder.organization(org.id.as_str());
    }
    made
}

/// Earlier outcomes left unsettled, against this round's reading: a change the diff no longer
/// holds was made (reported done), but only when this round could read its part; one the diff still
/// holds is made again by this round.
fn settle(outcomes: &mut Outcomes, seen: &Observation, diff: &diff::Diff) -> Vec<Change> {
    let mut blind: std::collections::HashSet<Section> = seen.failures.iter().map(|failure| failure.section).collect();
    // Members and role holders are read through the group and user lists.
    if blind.contains(&Section::Groups) {
        blind.extend([Section::Members, Section::Roles]);
    }
    if blind.contains(&Section::Users) {
        blind.insert(Section::Roles);
    }
    let pending: std::collections::HashSet<Change> = diff.changes.iter().map(Change::target).collect();
    let mut settled = Vec::new();
    for (subject, outcome) in outcomes.iter_mut() {
        let Subject::Change(change) = subject else { continue };
        if !outcome.unsettled() || blind.contains(&change.section()) || pending.contains(change) {
            continue;
        }
        *outcome = Outcome::Done;
        settled.push(change.clone());
    }
    settled
}

#[cfg(test)]
mod tests;
