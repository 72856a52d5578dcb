//! One module per noun; each verb calls the SDK and prints through [`Ui`].

pub(crate) mod api;
pub(crate) mod apply;
pub(crate) mod auth;
pub(crate) mod demo;
mod export;
pub(crate) mod group;
mod mcp;
pub(crate) mod org;
pub(crate) mod role;
pub(crate) mod subscription;
pub(crate) mod token;
pub(crate) mod user;
pub(crate) mod xdr;

use scc_sdk::{BulkReport, BulkResult, Client};
use serde::Serialize;
use serde_json::{Value, json};

use crate::cli::{Global, RemoteCommand};
use crate::failure::{CliError, Code};
use crate::output::Ui;
use crate::settings::Settings;

pub(crate) struct Ctx {
    pub(crate) global: Global,
    pub(crate) settings: Settings,
    pub(crate) ui: Ui,
}

impl Ctx {
    pub(crate) fn client(&self) -> Result<Client, CliError> {
        self.settings.client()
    }

    /// The organization to act on (`--org` takes an id or a name).
    pub(crate) async fn org(&self, client: &Client) -> Result<String, CliError> {
        crate::resolve::org(client, &self.settings.org()?).await
    }

    /// Asks before a destructive change; `--yes` (or `--dry-run`) skips the question. Without a
    /// terminal to ask on, refuses.
    /// `Ok(false)` when the answer is no: not an error (the caller changes nothing and exits 0).
    pub(crate) fn confirm(&self, what: &str) -> Result<bool, CliError> {
        if self.global.yes || self.global.dry_run {
            return Ok(true);
        }
        if !self.ui.can_ask() {
            return Err(CliError::usage(
                format!("not confirmed: {what}, and there is no terminal to ask on"),
                "pass --yes to confirm without a prompt",
            ));
        }
        Ok(self.ui.confirm(&format!("{what}?")))
    }

    /// After a "no": nothing was changed, and that is not a failure.
    pub(crate) fn declined(&self) -> Code {
        self.ui.note("not confirmed: nothing was changed");
        Code::Declined
    }

    /// An organization as a prompt names it: `"Acme MSP" (0194…)`; its id alone when the name cannot
    /// be read.
    pub(crate) async fn org_label(&self, client: &Client, org: &str) -> String {
        match client.organizations().get(org).await {
            Ok(found) => match found.name {
                Some(name) => format!("{name:?} ({org})"),
                None => org.to_owned(),
            },
            Err(_) => org.to_owned(),
        }
    }
}

/// The items of a paged listing as the paging flags say: one page (its next cursor said on stderr)
/// with `--no-paginate`, else every page under a spinner. `page` and `all` are the same request.
pub(crate) async fn listing<T, P, S>(
    ctx: &Ctx,
    paging: &crate::cli::Paging,
    what: &'static str,
    page: impl FnOnce() -> P,
    all: impl FnOnce() -> S,
) -> Result<Vec<T>, CliError>
where
    P: std::future::Future<Output = Result<scc_sdk::Page<T>, scc_sdk::Error>>,
    S: futures_util::Stream<Item = Result<T, scc_sdk::Error>>,
{
    if paging.no_paginate {
        let page = page().await?;
        if let Some(next) = &page.next_cursor {
            ctx.ui.note(&format!("next cursor: {next}"));
        }
        let mut items = page.items;
        items.truncate(paging.max_items.unwrap_or(usize::MAX));
        return Ok(items);
    }
    let spinner = ctx.ui.spinner(what);
    let items = futures_util::TryStreamExt::try_collect(all()).await?;
    spinner.finish_and_clear();
    Ok(items)
}

/// `--all-orgs`: every organization the token reaches, four at a time (within the client's rate
/// limit), each with the items `fetch` lists there, marked with the organization's name and id and
/// printed with an ORGANIZATION column before `columns` (as `kubectl get -A`). An organization that
/// cannot be listed fails the command, naming it.
pub(crate) async fn across_orgs<F, Fut>(
    ctx: &Ctx,
    client: &Client,
    what: &'static str,
    columns: &[crate::output::Column],
    fetch: F,
) -> Result<Code, CliError>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<Value>, scc_sdk::Error>>,
{
    use futures_util::{StreamExt, TryStreamExt};
    if !ctx.global.org.is_empty() {
        return Err(CliError::usage(
            "--org and --all-orgs name different organizations".into(),
            "give --org for one organization, or --all-orgs for every one",
        ));
    }
    let spinner = ctx.ui.spinner(what);
    let orgs: Vec<scc_sdk::types::Organization> = client.organizations().list().max(500).items().try_collect().await?;
    let listed: Vec<_> = futures_util::stream::iter(orgs)
        .map(|org| {
            let listing = fetch(org.id.to_string());
            async move { (org, listing.await) }
        })
        .buffered(4)
        .collect()
        .await;
    spinner.finish_and_clear();
    let mut all = Vec::new();
    for (org, items) in listed {
        let label = org.name.clone().unwrap_or_else(|| org.id.to_string());
        let items = items.map_err(|error| {
            let mut failed = CliError::from(error);
            failed.message = format!("organization {}: {}", crate::output::one_line(&label), failed.message);
            failed
        })?;
        for mut item in items {
            if let Value::Object(fields) = &mut item {
                fields.insert("organization".into(), Value::String(label.clone()));
                fields.insert("organization_id".into(), Value::String(org.id.to_string()));
            }
            all.push(item);
        }
    }
    let columns: Vec<crate::output::Column> = std::iter::once(("ORGANIZATION", "organization"))
        .chain(columns.iter().copied())
        .collect();
    ctx.ui.list(&all, &columns);
    Ok(Code::Ok)
}

/// A serializable value as JSON (the server's JSON for SDK models).
pub(crate) fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Items as JSON values.
pub(crate) fn to_json_list<T: Serialize>(items: &[T]) -> Vec<Value> {
    items.iter().map(to_json).collect()
}

/// The changes of a membership PATCH (group members, managed organizations, role holders) sorted
/// before sending: those already in place are reported `unchanged` and not sent, so a script run
/// again exits 0 (as `kubectl apply`).
#[derive(Default)]
pub(crate) struct InPlace {
    unchanged: Vec<Value>,
    to_send: usize,
}

impl InPlace {
    /// Whether the change is in place already: `present` says whether the target holds `id` now
    /// (`None`: it cannot be told, and the change is sent).
    pub(crate) fn settled(&mut self, kind: &str, operation: &str, id: &str, present: Option<bool>) -> bool {
        if present == Some(operation == "add") {
            self.unchanged
                .push(json!({"id": id, "type": kind, "operation": operation, "status": "unchanged"}));
            return true;
        }
        self.to_send += 1;
        false
    }

    /// Sends the PATCH when some change is left for it, then prints the unchanged rows and the
    /// results of what was sent; exit 3 when an item sent failed.
    pub(crate) async fn finish(
        self,
        ctx: &Ctx,
        send: impl std::future::Future<Output = scc_sdk::Result<BulkResult>>,
    ) -> Result<Code, CliError> {
        let result = if self.to_send > 0 { Some(send.await?) } else { None };
        Ok(self.print(ctx, result.as_ref()))
    }

    fn print(self, ctx: &Ctx, result: Option<&BulkResult>) -> Code {
        let unchanged_count = self.unchanged.len();
        let mut rows = self.unchanged;
        let (succeeded, failed) = result.map_or((0, 0), |result| {
            let summary = result.summary();
            (summary.succeeded, summary.failed)
        });
        if let Some(result) = result {
            rows.extend(to_json_list(&result.results));
        }
        ctx.ui.list(&rows, crate::output::columns::BULK_RESULT);
        summary_code(ctx, succeeded, failed, unchanged_count)
    }
}

/// Exit 0 when every item sent succeeded (those already in place count as done: a script can run
/// again), 3 when some failed.
fn summary_code(ctx: &Ctx, succeeded: usize, failed: usize, unchanged: usize) -> Code {
    let total = succeeded + failed;
    let unchanged_note = if unchanged > 0 {
        format!(", {unchanged} unchanged (already in place)")
    } else {
        String::new()
    };
    if failed == 0 {
        ctx.ui
            .success(&format!("{succeeded} of {total} succeeded{unchanged_note}"));
        Code::Ok
    } else {
        ctx.ui.error(
            &format!("{failed} of {} items failed{unchanged_note}", total + unchanged),
            Some("every failure is listed above"),
        );
        Code::Partial
    }
}

/// Prints a bulk report (one row per input item); exit 3 when any item failed. Under --dry-run the
/// planned requests are printed instead.
pub(crate) fn print_report(ctx: &Ctx, report: &BulkReport, settled: Vec<Value>) -> Result<Code, CliError> {
    let planned: Vec<Value> = report
        .items
        .iter()
        .filter_map(|item| match &item.outcome {
            scc_sdk::ItemOutcome::RequestFailed(error) => match error.as_ref() {
                scc_sdk::Error::DryRun(planned) => Some(to_json(planned)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    if !planned.is_empty() || ctx.global.dry_run && report.items.is_empty() {
        if !settled.is_empty() {
            ctx.ui.list(&settled, crate::output::columns::BULK_REPORT);
        }
        let mut unique: Vec<Value> = Vec::new();
        for request in planned {
            if !unique.contains(&request) {
                unique.push(request);
            }
        }
        ctx.ui
            .list(&unique, &[("METHOD", "method"), ("URL", "url"), ("BODY", "body")]);
        ctx.ui.note("dry run: nothing was sent");
        return Ok(Code::Ok);
    }
    // Items already in place (or in place otherwise than asked) first: they were not sent.
    let missing = settled.iter().filter(|row| row["result"] == "not_found").count();
    let differing = settled.iter().filter(|row| row["result"] == "failed").count() + missing;
    let unchanged = settled.len() - differing;
    let mut rows: Vec<Value> = settled;
    rows.extend(report.items.iter().map(|item| {
        let mut row = json!({
            "email": item.email,
            "operation": item.operation.as_str(),
            "result": if item.outcome.is_success() { "success" } else { "failed" },
        });
        if let Some(reason) = item.outcome.failure_reason() {
            row["error"] = reason.into();
        }
        if let Some(tracking_id) = item.outcome.tracking_id() {
            row["trackingId"] = tracking_id.into();
        }
        row
    }));
    ctx.ui.list(&rows, crate::output::columns::BULK_REPORT);
    // Nothing was sent because every item was refused before sending: a usage error (exit 2), as for
    // any input refused before sending; some refused beside others sent is a partial failure (exit 3).
    let refused_before_sending = report
        .items
        .iter()
        .all(|item| matches!(item.outcome, scc_sdk::ItemOutcome::NotSent(_)));
    if refused_before_sending && !report.items.is_empty() && differing == 0 {
        ctx.ui.error(
            &format!(
                "nothing was sent: the {} item(s) were refused before sending",
                report.items.len()
            ),
            Some("every reason is listed above; fix them and run again"),
        );
        return Ok(Code::Usage);
    }
    let summary = report.summary();
    if missing > 0 && summary.failed + differing == missing {
        // Every failure names what does not exist: not found, never "already in place".
        ctx.ui.error(
            &format!(
                "{missing} of {} items name a user the organization does not have; {} succeeded",
                summary.succeeded + summary.failed + differing + unchanged,
                summary.succeeded
            ),
            Some("check the e-mail addresses (`scc user list`); --ignore-missing reports them unchanged"),
        );
        return Ok(Code::NotFound);
    }
    Ok(summary_code(
        ctx,
        summary.succeeded,
        summary.failed + differing,
        unchanged,
    ))
}

pub(crate) async fn run(ctx: &Ctx, command: RemoteCommand) -> Result<Code, CliError> {
    let scoped = matches!(
        command,
        RemoteCommand::Plan(_) | RemoteCommand::Apply(_) | RemoteCommand::Export
    );
    // A flag a command accepts is honoured or refused: these act on no organization of --org.
    let ignores_org = match &command {
        RemoteCommand::Org(crate::cli::OrgCommand::List { .. }) => {
            Some("to list those an organization manages: --manager ORG")
        }
        RemoteCommand::Org(crate::cli::OrgCommand::Update { .. }) => {
            Some("name the organization as the argument: scc org update ORG --name NEW")
        }
        RemoteCommand::Xdr(_) => Some("XDR acts on the organization of its client credentials"),
        RemoteCommand::Profile(_) | RemoteCommand::Demo(_) | RemoteCommand::Mcp(_) => {
            Some("this command takes no organization")
        }
        _ => None,
    };
    if let (Some(hint), false) = (ignores_org, ctx.global.org.is_empty()) {
        return Err(CliError::usage("--org does nothing for this command".into(), hint));
    }
    if !scoped && ctx.global.org.len() > 1 {
        return Err(CliError::usage(
            format!(
                "--org is given {} times; this command acts on one organization",
                ctx.global.org.len()
            ),
            "give --org once (only plan, apply and export take several)",
        ));
    }
    match command {
        RemoteCommand::Org(command) => org::run(ctx, command).await,
        RemoteCommand::Subscription(command) => subscription::run(ctx, command).await,
        RemoteCommand::User(command) => user::run(ctx, command).await,
        RemoteCommand::Group(command) => group::run(ctx, command).await,
        RemoteCommand::Role(command) => role::run(ctx, command).await,
        RemoteCommand::Token(command) => token::run(ctx, command).await,
        RemoteCommand::Xdr(args) => xdr::run(ctx, args).await,
        RemoteCommand::Api(args) => api::run(ctx, args).await,
        RemoteCommand::Plan(args) => apply::run(ctx, args, true).await,
        RemoteCommand::Apply(args) => apply::run(ctx, args, false).await,
        RemoteCommand::Export => export::run(ctx).await,
        RemoteCommand::Configure(args) => auth::configure(ctx, args).await,
        RemoteCommand::Profile(command) => auth::profile(ctx, command),
        RemoteCommand::Auth(crate::cli::AuthCommand::Login(args)) => auth::configure(ctx, args).await,
        RemoteCommand::Auth(command) => auth::run(ctx, command),
        RemoteCommand::Whoami => auth::whoami(ctx).await,
        RemoteCommand::Demo(args) => demo::run(ctx, args).await,
        RemoteCommand::Mcp(args) => {
            let options = mcp::Options {
                allow_writes: args.allow_writes,
                yes: ctx.global.yes,
            };
            mcp::run(ctx, options).await
        }
    }
}
