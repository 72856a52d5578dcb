//! Reconciling one organization with its plan. Each round reads the state, works out what is still
//! needed and does it; a write that failed in a way that may have reached the server is never repeated
//! blindly: the next round reads the state again and only does what is still missing. Plan mode runs
//! the same reads and records the changes without writing.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use futures_util::TryStreamExt;
use scc_sdk::types::{AppliesTo, OrganizationType, RegionCode, Role, User, UserOperation};
use scc_sdk::{Client, Error, ItemOutcome, ItemResult};
use serde::Serialize;

use super::plan::{OrgPlan, RolePlan, name_key};

/// Most items the service takes in one bulk PATCH (users, admin groups, roles).
const MAX_BULK_ITEMS: usize = 500;

/// What an interrupt finds of a write that was sent and not answered.
const IN_FLIGHT: &str = "sent; no answer yet (interrupted)";

/// Rounds of read-and-fix per organization in one apply.
const ROUNDS: u32 = 4;
const ADMIN_PRODUCT: &str = "Security Cloud Control";
const ADMIN_ROLE: &str = "Organization Administrator";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Read and list the changes; write nothing.
    Plan,
    /// Make the changes; deletions only when `allow_prune` (--yes).
    Apply { allow_prune: bool },
}

/// One change and what became of it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ItemReport {
    pub(crate) org: String,
    pub(crate) object: String,
    pub(crate) action: String,
    /// `planned`, `ok`, `failed`, `unknown` (the answer was lost and reading back could not
    /// tell) or `skipped`.
    pub(crate) result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tracking_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
}

/// Everything one organization's reconciliation did.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OrgOutcome {
    pub(crate) org: String,
    pub(crate) org_id: Option<String>,
    pub(crate) rounds: u32,
    pub(crate) items: Vec<ItemReport>,
}

enum Outcome<'e> {
    Planned,
    Ok,
    Skipped(&'static str),
    /// A request failed: a read, or a write the service refused, is `failed`; a write whose answer
    /// was lost (it may have been applied) is `unknown` until reading back settles it.
    Failed(&'e Error),
    Refused(String),
    /// Sent, and what became of it is not known (yet).
    Unknown(String),
}

/// Actions that read: their failure says nothing about the state.
fn is_read(action: &str) -> bool {
    matches!(action, "list" | "read" | "read claim code" | "find")
}

struct Run<'a> {
    client: &'a Client,
    plan: &'a OrgPlan,
    mode: Mode,
    label: String,
    /// The latest outcome of each change, in the order the changes first came.
    items: std::sync::Arc<Mutex<Vec<ItemReport>>>,
    /// A write failed in a way another round may fix.
    again: AtomicBool,
    /// The stages that met a failure this round: the next round redoes only those.
    failed_stages: Mutex<HashSet<Stage>>,
}

/// The parts of an organization's reconciliation, in the order they depend on each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Stage {
    Subscriptions,
    Users,
    Groups,
    Members,
    Roles,
}

impl Stage {
    /// The stage a report object belongs to, by its first word.
    fn of(object: &str) -> Option<Self> {
        match object.split(' ').next().unwrap_or_default() {
            "subscription" => Some(Self::Subscriptions),
            "user" | "users" => Some(Self::Users),
            "group" | "groups" => Some(Self::Groups),
            "member" | "members" => Some(Self::Members),
            "role" | "roles" => Some(Self::Roles),
            _ => None,
        }
    }
}

impl Run<'_> {
    fn writing(&self) -> bool {
        matches!(self.mode, Mode::Apply { .. })
    }

    fn record(&self, object: String, action: &str, outcome: Outcome<'_>) {
        let (result, tracking_id, error) = match outcome {
            Outcome::Planned => ("planned", None, None),
            Outcome::Ok => ("ok", None, None),
            Outcome::Skipped(why) => ("skipped", None, Some(why.to_owned())),
            Outcome::Failed(error) => {
                if let Some(stage) = Stage::of(&object) {
                    self.failed_stages
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(stage);
                }
                let refused = error.status().is_some_and(|s| (400..500).contains(&s));
                let lost = error.may_have_reached_server() && !refused;
                if error.is_retryable() || lost {
                    self.again.store(true, Ordering::SeqCst);
                }
                let result = if lost && !is_read(action) { "unknown" } else { "failed" };
                (result, error.tracking_id().map(str::to_owned), Some(error.to_string()))
            }
            Outcome::Refused(reason) => ("failed", None, Some(reason)),
            Outcome::Unknown(reason) => {
                self.again.store(true, Ordering::SeqCst);
                ("unknown", None, Some(reason))
            }
        };
        let report = ItemReport {
            org: self.label.clone(),
            object: object.clone(),
            action: action.to_owned(),
            result: result.to_owned(),
            tracking_id,
            error,
        };
        let mut items = self.items.lock().unwrap_or_else(PoisonError::into_inner);
        match items
            .iter_mut()
            .find(|item| item.object == object && item.action == action)
        {
            Some(existing) => *existing = report,
            None => items.push(report),
        }
    }

    /// Records a write's result, or a planned change in plan mode (the write is not run).
    async fn write<T, F>(&self, object: String, action: &str, write: F) -> Option<T>
    where
        F: std::future::Future<Output = Result<T, Error>>,
    {
        if !self.writing() {
            self.record(object, action, Outcome::Planned);
            return None;
        }
        // Until the answer comes, the outcome is unknown: an interrupt reports it so.
        self.record(object.clone(), action, Outcome::Unknown(IN_FLIGHT.into()));
        match write.await {
            Ok(value) => {
                self.record(object, action, Outcome::Ok);
                Some(value)
            }
            Err(error) => {
                self.record(object, action, Outcome::Failed(&error));
                None
            }
        }
    }

    /// Marks a bulk write's items as sent and not answered yet.
    fn in_flight(&self, keys: &[(String, &str)]) {
        for (object, action) in keys {
            self.record(object.clone(), action, Outcome::Unknown(IN_FLIGHT.into()));
        }
    }

    /// Records the per-item results of a bulk PATCH.
    fn record_results(&self, keys: &[(String, &str)], result: Result<Vec<ItemResult>, Error>) {
        match result {
            Ok(results) => {
                for ((object, action), item) in keys.iter().zip(results.iter().map(Some).chain(std::iter::repeat(None)))
                {
                    match item {
                        Some(item) if item.is_success() => self.record(object.clone(), action, Outcome::Ok),
                        Some(item) => self.record(
                            object.clone(),
                            action,
                            Outcome::Refused(
                                item.error_description
                                    .clone()
                                    .unwrap_or_else(|| item.status.to_string()),
                            ),
                        ),
                        None => self.record(
                            object.clone(),
                            action,
                            Outcome::Unknown("the answer holds no result for this item".into()),
                        ),
                    }
                }
            }
            Err(error) => {
                for (object, action) in keys {
                    self.record(object.clone(), action, Outcome::Failed(&error));
                }
            }
        }
    }

    /// Removes and returns the failed items and those of unknown outcome.
    fn take_failures(&self) -> Vec<ItemReport> {
        let mut items = self.items.lock().unwrap_or_else(PoisonError::into_inner);
        let (failed, kept): (Vec<_>, Vec<_>) = items
            .drain(..)
            .partition(|item| matches!(item.result.as_str(), "failed" | "unknown"));
        *items = kept;
        failed
    }

    /// Earlier failures this round did not meet again: reading the state showed the change in place.
    /// Reads that failed and now succeeded leave no trace; writes are reported as done, but only
    /// when this round redid their stage and every read of that stage succeeded: a write whose
    /// confirming read failed too stays as it was (unknown, or failed), never "ok".
    fn confirm(&self, earlier: Vec<ItemReport>, redone: &HashSet<Stage>) {
        let mut items = self.items.lock().unwrap_or_else(PoisonError::into_inner);
        let blind: HashSet<Stage> = items
            .iter()
            .filter(|item| item.result == "failed" && is_read(&item.action))
            .filter_map(|item| Stage::of(&item.object))
            .collect();
        let organization_unread = items
            .iter()
            .any(|item| item.object.starts_with("organization ") && item.action == "find");
        for mut item in earlier {
            let again = |items: &Vec<ItemReport>, item: &ItemReport| {
                items
                    .iter()
                    .any(|seen| seen.object == item.object && seen.action == item.action)
            };
            let unread = match Stage::of(&item.object) {
                Some(stage) if !redone.contains(&stage) => {
                    items.push(item);
                    continue;
                }
                Some(stage) => blind.contains(&stage),
                None => organization_unread,
            };
            if unread {
                if !is_read(&item.action) && !again(&items, &item) {
                    items.push(item);
                }
                continue;
            }
            if items
                .iter()
                .any(|seen| seen.object == item.object && seen.action == item.action)
            {
                continue;
            }
            if is_read(&item.action) {
                continue;
            }
            item.result = "ok".into();
            item.error = None;
            item.tracking_id = None;
            items.push(item);
        }
    }

    fn deletion_allowed(&self, object: String, action: &str) -> bool {
        match self.mode {
            Mode::Plan => true,
            Mode::Apply { allow_prune: true } => true,
            Mode::Apply { allow_prune: false } => {
                self.record(object, action, Outcome::Skipped("deletions need --yes"));
                false
            }
        }
    }
}

/// Where one organization's reconciliation writes its items as they happen, so an interrupt can
/// report what was done.
pub(crate) type Progress = std::sync::Arc<Mutex<Vec<ItemReport>>>;

/// Reconciles one organization.
pub(crate) async fn reconcile(client: &Client, plan: &OrgPlan, mode: Mode, progress: Progress) -> OrgOutcome {
    let run = Run {
        client,
        plan,
        mode,
        label: plan.label(),
        items: progress,
        again: AtomicBool::new(false),
        failed_stages: Mutex::new(HashSet::new()),
    };
    let mut rounds = 0;
    let mut org_id: Option<String> = None;
    // Every stage in the first round; later, only those that failed and the ones that depend on them.
    let mut stages: HashSet<Stage> = [
        Stage::Subscriptions,
        Stage::Users,
        Stage::Groups,
        Stage::Members,
        Stage::Roles,
    ]
    .into_iter()
    .collect();
    while rounds < ROUNDS {
        rounds += 1;
        run.again.store(false, Ordering::SeqCst);
        run.failed_stages.lock().unwrap_or_else(PoisonError::into_inner).clear();
        // A failure of an earlier round is dropped: if it persists, this round records it again; if
        // this round finds nothing left to do, the state was checked and the change is there.
        let earlier_failures = run.take_failures();
        if org_id.is_none() {
            org_id = match find_org(&run).await {
                Lookup::Found(id) => Some(id),
                // Created only when the service said it is not there, never when the lookup failed.
                Lookup::Missing if run.writing() => create_org(&run).await,
                Lookup::Missing | Lookup::Unknown => None,
            };
        }
        match &org_id {
            Some(id) => reconcile_contents(&run, id, &stages).await,
            None if !run.writing() && plan.create => plan_new_org(&run),
            None => {}
        }
        run.confirm(earlier_failures, &stages);
        if !run.writing() || !run.again.load(Ordering::SeqCst) {
            break;
        }
        let failed = run.failed_stages.lock().unwrap_or_else(PoisonError::into_inner).clone();
        stages = failed.clone();
        if failed.contains(&Stage::Users) || failed.contains(&Stage::Groups) {
            stages.extend([Stage::Members, Stage::Roles]);
        }
        if org_id.is_none() {
            stages = [
                Stage::Subscriptions,
                Stage::Users,
                Stage::Groups,
                Stage::Members,
                Stage::Roles,
            ]
            .into();
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

/// What looking an organization up found.
enum Lookup {
    Found(String),
    /// The service answered: there is none.
    Missing,
    /// The lookup failed (reported); nothing may be concluded.
    Unknown,
}

/// The organization: by id, or by exact name among those the token reaches.
async fn find_org(run: &Run<'_>) -> Lookup {
    let plan = run.plan;
    if let Some(id) = &plan.id {
        return match run.client.organizations().get(id.as_str()).await {
            Ok(org) => Lookup::Found(org.id.to_string()),
            Err(error) => {
                run.record(format!("organization {id}"), "find", Outcome::Failed(&error));
                Lookup::Unknown
            }
        };
    }
    let name = plan.label();
    let found: Result<Vec<_>, _> = run
        .client
        .organizations()
        .list()
        .name(name.as_str())
        .max(500)
        .items()
        .try_collect()
        .await;
    match found {
        Ok(orgs) => {
            let matches: Vec<_> = orgs
                .into_iter()
                .filter(|org| {
                    org.name
                        .as_deref()
                        .is_some_and(|found| name_key(found) == name_key(&name))
                })
                .collect();
            match matches.len() {
                0 => {
                    if !plan.create {
                        run.record(
                            format!("organization {name}"),
                            "find",
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
                        Outcome::Refused(duplicates_message(&matches)),
                    );
                    Lookup::Unknown
                }
            }
        }
        Err(error) => {
            run.record(format!("organization {name}"), "find", Outcome::Failed(&error));
            Lookup::Unknown
        }
    }
}

fn duplicates_message(matches: &[scc_sdk::types::Organization]) -> String {
    let ids: Vec<String> = matches.iter().map(|org| org.id.to_string()).collect();
    format!(
        "{} organizations have this name ({}): another run may have created one at the same time; \
         keep one, remove the others in Security Cloud Control, then apply again",
        matches.len(),
        ids.join(", ")
    )
}

async fn create_org(run: &Run<'_>) -> Option<String> {
    let plan = run.plan;
    if !plan.create || plan.id.is_some() {
        return None;
    }
    let name = plan.label();
    let region = plan.region.clone().unwrap_or_default();
    let created = run
        .write(
            format!("organization {name}"),
            "create",
            run.client
                .organizations()
                .create(name.as_str(), region.as_str())
                .organization_type(OrganizationType::Managed)
                .send(),
        )
        .await?;
    // Another machine may have created the same organization at the same moment: look again, and
    // stop at a duplicate rather than fill one of two.
    let again: Result<Vec<_>, _> = run
        .client
        .organizations()
        .list()
        .name(name.as_str())
        .max(500)
        .items()
        .try_collect()
        .await;
    match again {
        Ok(orgs) => {
            let matches: Vec<_> = orgs
                .into_iter()
                .filter(|org| {
                    org.name
                        .as_deref()
                        .is_some_and(|found| name_key(found) == name_key(&name))
                })
                .collect();
            if matches.len() > 1 {
                run.record(
                    format!("organization {name}"),
                    "create",
                    Outcome::Refused(format!("created {}, but {}", created.id, duplicates_message(&matches))),
                );
                return None;
            }
        }
        Err(error) => {
            run.record(format!("organization {name}"), "find", Outcome::Failed(&error));
            return None;
        }
    }
    Some(created.id.to_string())
}

/// Plan mode for an organization that does not exist yet: everything in it is a creation.
fn plan_new_org(run: &Run<'_>) {
    let plan = run.plan;
    run.record(format!("organization {}", plan.label()), "create", Outcome::Planned);
    for subscription in &plan.subscriptions {
        run.record(
            format!("subscription {}", subscription.claim_code),
            "claim",
            Outcome::Planned,
        );
    }
    for user in &plan.users {
        run.record(format!("user {}", user.email), "invite", Outcome::Planned);
    }
    for group in &plan.groups {
        run.record(format!("group {}", group.name), "create", Outcome::Planned);
        for member in &group.members {
            run.record(
                format!("member {member} of group {}", group.name),
                "add",
                Outcome::Planned,
            );
        }
    }
    for (role, groups, users) in desired_roles(plan) {
        for group in groups {
            run.record(format!("role {role} of group {group}"), "assign", Outcome::Planned);
        }
        for user in users
            .iter()
            .filter(|user| !plan.users.iter().any(|u| u.admin && &u.email == *user))
        {
            run.record(format!("role {role} of user {user}"), "assign", Outcome::Planned);
        }
    }
}

async fn reconcile_contents(run: &Run<'_>, org: &str, stages: &HashSet<Stage>) {
    let when = |stage| stages.contains(&stage);
    tokio::join!(
        async {
            if when(Stage::Subscriptions) {
                subscriptions(run, org).await;
            }
        },
        async {
            if when(Stage::Users) {
                users(run, org).await;
            }
        },
        async {
            if when(Stage::Groups) {
                groups(run, org).await;
            }
        },
    );
    let needs_groups = run.plan.groups.iter().any(|group| !group.members.is_empty())
        || run.plan.prune.members
        || !desired_roles(run.plan).is_empty();
    if !needs_groups || !(when(Stage::Members) || when(Stage::Roles)) {
        return;
    }
    let Some(ids) = group_ids(run, org).await else { return };
    tokio::join!(
        async {
            if when(Stage::Members) {
                members(run, org, &ids).await;
            }
        },
        async {
            if when(Stage::Roles) {
                roles(run, org, &ids).await;
            }
        },
    );
}

async fn subscriptions(run: &Run<'_>, org: &str) {
    let subscriptions = run.client.subscriptions();
    for planned in &run.plan.subscriptions {
        let object = format!("subscription {}", planned.claim_code);
        match subscriptions.read_claim_code(org, planned.claim_code.as_str()).await {
            // Already used: done only when this organization holds it.
            Err(error) if error.is_conflict() => claimed_elsewhere(run, org, &planned.claim_code, object, &error).await,
            Err(error) => run.record(object, "read claim code", Outcome::Failed(&error)),
            Ok(info) => {
                let region = RegionCode::from(planned.region.clone().unwrap_or_else(|| "NAM".into()));
                let products = info.build_products(&region);
                run.record(object.clone(), "claim", Outcome::Unknown(IN_FLIGHT.into()));
                match subscriptions
                    .create(org, planned.claim_code.as_str())
                    .products(products)
                    .send()
                    .await
                {
                    Ok(_) => run.record(object, "claim", Outcome::Ok),
                    // Claimed between the read and the claim: by whom decides.
                    Err(error) if error.is_conflict() => {
                        claimed_elsewhere(run, org, &planned.claim_code, object, &error).await
                    }
                    Err(error) => run.record(object, "claim", Outcome::Failed(&error)),
                }
            }
        }
    }
}

/// A claim code the service calls used (409): done when a subscription of this organization came
/// from it; otherwise a failure quoting the service, which names the holder when the token may see
/// it. When the subscriptions name no claim code at all, the holder cannot be known: unknown.
async fn claimed_elsewhere(run: &Run<'_>, org: &str, code: &str, object: String, conflict: &Error) {
    let held = match run.client.subscriptions().list(org).send().await {
        Ok(page) => page.items,
        Err(error) => {
            run.record(object, "claim", Outcome::Failed(&error));
            return;
        }
    };
    let named: Vec<&str> = held.iter().filter_map(|s| s.claim_code.as_deref()).collect();
    let service_says = conflict
        .as_api_error()
        .map_or_else(|| conflict.to_string(), |api| api.message.clone());
    if named.iter().any(|held| held.trim().eq_ignore_ascii_case(code.trim())) {
        // This organization's: an earlier run, or a claim whose answer was lost. Nothing to do (and
        // nothing in flight any more).
        run.items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|item| !(item.object == object && item.action == "claim"));
    } else if named.is_empty() && !held.is_empty() {
        run.record(
            object,
            "claim",
            Outcome::Unknown(format!(
                "{service_says}; the service does not say which organization holds it, so it cannot be counted as done"
            )),
        );
    } else {
        run.record(
            object,
            "claim",
            Outcome::Refused(format!("{service_says}: not by this organization")),
        );
    }
}

async fn users(run: &Run<'_>, org: &str) {
    let plan = run.plan;
    let current = match run.client.users().list(org).send().await {
        Ok(page) => page.items,
        Err(error) => {
            run.record("users".into(), "list", Outcome::Failed(&error));
            return;
        }
    };
    let by_email: HashMap<String, &User> = current
        .iter()
        .filter_map(|user| user.email.as_ref().map(|email| (email.to_lowercase(), user)))
        .collect();
    let mut operations = Vec::new();
    let mut keys = Vec::new();
    for user in &plan.users {
        match by_email.get(&user.email.to_lowercase()) {
            None => {
                operations.push(
                    UserOperation::invite(user.email.as_str(), user.first_name.as_str(), user.last_name.as_str())
                        .admin(user.admin),
                );
                keys.push(format!("user {}", user.email));
            }
            Some(existing) => {
                let same = existing.first_name.as_deref() == Some(user.first_name.as_str())
                    && existing.last_name.as_deref() == Some(user.last_name.as_str());
                if !same {
                    run.write(
                        format!("user {}", user.email),
                        "update",
                        run.client
                            .users()
                            .update(org, existing.id.clone())
                            .first_name(user.first_name.as_str())
                            .last_name(user.last_name.as_str())
                            .send(),
                    )
                    .await;
                }
            }
        }
    }
    if plan.prune.users {
        let wanted: HashSet<String> = plan.users.iter().map(|user| user.email.to_lowercase()).collect();
        for (email, _) in by_email.iter().filter(|(email, _)| !wanted.contains(*email)) {
            if run.deletion_allowed(format!("user {email}"), "remove") {
                operations.push(UserOperation::remove(email.as_str()));
                keys.push(format!("user {email}"));
            }
        }
    }
    if operations.is_empty() {
        return;
    }
    if !run.writing() {
        for (key, operation) in keys.into_iter().zip(&operations) {
            run.record(key, operation.operation().as_str(), Outcome::Planned);
        }
        return;
    }
    let pending: Vec<(String, &str)> = keys
        .iter()
        .cloned()
        .zip(operations.iter().map(|operation| operation.operation().as_str()))
        .collect();
    run.in_flight(&pending);
    let report = run
        .client
        .users()
        .patch_all(org, operations)
        .concurrency(2)
        .send()
        .await;
    for (key, item) in keys.into_iter().zip(report.items) {
        let action = item.operation.as_str().to_owned();
        match item.outcome {
            ItemOutcome::Succeeded(_) => run.record(key, &action, Outcome::Ok),
            ItemOutcome::RequestFailed(error) | ItemOutcome::NotSent(error) => {
                run.record(key, &action, Outcome::Failed(&error))
            }
            other => run.record(
                key,
                &action,
                Outcome::Refused(other.failure_reason().unwrap_or_default()),
            ),
        }
    }
}

async fn groups(run: &Run<'_>, org: &str) {
    let plan = run.plan;
    let current = match run
        .client
        .groups()
        .list(org)
        .max(500)
        .items()
        .try_collect::<Vec<_>>()
        .await
    {
        Ok(groups) => groups,
        Err(error) => {
            run.record("groups".into(), "list", Outcome::Failed(&error));
            return;
        }
    };
    for group in &plan.groups {
        let existing = current
            .iter()
            .find(|g| g.name.as_deref().is_some_and(|n| name_key(n) == name_key(&group.name)));
        let object = format!("group {}", group.name.trim());
        match existing {
            None => {
                let applies_to = AppliesTo::from(group.applies_to.clone().unwrap_or_else(|| "all".into()));
                let create = run
                    .client
                    .groups()
                    .create(org, group.name.trim())
                    .set_description(group.description.clone())
                    .applies_to(applies_to);
                if run.writing() {
                    run.record(object.clone(), "create", Outcome::Unknown(IN_FLIGHT.into()));
                    match create.send().await {
                        Ok(_) => run.record(object, "create", Outcome::Ok),
                        // It exists (an earlier attempt whose answer was lost, or another run): adopt
                        // it only once it is seen, so its members and roles are done this round too.
                        Err(error) if error.is_conflict() => adopt_group(run, org, &group.name, object).await,
                        Err(error) => run.record(object, "create", Outcome::Failed(&error)),
                    }
                } else {
                    run.record(object, "create", Outcome::Planned);
                }
            }
            Some(existing) => {
                let wanted = group.description.as_deref().filter(|d| !d.is_empty());
                if wanted.is_some() && existing.description.as_deref() != wanted {
                    run.write(
                        object,
                        "update",
                        run.client
                            .groups()
                            .update(org, existing.id.clone())
                            .set_description(group.description.clone())
                            .send(),
                    )
                    .await;
                }
            }
        }
    }
    if plan.prune.groups {
        let wanted: HashSet<String> = plan.groups.iter().map(|group| name_key(&group.name)).collect();
        for group in &current {
            let name = group.name.clone().unwrap_or_default();
            if wanted.contains(&name_key(&name)) {
                continue;
            }
            let object = format!("group {name}");
            if run.deletion_allowed(object.clone(), "delete") {
                run.write(
                    object,
                    "delete",
                    run.client.groups().delete(org, group.id.clone()).send(),
                )
                .await;
            }
        }
    }
}

/// After a 409 on a group's creation: the group exists, so it is read back and taken as the plan's.
/// A 409 without a group of that name to be seen is a failure, never a success.
async fn adopt_group(run: &Run<'_>, org: &str, name: &str, object: String) {
    match group_ids(run, org).await {
        Some(ids) if ids.contains_key(&name_key(name)) => run.record(object, "create", Outcome::Ok),
        Some(_) => run.record(
            object,
            "create",
            Outcome::Refused("the service says the group exists (409), but no group of this name is listed".into()),
        ),
        None => run.record(
            object,
            "create",
            Outcome::Unknown("the service says the group exists (409), and reading the groups back failed".into()),
        ),
    }
}

/// Group name (as [`name_key`]) → id, as the service has them now.
async fn group_ids(run: &Run<'_>, org: &str) -> Option<HashMap<String, String>> {
    match run
        .client
        .groups()
        .list(org)
        .max(500)
        .items()
        .try_collect::<Vec<_>>()
        .await
    {
        Ok(groups) => Some(
            groups
                .into_iter()
                .filter_map(|group| group.name.map(|name| (name_key(&name), group.id.to_string())))
                .collect(),
        ),
        Err(error) => {
            run.record("groups".into(), "list", Outcome::Failed(&error));
            None
        }
    }
}

async fn members(run: &Run<'_>, org: &str, ids: &HashMap<String, String>) {
    let plan = run.plan;
    let work = plan.groups.iter().map(|group| async move {
        let Some(id) = ids.get(&name_key(&group.name)) else {
            if !run.writing() {
                for member in &group.members {
                    run.record(
                        format!("member {member} of group {}", group.name),
                        "add",
                        Outcome::Planned,
                    );
                }
            }
            return;
        };
        if group.members.is_empty() && !plan.prune.members {
            return;
        }
        let current: HashSet<String> = match run.client.groups().get_users(org, id.as_str()).await {
            Ok(page) => page
                .items
                .iter()
                .filter_map(|user| user.email.as_ref().map(|e| e.to_lowercase()))
                .collect(),
            Err(error) => {
                run.record(
                    format!("members of group {}", group.name),
                    "list",
                    Outcome::Failed(&error),
                );
                return;
            }
        };
        let wanted: HashSet<String> = group.members.iter().map(|member| member.to_lowercase()).collect();
        // (e-mail, add?, report key)
        let mut changes: Vec<(String, bool, (String, &str))> = Vec::new();
        for member in &group.members {
            if !current.contains(&member.to_lowercase()) {
                changes.push((
                    member.clone(),
                    true,
                    (format!("member {member} of group {}", group.name.trim()), "add"),
                ));
            }
        }
        if plan.prune.members {
            for member in current.difference(&wanted) {
                let object = format!("member {member} of group {}", group.name.trim());
                if run.deletion_allowed(object.clone(), "remove") {
                    changes.push((member.clone(), false, (object, "remove")));
                }
            }
        }
        if changes.is_empty() {
            return;
        }
        if !run.writing() {
            for (_, _, (object, action)) in changes {
                run.record(object, action, Outcome::Planned);
            }
            return;
        }
        // At the service's limit per request: a group of any size converges.
        for batch in changes.chunks(MAX_BULK_ITEMS) {
            let mut patch = run.client.groups().patch(org, id.as_str());
            for (email, add, _) in batch {
                patch = if *add {
                    patch.add_user(email.as_str())
                } else {
                    patch.remove_user(email.as_str())
                };
            }
            let keys: Vec<(String, &str)> = batch.iter().map(|(_, _, key)| key.clone()).collect();
            run.in_flight(&keys);
            run.record_results(&keys, patch.send().await.map(|result| result.results));
        }
    });
    futures_util::future::join_all(work).await;
}

/// The plan's role assignments, with the SCC Organization Administrator role of every admin user.
fn desired_roles(plan: &OrgPlan) -> Vec<(String, Vec<String>, Vec<String>)> {
    let mut roles: Vec<RolePlan> = plan.roles.clone();
    let admins: Vec<String> = plan
        .users
        .iter()
        .filter(|user| user.admin)
        .map(|user| user.email.clone())
        .collect();
    if !admins.is_empty() {
        match roles
            .iter_mut()
            .find(|role| role.product == ADMIN_PRODUCT && role.role == ADMIN_ROLE)
        {
            Some(role) => role.users.extend(admins),
            None => roles.push(RolePlan {
                product: ADMIN_PRODUCT.into(),
                role: ADMIN_ROLE.into(),
                groups: Vec::new(),
                users: admins,
            }),
        }
    }
    roles
        .into_iter()
        .map(|role| (format!("{} / {}", role.product, role.role), role.groups, role.users))
        .collect()
}

async fn roles(run: &Run<'_>, org: &str, group_ids: &HashMap<String, String>) {
    let plan = run.plan;
    let desired = desired_roles(plan);
    if desired.is_empty() {
        return;
    }
    let (all_roles, users) = tokio::join!(run.client.roles().list(org).send(), run.client.users().list(org).send());
    let all_roles: Vec<Role> = match all_roles {
        Ok(page) => page.items,
        Err(error) => {
            run.record("roles".into(), "list", Outcome::Failed(&error));
            return;
        }
    };
    let users: HashMap<String, String> = match users {
        Ok(page) => page
            .items
            .into_iter()
            .filter_map(|user| user.email.map(|email| (email.to_lowercase(), user.id.to_string())))
            .collect(),
        Err(error) => {
            run.record("users".into(), "list", Outcome::Failed(&error));
            return;
        }
    };
    // Every read the assignments need, at once: the roles of each group concerned (all groups when
    // pruning) and of each user concerned.
    let mut groups_to_read: HashSet<&String> = HashSet::new();
    let mut users_to_read: HashSet<&String> = HashSet::new();
    for (_, groups, wanted_users) in &desired {
        for group in groups {
            if let Some(id) = group_ids.get(&name_key(group)) {
                groups_to_read.insert(id);
            }
        }
        for email in wanted_users {
            if let Some(id) = users.get(&email.to_lowercase()) {
                users_to_read.insert(id);
            }
        }
    }
    if plan.prune.roles {
        groups_to_read.extend(group_ids.values());
    }
    let group_reads = futures_util::future::join_all(groups_to_read.into_iter().map(|id| async move {
        let held = run.client.groups().get_assigned_roles(org, id.as_str()).await;
        (
            id.clone(),
            held.map(|page| {
                page.items
                    .into_iter()
                    .map(|role| role.id.to_string())
                    .collect::<HashSet<_>>()
            }),
        )
    }));
    let user_reads = futures_util::future::join_all(users_to_read.into_iter().map(|id| async move {
        let held = run.client.roles().list(org).user(id.as_str()).send().await;
        (
            id.clone(),
            held.map(|page| {
                page.items
                    .into_iter()
                    .map(|role| role.id.to_string())
                    .collect::<HashSet<_>>()
            }),
        )
    }));
    let (group_reads, user_reads) = tokio::join!(group_reads, user_reads);
    let mut group_roles: HashMap<String, HashSet<String>> = HashMap::new();
    for (id, held) in group_reads {
        match held {
            Ok(held) => {
                group_roles.insert(id, held);
            }
            Err(error) => run.record(format!("roles of group {id}"), "read", Outcome::Failed(&error)),
        }
    }
    let mut user_roles: HashMap<String, HashSet<String>> = HashMap::new();
    for (id, held) in user_reads {
        match held {
            Ok(held) => {
                user_roles.insert(id, held);
            }
            Err(error) => run.record(format!("roles of user {id}"), "read", Outcome::Failed(&error)),
        }
    }

    let mut patches = Vec::new();
    for (label, groups, wanted_users) in desired {
        let (product, display) = label.split_once(" / ").unwrap_or_default();
        let Some(role) = all_roles
            .iter()
            .find(|role| role.display_name.as_deref() == Some(display) && role.has_product(product))
        else {
            run.record(
                format!("role {label}"),
                "find",
                Outcome::Refused(format!("no role {display:?} for product {product:?}")),
            );
            continue;
        };
        // (change, report key), sent in batches at the service's limit.
        let mut changes: Vec<(RoleChange, (String, &str))> = Vec::new();
        for group in &groups {
            let object = format!("role {label} of group {group}");
            match group_ids.get(&name_key(group)) {
                None if !run.writing() => run.record(object, "assign", Outcome::Planned),
                None => {}
                Some(id) => match group_roles.get(id) {
                    Some(held) if held.contains(role.id.as_str()) => {}
                    Some(_) => changes.push((RoleChange::AddGroup(id.clone()), (object, "assign"))),
                    None => {}
                },
            }
        }
        if plan.prune.roles {
            for (name, id) in group_ids {
                if groups.iter().any(|group| name_key(group) == *name) {
                    continue;
                }
                if group_roles.get(id).is_some_and(|held| held.contains(role.id.as_str())) {
                    let object = format!("role {label} of group {name}");
                    if run.deletion_allowed(object.clone(), "unassign") {
                        changes.push((RoleChange::RemoveGroup(id.clone()), (object, "unassign")));
                    }
                }
            }
        }
        for email in &wanted_users {
            let object = format!("role {label} of user {email}");
            match users.get(&email.to_lowercase()) {
                None => {
                    if !run.writing() && plan.users.iter().any(|user| &user.email == email && !user.admin) {
                        run.record(object, "assign", Outcome::Planned);
                    }
                }
                Some(id) => match user_roles.get(id) {
                    Some(held) if held.contains(role.id.as_str()) => {}
                    Some(_) => changes.push((RoleChange::AddUser(id.clone()), (object, "assign"))),
                    None => {}
                },
            }
        }
        if changes.is_empty() {
            continue;
        }
        if !run.writing() {
            for (_, (object, action)) in changes {
                run.record(object, action, Outcome::Planned);
            }
            continue;
        }
        let role_id = role.id.clone();
        patches.push(async move {
            for batch in changes.chunks(MAX_BULK_ITEMS) {
                let mut patch = run.client.roles().patch(org, role_id.clone());
                for (change, _) in batch {
                    patch = match change {
                        RoleChange::AddGroup(id) => patch.add_group(id.as_str()),
                        RoleChange::RemoveGroup(id) => patch.remove_group(id.as_str()),
                        RoleChange::AddUser(id) => patch.add_user(id.as_str()),
                    };
                }
                let keys: Vec<(String, &str)> = batch.iter().map(|(_, key)| key.clone()).collect();
                run.in_flight(&keys);
                run.record_results(&keys, patch.send().await.map(|result| result.results));
            }
        });
    }
    futures_util::future::join_all(patches).await;
}

/// One change of a role's holders.
enum RoleChange {
    AddGroup(String),
    RemoveGroup(String),
    AddUser(String),
}
