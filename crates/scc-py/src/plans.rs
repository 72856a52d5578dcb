//! The declarative engine (`scc_apply`) for the Python package: a plan file (a path, or a dict the
//! Python layer hands over as JSON) planned into one change set, saved, loaded and applied exactly
//! as `scc plan` and `scc apply` do. Documents cross as JSON; the Python layer makes them values.

use std::path::{Path, PathBuf};

use pyo3::prelude::*;
use scc_apply::{Actor, OrgReport, PlanFile, Planned, SavedPlan, Session, Source};
use scc_sdk::Client;
use serde_json::{Value, json};

use crate::client::NativeClient;
use crate::errors;
use crate::runtime;

pyo3::import_exception!(scc_sdk.exceptions, SCCError);
pyo3::import_exception!(scc_sdk.exceptions, InvalidInputError);
pyo3::import_exception!(scc_sdk.exceptions, ForbiddenError);

/// One change set: each organization of a plan file with its planned changes, computed against the
/// service of the client it was planned (or loaded) with.
#[pyclass(frozen, module = "scc_sdk._native")]
pub(crate) struct NativePlan {
    client: Client,
    /// The service's base URL, as saved plans name it.
    service: String,
    /// The plan file's path (`<dict>` for one given as a dict), and the digest of its bytes.
    path: PathBuf,
    digest: String,
    file: PlanFile,
    plans: Vec<Planned>,
    /// Where each organization is in the plan file given.
    places: Vec<usize>,
}

/// The engine's refusals as the package's exceptions: input → `InvalidInputError` (a `ValueError`),
/// a read-only key → `ForbiddenError`, a failed read → the SDK's error, a file → `SCCError`.
fn to_py(py: Python<'_>, error: scc_apply::Error) -> PyErr {
    match error {
        scc_apply::Error::Input { message, hint } => InvalidInputError::new_err(format!("{message} ({hint})")),
        scc_apply::Error::ReadOnlyKey { .. } => ForbiddenError::new_err(error.to_string()),
        scc_apply::Error::Read { context, error } => {
            let exception = errors::to_py(py, &error);
            let note = pyo3::exceptions::PyRuntimeError::new_err(format!("while {context}"));
            exception.set_cause(py, Some(note));
            exception
        }
        scc_apply::Error::Write { message } => SCCError::new_err(message),
    }
}

fn locks_dir() -> PathBuf {
    scc_sdk::config::config_dir().join("locks")
}

/// Ctrl-C in Python, as the engine hears it: a stop it reports from (what was done, what is
/// unknown), instead of a run dropped half way.
#[derive(Default)]
struct Stop {
    requested: std::sync::atomic::AtomicBool,
    notify: tokio::sync::Notify,
}

impl Stop {
    fn request(&self) {
        self.requested.store(true, std::sync::atomic::Ordering::SeqCst);
        self.notify.notify_waiters();
    }
}

impl scc_apply::Events for Stop {
    fn stop(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            loop {
                let notified = self.notify.notified();
                if self.requested.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                notified.await;
            }
        })
    }
}

/// Runs the engine's work on a thread of its own with a runtime of its own (the engine's futures
/// are not `Send`, and its connections are its own: `Client::with_own_connections`), waiting
/// without the GIL. Ctrl-C asks the engine to stop; once it has, `KeyboardInterrupt` is raised.
fn on_engine_thread<T, Work, Done>(py: Python<'_>, client: &Client, work: Work) -> PyResult<T>
where
    T: Send + 'static,
    Work: FnOnce(Client, std::sync::Arc<Stop>) -> Done + Send + 'static,
    Done: std::future::Future<Output = T>,
{
    let own = client
        .with_own_connections()
        .map_err(|error| errors::to_py(py, &error))?;
    let stop = std::sync::Arc::new(Stop::default());
    let (sender, receiver) = std::sync::mpsc::channel();
    // Waited on from `detach`, which wants what it borrows to be shareable.
    let receiver = std::sync::Mutex::new(receiver);
    let thread_stop = stop.clone();
    std::thread::Builder::new()
        .name("scc-apply".into())
        .spawn(move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|runtime| runtime.block_on(work(own, thread_stop)));
            let _ = sender.send(result);
        })
        .map_err(|error| errors::internal_error(format!("cannot start the engine's thread: {error}")))?;
    let mut interrupted = None;
    loop {
        let waited = py.detach(|| {
            let receiver = receiver.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            receiver.recv_timeout(std::time::Duration::from_millis(50))
        });
        match waited {
            Ok(Ok(value)) => return interrupted.map_or(Ok(value), Err),
            Ok(Err(error)) => return Err(errors::internal_error(format!("the engine's runtime: {error}"))),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if interrupted.is_none()
                    && let Err(interrupt) = py.check_signals()
                {
                    stop.request();
                    interrupted = Some(interrupt);
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(errors::internal_error(
                    "the engine's thread ended without an answer".into(),
                ));
            }
        }
    }
}

impl NativePlan {
    /// Plans `file` with `client` (the engine's session, `concurrency` organizations at a time).
    fn compute(
        py: Python<'_>,
        client: Client,
        service: String,
        path: PathBuf,
        digest: String,
        file: PlanFile,
        places: Vec<usize>,
    ) -> PyResult<Self> {
        let (task_service, task_file) = (service.clone(), file.clone());
        let planned = on_engine_thread(py, &client, move |client, stop| async move {
            let session = Session::new(&client, task_service, locks_dir()).events(&*stop);
            session.plan(&task_file).await
        })?;
        let plans = planned
            .map_err(|error| to_py(py, error))?
            .ok_or_else(|| SCCError::new_err("stopped before the plan was made"))?;
        Ok(Self {
            client,
            service,
            path,
            digest,
            file,
            plans,
            places,
        })
    }

    fn reports(&self) -> Vec<OrgReport> {
        self.file
            .organizations
            .iter()
            .zip(&self.plans)
            .map(|(org, planned)| OrgReport {
                org: org.label(),
                org_id: planned.org_id.clone(),
                items: planned.items(),
            })
            .collect()
    }
}

/// The client's SDK client and the service its saved plans name.
fn client_of(client: &NativeClient) -> PyResult<(Client, String)> {
    let sdk = client
        .sdk_client()
        .map_err(|error| Python::attach(|py| errors::to_py(py, &error)))?;
    Ok((sdk, client.base_url().to_owned()))
}

/// Plans plan files (`paths`: files and folders of them, as `scc plan` takes them, one plan), or a
/// plan document given as JSON text (`document`), for the organizations `orgs` names (all when
/// empty). A saved plan's path gives its saved changes, as `scc plan PLAN` shows them.
#[pyfunction]
#[pyo3(signature = (client, paths=None, document=None, orgs=Vec::new()))]
pub(crate) fn plan_changes(
    py: Python<'_>,
    client: &NativeClient,
    paths: Option<Vec<PathBuf>>,
    document: Option<String>,
    orgs: Vec<String>,
) -> PyResult<NativePlan> {
    runtime::guarded(|| {
        let (sdk, service) = client_of(client)?;
        let (named, mut source) = match (paths, document) {
            (Some(paths), None) => {
                let (source, label) = scc_apply::read_all(&paths).map_err(|error| to_py(py, error))?;
                (PathBuf::from(label), source)
            }
            (None, Some(text)) => {
                let named = PathBuf::from("<dict>.json");
                let source = scc_apply::parse(&named, &text).map_err(|error| to_py(py, error))?;
                (named, source)
            }
            _ => {
                return Err(InvalidInputError::new_err(
                    "give a plan file's path or a plan document, not both",
                ));
            }
        };
        let places = source.select(&orgs, &named).map_err(|error| to_py(py, error))?;
        match source {
            Source::Plan(file, digest) => NativePlan::compute(py, sdk, service, named, digest, file, places),
            Source::Saved(saved) => loaded(py, sdk, service, &named, *saved, places),
        }
    })
}

/// A saved plan as a change set of this client: refused when another scc or service made it.
fn loaded(
    py: Python<'_>,
    client: Client,
    service: String,
    path: &Path,
    saved: SavedPlan,
    places: Vec<usize>,
) -> PyResult<NativePlan> {
    saved.check(path, &service).map_err(|error| to_py(py, error))?;
    let file = saved.plan_file();
    let plans = saved.organizations.into_iter().map(|org| org.planned).collect();
    Ok(NativePlan {
        client,
        service,
        path: path.to_owned(),
        digest: saved.plan_file.fnv1a64,
        file,
        plans,
        places,
    })
}

#[pymethods]
impl NativePlan {
    /// Reads a saved plan (`scc plan --out`, or `Plan.save`) as a change set of `client`.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf, client: &NativeClient) -> PyResult<Self> {
        runtime::guarded(|| {
            let (sdk, service) = client_of(client)?;
            match scc_apply::read(&path).map_err(|error| to_py(py, error))? {
                Source::Saved(saved) => {
                    let places = (0..saved.organizations.len()).collect();
                    loaded(py, sdk, service, &path, *saved, places)
                }
                Source::Plan(..) => Err(InvalidInputError::new_err(format!(
                    "{} is a plan file, not a saved plan: scc_sdk.plan(client, path) plans it",
                    path.display()
                ))),
            }
        })
    }

    /// The change set as JSON: per organization its label, id, place in the plan file, its changes
    /// (action, object, sign, attributes) and its problems (action, object, reason).
    fn document(&self) -> PyResult<String> {
        let organizations: Vec<Value> = self
            .reports()
            .iter()
            .zip(&self.places)
            .map(|(report, place)| {
                let (changes, problems): (Vec<_>, Vec<_>) = report
                    .items
                    .iter()
                    .partition(|(_, outcome)| matches!(outcome, scc_apply::Outcome::Planned));
                json!({
                    "org": report.org,
                    "org_id": report.org_id,
                    "place": place,
                    "changes": changes.iter().map(|(subject, _)| json!({
                        "action": subject.action(),
                        "object": subject.object(),
                        "sign": subject.sign().map(String::from),
                        "attributes": subject.change().map(scc_apply::Change::attributes).unwrap_or_default(),
                    })).collect::<Vec<_>>(),
                    "problems": problems.iter().map(|(subject, outcome)| json!({
                        "action": subject.action(),
                        "object": subject.object(),
                        "reason": outcome.reason(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        serde_json::to_string(
            &json!({"service": scc_sdk::config::redacted(&self.service), "organizations": organizations}),
        )
        .map_err(|error| SCCError::new_err(error.to_string()))
    }

    /// Saves the change set for a later `Plan.load` or `scc apply PATH` (0600, atomic). A plan with
    /// problems is not saved, as `scc plan --out` refuses it.
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        runtime::guarded(|| {
            let problems: usize = self
                .plans
                .iter()
                .map(|planned| planned.items().len() - planned.changes.len())
                .sum();
            if problems > 0 {
                return Err(InvalidInputError::new_err(format!(
                    "the plan has {problems} problem(s) (its .problems): not saved to {}",
                    path.display()
                )));
            }
            SavedPlan::new(&self.path, &self.digest, &self.service, &self.file, &self.plans)
                .write(&path)
                .map_err(|error| to_py(py, error))
        })
    }

    /// Applies exactly this change set: each organization re-read under its lock, and changed only
    /// when the changes computed now are these (else nothing is made there, and the difference is
    /// reported). A line per change goes to `journal` when given. Returns the outcomes as JSON.
    #[pyo3(signature = (journal=None))]
    fn apply(&self, py: Python<'_>, journal: Option<PathBuf>) -> PyResult<String> {
        runtime::guarded(|| {
            let (service, file, plans) = (self.service.clone(), self.file.clone(), self.plans.clone());
            let outcome = on_engine_thread(py, &self.client, move |client, stop| async move {
                let actor = Actor {
                    service: service.clone(),
                    api_key_id: client
                        .credentials()
                        .await
                        .map(|credentials| credentials.api_key_id().to_string()),
                    via: "python",
                };
                Session::new(&client, service, locks_dir())
                    .events(&*stop)
                    .apply_saved(&file, &plans, actor, journal.as_deref())
                    .await
            })?;
            let (applied, journal_broken) = outcome.map_err(|error| to_py(py, error))?;
            let applied = applied.map_err(|_| SCCError::new_err("stopped while applying"))?;
            let organizations: Vec<Value> = applied
                .into_iter()
                .map(|(index, applied)| {
                    let report = OrgReport {
                        org: self.file.organizations[index].label(),
                        org_id: applied.org_id.clone(),
                        items: applied.outcomes.into_items(),
                    };
                    let (verdict, difference) = match applied.verdict.difference() {
                        None => ("applied", Vec::new()),
                        Some(difference) => ("not_applied", difference),
                    };
                    json!({"org": report.org, "org_id": report.org_id, "verdict": verdict,
                           "difference": difference, "items": report.rows()})
                })
                .collect();
            serde_json::to_string(&json!({"organizations": organizations, "journal_broken": journal_broken}))
                .map_err(|error| SCCError::new_err(error.to_string()))
        })
    }

    fn __repr__(&self) -> String {
        let changes: usize = self.plans.iter().map(|planned| planned.changes.len()).sum();
        format!(
            "<NativePlan {} organization(s), {changes} change(s) against {}>",
            self.plans.len(),
            scc_sdk::config::redacted(&self.service)
        )
    }
}
