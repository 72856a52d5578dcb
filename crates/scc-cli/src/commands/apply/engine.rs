//! Reconciling one organization with its plan, in rounds of observe → diff → execute. A write whose
//! answer was lost is never repeated blindly: the next round observes again, and the change is done
//! again only if the state shows it missing; if the state cannot be read, its outcome stays unknown.
//! Plan mode observes and diffs, and writes nothing.

use std::sync::PoisonError;
use std::sync::atomic::{AtomicBool, Ordering};

use scc_sdk::Client;

use super::diff;
use super::execute;
use super::observe::{self, Directory, Observation, Scope, Section};
use super::plan::OrgPlan;
use super::report::{ItemReport, Mode, OrgOutcome, Outcome, Progress, Run, duplicates_message};

/// Rounds of observe and fix per organization in one apply.
const ROUNDS: u32 = 4;
/// What looking an organization up found.
enum Lookup {
    Found(String),
    /// The service answered: there is none.
    Missing,
    /// The lookup failed or was ambiguous (reported); nothing may be concluded.
    Unknown,
}

/// Reconciles one organization.
pub(crate) async fn reconcile(
    client: &Client,
    directory: Option<&Directory>,
    plan: &OrgPlan,
    mode: Mode,
    progress: Progress,
) -> OrgOutcome {
    let run = Run {
        client,
        plan,
        mode,
        label: plan.label(),
        items: progress,
        again: AtomicBool::new(false),
    };
    let mut rounds = 0;
    let mut org_id: Option<String> = None;
    while rounds < ROUNDS {
        rounds += 1;
        run.again.store(false, Ordering::SeqCst);
        let earlier = run.take_unsettled();
        if org_id.is_none() {
            org_id = match find_org(&run, directory, rounds).await {
                Lookup::Found(id) => Some(id),
                // Created only when the service said it is not there, never when the lookup failed.
                Lookup::Missing if run.writing() => execute::create_org(&run).await,
                Lookup::Missing if plan.create => {
                    let planned = diff::diff(plan, &Observation::empty(), true);
                    record_plan(&run, &planned);
                    break;
                }
                Lookup::Missing | Lookup::Unknown => None,
            };
        }
        let Some(org) = org_id.clone() else {
            // Nothing of the organization could be read: what was unsettled stays so.
            restore(&run, earlier);
            if !run.again.load(Ordering::SeqCst) {
                break;
            }
            continue;
        };
        let seen = observe::observe(client, &org, Scope::Plan(plan)).await;
        run.report_reads(&seen);
        let changes = diff::diff(plan, &seen, false);
        run.settle(earlier, &seen, &changes);
        if !run.writing() {
            record_plan(&run, &changes);
            break;
        }
        for problem in &changes.problems {
            run.record(
                problem.object.clone(),
                problem.action,
                Some(Section::Roles),
                None,
                Outcome::Refused(problem.message.clone()),
            );
        }
        if !changes.changes.is_empty() {
            execute::execute(&run, &org, changes.changes, &seen).await;
        }
        // Another round when a write may need settling or a read failed for a passing reason: the
        // diff could not see what that read would have shown.
        if !run.again.load(Ordering::SeqCst) {
            break;
        }
    }
    let items = run.items.lock().unwrap_or_else(PoisonError::into_inner).clone();
    OrgOutcome {
        org: plan.label(),
        org_id,
        rounds,
        items,
    }
}

fn restore(run: &Run<'_>, earlier: Vec<ItemReport>) {
    let mut items = run.items.lock().unwrap_or_else(PoisonError::into_inner);
    for item in earlier {
        if !items
            .iter()
            .any(|seen| seen.object == item.object && seen.action == item.action)
        {
            items.push(item);
        }
    }
}

/// Plan mode: each change planned (deletions too: `scc plan` shows what `--yes` would remove).
fn record_plan(run: &Run<'_>, planned: &diff::Diff) {
    for change in &planned.changes {
        run.change(change, Outcome::Planned);
    }
    for problem in &planned.problems {
        run.record(
            problem.object.clone(),
            problem.action,
            Some(Section::Roles),
            None,
            Outcome::Refused(problem.message.clone()),
        );
    }
}

/// The organization: by id, or by name (trimmed, any case) among those the token reaches: from the
/// run's directory in the first round, by one filtered request after that.
async fn find_org(run: &Run<'_>, directory: Option<&Directory>, round: u32) -> Lookup {
    let plan = run.plan;
    if let Some(id) = &plan.id {
        return match run.client.organizations().get(id.trim()).await {
            Ok(org) => Lookup::Found(org.id.to_string()),
            Err(error) => {
                run.record(
                    format!("organization {id}"),
                    "find",
                    Some(Section::Organization),
                    None,
                    Outcome::Failed(&error),
                );
                Lookup::Unknown
            }
        };
    }
    let name = plan.label();
    // The run's directory, in the first round, unless another run held this one's lock since it was
    // listed (the caller then gives none): that run may have created the organization since. Another machine's
    // create is caught by the look for duplicates right after this one's.
    let listed = directory
        .filter(|_| round == 1)
        .map(|directory| directory.named(&name).to_vec());
    let matches = match listed {
        Some(found) => found,
        None => match observe::orgs_named(run.client, &name).await {
            Ok(found) => found,
            Err(error) => {
                run.record(
                    format!("organization {name}"),
                    "find",
                    Some(Section::Organization),
                    None,
                    Outcome::Failed(&error),
                );
                return Lookup::Unknown;
            }
        },
    };
    match matches.len() {
        0 => {
            if !plan.create {
                run.record(
                    format!("organization {name}"),
                    "find",
                    Some(Section::Organization),
                    None,
                    Outcome::Refused("no organization has this name (set `create: true` to create it)".into()),
                );
            }
            Lookup::Missing
        }
        1 => Lookup::Found(matches[0].id.to_string()),
        _ => {
            run.record(
                format!("organization {name}"),
                "find",
                Some(Section::Organization),
                None,
                Outcome::Refused(duplicates_message(&matches)),
            );
            Lookup::Unknown
        }
    }
}
