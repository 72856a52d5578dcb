//! `scc plan FILE` and `scc apply FILE`: the CLI's face over the engine (`scc_apply`): arguments,
//! the confirmation loop, rendering and exit codes. The plan shown is the plan made: `scc apply`
//! confirms a plan value and the engine makes it only where the state still gives it; `scc plan
//! --out` saves one for `scc apply PLAN`.

use scc_apply::{
    Actor, Applied, Change, Confirmed, Ledger, OrgPlan, OrgReport, Outcome, PlanFile, Planned, Refusal, Session,
    Status, Verdict,
};
use serde_json::{Value, json};

use super::Ctx;
use crate::cli::{ApplyArgs, Format};
use crate::failure::{CliError, Code};

/// What the engine reports, on the terminal: a progress bar per phase, a line when a lock is
/// waited for, and Ctrl-C or SIGTERM to stop.
struct Terminal<'a> {
    ctx: &'a Ctx,
    bar: std::sync::Mutex<Option<indicatif::ProgressBar>>,
}

impl<'a> Terminal<'a> {
    fn new(ctx: &'a Ctx) -> Self {
        Self {
            ctx,
            bar: std::sync::Mutex::new(None),
        }
    }

    fn bar(&self) -> Option<indicatif::ProgressBar> {
        self.bar
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl scc_apply::Events for Terminal<'_> {
    fn start(&self, phase: &'static str, total: usize) {
        let bar = self.ctx.ui.progress(total as u64, phase);
        *self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(bar);
    }

    fn org_done(&self, org: &str, changes: Option<usize>) {
        if let Some(bar) = self.bar() {
            if let Some(changes) = changes {
                bar.set_message(format!("{}: {changes} change(s)", crate::output::one_line(org)));
            }
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self
            .bar
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            bar.finish_and_clear();
        }
    }

    fn waiting_for_lock(&self, org: &str, path: &std::path::Path) {
        self.ctx.ui.note(&format!(
            "scc: waiting for another `scc apply` holding {}, the lock organization {} shares with others",
            path.display(),
            crate::output::one_line(org)
        ));
    }

    fn stop(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(stop_requested())
    }
}

pub(crate) async fn run(ctx: &Ctx, args: ApplyArgs, plan_only: bool) -> Result<Code, CliError> {
    let (mut source, label) = scc_apply::read_all(&args.files)?;
    let named = std::path::PathBuf::from(label);
    // `--org` on the command line: only those organizations of the file are read, shown and changed.
    let selected = source.select(&ctx.global.org, &named)?;
    let (file, digest, saved) = source.into_parts();
    if (plan_only || ctx.global.dry_run) && args.journal.is_some() {
        return Err(CliError::usage(
            "--journal records the changes `scc apply` makes; `scc plan` (and --dry-run) makes none".into(),
            "scc apply FILE --journal PATH",
        ));
    }
    if args.out.is_some() && (!plan_only || saved.is_some()) {
        return Err(CliError::usage(
            "--out saves the plan `scc plan` computes from a plan file".into(),
            "scc plan FILE --out PLAN, then scc apply PLAN",
        ));
    }
    let client = ctx.settings.client_builder(false)?.build()?;
    let service = ctx.settings.base_url.value.clone();
    if let Some(saved) = &saved {
        saved.check(&named, &service)?;
    }
    let terminal = Terminal::new(ctx);
    let run = Session::new(&client, service.clone(), ctx.settings.config_dir.join("locks"))
        .concurrency(args.concurrency)
        .events(&terminal);
    if plan_only || ctx.global.dry_run {
        let plans = match &saved {
            // A saved plan shows what it holds (`scc apply` checks it against the state).
            Some(saved) => saved.organizations.iter().map(|org| org.planned.clone()).collect(),
            None => match run.plan(&file).await? {
                Some(plans) => plans,
                None => return Ok(interrupted_while_reading(ctx)),
            },
        };
        let code = print_plan(ctx, &named, &selected, &file, &plans);
        if let Some(out) = &args.out {
            if code != Code::Ok {
                return Err(CliError::new(
                    Code::Partial,
                    format!("the plan has problems (listed above): not saved to {}", out.display()),
                    Some("fix them, then plan again".into()),
                ));
            }
            scc_apply::SavedPlan::new(&named, &digest, &service, &file, &plans).write(out)?;
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
    // Before anything is shown or asked: a read-only key would meet a refusal at every write.
    run.may_write().await?;
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
        via: "cli",
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
        let applied = match run.apply(&file, work, &ledger).await? {
            Ok(applied) => applied,
            Err(interrupted) => return Ok(print_interrupted(ctx, &interrupted)),
        };
        keep(&mut results, applied);
    } else if ctx.global.yes {
        let work = (0..file.organizations.len())
            .map(|index| (index, Confirmed::Ahead))
            .collect();
        let applied = match run.apply(&file, work, &ledger).await? {
            Ok(applied) => applied,
            Err(interrupted) => return Ok(print_interrupted(ctx, &interrupted)),
        };
        keep(&mut results, applied);
    } else {
        // Shown, answered, made where the state still gives it; where it does not, the new plan is
        // shown and asked about, until nothing is left or the answer is no.
        let Some(mut plans) = run.plan(&file).await? else {
            return Ok(interrupted_while_reading(ctx));
        };
        let mut pending: Vec<usize> = (0..plans.len()).collect();
        loop {
            let shown: Vec<Planned> = pending.iter().map(|&index| plans[index].clone()).collect();
            let shown_file = PlanFile {
                tenant: file.tenant.clone(),
                organizations: pending.iter().map(|&index| file.organizations[index].clone()).collect(),
            };
            let numbers: Vec<usize> = pending.iter().map(|&index| selected[index]).collect();
            let code = print_plan(ctx, &named, &numbers, &shown_file, &shown);
            if shown.iter().all(|planned| planned.changes.is_empty()) {
                if results.iter().all(Option::is_none) {
                    return Ok(code);
                }
                break;
            }
            // The question names where the changes go: the profile and the service.
            let question = format!(
                "Apply these changes with profile {} to {} (the key's organization: {})?",
                ctx.settings.profile.value,
                scc_sdk::config::redacted(&ctx.settings.base_url.value),
                ctx.settings
                    .key_org()
                    .unwrap_or_else(|| "not stated by the token".into())
            );
            // Ctrl-C at the question stops here and now (the engine's stop is taken for this run). The
            // stop is listened for first, before the question is printed: a Ctrl-C typed as soon as it
            // shows is never lost between the two.
            let answer = tokio::select! {
                biased;
                () = stop_requested() => {
                    ctx.ui.error("interrupted at the question: nothing more was changed", None);
                    return Ok(Code::Interrupted);
                }
                answer = ask(&question, ctx) => answer,
            };
            if !answer {
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
            let applied = match run.apply(&file, work, &ledger).await? {
                Ok(applied) => applied,
                Err(interrupted) => return Ok(print_interrupted(ctx, &interrupted)),
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

/// The question asked on the terminal, its answer read off the runtime's threads (a Ctrl-C meanwhile
/// is heard by the caller).
async fn ask(question: &str, ctx: &Ctx) -> bool {
    if !ctx.ui.can_ask() {
        return false;
    }
    eprint!("{} [y/N] ", crate::output::one_line(question));
    tokio::task::spawn_blocking(|| {
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).is_ok() && matches!(answer.trim(), "y" | "Y" | "yes" | "YES")
    })
    .await
    .unwrap_or(false)
}

/// Every line of these reports, as tables and JSON show them.
fn report_rows(reports: &[OrgReport]) -> Vec<Value> {
    reports
        .iter()
        .flat_map(OrgReport::rows)
        .map(|row| serde_json::to_value(row).unwrap_or_default())
        .collect()
}

/// Stopped before anything was changed.
fn interrupted_while_reading(ctx: &Ctx) -> Code {
    ctx.ui.error("interrupted while reading: nothing was changed", None);
    Code::Interrupted
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
pub(crate) fn plan_reports(
    path: &std::path::Path,
    numbers: &[usize],
    file: &PlanFile,
    plans: &[Planned],
) -> Vec<OrgReport> {
    file.organizations
        .iter()
        .zip(plans)
        .zip(numbers)
        .map(|((org, planned), index)| {
            let mut items = planned.items();
            for (_, outcome) in &mut items {
                if let Outcome::Refused(Refusal::WillFail(place, _)) = outcome {
                    // The file and line the organization's place is written at (`customers.yaml:12`).
                    match &org.origin {
                        Some(origin) => {
                            place.file = Some(origin.place(place.path.as_deref().unwrap_or_default()));
                            place.organization = Some(origin.index());
                        }
                        None => {
                            place.file = Some(path.display().to_string());
                            place.organization = Some(*index);
                        }
                    }
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
pub(crate) fn plan_text(ui: &crate::output::Ui, report: &OrgReport, text: &mut String) {
    if report.items.is_empty() {
        text.push_str(&format!("{}: nothing to do\n", crate::output::one_line(&report.org)));
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
        crate::output::one_line(&report.org)
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
            // What the plan is for: the profile, the service and the key's (manager) organization.
            let mut text = format!(
                "Plan with profile {} against {} (the key's organization: {}):\n",
                crate::output::one_line(&ctx.settings.profile.value),
                scc_sdk::config::redacted(&ctx.settings.base_url.value),
                ctx.settings
                    .key_org()
                    .as_deref()
                    .map_or("not stated by the token".into(), crate::output::one_line)
            );
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
fn print_interrupted(ctx: &Ctx, interrupted: &scc_apply::Interrupted) -> Code {
    // Only the organizations that had work: 200 lines of "0 done" would hide the ones that matter.
    let reports: Vec<OrgReport> = interrupted
        .iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(org, items)| OrgReport {
            org: org.clone(),
            org_id: None,
            items: items.clone(),
        })
        .collect();
    let count = |status: Status| reports.iter().map(|report| report.count(status)).sum::<usize>();
    match ctx.ui.format {
        Format::Table | Format::Wide => {
            let rows = report_rows(&reports);
            if !rows.is_empty() {
                ctx.ui.list(&rows, crate::output::columns::APPLY_REPORT);
            }
            for report in &reports {
                eprintln!(
                    "  {}: {} done, {} failed, {} unknown",
                    crate::output::one_line(&report.org),
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
    Code::Interrupted
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
            let rows = report_rows(&reports);
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
                    for line in was.difference(now) {
                        let line = crate::output::one_line(&line);
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
                    json!({"org": org, "why": why, "plan_now": report.rows(), "difference": was.difference(now)})
                })
                .collect();
            // Row by row into the document: a run of thousands of organizations holds no second copy.
            let rows = report_rows(&reports);
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
