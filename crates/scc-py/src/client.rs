//! `NativeClient`: the Rust SDK's `Client` behind the Python `Client` and `AsyncClient`. Each call
//! names an SDK operation and passes its arguments; the SDK's own operation checks them, builds the
//! URL and body, sends with its retry and token rules, and the body comes back decoded (`decode`).

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use reqwest::Method;
use scc_sdk::types::{
    ClaimInfo, EntitlementQuantity, MemberChange, ProductSelection, UserOperation, UserOperationType,
};
use scc_sdk::{Client, Credentials, Error, FileTokenStore, Operation, RateLimit, RawBody, RetryConfig};
use secrecy::ExposeSecret;

use crate::args::Args;
use crate::errors;
use crate::lanes::Lanes;
use crate::runtime::{self, PerProcess};

/// A finished call: status, the body's bytes, and the next page's cursor.
pub(crate) struct Reply {
    status: u16,
    body: Bytes,
    next_cursor: Option<String>,
}

impl From<RawBody> for Reply {
    fn from(raw: RawBody) -> Self {
        Self {
            status: raw.status,
            body: raw.body,
            next_cursor: raw.next_cursor,
        }
    }
}

impl Reply {
    /// A reply the SDK computed (a role id, a bulk report) rather than received.
    fn computed(value: &impl serde::Serialize) -> Result<Self, Error> {
        let body = serde_json::to_vec(value).map_err(|error| Error::invalid("answer", error.to_string()))?;
        Ok(Self {
            status: 200,
            body: Bytes::from(body),
            next_cursor: None,
        })
    }
}

/// What an awaitable resolves to: the reply as a tuple, or the exception for the Python layer to
/// raise (an exception can only be built with the GIL, which the conversion has).
struct Outcome(Result<Reply, Error>);

impl<'py> IntoPyObject<'py> for Outcome {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        match self.0 {
            Ok(reply) => Ok(reply_tuple(py, reply)?.into_any()),
            Err(error) => Ok(errors::to_py(py, &error).into_value(py).into_bound(py).into_any()),
        }
    }
}

/// `(status, body, next_cursor, size)`: the body decoded, and its size in bytes as received.
fn reply_tuple(py: Python<'_>, reply: Reply) -> PyResult<Bound<'_, pyo3::types::PyTuple>> {
    (
        reply.status,
        crate::decode::body_object(py, &reply.body),
        reply.next_cursor,
        reply.body.len(),
    )
        .into_pyobject(py)
}

/// Sends a prepared call and waits for it (without the GIL): the reply tuple, or the exception.
pub(crate) fn wait<'py>(
    py: Python<'py>,
    prepared: Result<Pending, Error>,
) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
    let pending = prepared.map_err(|error| errors::to_py(py, &error))?;
    finished(py, runtime::block_on(py, pending)?)
}

/// A call's end as Python sees it: the reply tuple, or the exception.
fn finished(py: Python<'_>, ended: Result<Reply, Error>) -> PyResult<Bound<'_, pyo3::types::PyTuple>> {
    match ended {
        Ok(reply) => reply_tuple(py, reply),
        Err(error) => Err(errors::to_py(py, &error)),
    }
}

/// A prepared call as an asyncio awaitable resolving to the reply tuple or to the exception to raise.
pub(crate) fn awaitable(py: Python<'_>, prepared: Result<Pending, Error>) -> PyResult<Bound<'_, PyAny>> {
    runtime::awaitable(py, async move {
        Ok(Outcome(match prepared {
            Ok(pending) => pending.await,
            Err(error) => Err(error),
        }))
    })
}

pub(crate) type Pending = Pin<Box<dyn Future<Output = Result<Reply, Error>> + Send>>;

/// A call started on the shared runtime for a caller that waits cooperatively (gevent, eventlet):
/// when it ends, one byte is written to a socket whose other end `fileno()` gives, so the caller's
/// hub waits on it (`gevent.socket.wait_read`) and runs other greenlets meanwhile, as psycopg's wait
/// callback does. Dropped unfinished (the greenlet was killed), the request is dropped too.
#[cfg(unix)]
#[pyclass(module = "scc_sdk._native")]
pub(crate) struct Started {
    ready: std::os::unix::net::UnixStream,
    outcome: Arc<Mutex<Option<Result<Reply, Error>>>>,
    task: tokio::task::JoinHandle<()>,
}

#[cfg(unix)]
impl Started {
    fn spawn(prepared: Result<Pending, Error>) -> PyResult<Self> {
        use std::io::Write;
        let (ready, signal) = std::os::unix::net::UnixStream::pair()
            .map_err(|error| errors::internal_error(format!("cannot make the call's wake-up socket: {error}")))?;
        let outcome = Arc::new(Mutex::new(None));
        let slot = outcome.clone();
        let task = runtime::runtime()?.spawn(async move {
            let ended = match prepared {
                Ok(pending) => pending.await,
                Err(error) => Err(error),
            };
            *slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(ended);
            // The waiter reads nothing: readable is the message.
            let _ = (&signal).write_all(&[1]);
        });
        Ok(Self { ready, outcome, task })
    }
}

#[cfg(unix)]
#[pymethods]
impl Started {
    /// The descriptor that becomes readable when the call has ended.
    fn fileno(&self) -> i32 {
        std::os::fd::AsRawFd::as_raw_fd(&self.ready)
    }

    /// The reply tuple, or the call's exception; an error if the call has not ended.
    fn result<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        let ended = self
            .outcome
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .ok_or_else(|| errors::internal_error("the call has not ended (wait for fileno() first)".into()))?;
        finished(py, ended)
    }
}

#[cfg(unix)]
impl Drop for Started {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a prepared call does: send its request, or only describe it (for a test double standing in
/// for the client: the request as JSON, nothing sent).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Send,
    Plan,
}

impl Mode {
    /// The operation sent (the body's bytes come back), or its request described.
    pub(crate) fn run<T: Send + 'static>(self, operation: Operation<T>) -> Pending {
        match self {
            Self::Send => Box::pin(async move { operation.send_raw().await.map(Reply::from) }),
            Self::Plan => Box::pin(std::future::ready(
                operation.plan().and_then(|planned| Reply::computed(&planned)),
            )),
        }
    }

    /// A call made of several requests (a lookup, then the change): it needs the real client.
    fn composite(self, operation: &str) -> Result<(), Error> {
        match self {
            Self::Send => Ok(()),
            Self::Plan => Err(Error::invalid(
                "client",
                format!(
                    "{operation} sends several requests and needs an scc_sdk Client; \
                     a test double standing in for the client receives single requests only"
                ),
            )),
        }
    }
}

/// `users.patch` as cisco-scc-sdk 1.0.6 sends it: an item whose data the service would refuse (a
/// malformed e-mail, a missing name) is reported as a failed result, marked `"sent": false`, and the
/// other items are sent. A call of the wrong shape (not a list of operations, an unknown key, a
/// `reset_mfa` without `factorId`) is refused whole, before sending, as 1.0.6 refused it.
fn patch_users(client: Client, org_id: String, args: &Args<'_>, mode: Mode) -> Result<Pending, Error> {
    let items = args.items("users")?.unwrap_or_default();
    let operations = items
        .iter()
        .enumerate()
        .map(|(index, item)| crate::args::parse::<UserOperation>(&format!("users[{index}]"), item))
        .collect::<Result<Vec<_>, Error>>()?;
    patch_user_operations(client, org_id, operations, mode)
}

/// One user's operation (`users.invite`, `enable`, …), built by the SDK's constructors: the wire
/// names live there, not in Python.
fn one_user(client: Client, org_id: String, verb: &str, args: &Args<'_>, mode: Mode) -> Result<Pending, Error> {
    let email = args.text("email")?;
    let operation = match verb {
        "invite" => {
            let invite = UserOperation::invite(
                email,
                args.opt_text("first_name")?.unwrap_or_default(),
                args.opt_text("last_name")?.unwrap_or_default(),
            );
            match args.opt_bool("is_admin")? {
                Some(is_admin) => invite.admin(is_admin),
                None => invite,
            }
        }
        "enable" => UserOperation::enable(email),
        "disable" => UserOperation::disable(email),
        "remove" => UserOperation::remove(email),
        "resend_email_invite" => UserOperation::resend_email_invite(email),
        "reset_password" => UserOperation::reset_password(email),
        "reset_mfa" => UserOperation::reset_mfa(email, args.text("factor_id")?),
        other => {
            return Err(Error::invalid(
                "operation",
                format!("{other:?} is not an operation of one user"),
            ));
        }
    };
    patch_user_operations(client, org_id, vec![operation], mode)
}

/// A users PATCH: items the SDK refuses are answered as failed results marked `"sent": false`, in
/// their places; the others are sent.
fn patch_user_operations(
    client: Client,
    org_id: String,
    operations: Vec<UserOperation>,
    mode: Mode,
) -> Result<Pending, Error> {
    let mut valid = Vec::with_capacity(operations.len());
    let mut not_sent: Vec<(usize, serde_json::Value)> = Vec::new();
    for (index, operation) in operations.into_iter().enumerate() {
        let field = format!("users[{index}]");
        if matches!(operation.operation(), UserOperationType::ResetMfa) && operation.factor_id().is_none() {
            return Err(Error::invalid(
                format!("{field}.factorId"),
                "is required for the reset_mfa operation",
            ));
        }
        match operation.validate(&field) {
            Ok(()) => valid.push(operation),
            Err(refused) => not_sent.push((
                index,
                serde_json::json!({
                    "id": operation.email(),
                    "type": "user",
                    "operation": operation.operation().as_str(),
                    "status": "failed",
                    "errorDescription": refused.to_string(),
                    "sent": false,
                }),
            )),
        }
    }
    let nothing_to_send = valid.is_empty() && !not_sent.is_empty();
    if mode == Mode::Plan || nothing_to_send {
        let refused: Vec<_> = not_sent.into_iter().map(|(_, result)| result).collect();
        let body = match mode {
            Mode::Send => Ok(serde_json::json!({ "results": refused })),
            Mode::Plan if nothing_to_send => Ok(serde_json::json!({ "request": null, "not_sent": refused })),
            Mode::Plan => client
                .users()
                .patch(org_id, valid)
                .plan()
                .map(|planned| serde_json::json!({ "request": planned, "not_sent": refused })),
        };
        return Ok(Box::pin(std::future::ready(
            body.and_then(|body| Reply::computed(&body)),
        )));
    }
    let sent = valid.len();
    let operation = client.users().patch(org_id, valid);
    if not_sent.is_empty() {
        return Ok(mode.run(operation));
    }
    Ok(Box::pin(async move {
        let reply = Reply::from(operation.send_raw().await?);
        let mut answer: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or(serde_json::Value::Null);
        let Some(results) = answer.get_mut("results").and_then(serde_json::Value::as_array_mut) else {
            return Ok(reply);
        };
        if results.len() == sent {
            // One result per item sent, in order: the refused items go back to their places.
            for (index, result) in not_sent {
                results.insert(index.min(results.len()), result);
            }
        } else {
            results.extend(not_sent.into_iter().map(|(_, result)| result));
        }
        Ok(Reply {
            status: reply.status,
            ..Reply::computed(&answer)?
        })
    }))
}

/// Where rotated credentials go besides memory.
enum TokenStore {
    None,
    File(PathBuf),
    Callback(Py<PyAny>),
}

/// Everything needed to build the SDK client again (in a forked child).
struct Settings {
    access_token: Option<String>,
    base_url: String,
    base_path: String,
    /// Per attempt; `None`: no limit.
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    deadline: Option<Duration>,
    ca_bundle: Option<PathBuf>,
    max_response_bytes: usize,
    retry: RetryConfig,
    rate_limit: Option<RateLimit>,
    store: Arc<TokenStore>,
    /// Plain HTTP to another host allowed (the token crosses the network in clear).
    insecure_http: bool,
}

#[pyclass(frozen, module = "scc_sdk._native")]
pub(crate) struct NativeClient {
    settings: Settings,
    client: PerProcess<Client>,
    /// The newest refreshing credentials, kept so a forked child starts from them.
    credentials: Arc<Mutex<Option<Credentials>>>,
    /// Each thread's own runtime and client, for the calls it makes alone (see `call`).
    lanes: Lanes,
}

fn build_client(settings: &Settings, credentials: &Arc<Mutex<Option<Credentials>>>) -> Result<Client, Error> {
    let mut builder = Client::builder()
        .base_url(settings.base_url.clone())
        .base_path(settings.base_path.clone())
        .max_response_bytes(settings.max_response_bytes)
        .insecure_http(settings.insecure_http)
        .retry(settings.retry);
    builder = match settings.timeout {
        Some(timeout) => builder.timeout(timeout),
        None => builder.no_timeout(),
    };
    if let Some(timeout) = settings.connect_timeout {
        builder = builder.connect_timeout(timeout);
    }
    if let Some(deadline) = settings.deadline {
        builder = builder.deadline(deadline);
    }
    if let Some(bundle) = &settings.ca_bundle {
        builder = builder.ca_bundle(bundle.clone());
    }
    if let Some(limit) = settings.rate_limit {
        builder = builder.rate_limit(limit);
    }
    let current = credentials
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    match (current, &settings.access_token) {
        (Some(current), _) => {
            let mirror = credentials.clone();
            let store = settings.store.clone();
            builder = builder.credentials(current).token_store(move |rotated: &Credentials| {
                *mirror.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(rotated.clone());
                persist(&store, rotated)
            });
        }
        (None, Some(token)) => builder = builder.access_token(token.clone()),
        (None, None) => return Err(Error::invalid("access_token", "is required")),
    }
    builder.build()
}

/// Hands rotated credentials to the user's store: a file (the SDK's format, 0600, written atomically)
/// or a callable that receives a dict.
fn persist(store: &TokenStore, credentials: &Credentials) -> std::io::Result<()> {
    match store {
        TokenStore::None => Ok(()),
        TokenStore::File(path) => FileTokenStore::new(path.clone()).save(credentials),
        TokenStore::Callback(callback) => Python::attach(|py| {
            let record = credentials_dict(py, credentials).map_err(std::io::Error::other)?;
            callback
                .call1(py, (record,))
                .map(drop)
                .map_err(|error| std::io::Error::other(error.to_string()))
        }),
    }
}

fn epoch(time: Option<std::time::SystemTime>) -> Option<u64> {
    time.and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|elapsed| elapsed.as_secs())
}

fn credentials_dict<'py>(py: Python<'py>, credentials: &Credentials) -> PyResult<Bound<'py, PyDict>> {
    let record = PyDict::new(py);
    record.set_item("org_id", credentials.org_id().as_str())?;
    record.set_item("api_key_id", credentials.api_key_id().as_str())?;
    record.set_item("access_token", credentials.access_token().expose_secret())?;
    record.set_item("refresh_token", credentials.refresh_token().expose_secret())?;
    record.set_item("access_token_expires_at", epoch(credentials.access_expires_at()))?;
    record.set_item("refresh_token_expires_at", epoch(credentials.refresh_expires_at()))?;
    Ok(record)
}

impl NativeClient {
    /// The SDK client for this process (rebuilt in a forked child from the newest credentials).
    fn client(&self) -> Result<Client, Error> {
        self.client.get(|| build_client(&self.settings, &self.credentials))
    }

    /// The SDK client, for the engine's faces (`plans`).
    pub(crate) fn sdk_client(&self) -> Result<Client, Error> {
        self.client()
    }

    /// The service's base URL as given (saved plans name it).
    pub(crate) fn base_url(&self) -> &str {
        &self.settings.base_url
    }

    /// The call prepared for sending; an argument it did not read is a `TypeError`.
    fn prepared(&self, operation: &str, args: Bound<'_, PyDict>) -> PyResult<Result<Pending, Error>> {
        prepared_with(self.client(), operation, args)
    }
}

/// The call prepared for sending through `client`; an argument it did not read is a `TypeError`.
fn prepared_with(
    client: Result<Client, Error>,
    operation: &str,
    args: Bound<'_, PyDict>,
) -> PyResult<Result<Pending, Error>> {
    Args::read_all(args, operation, |args| prepare(client?, operation, args, Mode::Send))
}

/// The request an operation sends, described and not sent (`{"operation", "method", "url",
/// "body"}` as JSON; for `users.patch`, `{"request": …, "not_sent": [results]}`): what the Python
/// resources hand to a test double that stands in for the client. Checked as sending checks it.
#[pyfunction]
pub(crate) fn plan(py: Python<'_>, operation: &str, args: Bound<'_, PyDict>) -> PyResult<Py<PyBytes>> {
    runtime::guarded(|| {
        static PLANNER: std::sync::OnceLock<Result<Client, String>> = std::sync::OnceLock::new();
        let planner = PLANNER
            .get_or_init(|| Client::new("planning-only").map_err(|error| error.to_string()))
            .clone()
            .map_err(errors::internal_error)?;
        let pending = Args::read_all(args, operation, |args| prepare(planner, operation, args, Mode::Plan))?
            .map_err(|error| errors::to_py(py, &error))?;
        // A plan is computed at once: the future is ready on its first poll.
        let reply = futures_util::FutureExt::now_or_never(pending)
            .ok_or_else(|| errors::internal_error("a plan was not ready at once".to_owned()))?
            .map_err(|error| errors::to_py(py, &error))?;
        Ok(PyBytes::new(py, &reply.body).unbind())
    })
}

/// The SDK operation named `operation`, with its arguments read while the GIL is held.
pub(crate) fn prepare(client: Client, operation: &str, args: &Args<'_>, mode: Mode) -> Result<Pending, Error> {
    let org = || args.text("org_id");
    Ok(match operation {
        "organizations.list" => {
            let max = args.opt_u32("max")?;
            mode.run(
                client
                    .organizations()
                    .list()
                    .set_name(args.opt_text("name")?)
                    .set_organization_type(args.opt_text("type")?.map(Into::into))
                    .set_region_code(args.opt_text("region_code")?.map(Into::into))
                    .set_country_code(args.opt_text("country_code")?)
                    .set_manager_org_id(args.opt_text("manager_org_id")?.map(Into::into))
                    .set_max(max)
                    .set_cursor(args.opt_text("cursor")?)
                    .set_sort_by(args.opt_text("sort_by")?)
                    .set_order(args.opt_text("order")?.map(Into::into))
                    .operation(),
            )
        }
        "organizations.get" => mode.run(client.organizations().get(org()?)),
        "organizations.create" => mode.run(
            client
                .organizations()
                .create(args.text("name")?, args.text("region_code")?)
                .set_organization_type(args.opt_text("type")?.map(Into::into))
                .operation(),
        ),
        "organizations.update" => mode.run(client.organizations().update(org()?, args.text("name")?)),
        "subscriptions.list" => mode.run(
            client
                .subscriptions()
                .list(org()?)
                .set_name(args.opt_text("name")?)
                .operation(),
        ),
        "subscriptions.get" => mode.run(client.subscriptions().get(org()?, args.text("subscription_id")?)),
        "subscriptions.create" => mode.run(
            client
                .subscriptions()
                .create(org()?, args.text("claim_code")?)
                .set_products(
                    args.structured::<Vec<ProductSelection>>("products")?
                        .filter(|list| !list.is_empty()),
                )
                .set_subscription_type(args.opt_text("type")?.map(Into::into))
                .operation(),
        ),
        "subscriptions.update" => mode.run(
            client
                .subscriptions()
                .update(
                    org()?,
                    args.text("subscription_id")?,
                    args.text("product_id")?,
                    args.boolean("status")?,
                )
                .set_source_instance_id(args.opt_text("source_instance_id")?)
                .set_region_code(args.opt_text("region_code")?.map(Into::into))
                .set_initial_admin(args.opt_text("initial_admin")?)
                .operation(),
        ),
        "subscriptions.patch" => mode.run(
            client
                .subscriptions()
                .patch(
                    org()?,
                    args.text("subscription_id")?,
                    args.structured::<Vec<EntitlementQuantity>>("entitlements")?
                        .unwrap_or_default(),
                )
                .set_use_existing_tenants_for_products(
                    args.structured::<Vec<String>>("use_existing_tenants_for_products")?
                        .filter(|list| !list.is_empty()),
                )
                .operation(),
        ),
        "subscriptions.read_claim_code" => {
            mode.run(client.subscriptions().read_claim_code(org()?, args.text("claim_code")?))
        }
        "users.list" => mode.run(
            client
                .users()
                .list(org()?)
                .set_status(args.opt_text("status")?.map(Into::into))
                .operation(),
        ),
        "users.get" => mode.run(client.users().get(org()?, args.text("user_id")?)),
        "users.update" => mode.run(
            client
                .users()
                .update(org()?, args.text("user_id")?)
                .set_first_name(args.opt_text("first_name")?)
                .set_last_name(args.opt_text("last_name")?)
                .operation(),
        ),
        "users.patch" => return patch_users(client.clone(), org()?, args, mode),
        "users.invite"
        | "users.enable"
        | "users.disable"
        | "users.remove"
        | "users.resend_email_invite"
        | "users.reset_password"
        | "users.reset_mfa" => {
            let verb = operation.trim_start_matches("users.");
            return one_user(client.clone(), org()?, verb, args, mode);
        }
        "users.patch_all" => {
            mode.composite(operation)?;
            let operations = args.structured::<Vec<UserOperation>>("users")?.unwrap_or_default();
            let chunk_size = args.opt_u32("chunk_size")?.unwrap_or(500) as usize;
            let concurrency = args.opt_u32("concurrency")?.unwrap_or(4) as usize;
            let pending = client
                .users()
                .patch_all(org()?, operations)
                .chunk_size(chunk_size)
                .concurrency(concurrency);
            Box::pin(async move { Reply::computed(&crate::bulk::report(&pending.send().await)) })
        }
        "users.get_groups" => mode.run(client.users().get_groups(org()?, args.text("user_id")?)),
        "groups.list" => {
            let max = args.opt_u32("max")?;
            mode.run(
                client
                    .groups()
                    .list(org()?)
                    .set_max(max)
                    .set_cursor(args.opt_text("cursor")?)
                    .operation(),
            )
        }
        "groups.get" => mode.run(client.groups().get(org()?, args.text("group_id")?)),
        "groups.create" => mode.run(
            client
                .groups()
                .create(org()?, args.text("name")?)
                .set_description(args.opt_text("description")?)
                .set_applies_to(args.opt_text("applies_to")?.map(Into::into))
                .operation(),
        ),
        "groups.update" => mode.run(
            client
                .groups()
                .update(org()?, args.text("group_id")?)
                .set_name(args.opt_text("name")?)
                .set_description(args.opt_text("description")?)
                .operation(),
        ),
        "groups.delete" => mode.run(client.groups().delete(org()?, args.text("group_id")?)),
        "groups.patch" => mode.run(
            client
                .groups()
                .patch(org()?, args.text("group_id")?)
                .users(args.structured::<Vec<MemberChange>>("users")?.unwrap_or_default())
                .managed_orgs(
                    args.structured::<Vec<MemberChange>>("managed_orgs")?
                        .unwrap_or_default(),
                )
                .operation(),
        ),
        "groups.get_users" => mode.run(client.groups().get_users(org()?, args.text("group_id")?)),
        "groups.get_assigned_roles" => mode.run(client.groups().get_assigned_roles(org()?, args.text("group_id")?)),
        "groups.get_managed_organizations" => mode.run(
            client
                .groups()
                .get_managed_organizations(org()?, args.text("group_id")?),
        ),
        "groups.remove_shared_group" => {
            mode.composite(operation)?;
            let (org_id, group_id) = (org()?, args.text("group_id")?);
            Box::pin(async move {
                client.groups().remove_shared_group(org_id, group_id).await?;
                Reply::computed(&true)
            })
        }
        "roles.list" => mode.run(
            client
                .roles()
                .list(org()?)
                .set_role_type(args.opt_text("type")?.map(Into::into))
                .set_user(args.opt_text("user")?.map(Into::into))
                .operation(),
        ),
        "roles.get" => mode.run(client.roles().get(org()?, args.text("role_id")?)),
        "roles.patch" => mode.run(
            client
                .roles()
                .patch(org()?, args.text("role_id")?)
                .users(args.structured::<Vec<MemberChange>>("users")?.unwrap_or_default())
                .groups(args.structured::<Vec<MemberChange>>("groups")?.unwrap_or_default())
                .operation(),
        ),
        "roles.find_role_id" => {
            mode.composite(operation)?;
            let org_id = org()?;
            let product = args.text("product_name")?;
            let display = args.text("role_display_name")?;
            Box::pin(async move {
                let id = client.roles().find_role_id(org_id, &product, &display).await?;
                Reply::computed(&id)
            })
        }
        "tokens.refresh" => mode.run(client.tokens().refresh(
            org()?,
            args.text("api_key_id")?,
            args.text("refresh_token")?,
        )),
        "request" => {
            let method = args.text("method")?;
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
                .map_err(|_| Error::invalid("method", "is not an HTTP method"))?;
            let body = args.structured::<serde_json::Value>("json")?;
            mode.run(client.raw_request(method, &args.text("endpoint")?, body.as_ref()))
        }
        other => {
            return Err(Error::invalid(
                "operation",
                format!("`{other}` is not an operation of this SDK"),
            ));
        }
    })
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (
        access_token, base_url, base_path, timeout, *, connect_timeout=None, deadline=None,
        ca_bundle=None, max_attempts=scc_sdk::retry::DEFAULT_MAX_ATTEMPTS,
        initial_backoff=scc_sdk::retry::DEFAULT_INITIAL_BACKOFF.as_secs_f64(),
        max_backoff=scc_sdk::retry::DEFAULT_MAX_BACKOFF.as_secs_f64(), rate_limit=None,
        rate_burst=None, credentials=None, token_store=None,
        max_response_bytes=scc_sdk::config::DEFAULT_MAX_RESPONSE_BYTES, insecure_http=false,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        access_token: Option<String>,
        base_url: String,
        base_path: String,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        deadline: Option<f64>,
        ca_bundle: Option<PathBuf>,
        max_attempts: u32,
        initial_backoff: f64,
        max_backoff: f64,
        rate_limit: Option<f64>,
        rate_burst: Option<u32>,
        credentials: Option<Bound<'_, PyDict>>,
        token_store: Option<Bound<'_, PyAny>>,
        max_response_bytes: usize,
        insecure_http: bool,
    ) -> PyResult<Self> {
        runtime::guarded(|| {
            let seconds = |name: &str, value: f64| {
                if value.is_finite() && value > 0.0 {
                    Ok(Duration::from_secs_f64(value))
                } else {
                    Err(pyo3::exceptions::PyValueError::new_err(format!(
                        "{name} must be a positive number of seconds"
                    )))
                }
            };
            let retry = RetryConfig::new()
                .max_attempts(max_attempts)
                .initial_backoff(seconds("backoff", initial_backoff)?)
                .max_backoff(seconds("max_backoff", max_backoff)?);
            let rate_limit = match rate_limit {
                Some(per_second) if per_second.is_finite() && per_second > 0.0 => {
                    Some(RateLimit::new(per_second, rate_burst.unwrap_or(1).max(1)))
                }
                Some(_) => {
                    return Err(pyo3::exceptions::PyValueError::new_err(
                        "rate_limit must be a positive number",
                    ));
                }
                None => None,
            };
            let store =
                match token_store {
                    None => TokenStore::None,
                    Some(store) if store.is_callable() => TokenStore::Callback(store.unbind()),
                    Some(store) => TokenStore::File(store.extract::<PathBuf>().map_err(|_| {
                        pyo3::exceptions::PyTypeError::new_err("token_store must be a path or a callable")
                    })?),
                };
            if max_response_bytes == 0 {
                return Err(pyo3::exceptions::PyValueError::new_err(
                    "max_response_bytes must be more than zero",
                ));
            }
            let initial = match credentials {
                None => None,
                Some(record) => {
                    let args = Args::new(record);
                    let read = |name: &'static str| args.text(name).map_err(|error| errors::to_py(py, &error));
                    Some(Credentials::new(
                        read("org_id")?,
                        read("api_key_id")?,
                        read("access_token")?,
                        read("refresh_token")?,
                    ))
                }
            };
            let settings = Settings {
                access_token,
                base_url,
                base_path,
                timeout: timeout.map(|value| seconds("timeout", value)).transpose()?,
                connect_timeout: connect_timeout
                    .map(|value| seconds("connect_timeout", value))
                    .transpose()?,
                deadline: deadline.map(|value| seconds("deadline", value)).transpose()?,
                ca_bundle,
                max_response_bytes,
                retry,
                rate_limit,
                store: Arc::new(store),
                insecure_http,
            };
            let credentials = Arc::new(Mutex::new(initial));
            // Building the SDK client creates no timer or socket, so it may happen outside the runtime.
            let client = build_client(&settings, &credentials).map_err(|error| {
                if error.is_invalid_input() {
                    errors::to_py(py, &error)
                } else {
                    pyo3::exceptions::PyValueError::new_err(error.to_string())
                }
            })?;
            Ok(Self {
                settings,
                client: PerProcess::new(client),
                credentials,
                lanes: Lanes::new(),
            })
        })
    }

    /// Sends `operation` and waits (without the GIL; Ctrl-C interrupts): `(status, body, next_cursor)`,
    /// the body decoded. A call made while no other is in flight is driven on the calling thread's
    /// lane once it has one (one wake-up: 1.2× the single-thread throughput); calls made at once by
    /// several threads run on the shared runtime's worker, which serves all their sockets from one
    /// `epoll`.
    fn call<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        args: Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        runtime::guarded(|| {
            let (_call, lane) = self.lanes.enter(|| self.client());
            let Some(lane) = lane else {
                return wait(py, self.prepared(operation, args)?);
            };
            // The only call of this client now: this thread drives it on its lane.
            let pending =
                prepared_with(Ok(lane.client.clone()), operation, args)?.map_err(|error| errors::to_py(py, &error))?;
            finished(py, lane.runtime.drive(py, pending)?)
        })
    }

    /// Starts `operation` on the shared runtime and returns at once: for a caller that waits
    /// cooperatively on `Started.fileno()` (gevent, eventlet), then reads `Started.result()`.
    #[cfg(unix)]
    fn start(&self, operation: &str, args: Bound<'_, PyDict>) -> PyResult<Started> {
        runtime::guarded(|| Started::spawn(self.prepared(operation, args)?))
    }

    /// The same as an asyncio awaitable, resolving to the tuple or to the exception to raise.
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        args: Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        runtime::guarded(|| awaitable(py, self.prepared(operation, args)?))
    }

    /// How many threads have a lane of their own ready (see `lanes`), for tests.
    #[getter]
    fn lanes_ready(&self) -> usize {
        self.lanes.ready()
    }

    /// How many times the access token was refreshed.
    #[getter]
    fn refresh_count(&self) -> u64 {
        self.client().map(|client| client.refresh_count()).unwrap_or(0)
    }

    /// The base URL joined with the base path, e.g. `https://api.security.cisco.com/v1`.
    #[getter]
    fn api_root(&self) -> PyResult<String> {
        let client = self
            .client()
            .map_err(|error| pyo3::exceptions::PyValueError::new_err(error.to_string()))?;
        Ok(client.config().api_root().as_str().trim_end_matches('/').to_owned())
    }

    /// The credentials in use now (after any refresh), as the dict a token store receives.
    fn current_credentials<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let current = self
            .credentials
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        current
            .map(|credentials| credentials_dict(py, &credentials))
            .transpose()
    }
}

/// `build_products_from_claim_info`, computed by the SDK from the claim info's JSON.
#[pyfunction]
pub(crate) fn build_products(py: Python<'_>, claim_info: &[u8], preferred_region: &str) -> PyResult<Py<PyBytes>> {
    runtime::guarded(|| {
        let info: ClaimInfo = serde_json::from_slice(claim_info).map_err(|error| {
            errors::to_py(
                py,
                &Error::invalid("claim_info", format!("is not a claim info: {error}")),
            )
        })?;
        let products = info.build_products(&preferred_region.into());
        let body = serde_json::to_vec(&products).map_err(|error| errors::internal_error(error.to_string()))?;
        Ok(PyBytes::new(py, &body).unbind())
    })
}

/// The summary of a bulk answer (`total`, `succeeded`, `failed`, `all_successful`), computed by the SDK.
#[pyfunction]
pub(crate) fn bulk_summary(py: Python<'_>, body: &[u8]) -> PyResult<(usize, usize, usize, bool)> {
    runtime::guarded(|| {
        let result: scc_sdk::BulkResult = serde_json::from_slice(body)
            .map_err(|error| errors::to_py(py, &Error::invalid("result", format!("is not a bulk answer: {error}"))))?;
        let summary = result.summary();
        Ok((summary.total, summary.succeeded, summary.failed, summary.all_successful))
    })
}
