//! `scc plan FILE` and `scc apply FILE`: declarative, idempotent onboarding of many organizations.

mod diff;
mod engine;
mod execute;
pub(crate) mod export;
mod lock;
mod observe;
pub(crate) mod plan;
mod report;

use futures_util::StreamExt;
use serde_json::{Value, json};

use super::Ctx;
use crate::cli::{ApplyArgs, Format};
use crate::failure::{CliError, Code};
use report::{ItemReport, Mode, OrgOutcome, Status};

pub(crate) async fn run(ctx: &Ctx, args: ApplyArgs, plan_only: bool) -> Result<Code, CliError> {
    let file = plan::read(&args.file)?;
    let problems = plan::validate(&file);
    if !problems.is_empty() {
        return Err(plan::problems_error(&args.file, &problems));
    }
    let mut builder = ctx.settings.client_builder(&ctx.global, false)?;
    if let Some(rate) = args.rate_limit {
        builder = builder.rate_limit(scc_sdk::RateLimit::new(rate, (rate.ceil() as u32).max(1)));
    }
    let client = builder.build()?;
    if plan_only || ctx.global.dry_run {
        let Some((outcomes, _)) = reconcile_all(ctx, &client, &file, Mode::Plan, args.concurrency).await? else {
            return Ok(Code::Interrupted);
        };
        let code = print_plan(ctx, &outcomes);
        // As terraform's: 0 nothing to change, 2 changes to make (problems keep their code).
        let changes = has_changes(&outcomes);
        return Ok(if args.detailed_exitcode && code == Code::Ok && changes {
            Code::Usage
        } else {
            code
        });
    }
    // Plan, then confirm: `--yes` confirms ahead; without a terminal to ask on, nothing is done.
    if !ctx.global.yes {
        if !ctx.ui.can_ask() {
            return Err(CliError::usage(
                "scc apply changes organizations and there is no terminal to confirm on".into(),
                "pass --yes to confirm; `scc plan FILE` shows the changes first",
            ));
        }
        let Some((planned, _)) = reconcile_all(ctx, &client, &file, Mode::Plan, args.concurrency).await? else {
            return Ok(Code::Interrupted);
        };
        let code = print_plan(ctx, &planned);
        let changes = has_changes(&planned);
        if !changes {
            return Ok(code);
        }
        if !ctx.ui.confirm("Apply these changes?") {
            return Err(CliError::usage(
                "not confirmed: nothing was changed".into(),
                "answer y to apply, or pass --yes",
            ));
        }
    }
    let Some((outcomes, seconds)) = reconcile_all(ctx, &client, &file, Mode::Apply, args.concurrency).await? else {
        return Ok(Code::Interrupted);
    };
    Ok(print_apply(ctx, &outcomes, seconds))
}

/// Whether a plan has anything to change.
fn has_changes(outcomes: &[OrgOutcome]) -> bool {
    outcomes
        .iter()
        .flat_map(|outcome| &outcome.items)
        .any(|item| item.result == Status::Planned)
}

/// Every organization of the plan, `concurrency` at a time; `None` after Ctrl-C (the summary of what
/// was done is printed).
async fn reconcile_all(
    ctx: &Ctx,
    client: &scc_sdk::Client,
    file: &plan::PlanFile,
    mode: Mode,
    concurrency: usize,
) -> Result<Option<(Vec<OrgOutcome>, f64)>, CliError> {
    let bar = ctx.ui.progress(
        file.organizations.len() as u64,
        if mode == Mode::Plan { "reading" } else { "applying" },
    );
    let started = std::time::Instant::now();
    let progress: Vec<report::Progress> = file.organizations.iter().map(|_| report::Progress::default()).collect();
    let locks_dir = ctx.settings.config_dir.join("locks");
    let service = ctx.settings.base_url.value.clone();
    // The lock files' turns are read before the listing: a turn taken after it says the listing may
    // be out of date for that organization.
    let turns = match mode {
        Mode::Apply => lock::Turns::read(&locks_dir, &service, &file.organizations),
        Mode::Plan => Default::default(),
    };
    // Organizations named in the plan are found in one listing of those the token reaches.
    let directory = if file.organizations.iter().any(|org| org.id.is_none()) {
        Some(observe::Directory::read(client).await?)
    } else {
        None
    };
    let directory = directory.as_ref();
    let work = futures_util::stream::iter(file.organizations.iter().enumerate())
        .map(|(index, org)| {
            let progress = progress[index].clone();
            let locks_dir = locks_dir.clone();
            let service = service.clone();
            let turns = &turns;
            async move {
                // One run at a time per organization on this machine: a second waits for the first.
                let (_lock, held_by_another) = match mode {
                    Mode::Plan => (None, false),
                    Mode::Apply => match lock::acquire(&locks_dir, &service, org, turns).await {
                        Ok((lock, held_by_another)) => (Some(lock), held_by_another),
                        Err(error) => return (index, lock::refused(org, error)),
                    },
                };
                // Another run held the lock since the listing: the listing is out of date for it.
                let directory = directory.filter(|_| !held_by_another);
                (index, engine::reconcile(client, directory, org, mode, progress).await)
            }
        })
        .buffer_unordered(concurrency.max(1))
        .inspect(|(_, outcome)| {
            // Progress per organization: the one just finished, and what it took.
            let changes = outcome.items.iter().filter(|item| item.sign.is_some()).count();
            bar.set_message(format!("{}: {changes} change(s)", outcome.org));
            bar.inc(1);
        })
        .collect::<Vec<(usize, OrgOutcome)>>();
    let finished = tokio::select! {
        outcomes = work => Some(outcomes),
        () = stop_requested() => None,
    };
    bar.finish_and_clear();
    let Some(mut outcomes) = finished else {
        let so_far: Vec<OrgOutcome> = file
            .organizations
            .iter()
            .zip(&progress)
            .map(|(org, items)| OrgOutcome {
                org: org.label(),
                org_id: None,
                rounds: 0,
                items: items.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone(),
            })
            .collect();
        print_interrupted(ctx, &so_far);
        return Ok(None);
    };
    outcomes.sort_by_key(|(index, _)| *index);
    let outcomes: Vec<OrgOutcome> = outcomes.into_iter().map(|(_, outcome)| outcome).collect();
    Ok(Some((outcomes, started.elapsed().as_secs_f64())))
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

fn counts(items: &[&ItemReport]) -> Value {
    let by = |signs: &[char]| {
        items
            .iter()
            .filter(|item| item.sign.is_some_and(|s| signs.contains(&s)))
            .count()
    };
    json!({"create": by(&['+']), "update": by(&['~']), "remove": by(&['-']), "total": items.len()})
}

fn print_plan(ctx: &Ctx, outcomes: &[OrgOutcome]) -> Code {
    let all: Vec<&ItemReport> = outcomes.iter().flat_map(|outcome| &outcome.items).collect();
    let changes: Vec<&ItemReport> = all
        .iter()
        .copied()
        .filter(|item| item.result == Status::Planned)
        .collect();
    let problems: Vec<&ItemReport> = all
        .iter()
        .copied()
        .filter(|item| item.result != Status::Planned)
        .collect();
    let unchanged = outcomes.iter().filter(|outcome| outcome.items.is_empty()).count();
    let summary = json!({
        "changes": counts(&changes),
        "organizations": outcomes.len(),
        "organizations_unchanged": unchanged,
        "problems": problems.len(),
    });
    match ctx.ui.format {
        Format::Table | Format::Wide => {
            let mut text = String::new();
            for outcome in outcomes {
                if outcome.items.is_empty() {
                    text.push_str(&format!("{}: nothing to do\n", outcome.org));
                    continue;
                }
                let planned = outcome
                    .items
                    .iter()
                    .filter(|item| item.result == Status::Planned)
                    .count();
                let state = if outcome.org_id.is_none() { " (new)" } else { "" };
                text.push_str(&format!("{}{state}: {planned} change(s)\n", outcome.org));
                for item in &outcome.items {
                    match item.result {
                        Status::Planned => text.push_str(&format!(
                            "  {} {} {}\n",
                            item.sign.unwrap_or('+'),
                            item.action,
                            item.object
                        )),
                        _ => text.push_str(&format!(
                            "  ! {} {}: {}\n",
                            item.action,
                            item.object,
                            item.error.clone().unwrap_or_default()
                        )),
                    }
                }
            }
            let c = &summary["changes"];
            text.push_str(&format!(
                "\nPlan: {} to create or add, {} to update, {} to remove, in {} organization(s); {} need nothing.\n",
                c["create"],
                c["update"],
                c["remove"],
                outcomes.len() - unchanged,
                unchanged
            ));
            ctx.ui.write_stdout(&text);
        }
        _ => {
            let organizations: Vec<Value> = outcomes
                .iter()
                .map(|outcome| json!({"org": outcome.org, "org_id": outcome.org_id, "changes": outcome.items}))
                .collect();
            ctx.ui
                .item(&json!({"organizations": organizations, "summary": summary}), &[]);
        }
    }
    if problems.is_empty() { Code::Ok } else { Code::Partial }
}

/// After Ctrl-C: each organization's completed, failed and unknown items (writes sent and not
/// answered are unknown: they may have been applied).
fn print_interrupted(ctx: &Ctx, outcomes: &[OrgOutcome]) {
    let items: Vec<&ItemReport> = outcomes.iter().flat_map(|outcome| &outcome.items).collect();
    let count = |result: Status| items.iter().filter(|item| item.result == result).count();
    match ctx.ui.format {
        Format::Table | Format::Wide => {
            if !items.is_empty() {
                let rows: Vec<Value> = items
                    .iter()
                    .map(|item| serde_json::to_value(item).unwrap_or_default())
                    .collect();
                ctx.ui.list(&rows, crate::output::columns::APPLY_REPORT);
            }
            for outcome in outcomes {
                let of = |result: Status| outcome.items.iter().filter(|item| item.result == result).count();
                eprintln!(
                    "  {}: {} done, {} failed, {} unknown",
                    outcome.org,
                    of(Status::Ok),
                    of(Status::Failed),
                    of(Status::Unknown)
                );
            }
        }
        _ => {
            let organizations: Vec<Value> = outcomes
                .iter()
                .map(|outcome| json!({"org": outcome.org, "items": outcome.items}))
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

fn print_apply(ctx: &Ctx, outcomes: &[OrgOutcome], seconds: f64) -> Code {
    let items: Vec<&ItemReport> = outcomes.iter().flat_map(|outcome| &outcome.items).collect();
    let failed = items.iter().filter(|item| item.result == Status::Failed).count();
    let unknown = items.iter().filter(|item| item.result == Status::Unknown).count();
    let skipped = items.iter().filter(|item| item.result == Status::Skipped).count();
    let applied: Vec<&ItemReport> = items.iter().copied().filter(|item| item.result == Status::Ok).collect();
    let unchanged = outcomes.iter().filter(|outcome| outcome.items.is_empty()).count();
    match ctx.ui.format {
        Format::Table | Format::Wide => {
            if !items.is_empty() {
                let rows: Vec<Value> = items
                    .iter()
                    .map(|item| serde_json::to_value(item).unwrap_or_default())
                    .collect();
                ctx.ui.list(&rows, crate::output::columns::APPLY_REPORT);
            }
        }
        _ => {
            let document = json!({
                "items": items,
                "summary": {"applied": counts(&applied), "failed": failed, "unknown": unknown, "skipped": skipped,
                            "organizations": outcomes.len(), "organizations_unchanged": unchanged,
                            "seconds": (seconds * 1000.0).round() / 1000.0},
            });
            ctx.ui.item(&document, &[]);
        }
    }
    if items.is_empty() {
        ctx.ui.success(&format!(
            "No changes: the state of {} organization(s) matches the plan.",
            outcomes.len()
        ));
        return Code::Ok;
    }
    let message = format!(
        "Applied {} change(s) in {} organization(s) ({} unchanged) in {seconds:.2} s; {failed} failed, {unknown} unknown, {skipped} skipped.",
        applied.len(),
        outcomes.len() - unchanged,
        unchanged
    );
    // A hint only says what is true of this run's failures.
    let duplicates = items.iter().any(|item| {
        item.error
            .as_deref()
            .is_some_and(|e| e.contains("organizations have this name"))
    });
    if unknown > 0 {
        ctx.ui.error(
            &message,
            Some("the unknown items lost their answer and reading back could not settle them: they may have been applied. `scc plan` on the same file shows what is still missing"),
        );
        Code::Unknown
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
