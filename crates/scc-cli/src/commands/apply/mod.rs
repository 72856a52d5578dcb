//! `scc plan FILE` and `scc apply FILE`: declarative, idempotent onboarding of many organizations.
//! The plan shown is the plan made: `scc apply` confirms a plan value and makes it only where the
//! state still gives it (see `engine`); `scc plan --out` saves one for `scc apply PLAN`.

mod diff;
mod engine;
mod execute;
pub(crate) mod export;
mod ledger;
mod lock;
mod observe;
mod outcome;
pub(crate) mod plan;
mod report;
mod saved;

pub(crate) use lock::fnv1a;

use futures_util::StreamExt;
use scc_sdk::Client;
use scc_sdk::types::Organization;
use serde_json::{Value, json};

use super::Ctx;
use crate::cli::{ApplyArgs, Format};
use crate::failure::{CliError, Code};
use diff::Change;
use engine::{Applied, Confirmed, Lookup, Planned, Verdict};
use ledger::{Actor, Ledger, Recorder};
use observe::{Directory, Managers, Observation, Scope};
use outcome::{Outcome, Refusal, Status, Subject};
use plan::{OrgPlan, PlanFile};
use report::OrgReport;

/// The service as the engine sees it: the SDK's client, the run's listing of organizations and its
/// knowledge of shared groups.
struct Live<'a> {
    client: &'a Client,
    directory: Option<&'a Directory>,
    managers: &'a Managers,
    /// The key's organization: the manager of those `create: true` makes.
    creator: Option<&'a str>,
    /// A new organization as it will be (read once per run).
    blank: &'a tokio::sync::OnceCell<Observation>,
}

impl engine::Service for Live<'_> {
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

    async fn observe(&self, org: &Organization, plan: &OrgPlan) -> Observation {
        observe::observe(self.client, org, self.managers, Scope::Plan(plan)).await
    }

    /// Empty, with the built-in roles of the key's organization (the manager of a new one): the
    /// platform gives every organization the same STATIC and BUNDLED roles, and custom roles are an
    /// organization's own (docs/decisions.md, "A new organization's plan"). Without a known manager
    /// the roles are not checked before it exists.
    async fn blank(&self, plan: &OrgPlan) -> Observation {
        let (Some(creator), false) = (self.creator, plan.desired_roles().is_empty()) else {
            return Observation::empty();
        };
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
                blank
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
                        outcome::Place::of(code),
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

pub(crate) async fn run(ctx: &Ctx, args: ApplyArgs, plan_only: bool) -> Result<Code, CliError> {
    let (mut file, digest, mut saved) = match saved::read(&args.file)? {
        saved::Source::Plan(file, digest) => (file, digest, None),
        saved::Source::Saved(saved) => (saved.plan_file(), String::new(), Some(saved)),
    };
    let problems = plan::validate(&file);
    if !problems.is_empty() {
        return Err(plan::problems_error(&args.file, &problems));
    }
    // `--org` on the command line: only those organizations of the file are read, shown and changed.
    let selected = file.select(&ctx.global.org).map_err(|unmatched| {
        let known: Vec<String> = file.organizations.iter().map(OrgPlan::label).collect();
        CliError::usage(
            format!(
                "--org {}: no organization of {} has this name or id",
                unmatched
                    .iter()
                    .map(|name| format!("{:?}", crate::output::shown(name)))
                    .collect::<Vec<_>>()
                    .join(", "),
                args.file.display()
            ),
            &format!(
                "the file's organizations: {}",
                known
                    .iter()
                    .map(|name| crate::output::shown(name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    if selected.len() < file.organizations.len() {
        let keep = |index: &usize| selected.contains(index);
        file.organizations = std::mem::take(&mut file.organizations)
            .into_iter()
            .enumerate()
            .filter(|(index, _)| keep(index))
            .map(|(_, org)| org)
            .collect();
        if let Some(saved) = &mut saved {
            saved.organizations = std::mem::take(&mut saved.organizations)
                .into_iter()
                .enumerate()
                .filter(|(index, _)| keep(index))
                .map(|(_, org)| org)
                .collect();
        }
    }
    if plan_only && args.journal.is_some() {
        return Err(CliError::usage(
            "--journal records the changes `scc apply` makes; `scc plan` makes none".into(),
            "scc apply FILE --journal PATH",
        ));
    }
    if args.out.is_some() && (!plan_only || saved.is_some()) {
        return Err(CliError::usage(
            "--out saves the plan `scc plan` computes from a plan file".into(),
            "scc plan FILE --out PLAN, then scc apply PLAN",
        ));
    }
    let mut builder = ctx.settings.client_builder(&ctx.global, false)?;
    if let Some(rate) = args.rate_limit {
        builder = builder.rate_limit(scc_sdk::RateLimit::new(rate, (rate.ceil() as u32).max(1)));
    }
    let client = builder.build()?;
    let service = ctx.settings.base_url.value.clone();
    if let Some(saved) = &saved {
        saved.check(&args.file, &service)?;
    }
    let run = Run {
        ctx,
        client: &client,
        file: &file,
        concurrency: args.concurrency.max(1),
        managers: Managers::default(),
        creator: ctx.settings.key_org(),
        blank: tokio::sync::OnceCell::new(),
    };
    if plan_only || ctx.global.dry_run {
        let plans = match &saved {
            // A saved plan shows what it holds (`scc apply` checks it against the state).
            Some(saved) => saved.organizations.iter().map(|org| org.planned.clone()).collect(),
            None => match run.plan_all().await? {
                Some(plans) => plans,
                None => return Ok(Code::Interrupted),
            },
        };
        let code = print_plan(ctx, &args.file, &selected, &file, &plans);
        if let Some(out) = &args.out {
            if code != Code::Ok {
                return Err(CliError::new(
                    Code::Partial,
                    format!("the plan has problems (listed above): not saved to {}", out.display()),
                    Some("fix them, then plan again".into()),
                ));
            }
            saved::write(out, &save(&args.file, &digest, &service, &file, &plans))?;
            ctx.ui.note(&format!(
                "Saved the plan to {0}: `scc apply {0}` makes exactly these changes, or refuses where the state changed since.",
                out.display()
            ));
        }
        let changes = plans.iter().any(|planned| !planned.changes.is_empty());
        // As terraform's, with a code of its own: 0 nothing to change, 10 changes to make; problems and
        // errors keep theirs.
        return Ok(if args.detailed_exitcode && code == Code::Ok && changes {
            Code::ChangesPending
        } else {
            code
        });
    }
    // A key its token says is read-only would meet a refusal at every write: refused before the first.
    if let Some(scope) = ctx.settings.key_scope().filter(|scope| !scope.may_write()) {
        return Err(CliError::auth(
            format!(
                "the API key is read-only (its scope is {}): scc apply would be refused at every change; nothing was changed",
                crate::output::shown(scope.as_str())
            ),
            "apply with a key of the Organization Administrator role (`scc whoami` shows a key's scope); `scc plan` works with this one",
        ));
    }
    if args.detailed_exitcode {
        return Err(CliError::usage(
            "--detailed-exitcode is for `scc plan` (apply's exit code already says what happened)".into(),
            "scc plan FILE --detailed-exitcode",
        ));
    }
    // Without a terminal to ask on, nothing is done unless confirmed ahead.
    if saved.is_none() && !ctx.global.yes && !ctx.ui.can_ask() {
        return Err(CliError::usage(
            "scc apply changes organizations and there is no terminal to confirm on".into(),
            "pass --yes to confirm; `scc plan FILE` shows the changes first, `scc plan FILE --out PLAN` saves them for `scc apply PLAN`",
        ));
    }
    let journal = args.journal.clone().or_else(|| ctx.settings.journal.clone());
    let actor = Actor {
        service: service.clone(),
        api_key_id: ctx
            .settings
            .credentials
            .as_ref()
            .and_then(|credentials| credentials.value.api_key_id.clone()),
    };
    let labels = file.organizations.iter().map(OrgPlan::label).collect();
    let ledger = Ledger::new(labels, actor, journal.as_deref()).map_err(|error| {
        CliError::usage(
            format!(
                "cannot open the change journal {}: {error}",
                journal.as_deref().unwrap_or(std::path::Path::new("")).display()
            ),
            "check --journal (or the profile's journal, or SCC_JOURNAL); nothing was changed",
        )
    })?;
    let started = std::time::Instant::now();
    let mut results: Vec<Option<Applied>> = vec![None; file.organizations.len()];
    if let Some(saved) = &saved {
        let work = saved
            .organizations
            .iter()
            .enumerate()
            .map(|(index, org)| (index, Confirmed::Saved(&org.planned)))
            .collect();
        let Some(applied) = run.apply_all(work, &ledger).await? else {
            return Ok(Code::Interrupted);
        };
        keep(&mut results, applied);
    } else if ctx.global.yes {
        let work = (0..file.organizations.len())
            .map(|index| (index, Confirmed::Ahead))
            .collect();
        let Some(applied) = run.apply_all(work, &ledger).await? else {
            return Ok(Code::Interrupted);
        };
        keep(&mut results, applied);
    } else {
        // Shown, answered, made where the state still gives it; where it does not, the new plan is
        // shown and asked about, until nothing is left or the answer is no.
        let Some(mut plans) = run.plan_all().await? else {
            return Ok(Code::Interrupted);
        };
        let mut pending: Vec<usize> = (0..plans.len()).collect();
        loop {
            let shown: Vec<Planned> = pending.iter().map(|&index| plans[index].clone()).collect();
            let shown_file = PlanFile {
                organizations: pending.iter().map(|&index| file.organizations[index].clone()).collect(),
            };
            let numbers: Vec<usize> = pending.iter().map(|&index| selected[index]).collect();
            let code = print_plan(ctx, &args.file, &numbers, &shown_file, &shown);
            if shown.iter().all(|planned| planned.changes.is_empty()) {
                if results.iter().all(Option::is_none) {
                    return Ok(code);
                }
                break;
            }
            if !ctx.ui.confirm("Apply these changes?") {
                // A "no" is not an error; after a first round, what was made is reported.
                if results.iter().all(Option::is_none) {
                    return Ok(ctx.declined());
                }
                print_apply(ctx, &file, results, started.elapsed().as_secs_f64());
                ctx.ui.note("not confirmed: nothing more was changed");
                return Ok(journal_checked(ctx, &ledger, Code::PlanChanged));
            }
            let work = pending
                .iter()
                .map(|&index| (index, Confirmed::Shown(&plans[index])))
                .collect();
            let Some(applied) = run.apply_all(work, &ledger).await? else {
                return Ok(Code::Interrupted);
            };
            let mut changed = Vec::new();
            let mut new_plans = Vec::new();
            for (index, applied) in applied {
                if let Verdict::Changed { now, .. } = &applied.verdict {
                    changed.push(index);
                    new_plans.push((index, (**now).clone()));
                }
                results[index] = Some(applied);
            }
            for (index, now) in new_plans {
                plans[index] = now;
            }
            if changed.is_empty() {
                break;
            }
            ctx.ui.note(&format!(
                "The state of {} organization(s) changed after the plan was shown: nothing was made there. Their plan now:",
                changed.len()
            ));
            pending = changed;
        }
    }
    let code = print_apply(ctx, &file, results, started.elapsed().as_secs_f64());
    Ok(journal_checked(ctx, &ledger, code))
}

fn keep(results: &mut [Option<Applied>], applied: Vec<(usize, Applied)>) {
    for (index, applied) in applied {
        results[index] = Some(applied);
    }
}

/// A change journal that could not be written fails the run (its changes from then on were not
/// made, and the audit trail has a gap): said with the reason, exit 1.
fn journal_checked(ctx: &Ctx, ledger: &Ledger, code: Code) -> Code {
    match ledger.journal_broken() {
        Some(why) => {
            ctx.ui.error(
                &format!("the change journal could not be written ({why}): no change was made after that"),
                Some("the changes made before are in the report above; free the journal's disk or path, then apply again"),
            );
            Code::Failure
        }
        None => code,
    }
}

/// The saved plan of `plans`, computed from the plan file at `path`.
fn save(path: &std::path::Path, digest: &str, service: &str, file: &PlanFile, plans: &[Planned]) -> saved::SavedPlan {
    saved::SavedPlan {
        format: saved::FORMAT.into(),
        scc_version: env!("CARGO_PKG_VERSION").into(),
        service: service.to_owned(),
        created: jiff::Timestamp::now().to_string(),
        plan_file: saved::PlanSource {
            path: path.display().to_string(),
            fnv1a64: digest.to_owned(),
        },
        organizations: file
            .organizations
            .iter()
            .zip(plans)
            .map(|(plan, planned)| saved::SavedOrg {
                plan: plan.clone(),
                planned: planned.clone(),
            })
            .collect(),
    }
}

/// One `scc plan` or `scc apply`.
struct Run<'a> {
    ctx: &'a Ctx,
    client: &'a Client,
    file: &'a PlanFile,
    concurrency: usize,
    managers: Managers,
    creator: Option<String>,
    blank: tokio::sync::OnceCell<Observation>,
}

impl Run<'_> {
    /// Organizations named in the plan are found in one listing of those the token reaches.
    async fn directory(&self) -> Result<Option<Directory>, CliError> {
        if self.file.organizations.iter().any(|org| org.id.is_none()) {
            match Directory::read(self.client).await {
                Ok(directory) => Ok(Some(directory)),
                Err(error) => {
                    let mut error = CliError::from(error);
                    error.message = format!(
                        "listing the organizations failed, nothing was changed: {}",
                        error.message
                    );
                    Err(error)
                }
            }
        } else {
            Ok(None)
        }
    }

    /// Every organization's plan, `concurrency` at a time; writes nothing. `None` after Ctrl-C.
    async fn plan_all(&self) -> Result<Option<Vec<Planned>>, CliError> {
        let directory = self.directory().await?;
        let live = Live {
            client: self.client,
            directory: directory.as_ref(),
            managers: &self.managers,
            creator: self.creator.as_deref(),
            blank: &self.blank,
        };
        let bar = self.ctx.ui.progress(self.file.organizations.len() as u64, "reading");
        let work = futures_util::stream::iter(self.file.organizations.iter().enumerate())
            .map(|(index, org)| {
                let live = &live;
                // The state read is not kept: only its fingerprint, for a saved plan.
                async move { (index, engine::plan(live, org, true).await.fingerprinted()) }
            })
            .buffer_unordered(self.concurrency)
            .inspect(|_| bar.inc(1))
            .collect::<Vec<(usize, Planned)>>();
        let Some(plans) = in_order_unless_stopped(work, &bar).await else {
            self.ctx
                .ui
                .error("interrupted while reading: nothing was changed", None);
            return Ok(None);
        };
        Ok(Some(plans.into_iter().map(|(_, planned)| planned).collect()))
    }

    /// Applies the confirmed plans of the organizations at these indices, each under its lock.
    /// `None` after Ctrl-C (the summary of what was done is printed, from the ledger).
    async fn apply_all(
        &self,
        work: Vec<(usize, Confirmed<'_>)>,
        ledger: &Ledger,
    ) -> Result<Option<Vec<(usize, Applied)>>, CliError> {
        let orgs = &self.file.organizations;
        let locks_dir = self.ctx.settings.config_dir.join("locks");
        let service = self.ctx.settings.base_url.value.clone();
        let bar = self.ctx.ui.progress(work.len() as u64, "applying");
        // The lock files' turns are read before the listing: a turn taken after it says the listing
        // may be out of date for that organization.
        let turns = lock::Turns::read(&locks_dir, &service, orgs);
        let directory = self.directory().await?;
        let live = Live {
            client: self.client,
            directory: directory.as_ref(),
            managers: &self.managers,
            creator: self.creator.as_deref(),
            blank: &self.blank,
        };
        let tasks = futures_util::stream::iter(work)
            .map(|(index, confirmed)| {
                let (live, turns, locks_dir, service) = (&live, &turns, &locks_dir, &service);
                let org = &orgs[index];
                async move {
                    let recorder = ledger.recorder(index);
                    // One run at a time per organization on this machine: a second waits for the first.
                    let mut applied = match lock::acquire(locks_dir, service, org, turns).await {
                        // Another run held the lock since the listing: the listing is out of date for it.
                        Ok((_lock, held_by_another)) => {
                            engine::apply(live, org, confirmed, !held_by_another, &recorder).await
                        }
                        Err(error) => {
                            let (subject, outcome) = lock::refused(org, &error);
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
                bar.set_message(format!("{}: {changes} change(s)", orgs[index].label()));
                bar.inc(1);
                (index, applied)
            })
            .collect::<Vec<(usize, Applied)>>();
        let Some(mut applied) = in_order_unless_stopped(tasks, &bar).await else {
            print_interrupted(self.ctx, &ledger.interrupted());
            return Ok(None);
        };
        for (index, applied) in &mut applied {
            applied.outcomes = ledger.take_done(*index);
        }
        Ok(Some(applied))
    }
}

/// The results of `work`, one per organization index, in the plan's order; `None` when a stop was
/// requested first. The progress bar is cleared either way.
async fn in_order_unless_stopped<T>(
    work: impl std::future::Future<Output = Vec<(usize, T)>>,
    bar: &indicatif::ProgressBar,
) -> Option<Vec<(usize, T)>> {
    let finished = tokio::select! {
        results = work => Some(results),
        () = stop_requested() => None,
    };
    bar.finish_and_clear();
    let mut results = finished?;
    results.sort_by_key(|(index, _)| *index);
    Some(results)
}

/// Ctrl-C, or SIGTERM (a service manager, `timeout`, `kill`): either stops the run the same way,
/// with the summary of what was done and the writes in flight reported unknown.
async fn stop_requested() {
    #[cfg(unix)]
    if let Ok(mut terminate) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
        return;
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The lines of each organization's plan; a problem at a place of the plan file says where
/// (`customers.yaml: organizations[2].groups[0].members[1]`).
fn plan_reports(path: &std::path::Path, numbers: &[usize], file: &PlanFile, plans: &[Planned]) -> Vec<OrgReport> {
    file.organizations
        .iter()
        .zip(plans)
        .zip(numbers)
        .map(|((org, planned), index)| {
            let mut items = planned.items();
            for (_, outcome) in &mut items {
                if let Outcome::Refused(Refusal::WillFail(place, _)) = outcome {
                    // The line too, when the value is on one line of the file only.
                    let line = line_of(path, &place.value)
                        .map(|line| format!(":{line}"))
                        .unwrap_or_default();
                    place.file = Some(format!("{}{line}", path.display()));
                    place.organization = Some(*index);
                }
            }
            OrgReport {
                org: org.label(),
                org_id: planned.org_id.clone(),
                items,
            }
        })
        .collect()
}

/// Writes one organization's plan lines: `+ invite user …`, `~ update user …` with each attribute
/// `old -> new`, `! find role …: why`.
fn plan_text(ui: &crate::output::Ui, report: &OrgReport, text: &mut String) {
    if report.items.is_empty() {
        text.push_str(&format!("{}: nothing to do\n", crate::output::shown(&report.org)));
        return;
    }
    let planned = report.count(Status::Planned);
    let state = if report.org_id.is_none() && planned > 0 {
        " (new)"
    } else {
        ""
    };
    text.push_str(&format!(
        "{}{state}: {planned} change(s)\n",
        crate::output::shown(&report.org)
    ));
    for (subject, outcome) in &report.items {
        match outcome {
            Outcome::Planned => {
                let sign = subject.sign().unwrap_or('+');
                let line = format!("  {sign} {} {}", subject.action(), subject.object());
                text.push_str(&ui.plan_line(sign, &line));
                text.push('\n');
                for detail in subject.change().map(Change::details).unwrap_or_default() {
                    text.push_str(&ui.plan_line(sign, &format!("      {detail}")));
                    text.push('\n');
                }
            }
            other => {
                let line = format!(
                    "  ! {} {}: {}",
                    subject.action(),
                    subject.object(),
                    other.reason().unwrap_or_default()
                );
                text.push_str(&ui.plan_line('!', &line));
                text.push('\n');
            }
        }
    }
}

/// The line of the plan file that holds `text`, when exactly one does.
fn line_of(path: &std::path::Path, text: &str) -> Option<usize> {
    let content = std::fs::read_to_string(path).ok()?;
    let mut found = content
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(text))
        .map(|(number, _)| number + 1);
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// Prints the plans of the organizations of `file`, which are those at `numbers` in the plan file
/// at `path`.
fn print_plan(ctx: &Ctx, path: &std::path::Path, numbers: &[usize], file: &PlanFile, plans: &[Planned]) -> Code {
    let reports = plan_reports(path, numbers, file, plans);
    let all: Vec<&OrgReport> = reports.iter().collect();
    let problems: usize = reports
        .iter()
        .map(|report| report.items.len() - report.count(Status::Planned))
        .sum();
    let unchanged = reports.iter().filter(|report| report.items.is_empty()).count();
    let summary = json!({
        "changes": OrgReport::signs(&all, Status::Planned),
        "organizations": reports.len(),
        "organizations_unchanged": unchanged,
        "problems": problems,
    });
    match ctx.ui.format {
        Format::Table | Format::Wide => {
            let mut text = String::new();
            for report in &reports {
                plan_text(&ctx.ui, report, &mut text);
            }
            let c = &summary["changes"];
            text.push_str(&format!(
                "\nPlan: {} to create or add, {} to update, {} to remove, in {} organization(s); {} need nothing.\n",
                c["create"],
                c["update"],
                c["remove"],
                reports.len() - unchanged,
                unchanged
            ));
            ctx.ui.write_stdout(&text);
        }
        _ => {
            let organizations: Vec<Value> = reports
                .iter()
                .map(|report| json!({"org": report.org, "org_id": report.org_id, "changes": report.rows()}))
                .collect();
            ctx.ui
                .item(&json!({"organizations": organizations, "summary": summary}), &[]);
        }
    }
    if problems == 0 { Code::Ok } else { Code::Partial }
}

/// After Ctrl-C: each organization's completed, failed and unknown items (writes sent and not
/// answered are unknown: they may have been applied).
fn print_interrupted(ctx: &Ctx, interrupted: &[(String, Vec<(Subject, Outcome)>)]) {
    let reports: Vec<OrgReport> = interrupted
        .iter()
        .map(|(org, items)| OrgReport {
            org: org.clone(),
            org_id: None,
            items: items.clone(),
        })
        .collect();
    let count = |status: Status| reports.iter().map(|report| report.count(status)).sum::<usize>();
    match ctx.ui.format {
        Format::Table | Format::Wide => {
            let rows: Vec<Value> = reports
                .iter()
                .flat_map(OrgReport::rows)
                .map(|row| serde_json::to_value(row).unwrap_or_default())
                .collect();
            if !rows.is_empty() {
                ctx.ui.list(&rows, crate::output::columns::APPLY_REPORT);
            }
            for report in &reports {
                eprintln!(
                    "  {}: {} done, {} failed, {} unknown",
                    crate::output::shown(&report.org),
                    report.count(Status::Ok),
                    report.count(Status::Failed),
                    report.count(Status::Unknown)
                );
            }
        }
        _ => {
            let organizations: Vec<Value> = reports
                .iter()
                .map(|report| json!({"org": report.org, "items": report.rows()}))
                .collect();
            ctx.ui.item(
                &json!({"interrupted": true, "organizations": organizations,
                        "summary": {"done": count(Status::Ok), "failed": count(Status::Failed), "unknown": count(Status::Unknown)}}),
                &[],
            );
        }
    }
    ctx.ui.error(
        &format!(
            "interrupted: {} change(s) done, {} failed, {} unknown",
            count(Status::Ok),
            count(Status::Failed),
            count(Status::Unknown)
        ),
        Some(if count(Status::Unknown) > 0 {
            "the unknown items were sent and not answered: they may have been applied. `scc plan` on the same file shows what is still missing"
        } else {
            "`scc plan` on the same file shows what is still missing; apply again to finish"
        }),
    );
}

/// The difference between the plan confirmed and the plan now, change by change.
fn difference(confirmed: &Planned, now: &Planned) -> Vec<String> {
    let before: Vec<Change> = confirmed.changes.iter().map(Change::target).collect();
    let after: Vec<Change> = now.changes.iter().map(Change::target).collect();
    let mut lines: Vec<String> = after
        .iter()
        .filter(|change| !before.contains(change))
        .map(|change| {
            format!(
                "now also: {} {} {}",
                change.sign().symbol(),
                change.action(),
                change.object()
            )
        })
        .collect();
    lines.extend(before.iter().filter(|change| !after.contains(change)).map(|change| {
        format!(
            "no longer: {} {} {}",
            change.sign().symbol(),
            change.action(),
            change.object()
        )
    }));
    if lines.is_empty() {
        lines
            .push("the same changes, computed against another state: plan again to save the plan of this state".into());
    }
    lines
}

/// An organization where nothing was made: the plan confirmed (`was`) is not the state's any more.
struct NotApplied<'a> {
    org: String,
    /// `changed` (a plan shown) or `stale` (a saved plan), as the JSON report says.
    why: &'static str,
    /// What happened to the plan: `shown` or `saved`.
    since: &'static str,
    was: &'a Planned,
    now: &'a Planned,
}

fn print_apply(ctx: &Ctx, file: &PlanFile, mut results: Vec<Option<Applied>>, seconds: f64) -> Code {
    // The outcomes move into the report: thousands of organizations are not held twice.
    let reports: Vec<OrgReport> = file
        .organizations
        .iter()
        .zip(&mut results)
        .filter_map(|(org, applied)| {
            let applied = applied.as_mut()?;
            Some(OrgReport {
                org: org.label(),
                org_id: applied.org_id.clone(),
                items: std::mem::take(&mut applied.outcomes).into_items(),
            })
        })
        .collect();
    let results = &results;
    // Organizations where nothing was made because the plan is not the state's any more.
    let changed: Vec<NotApplied<'_>> = file
        .organizations
        .iter()
        .zip(results)
        .filter_map(|(org, applied)| {
            let (why, since, was, now) = match &applied.as_ref()?.verdict {
                Verdict::Applied => return None,
                Verdict::Changed { shown, now } => ("changed", "shown", shown, now),
                Verdict::Stale { saved, now } => ("stale", "saved", saved, now),
            };
            Some(NotApplied {
                org: org.label(),
                why,
                since,
                was,
                now,
            })
        })
        .collect();
    let all: Vec<&OrgReport> = reports.iter().collect();
    let count = |status: Status| reports.iter().map(|report| report.count(status)).sum::<usize>();
    let (applied, failed, unknown, skipped) = (
        count(Status::Ok),
        count(Status::Failed),
        count(Status::Unknown),
        count(Status::Skipped),
    );
    let unchanged = reports
        .iter()
        .zip(results.iter().flatten())
        .filter(|(report, applied)| report.items.is_empty() && matches!(applied.verdict, Verdict::Applied))
        .count();
    match ctx.ui.format {
        Format::Table | Format::Wide => {
            let rows: Vec<Value> = reports
                .iter()
                .flat_map(OrgReport::rows)
                .map(|row| serde_json::to_value(row).unwrap_or_default())
                .collect();
            if !rows.is_empty() {
                ctx.ui.list(&rows, crate::output::columns::APPLY_REPORT);
            }
            if !changed.is_empty() {
                let mut text = String::from("\nNot applied: the plan is not the state's any more:\n");
                for NotApplied {
                    org, since, was, now, ..
                } in &changed
                {
                    let report = OrgReport {
                        org: org.clone(),
                        org_id: now.org_id.clone(),
                        items: now.items(),
                    };
                    plan_text(&ctx.ui, &report, &mut text);
                    for line in difference(was, now) {
                        text.push_str(&format!("    since the plan was {since}: {line}\n"));
                    }
                }
                ctx.ui.write_stdout(&text);
            }
        }
        _ => {
            let changed_json: Vec<Value> = changed
                .iter()
                .map(|NotApplied { org, why, was, now, .. }| {
                    let report = OrgReport {
                        org: org.clone(),
                        org_id: now.org_id.clone(),
                        items: now.items(),
                    };
                    json!({"org": org, "why": why, "plan_now": report.rows(), "difference": difference(was, now)})
                })
                .collect();
            // Row by row into the document: a run of thousands of organizations holds no second copy.
            let rows: Vec<Value> = reports
                .iter()
                .flat_map(OrgReport::rows)
                .map(|row| serde_json::to_value(row).unwrap_or_default())
                .collect();
            let mut document = json!({
                "not_applied": changed_json,
                "summary": {"applied": OrgReport::signs(&all, Status::Ok), "failed": failed, "unknown": unknown, "skipped": skipped,
                            "not_applied": changed.len(),
                            "organizations": reports.len(), "organizations_unchanged": unchanged,
                            "seconds": (seconds * 1000.0).round() / 1000.0},
            });
            // Moved in, not copied (`json!` would serialize a second copy of every row).
            document["items"] = Value::Array(rows);
            ctx.ui.item(&document, &[]);
        }
    }
    if reports.iter().all(|report| report.items.is_empty()) && changed.is_empty() {
        ctx.ui.success(&format!(
            "No changes: the state of {} organization(s) matches the plan.",
            reports.len()
        ));
        return Code::Ok;
    }
    let message = format!(
        "Applied {applied} change(s) in {} organization(s) ({unchanged} unchanged) in {seconds:.2} s; {failed} failed, {unknown} unknown, {skipped} skipped{}.",
        reports.len() - unchanged - changed.len(),
        if changed.is_empty() {
            String::new()
        } else {
            format!(", {} organization(s) not applied (plan out of date)", changed.len())
        }
    );
    // A hint only says what is true of this run's failures.
    let duplicates = reports
        .iter()
        .flat_map(|report| &report.items)
        .any(|(_, outcome)| matches!(outcome, Outcome::Refused(Refusal::DuplicateOrganizations { .. })));
    if unknown > 0 {
        ctx.ui.error(
            &message,
            Some("the unknown items lost their answer and reading back could not settle them: they may have been applied. `scc plan` on the same file shows what is still missing"),
        );
        Code::Unknown
    } else if !changed.is_empty() {
        let hint = if changed.iter().any(|not| not.why == "stale") {
            "the changes computed now differ from the saved ones (the state moved, or the saved plan was edited): nothing was made in those organizations; plan again, review, and apply the new plan"
        } else {
            "the state changed after the plan was computed: nothing was made in those organizations; review their plan now (above) and apply again"
        };
        ctx.ui.error(&message, Some(hint));
        Code::PlanChanged
    } else if failed > 0 {
        let hint = if duplicates {
            "an organization name is held by several organizations (listed above): keep one, remove the others, then apply again"
        } else {
            "every failure is listed above with its reason: apply again once it is fixed or has passed (what succeeded is not repeated)"
        };
        ctx.ui.error(&message, Some(hint));
        Code::Partial
    } else {
        ctx.ui.success(&message);
        if skipped > 0 { Code::Partial } else { Code::Ok }
    }
}
