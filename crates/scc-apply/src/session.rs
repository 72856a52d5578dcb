//! A run of the engine against the service: every organization of a plan file planned, or its
//! confirmed plans applied, `concurrency` at a time, each apply under its organization's lock. What a
//! person sees of it (progress, lock waits) and when it stops (Ctrl-C) come from the face through
//! [`Events`].

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use futures_util::StreamExt;
use scc_sdk::Client;
use scc_sdk::types::Organization;

use crate::Error;
use crate::diff::Change;
use crate::engine::{self, Applied, Confirmed, Lookup, Planned, Verdict};
use crate::execute;
use crate::ledger::{Ledger, Recorder};
use crate::observe::{self, Directory, Managers, Observation, Scope};
use crate::outcome::{self, Outcome, Refusal, Subject};
use crate::spec::{OrgPlan, PlanFile, name_key};

/// What the engine says while it works, and the face's way to stop it. Every method has a default
/// that does nothing (and never stops), so a face implements what it shows.
pub trait Events: Sync {
    /// Work on `total` organizations starts: `reading` (a plan) or `applying`.
    fn start(&self, _phase: &'static str, _total: usize) {}
    /// One organization is done; for an apply, with this many changes made or tried.
    fn org_done(&self, _org: &str, _changes: Option<usize>) {}
    /// The phase ended, or was stopped.
    fn finish(&self) {}
    /// Another run holds the lock file `path`, which organization `org` shares: this one waits.
    fn waiting_for_lock(&self, _org: &str, _path: &Path) {}
    /// Ends when the run should stop (Ctrl-C, SIGTERM): what was done is then reported, the writes
    /// in flight as unknown.
    fn stop(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(std::future::pending())
    }
}

/// Whether the plan shares a group into one of the organizations the file creates (`created`).
fn shares_into_created(org: &OrgPlan, created: &[String]) -> bool {
    org.groups
        .iter()
        .flat_map(|group| &group.managed_orgs)
        .any(|named| created.iter().any(|name| name_key(name) == name_key(named)))
}

/// Events shown nowhere, and no stop.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Events for Silent {}

/// After a stop while applying: each organization's changes done, failed and unknown (a write
/// sent and not answered may have been made).
pub type Interrupted = Vec<(String, Vec<(Subject, Outcome)>)>;

struct Live<'a> {
    client: &'a Client,
    directory: Option<&'a Directory>,
    managers: &'a Managers,
    /// The key's organization: the manager of those `create: true` makes.
    creator: Option<&'a str>,
    /// A new organization as it will be (read once per run).
    blank: &'a tokio::sync::OnceCell<std::sync::Arc<Observation>>,
    /// The names of the organizations the plan creates (`create: true`): the key's organization will
    /// manage them, so its groups may be shared into them in the same run.
    created: Vec<String>,
}

impl crate::engine::Service for Live<'_> {
    /// By id, or by name (trimmed, any case) among those the token reaches: from the run's listing
    /// when `first` allows it, by one filtered request otherwise.
    async fn find(&self, plan: &OrgPlan, first: bool) -> Lookup {
        if let Some(id) = &plan.id {
            return match self.client.organizations().get(id.trim()).await {
                Ok(org) => Lookup::Found(org),
                Err(error) => Lookup::Blocked(Subject::find(id), Outcome::of_error(&error, false)),
            };
        }
        let name = plan.label();
        let matches: Vec<Organization> = match self.directory.filter(|_| first) {
            Some(directory) => directory.named(&name).to_vec(),
            None => match observe::orgs_named(self.client, &name).await {
                Ok(found) => found,
                Err(error) => return Lookup::Blocked(Subject::find(&name), Outcome::of_error(&error, false)),
            },
        };
        match <[Organization; 1]>::try_from(matches) {
            Ok([org]) => Lookup::Found(org),
            Err(matches) if matches.is_empty() => Lookup::Missing,
            Err(matches) => Lookup::Blocked(
                Subject::find(&name),
                Outcome::Refused(Refusal::DuplicateOrganizations {
                    ids: matches.iter().map(|org| org.id.to_string()).collect(),
                    created: None,
                }),
            ),
        }
    }

    /// As read; the key's organization also manages, by name, those the plan creates that do not
    /// exist yet (a share into one is made once it does: [`Session::apply`] runs such plans last).
    async fn observe(&self, org: &Organization, plan: &OrgPlan) -> Observation {
        let mut seen = observe::observe(self.client, org, self.managers, Scope::Plan(plan)).await;
        if self.creator == Some(org.id.as_str())
            && let Some(managed) = &mut seen.managed
        {
            for name in &self.created {
                if !managed.iter().any(|known| name_key(&known.name) == name_key(name)) {
                    managed.push(observe::ManagedOrg {
                        id: String::new(),
                        name: name.clone(),
                    });
                }
            }
        }
        seen
    }

    /// Empty, with the built-in roles of the key's organization (the manager of a new one): the
    /// platform gives every organization the same STATIC and BUNDLED roles, and custom roles are an
    /// organization's own (docs/decisions.md, "A new organization's plan"). Without a known manager
    /// the roles are not checked before it exists.
    async fn blank(&self, plan: &OrgPlan) -> std::sync::Arc<Observation> {
        let (Some(creator), false) = (self.creator, plan.desired_roles().is_empty()) else {
            return std::sync::Arc::new(Observation::empty());
        };
        // One reading for the run, shared by every new organization's plan (never a copy each).
        self.blank
            .get_or_init(|| async {
                let mut blank = Observation::empty();
                match self.client.roles().list(creator).send().await {
                    Ok(page) => {
                        let built_in = page
                            .items
                            .into_iter()
                            .filter(|role| role.role_type != Some(scc_sdk::types::RoleType::Custom));
                        blank.roles = Some(built_in.collect());
                    }
                    Err(error) => blank.failures.push(observe::failure(
                        "roles of a new organization",
                        "list",
                        observe::Section::Roles,
                        error,
                    )),
                }
                std::sync::Arc::new(blank)
            })
            .await
            .clone()
    }

    fn creator(&self) -> Option<&str> {
        self.creator
    }

    async fn create(&self, plan: &OrgPlan, recorder: &Recorder<'_>) -> Option<Organization> {
        execute::create_org(self.client, plan, recorder).await
    }

    /// A claim code the service calls used: it will fail, unless this organization holds it, which
    /// is only known when the service names the codes of subscriptions.
    async fn will_fail(&self, org: &str, changes: &[Change], seen: &Observation) -> Vec<(Change, Refusal)> {
        if seen.has_subscriptions && !seen.subscriptions_name_codes {
            return Vec::new();
        }
        let claims = changes.iter().filter_map(|change| match change {
            Change::Claim { code, .. } => Some((change, code)),
            _ => None,
        });
        let mut refused = Vec::new();
        for (change, code) in claims {
            if let Err(error) = self.client.subscriptions().read_claim_code(org, code.as_str()).await
                && error.is_conflict()
            {
                let service_says = error
                    .as_api_error()
                    .map_or_else(|| error.to_string(), |api| api.message.clone());
                refused.push((
                    change.clone(),
                    Refusal::WillFail(
                        crate::outcome::Place::of(code),
                        format!("{service_says}: not by this organization"),
                    ),
                ));
            }
        }
        refused
    }

    async fn execute(&self, org: &str, changes: Vec<Change>, seen: &Observation, recorder: &Recorder<'_>) {
        execute::execute(self.client, recorder, org, changes, seen).await;
    }
}

/// Where and as whom the engine works.
pub struct Session<'a> {
    client: &'a Client,
    /// The service's base URL, as lock files and saved plans name it.
    service: String,
    locks_dir: PathBuf,
    concurrency: usize,
    events: &'a dyn Events,
    managers: Managers,
    blank: tokio::sync::OnceCell<std::sync::Arc<Observation>>,
    /// The key's organization ([`Client::key_org`]), read once: the manager of those `create: true`
    /// makes. Without one, a new organization's roles are checked only once it exists.
    creator: tokio::sync::OnceCell<Option<String>>,
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("service", &scc_sdk::config::redacted(&self.service))
            .field("locks_dir", &self.locks_dir)
            .field("concurrency", &self.concurrency)
            .field("creator", &self.creator.get())
            .finish_non_exhaustive()
    }
}

impl<'a> Session<'a> {
    /// A session of `client` against the service at `service` (its base URL), taking the lock files
    /// in `locks_dir`.
    pub fn new(client: &'a Client, service: impl Into<String>, locks_dir: impl Into<PathBuf>) -> Self {
        Self {
            client,
            service: service.into(),
            locks_dir: locks_dir.into(),
            concurrency: 4,
            events: &Silent,
            managers: Managers::default(),
            blank: tokio::sync::OnceCell::new(),
            creator: tokio::sync::OnceCell::new(),
        }
    }

    /// Organizations worked on at once (at least 1; default 4).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Refuses a key whose token says it only reads: every write of an apply would be refused.
    pub async fn may_write(&self) -> Result<(), Error> {
        match self.client.key_scope().await {
            Some(scope) if !scope.may_write() => Err(Error::ReadOnlyKey {
                scope: scope.as_str().to_owned(),
            }),
            _ => Ok(()),
        }
    }

    /// Where progress and lock waits go, and what stops the run.
    pub fn events(mut self, events: &'a dyn Events) -> Self {
        self.events = events;
        self
    }

    /// The service's base URL.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Organizations named in the plan are found in one listing of those the token reaches.
    async fn directory(&self, file: &PlanFile) -> Result<Option<Directory>, Error> {
        if file.organizations.iter().any(|org| org.id.is_none()) {
            match Directory::read(self.client).await {
                Ok(directory) => Ok(Some(directory)),
                Err(error) => Err(Error::Read {
                    context: "listing the organizations".into(),
                    error: std::sync::Arc::new(error),
                }),
            }
        } else {
            Ok(None)
        }
    }

    fn live<'s>(&'s self, directory: Option<&'s Directory>, file: &PlanFile) -> Live<'s> {
        Live {
            client: self.client,
            directory,
            managers: &self.managers,
            creator: self.creator.get().and_then(Option::as_deref),
            blank: &self.blank,
            created: file
                .organizations
                .iter()
                .filter(|org| org.create && org.id.is_none())
                .map(OrgPlan::label)
                .collect(),
        }
    }

    /// The key's organization, read once.
    async fn know_creator(&self) {
        self.creator.get_or_init(|| self.client.key_org()).await;
    }

    /// A plan pinned to a tenant (`tenant:`) is for the keys of that organization only.
    fn check_tenant(&self, file: &PlanFile) -> Result<(), Error> {
        let Some(tenant) = file.tenant.as_deref().map(str::trim) else {
            return Ok(());
        };
        match self.creator.get().and_then(Option::as_deref) {
            Some(key_org) if key_org == tenant => Ok(()),
            Some(key_org) => Err(Error::input(
                format!(
                    "the plan is for tenant {tenant}, and the API key in use belongs to {key_org}: nothing was read"
                ),
                "use the profile (or credentials) of that tenant, or change the plan's `tenant:`",
            )),
            None => Err(Error::input(
                format!("the plan is for tenant {tenant}, and the token in use does not say its organization"),
                "set SCC_ORG_ID (or the profile's org_id) to the key's organization",
            )),
        }
    }

    /// Every organization's plan, in the file's order; writes nothing. `None` when stopped.
    pub async fn plan(&self, file: &PlanFile) -> Result<Option<Vec<Planned>>, Error> {
        self.know_creator().await;
        self.check_tenant(file)?;
        let directory = self.directory(file).await?;
        let live = self.live(directory.as_ref(), file);
        self.events.start("reading", file.organizations.len());
        let work = futures_util::stream::iter(file.organizations.iter().enumerate())
            .map(|(index, org)| {
                let live = &live;
                // The state read is not kept: only its fingerprint, for a saved plan.
                async move { (index, engine::plan(live, org, true).await.fingerprinted()) }
            })
            .buffer_unordered(self.concurrency)
            .inspect(|(index, _)| self.events.org_done(&file.organizations[*index].label(), None))
            .collect::<Vec<(usize, Planned)>>();
        let Some(plans) = self.in_order_unless_stopped(work).await else {
            return Ok(None);
        };
        Ok(Some(plans.into_iter().map(|(_, planned)| planned).collect()))
    }

    /// Applies a change set whole, as `scc apply` of a saved plan does: every organization of `file`
    /// with its plan in `plans` (each re-read under its lock, nothing made where the changes now
    /// differ), every change journaled to `journal` (when given) for `actor`. Answers the outcomes and
    /// why the journal broke, if it did.
    pub async fn apply_saved(
        &self,
        file: &PlanFile,
        plans: &[Planned],
        actor: crate::ledger::Actor,
        journal: Option<&Path>,
    ) -> Result<(Result<Vec<(usize, Applied)>, Interrupted>, Option<String>), Error> {
        let labels = file.organizations.iter().map(OrgPlan::label).collect();
        let ledger = Ledger::new(labels, actor, journal).map_err(|error| Error::Input {
            message: format!("cannot open the change journal: {error}"),
            hint: "check the journal's path (or SCC_JOURNAL, or the profile's journal); nothing was changed".into(),
        })?;
        let work = plans
            .iter()
            .enumerate()
            .map(|(index, planned)| (index, Confirmed::Saved(planned)))
            .collect();
        let applied = self.apply(file, work, &ledger).await?;
        Ok((applied, ledger.journal_broken()))
    }

    /// Applies the confirmed plans of the organizations of `file` at these indices, each under its
    /// lock, recording every change in `ledger`. `Err(Interrupted)` when stopped: what the ledger
    /// knows of each organization.
    pub async fn apply<'c>(
        &self,
        file: &PlanFile,
        work: Vec<(usize, Confirmed<'c>)>,
        ledger: &Ledger,
    ) -> Result<Result<Vec<(usize, Applied)>, Interrupted>, Error> {
        self.may_write().await?;
        self.know_creator().await;
        self.check_tenant(file)?;
        let orgs = &file.organizations;
        let (locks_dir, service) = (&self.locks_dir, &self.service);
        self.events.start("applying", work.len());
        // The lock files' turns are read before the listing: a turn taken after it says the listing
        // may be out of date for that organization.
        let turns = crate::lock::Turns::read(locks_dir, service, orgs);
        let directory = self.directory(file).await?;
        let live = self.live(directory.as_ref(), file);
        // A plan sharing a group into an organization this run creates runs once the others are done
        // (the organization then exists), with who manages what read again.
        let (first_wave, last_wave): (Vec<_>, Vec<_>) = work
            .into_iter()
            .partition(|(index, _)| !shares_into_created(&orgs[*index], &live.created));
        let wave = |work: Vec<(usize, Confirmed<'c>)>| {
            futures_util::stream::iter(work)
                .map(|(index, confirmed)| {
                    let (live, turns) = (&live, &turns);
                    let org = &orgs[index];
                    async move {
                        let recorder = ledger.recorder(index);
                        // One run at a time per organization on this machine: a second waits for the first.
                        let mut applied = match crate::lock::acquire(locks_dir, service, org, turns, self.events).await
                        {
                            // Another run held the lock since the listing: the listing is out of date for it.
                            Ok((_lock, held_by_another)) => {
                                engine::apply(live, org, confirmed, !held_by_another, &recorder).await
                            }
                            Err(error) => {
                                let (subject, outcome) = crate::lock::refused(org, &error);
                                let mut outcomes = outcome::Outcomes::default();
                                outcomes.set(subject, outcome);
                                Applied {
                                    org_id: None,
                                    outcomes,
                                    verdict: Verdict::Applied,
                                }
                            }
                        };
                        let changes = applied
                            .outcomes
                            .iter()
                            .filter(|(subject, _)| subject.sign().is_some())
                            .count();
                        // The outcomes wait in the ledger (an interrupt reports them from there).
                        ledger.done(index, std::mem::take(&mut applied.outcomes));
                        (index, changes, applied)
                    }
                })
                .buffer_unordered(self.concurrency)
                .map(|(index, changes, applied)| {
                    self.events.org_done(&orgs[index].label(), Some(changes));
                    (index, applied)
                })
                .collect::<Vec<(usize, Applied)>>()
        };
        let tasks = async {
            let mut applied = wave(first_wave).await;
            if !last_wave.is_empty() {
                self.managers.forget_managed().await;
                applied.extend(wave(last_wave).await);
            }
            applied
        };
        let Some(mut applied) = self.in_order_unless_stopped(tasks).await else {
            return Ok(Err(ledger.interrupted()));
        };
        for (index, applied) in &mut applied {
            applied.outcomes = ledger.take_done(*index);
        }
        Ok(Ok(applied))
    }

    /// The results of `work`, one per organization index, in the plan's order; `None` when the face
    /// asked to stop first. The face hears the phase finish either way.
    async fn in_order_unless_stopped<T>(&self, work: impl Future<Output = Vec<(usize, T)>>) -> Option<Vec<(usize, T)>> {
        let finished = tokio::select! {
            results = work => Some(results),
            () = self.events.stop() => None,
        };
        self.events.finish();
        let mut results = finished?;
        results.sort_by_key(|(index, _)| *index);
        Some(results)
    }
}
