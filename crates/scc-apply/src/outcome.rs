//! What became of a change (or of a read): typed values that the rounds fold, keyed by the change
//! itself, and that the report and the journal render at the end.

use scc_sdk::Error;

use crate::diff::{Change, Problem};
use crate::observe::{ReadFailure, Section};

/// What one line of a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A change to the organization.
    Change(Change),
    /// Finding the organization, or reading a part of it.
    Read {
        /// What was read: `organization Acme`, `users`.
        object: String,
        /// How: `find`, `list`, `lock`.
        action: &'static str,
        /// The part of the organization it concerns.
        section: Section,
    },
}

impl Subject {
    pub(crate) fn find(org: &str) -> Self {
        Self::Read {
            object: format!("organization {org}"),
            action: "find",
            section: Section::Organization,
        }
    }

    /// What the report names: `user ana@…`, `organization Acme`.
    pub fn object(&self) -> String {
        match self {
            Self::Change(change) => change.object(),
            Self::Read { object, .. } => object.clone(),
        }
    }

    /// What is done to it: `invite`, `find`, …
    pub fn action(&self) -> &'static str {
        match self {
            Self::Change(change) => change.action(),
            Self::Read { action, .. } => action,
        }
    }

    /// `+`, `~` or `-` for a change; none for a read.
    pub fn sign(&self) -> Option<char> {
        match self {
            Self::Change(change) => Some(change.sign().symbol()),
            Self::Read { .. } => None,
        }
    }

    /// The change, when this is one.
    pub fn change(&self) -> Option<&Change> {
        match self {
            Self::Change(change) => Some(change),
            Self::Read { .. } => None,
        }
    }
}

/// A request that failed, as the report and the journal need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The SDK's error kind, e.g. `NotFound`.
    pub kind: String,
    /// The error as the SDK words it.
    pub message: String,
    /// The service's tracking id of the request, for support.
    pub tracking_id: Option<String>,
    /// Another round may fix it (a passing failure, or a read of unknown result).
    pub passing: bool,
}

/// Why a change was not made although its request (if any) was answered, or why it was never sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Several organizations have the plan's name; `created` is the one this run made, if it did.
    DuplicateOrganizations {
        /// The ids of the organizations of that name.
        ids: Vec<String>,
        /// The one this run created, if it did.
        created: Option<String>,
    },
    /// No organization has the plan's name, and the plan does not create it.
    NoSuchOrganization,
    /// The claim code is used, and not by this organization (the service's words).
    ClaimedElsewhere(String),
    /// The plan names a role the organization does not have.
    NoSuchRole {
        /// The product the plan names.
        product: String,
        /// The role the plan names.
        role: String,
    },
    /// The plan names a group that the organization's manager shares into it.
    SharedGroup(String),
    /// Read before sending: the service would refuse it (a member who is no user, a claim code held
    /// elsewhere). Never sent.
    WillFail(Place, String),
    /// The service refused this item of a bulk request, or answered in a way that rules it out.
    Service(String),
    /// `create: true`, and the organization of that name is not the one the plan would create
    /// (another region, type or manager): it is not adopted.
    NotAsCreated {
        /// The id of the organization of that name.
        id: String,
        /// How it differs: `is in region EMEA, not APJC`.
        differs: String,
    },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::DuplicateOrganizations { ids, created } => {
                if let Some(created) = created {
                    write!(f, "created {created}, but ")?;
                }
                write!(
                    f,
                    "{} organizations have this name ({}): another run may have created one at the same time; \
                     keep one, remove the others in Security Cloud Control, then apply again",
                    ids.len(),
                    ids.join(", ")
                )
            }
            Self::NoSuchOrganization => f.write_str("no organization has this name (set `create: true` to create it)"),
            Self::ClaimedElsewhere(service_says) => write!(f, "{service_says}: not by this organization"),
            Self::NoSuchRole { product, role } => write!(f, "no role {role:?} for product {product:?}"),
            Self::SharedGroup(name) => write!(
                f,
                "group {name:?} is shared into this organization by its manager: only the manager changes it \
                 (give the plan's group another name)"
            ),
            Self::WillFail(place, why) => write!(f, "will fail: {place}{why}"),
            Self::Service(reason) => f.write_str(reason),
            Self::NotAsCreated { id, differs } => write!(
                f,
                "organization {id} has this name but {differs}: `create: true` adopts only the organization it would \
                 create (give the plan's organization another name, or make the plan say what it is)"
            ),
        }
    }
}

/// Where in the plan file a problem is: its file and line once the report knows them, the
/// organization's place, and the path within the organization (`groups[0].members[2]`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    /// `customers.yaml:12` (or the file alone when the line cannot be told).
    pub file: Option<String>,
    /// The organization's place in the plan file (`organizations[2]`).
    pub organization: Option<usize>,
    /// The path within the organization: `groups[0].members[2]`.
    pub path: Option<String>,
    /// The value at that place, by which its line is found.
    pub value: String,
}

impl Place {
    /// A place known by its value only (its path in the plan is not kept).
    pub(crate) fn of(value: &str) -> Self {
        Self {
            value: value.to_owned(),
            ..Self::default()
        }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        match (self.organization, &self.path) {
            (Some(index), Some(path)) => write!(f, "organizations[{index}].{path} "),
            (None, Some(path)) => write!(f, "{path} "),
            (_, None) => Ok(()),
        }
    }
}

/// Why a change was not tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// What it needs (its group, its user) is missing because that change failed.
    Dependency(&'static str),
    /// It appeared after the plan was confirmed (the state changed while applying): never made
    /// unless it is shown first.
    NotConfirmed,
    /// The change journal cannot be written: no change is made that it would not record.
    JournalBroken,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Dependency(why) => f.write_str(why),
            Self::NotConfirmed => f.write_str(
                "not in the confirmed plan: the state changed while applying; `scc plan` shows it, apply again to make it",
            ),
            Self::JournalBroken => f.write_str("not made: the change journal cannot be written"),
        }
    }
}

/// An outcome as the report and the journal name it (`ok`, `failed`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// In a plan: to be made.
    Planned,
    /// Made.
    Ok,
    /// Tried and failed, or refused.
    Failed,
    /// Sent, and its answer lost: it may have been made.
    Unknown,
    /// Not tried.
    Skipped,
}

impl Status {
    #[cfg(test)]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
            Self::Skipped => "skipped",
        }
    }
}

/// What became of one subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// In a plan: to be made.
    Planned,
    /// Made (or found made).
    Done,
    /// Tried, and the service refused it or it could not be sent.
    Failed(Failure),
    /// A write whose answer was lost (it may have been applied) and that reading back could not
    /// settle; the reason says why.
    Unknown(String),
    /// Refused before sending: no change can make it, or the service would refuse it.
    Refused(Refusal),
    /// Not tried, and why.
    Skipped(Skip),
}

impl Outcome {
    /// The outcome of a request that failed. A write the service may have received without
    /// answering is unknown, never failed: it may have been applied.
    pub(crate) fn of_error(error: &Error, write: bool) -> Self {
        let refused = error.status().is_some_and(|status| (400..500).contains(&status));
        let lost = error.may_have_reached_server() && !refused;
        if lost && write && error.was_write() {
            return Self::Unknown(error.to_string());
        }
        Self::Failed(Failure {
            kind: format!("{:?}", error.kind()),
            message: error.to_string(),
            tracking_id: error.tracking_id().map(str::to_owned),
            passing: error.is_retryable() || lost,
        })
    }

    /// Another round may change it: an unknown write, a passing failure, a change whose
    /// dependency failed.
    pub(crate) fn unsettled(&self) -> bool {
        match self {
            Self::Unknown(_) | Self::Skipped(Skip::Dependency(_)) => true,
            Self::Failed(failure) => failure.passing,
            _ => false,
        }
    }

    /// What the report and the journal call it.
    pub fn status(&self) -> Status {
        match self {
            Self::Planned => Status::Planned,
            Self::Done => Status::Ok,
            Self::Failed(_) | Self::Refused(_) => Status::Failed,
            Self::Unknown(_) => Status::Unknown,
            Self::Skipped(_) => Status::Skipped,
        }
    }

    /// Why it is not done, in words.
    pub fn reason(&self) -> Option<String> {
        match self {
            Self::Planned | Self::Done => None,
            Self::Failed(failure) => Some(failure.message.clone()),
            Self::Unknown(why) => Some(why.clone()),
            Self::Refused(refusal) => Some(refusal.to_string()),
            Self::Skipped(skip) => Some(skip.to_string()),
        }
    }

    /// The service's tracking id of the request, when one was answered.
    pub fn tracking_id(&self) -> Option<&str> {
        match self {
            Self::Failed(failure) => failure.tracking_id.as_deref(),
            _ => None,
        }
    }
}

impl ReadFailure {
    /// The report line of a read that failed.
    pub(crate) fn item(&self) -> (Subject, Outcome) {
        (
            Subject::Read {
                object: self.object.clone(),
                action: self.action,
                section: self.section,
            },
            Outcome::of_error(&self.error, false),
        )
    }
}

impl Problem {
    /// The report line of what the plan asks for and the state rules out.
    pub(crate) fn item(&self) -> (Subject, Outcome) {
        // A value at a place of the organization's plan that will fail, and why.
        let at_place = |at: &str, value: &str, why: String| {
            Refusal::WillFail(
                Place {
                    path: Some(at.to_owned()),
                    ..Place::of(value)
                },
                why,
            )
        };
        let (object, section, refusal) = match self {
            Problem::NoSuchRole { product, role } => (
                format!("role {product} / {role}"),
                Section::Roles,
                Refusal::NoSuchRole {
                    product: product.clone(),
                    role: role.clone(),
                },
            ),
            Problem::NotAUser { at, email } => (
                format!("user {email}"),
                Section::Users,
                at_place(
                    at,
                    email,
                    "is not a user of the organization, and the plan does not invite them (add them to `users`)".into(),
                ),
            ),
            Problem::NotManaged { at, name, ids } => (
                format!("organization {name}"),
                Section::Shares,
                at_place(
                    at,
                    name,
                    if ids.is_empty() {
                        "is not an organization this one manages, nor one this plan creates (a group is shared only into those)".into()
                    } else {
                        format!(
                            "names {} organizations this one manages ({}); give the one meant by id",
                            ids.len(),
                            ids.join(", ")
                        )
                    },
                ),
            ),
            Problem::SharedGroup(name) => (
                format!("group {name}"),
                Section::Groups,
                Refusal::SharedGroup(name.clone()),
            ),
        };
        (
            Subject::Read {
                object,
                action: "find",
                section,
            },
            Outcome::Refused(refusal),
        )
    }
}

/// Everything that became of one organization's subjects, in the order they first happened; a
/// later outcome of the same subject replaces the earlier one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcomes {
    items: Vec<(Subject, Outcome)>,
}

impl Outcomes {
    pub(crate) fn set(&mut self, subject: Subject, outcome: Outcome) {
        match self.items.iter_mut().find(|(seen, _)| *seen == subject) {
            Some((_, existing)) => *existing = outcome,
            None => self.items.push((subject, outcome)),
        }
    }

    pub(crate) fn extend(&mut self, items: impl IntoIterator<Item = (Subject, Outcome)>) {
        for (subject, outcome) in items {
            self.set(subject, outcome);
        }
    }

    pub(crate) fn get(&self, subject: &Subject) -> Option<&Outcome> {
        self.items
            .iter()
            .find(|(seen, _)| seen == subject)
            .map(|(_, outcome)| outcome)
    }

    /// Drops the reads: each round reads again and reports its own failures.
    pub(crate) fn forget_reads(&mut self) {
        self.items.retain(|(subject, _)| subject.change().is_some());
    }

    pub(crate) fn any_unsettled(&self) -> bool {
        self.items.iter().any(|(_, outcome)| outcome.unsettled())
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &(Subject, Outcome)> {
        self.items.iter()
    }

    /// Each change and read with its outcome, in the order they were recorded.
    pub fn into_items(self) -> Vec<(Subject, Outcome)> {
        self.items
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut (Subject, Outcome)> {
        self.items.iter_mut()
    }
}
