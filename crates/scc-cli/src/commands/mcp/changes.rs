//! The write tools: every write is a change set of the engine. `plan` (or `invite_user` /
//! `update_user`, which write the plan document of one user) computes it and keeps it under an id;
//! `apply` shows it to the person, and once confirmed makes exactly it, each organization read
//! again under its lock and left untouched where the changes now differ (as `scc apply` of a saved
//! plan). A change set is applied at most once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rmcp::RoleServer;
use rmcp::service::{ElicitationError, RequestContext};
use scc_apply::{Actor, OrgReport, PlanFile, Planned, Session, Source, Status};
use serde_json::{Map, Value, json};

use super::reads::Arguments;
use super::{Server, ToolError, tools};
use crate::commands::apply::{plan_reports, plan_text};
use crate::failure::Code;
use crate::output::{Format, Ui};
use crate::resolve;

/// One planned change set, waiting for `apply`.
struct ChangeSet {
    /// The plan file's path (`<document>.json` for a document given inline) and its bytes' digest.
    path: PathBuf,
    file: PlanFile,
    plans: Vec<Planned>,
    /// Where each organization is in the plan given.
    places: Vec<usize>,
    /// As `scc plan` shows it; what the person is asked about.
    text: String,
}

/// The change sets of this session, by id.
#[derive(Default)]
pub(crate) struct ChangeSets {
    kept: Mutex<(u64, HashMap<String, ChangeSet>)>,
}

impl ChangeSets {
    fn keep(&self, change_set: ChangeSet) -> String {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.0 += 1;
        let id = format!("cs-{}", kept.0);
        kept.1.insert(id.clone(), change_set);
        id
    }

    fn take(&self, id: &str) -> Option<ChangeSet> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner).1.remove(id)
    }

    fn put_back(&self, id: String, change_set: ChangeSet) {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .insert(id, change_set);
    }
}

/// The person's answer to "apply these changes?".
#[derive(serde::Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct Confirmation {
    /// Apply exactly these changes.
    apply: bool,
}
rmcp::elicit_safe!(Confirmation);

pub(crate) async fn call(
    server: &Server,
    name: &str,
    arguments: &Map<String, Value>,
    context: &RequestContext<RoleServer>,
) -> Result<Value, ToolError> {
    match name {
        tools::PLAN => {
            let args = Arguments::new(arguments, &["document", "path", "organizations"])?;
            let scope = organizations(arguments)?;
            match (arguments.get("document"), args.text("path")?) {
                (Some(document), None) if document.is_object() => {
                    plan(
                        server,
                        Path::new("<document>.json"),
                        scc_apply::parse(Path::new("<document>.json"), &document.to_string())?,
                        &scope,
                    )
                    .await
                }
                (None, Some(path)) => {
                    let path = PathBuf::from(path);
                    // Only a plan file is read (by its name), within the plan's bounds: the tool is
                    // no way to read other files of this machine.
                    let named_as_plan = path
                        .extension()
                        .and_then(|extension| extension.to_str())
                        .is_some_and(|extension| matches!(extension, "yaml" | "yml" | "toml" | "json"));
                    if !named_as_plan {
                        return Err(ToolError::usage(
                            format!("{} is not named as a plan file", path.display()),
                            "give a .yaml, .yml, .toml or .json plan file, or the plan as a document",
                        ));
                    }
                    let source = scc_apply::read(&path)?;
                    plan(server, &path, source, &scope).await
                }
                _ => Err(ToolError::usage(
                    "give a plan document (an object) or a plan file's path, not both",
                    "document: {\"organizations\": [...]}, in the shape of the resource scc://schema/plan-file",
                )),
            }
        }
        tools::INVITE_USER | tools::UPDATE_USER => {
            let args = Arguments::new(
                arguments,
                &["organization", "email", "first_name", "last_name", "admin"],
            )?;
            let org_text = args.required("organization")?;
            let email = args.required("email")?;
            let org_id = resolve::org(&server.client, &org_text).await?;
            if name == tools::UPDATE_USER {
                // A change to a user that does not exist is not an invitation.
                let user = resolve::user(&server.client, &org_id, &email).await?;
                server.client.users().get(org_id.as_str(), user).await?;
            }
            let mut user = json!({
                "email": email,
                "first_name": args.required("first_name")?,
                "last_name": args.required("last_name")?,
            });
            if let Some(admin) = args.boolean("admin")? {
                user["admin"] = json!(admin);
            }
            let document = json!({"organizations": [{"id": org_id, "users": [user]}]});
            plan(
                server,
                Path::new("<document>.json"),
                scc_apply::parse(Path::new("<document>.json"), &document.to_string())?,
                &[],
            )
            .await
        }
        tools::DISABLE_USER | tools::ENABLE_USER => {
            let args = Arguments::new(arguments, &["organization", "email"])?;
            let email = args.required("email")?;
            let org_id = resolve::org(&server.client, &args.required("organization")?).await?;
            // The user as they are: a change of who may sign in, not of their names.
            let id = resolve::user(&server.client, &org_id, &email).await?;
            let user = server.client.users().get(org_id.as_str(), id).await?;
            let document = json!({"organizations": [{"id": org_id, "users": [{
                "email": email,
                "first_name": user.first_name.unwrap_or_default(),
                "last_name": user.last_name.unwrap_or_default(),
                "enabled": name == tools::ENABLE_USER,
            }]}]});
            let path = Path::new("<document>.json");
            plan(server, path, scc_apply::parse(path, &document.to_string())?, &[]).await
        }
        tools::APPLY => {
            let args = Arguments::new(arguments, &["change_set"])?;
            apply(server, &args.required("change_set")?, context).await
        }
        other => Err(ToolError::usage(
            format!("no tool is named {other:?}"),
            "list the tools",
        )),
    }
}

fn organizations(arguments: &Map<String, Value>) -> Result<Vec<String>, ToolError> {
    match arguments.get("organizations") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(names)) => names
            .iter()
            .map(|name| {
                name.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ToolError::usage("organizations must be names or ids", "give a list of strings"))
            })
            .collect(),
        Some(_) => Err(ToolError::usage(
            "organizations must be a list",
            "give a list of names or ids",
        )),
    }
}

/// Runs engine work on a thread of its own (the engine's futures are not `Send`), with the
/// client's own connections, and waits for it without holding this runtime.
async fn on_engine_thread<T, Work, Done>(client: &scc_sdk::Client, work: Work) -> Result<T, ToolError>
where
    T: Send + 'static,
    Work: FnOnce(scc_sdk::Client) -> Done + Send + 'static,
    Done: std::future::Future<Output = T>,
{
    let own = client.with_own_connections()?;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("scc-apply".into())
        .spawn(move || {
            let answer = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|runtime| runtime.block_on(work(own)));
            let _ = sender.send(answer);
        })
        .map_err(|error| ToolError::usage(format!("cannot start the engine's thread: {error}"), "try again"))?;
    match receiver.await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(ToolError::usage(format!("the engine's runtime: {error}"), "try again")),
        Err(_) => Err(ToolError::usage(
            "the engine's thread ended without an answer",
            "try again",
        )),
    }
}

/// Plans `source` (a plan file at `path`, a document, or a saved plan) into a change set of this
/// session.
async fn plan(server: &Server, path: &Path, mut source: Source, scope: &[String]) -> Result<Value, ToolError> {
    let places = source.select(scope, path)?;
    let (file, plans) = match source {
        Source::Plan(file, _) => {
            let (service, locks_dir, task_file) = (server.service.clone(), server.locks_dir.clone(), file.clone());
            let planned = on_engine_thread(&server.client, move |client| async move {
                Session::new(&client, service, locks_dir).plan(&task_file).await
            })
            .await??;
            let plans = planned.ok_or_else(|| ToolError::usage("stopped before the plan was made", "plan again"))?;
            (file, plans)
        }
        Source::Saved(saved) => {
            saved.check(path, &server.service)?;
            let file = saved.plan_file();
            (file, saved.organizations.into_iter().map(|org| org.planned).collect())
        }
    };
    let reports = plan_reports(path, &places, &file, &plans);
    let ui = Ui::new(Format::Json, true);
    let mut text = String::new();
    for report in &reports {
        plan_text(&ui, report, &mut text);
    }
    let changes: usize = plans.iter().map(|planned| planned.changes.len()).sum();
    let problems: usize = reports
        .iter()
        .map(|report| report.items.len() - report.count(Status::Planned))
        .sum();
    let organizations: Vec<Value> = reports
        .iter()
        .map(|report| json!({"org": report.org, "org_id": report.org_id, "changes": report.rows()}))
        .collect();
    let id = server.change_sets.keep(ChangeSet {
        path: path.to_owned(),
        file,
        plans,
        places,
        text: text.clone(),
    });
    Ok(json!({
        "change_set": id,
        "text": text,
        "changes": changes,
        "problems": problems,
        "organizations": organizations,
    }))
}

/// Asks the person to confirm `change_set`: through the client (elicitation) when it can ask, else
/// `--yes` given to the server stands for the answer; otherwise refused.
async fn confirm(
    server: &Server,
    change_set: &ChangeSet,
    context: &RequestContext<RoleServer>,
) -> Result<&'static str, ToolError> {
    let question = format!(
        "Apply these changes with profile {} to {}?\n\n{}",
        server.profile,
        scc_sdk::config::redacted(&server.service),
        change_set.text
    );
    match context.peer.elicit::<Confirmation>(question).await {
        Ok(Some(Confirmation { apply: true })) => Ok("the person (elicitation)"),
        Ok(_) | Err(ElicitationError::UserDeclined | ElicitationError::UserCancelled) => Err(ToolError {
            kind: Code::Declined.name(),
            message: "the person did not confirm the change set: nothing was changed".into(),
            hint: Some("plan again if something should change".into()),
            tracking_id: None,
            detail: None,
        }),
        Err(ElicitationError::CapabilityNotSupported) if server.options.yes => Ok("--yes (the server's flag)"),
        Err(ElicitationError::CapabilityNotSupported) => Err(ToolError {
            kind: Code::Declined.name(),
            message: "this client cannot ask the person to confirm (no MCP elicitation): nothing was changed".into(),
            hint: Some(
                "apply the change set with `scc apply`, or start the server as `scc mcp --allow-writes --yes`".into(),
            ),
            tracking_id: None,
            detail: None,
        }),
        Err(other) => Err(ToolError {
            kind: Code::Declined.name(),
            message: format!("the person could not be asked ({other}): nothing was changed"),
            hint: Some("try again".into()),
            tracking_id: None,
            detail: None,
        }),
    }
}

/// Applies the change set `id`, once confirmed.
async fn apply(server: &Server, id: &str, context: &RequestContext<RoleServer>) -> Result<Value, ToolError> {
    let change_set = server.change_sets.take(id).ok_or_else(|| {
        ToolError::usage(
            format!("no change set {id:?} in this session (each is applied once)"),
            "plan first: `plan` answers a change_set id",
        )
    })?;
    if change_set.plans.iter().all(|planned| planned.changes.is_empty()) {
        return Ok(json!({"organizations": [], "applied": true, "confirmed_by": "nothing to change"}));
    }
    let problems: usize = change_set
        .plans
        .iter()
        .map(|planned| planned.items().len() - planned.changes.len())
        .sum();
    if problems > 0 {
        let message = format!("the change set has {problems} problem(s): it is not applied");
        server.change_sets.put_back(id.to_owned(), change_set);
        return Err(ToolError::usage(
            message,
            "fix the plan (its problems are in plan's answer) and plan again",
        ));
    }
    let confirmed_by = match confirm(server, &change_set, context).await {
        Ok(who) => who,
        Err(error) => return Err(error),
    };
    let actor = Actor {
        service: server.service.clone(),
        api_key_id: server.api_key_id.clone(),
        via: "mcp",
    };
    let (service, locks_dir, journal) = (server.service.clone(), server.locks_dir.clone(), server.journal.clone());
    let (file, plans) = (change_set.file.clone(), change_set.plans.clone());
    let outcome = on_engine_thread(&server.client, move |client| async move {
        Session::new(&client, service, locks_dir)
            .apply_saved(&file, &plans, actor, journal.as_deref())
            .await
    })
    .await?;
    let (applied, journal_broken) = outcome?;
    let applied =
        applied.map_err(|_| ToolError::usage("stopped while applying", "read the state back before planning again"))?;
    let mut all_applied = true;
    let organizations: Vec<Value> = applied
        .into_iter()
        .map(|(index, applied)| {
            let report = OrgReport {
                org: change_set.file.organizations[index].label(),
                org_id: applied.org_id.clone(),
                items: applied.outcomes.into_items(),
            };
            let (verdict, difference) = match applied.verdict.difference() {
                None => ("applied", Vec::new()),
                Some(difference) => ("not_applied", difference),
            };
            let done = verdict == "applied" && report.rows().iter().all(|row| row.result == Status::Ok);
            all_applied &= done;
            json!({"org": report.org, "org_id": report.org_id, "place": change_set.places.get(index),
                   "verdict": verdict, "difference": difference, "changes": report.rows()})
        })
        .collect();
    let document = json!({
        "organizations": organizations,
        "applied": all_applied,
        "confirmed_by": confirmed_by,
        "journal_broken": journal_broken,
        "plan": change_set.path.display().to_string(),
    });
    if organizations_stale(&document) {
        return Err(ToolError {
            kind: Code::PlanChanged.name(),
            message: format!(
                "the change set is not the state's any more: nothing was made where it changed ({})",
                stale_summary(&document)
            ),
            hint: Some("plan again: the new changes are shown, and need a new confirmation".into()),
            tracking_id: None,
            detail: Some(document),
        });
    }
    Ok(document)
}

fn organizations_stale(document: &Value) -> bool {
    document["organizations"]
        .as_array()
        .is_some_and(|orgs| orgs.iter().any(|org| org["verdict"] == "not_applied"))
}

fn stale_summary(document: &Value) -> String {
    document["organizations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|org| org["verdict"] == "not_applied")
        .map(|org| {
            let difference: Vec<&str> = org["difference"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            format!("{}: {}", org["org"].as_str().unwrap_or_default(), difference.join("; "))
        })
        .collect::<Vec<_>>()
        .join(" | ")
}
