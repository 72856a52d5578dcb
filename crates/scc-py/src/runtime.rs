//! One shared tokio runtime per process id, so the package keeps working in a child after
//! `os.fork()`; a runtime of its own for each thread that calls alone; blocking waits that release
//! the GIL and still answer Ctrl-C; asyncio awaitables on the shared runtime (through
//! pyo3-async-runtimes' generic traits, whose own runtime cannot follow a fork).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, JoinError, Runtime};
use tokio::runtime::Runtime as Tokio;

use crate::errors::internal_error;

/// How often a blocking wait wakes up to let Python run its signal handlers.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

static RUNTIME: Mutex<Option<(u32, Arc<Tokio>)>> = Mutex::new(None);

/// The workers run the calls made while others are in flight, and asyncio's tasks: half the cores,
/// at least one. Measured on 2 cores with 16 threads: two workers did no better than one.
fn worker_threads() -> usize {
    std::thread::available_parallelism()
        .map(|cores| (cores.get() / 2).clamp(1, 8))
        .unwrap_or(1)
}

/// Uses the runtime of this process, built on first use and again in a forked child.
fn with_runtime<R>(use_it: impl FnOnce(&Arc<Tokio>) -> R) -> PyResult<R> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((owner, runtime)) = slot.as_ref()
        && *owner == pid
    {
        return Ok(use_it(runtime));
    }
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(worker_threads())
            .thread_name("scc-sdk")
            .enable_all()
            .build()
            .map_err(|error| internal_error(format!("cannot start the I/O runtime: {error}")))?,
    );
    let used = use_it(&runtime);
    if let Some(inherited) = slot.replace((pid, runtime)) {
        // The parent's worker threads do not exist here and its sockets are the parent's: dropping
        // the runtime would wait on them or touch the parent's epoll.
        std::mem::forget(inherited);
    }
    Ok(used)
}

/// The runtime of this process, for a Python thread to block on.
pub(crate) fn runtime() -> PyResult<Arc<Tokio>> {
    with_runtime(Arc::clone)
}

/// A handle to spawn on the runtime of this process. A handle never keeps the runtime alive, so a
/// runtime thread that spawns (the asyncio bridge hands answers over that way) can never end up
/// dropping the runtime itself, which tokio refuses with a panic (seen at exit, after
/// `shutdown_runtime` had let go of it).
fn handle() -> PyResult<tokio::runtime::Handle> {
    match tokio::runtime::Handle::try_current() {
        Ok(current) => Ok(current),
        Err(_) => with_runtime(|runtime| runtime.handle().clone()),
    }
}

/// Stops this process's runtime and waits (without the GIL, at most 2 s) for its threads: called at
/// interpreter exit, before finalization, so no runtime thread (an asyncio answer being handed over, a
/// log record) touches Python while it is being torn down. A later call starts a new runtime.
#[pyfunction]
pub(crate) fn shutdown_runtime(py: Python<'_>) {
    let taken = RUNTIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
    if let Some((pid, runtime)) = taken {
        if pid != std::process::id() {
            std::mem::forget(runtime);
            return;
        }
        match Arc::try_unwrap(runtime) {
            Ok(runtime) => py.detach(|| runtime.shutdown_timeout(Duration::from_secs(2))),
            // A call still holds it (a thread blocked in a request): let that call finish with it.
            Err(shared) => drop(shared),
        }
    }
}

/// Runs `future` on the runtime and waits for it without the GIL; every 50 ms the wait gives Python
/// a chance to run signal handlers, so Ctrl-C raises `KeyboardInterrupt` (and drops the request).
pub(crate) fn block_on<T: Send + 'static>(
    py: Python<'_>,
    future: impl Future<Output = T> + Send + 'static,
) -> PyResult<T> {
    let runtime = runtime()?;
    // Run as a task on the runtime's worker, which also drives the connection: the request, its
    // socket and its answer meet on one thread, and this thread is woken once, when it is done.
    // With one worker this measured 1.2x the 16-thread throughput of driving the request here (where
    // every step of the answer crossed between this thread and the worker); see BENCHMARKS.md.
    let mut task = runtime.spawn(future);
    match wait_without_gil(py, &runtime, &mut task) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(failed)) => Err(internal_error(format!("the request's task failed: {failed}"))),
        Err(interrupt) => {
            // Aborting the task drops the request.
            task.abort();
            Err(interrupt)
        }
    }
}

/// Drives `future` on `runtime` from this thread, without the GIL; every 50 ms Python may run its
/// signal handlers, so Ctrl-C raises `KeyboardInterrupt` (the future is then dropped).
fn wait_without_gil<T: Send>(py: Python<'_>, runtime: &Tokio, future: impl Future<Output = T> + Send) -> PyResult<T> {
    let mut future = std::pin::pin!(future);
    loop {
        let done = py.detach(|| {
            runtime.block_on(async {
                tokio::select! {
                    value = &mut future => Some(value),
                    () = tokio::time::sleep(SIGNAL_POLL) => None,
                }
            })
        });
        if let Some(value) = done {
            return Ok(value);
        }
        py.check_signals()?;
    }
}

/// A runtime of one thread's own (a lane's, see `lanes`): the request, its connection and its answer
/// stay on the calling thread.
pub(crate) struct ThreadRuntime {
    runtime: Option<Tokio>,
    /// When this thread's last call here ended.
    idle_since: Mutex<Option<Instant>>,
}

/// After this long without a call, the runtime first reads what its idle connections received: a
/// connection the server closed meanwhile is then known closed, and is not handed to the next
/// request (whose answer would be lost with it: an unknown outcome for a write). See
/// docs/decisions.md, "Idle connections".
const IDLE_CHECK_AFTER: Duration = Duration::from_millis(50);

impl ThreadRuntime {
    pub(crate) fn new() -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        Ok(Self {
            runtime: Some(runtime),
            idle_since: Mutex::new(None),
        })
    }

    /// Drives `future` to its end on this thread, without the GIL (Ctrl-C interrupts, as in
    /// `block_on`).
    pub(crate) fn drive<T: Send>(&self, py: Python<'_>, future: impl Future<Output = T> + Send) -> PyResult<T> {
        let Some(runtime) = &self.runtime else {
            return Err(internal_error("the thread's runtime is shut down".to_owned()));
        };
        let idle_since = self
            .idle_since
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        let check_idle = idle_since.is_some_and(|since| since.elapsed() >= IDLE_CHECK_AFTER);
        let driven = wait_without_gil(py, runtime, async move {
            if check_idle {
                // Yielding lets the runtime poll its sockets before the request is sent.
                tokio::task::yield_now().await;
            }
            future.await
        });
        *self.idle_since.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Instant::now());
        driven
    }
}

impl Drop for ThreadRuntime {
    fn drop(&mut self) {
        // It may be dropped on any thread, inside another runtime too (a client collected by Python
        // on a runtime thread), where waiting is refused: its tasks are dropped without waiting.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A value that belongs to the process that made it: an SDK client, whose pooled sockets and runtime
/// registrations are that process's. In a forked child it is made again, and the inherited one is
/// forgotten, never dropped (dropping would close the parent's sockets or touch its epoll).
pub(crate) struct PerProcess<T> {
    slot: Mutex<(u32, Option<T>)>,
}

impl<T: Clone> PerProcess<T> {
    pub(crate) fn new(value: T) -> Self {
        Self {
            slot: Mutex::new((std::process::id(), Some(value))),
        }
    }

    /// This process's value, made with `make` the first time it is asked for in a child.
    pub(crate) fn get<E>(&self, make: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        let pid = std::process::id();
        let mut slot = self.slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if slot.0 != pid {
            std::mem::forget(slot.1.take());
            slot.0 = pid;
        }
        if let Some(value) = &slot.1 {
            return Ok(value.clone());
        }
        let value = make()?;
        slot.1 = Some(value.clone());
        Ok(value)
    }
}

impl<T> Drop for PerProcess<T> {
    fn drop(&mut self) {
        let slot = self.slot.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner());
        if slot.0 != std::process::id() {
            std::mem::forget(slot.1.take());
        }
    }
}

/// The asyncio bridge's view of our runtime.
pub(crate) struct SccRuntime;

tokio::task_local! {
    static TASK_LOCALS: TaskLocals;
}

/// A tokio join error as pyo3-async-runtimes wants it.
pub(crate) struct TaskJoinError(tokio::task::JoinError);

impl JoinError for TaskJoinError {
    fn is_panic(&self) -> bool {
        self.0.is_panic()
    }
    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        self.0.into_panic()
    }
}

/// A spawned task's handle, or the reason it could not be spawned (the runtime would not start).
pub(crate) struct TaskHandle(Option<tokio::task::JoinHandle<()>>);

impl Future for TaskHandle {
    type Output = Result<(), TaskJoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        match self.0.as_mut() {
            Some(handle) => Pin::new(handle).poll(cx).map(|done| done.map_err(TaskJoinError)),
            None => std::task::Poll::Ready(Ok(())),
        }
    }
}

impl Runtime for SccRuntime {
    type JoinError = TaskJoinError;
    type JoinHandle = TaskHandle;

    fn spawn<F>(future: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        TaskHandle(handle().ok().map(|handle| handle.spawn(future)))
    }

    fn spawn_blocking<F>(work: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        TaskHandle(handle().ok().map(|handle| handle.spawn_blocking(work)))
    }
}

impl ContextExt for SccRuntime {
    fn scope<F, R>(locals: TaskLocals, future: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        Box::pin(TASK_LOCALS.scope(locals, future))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS.try_with(Clone::clone).ok()
    }
}

/// An asyncio awaitable for `future`, run on our runtime and bound to the running event loop.
pub(crate) fn awaitable<'py, T>(
    py: Python<'py>,
    future: impl Future<Output = PyResult<T>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    // Make sure the runtime of this process exists before the bridge spawns on it.
    handle()?;
    let locals = pyo3_async_runtimes::generic::get_current_locals::<SccRuntime>(py)?;
    pyo3_async_runtimes::generic::future_into_py_with_locals::<SccRuntime, _, T>(py, locals, future)
}

/// Runs a native entry point so that a panic (a bug of ours) reaches Python as an `SCCError`, never as
/// a `PanicException` that `except Exception` would not catch.
pub(crate) fn guarded<T>(entry: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(entry)).unwrap_or_else(|payload| {
        let text = payload
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_owned());
        Err(internal_error(format!("internal error in the native core: {text}")))
    })
}
