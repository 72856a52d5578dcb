//! The native core of the Python package `scc_sdk`: the Rust SDK's client, the XDR client and the
//! emulator, exposed as a few classes that the package's Python layer wraps in the seed's API.

mod args;
mod bulk;
mod client;
mod decode;
mod emulator;
mod errors;
mod lanes;
mod plans;
mod runtime;
mod xdr;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// Python's `json.loads`, so bodies are decoded exactly as the original SDK decodes them.
pub(crate) fn json_loads(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    LOADS
        .get_or_try_init(py, || py.import("json")?.getattr("loads").map(Bound::unbind))
        .map(|loads| loads.bind(py))
}

/// Lets the SDK's DEBUG records through to Python's `logging` (true) or stops them at the source
/// (false); the Python layer calls it when the `scc_sdk` logger's level changes.
#[pyfunction]
fn set_debug_logging(enabled: bool) {
    log::set_max_level(if enabled {
        log::LevelFilter::Debug
    } else {
        log::LevelFilter::Warn
    });
}

/// Hands the native core's log records to Python under the `scc_sdk` logger: the SDK's own at DEBUG
/// and above, its dependencies' (TLS, HTTP) at WARNING and above, renamed `scc_sdk.<target>` so an
/// application that configures `scc_sdk` sees them all and nothing reaches Python's last-resort handler.
struct UnderPackage(pyo3_log::Logger);

impl UnderPackage {
    fn kept(metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("scc_sdk") || metadata.level() <= log::Level::Warn
    }
}

impl log::Log for UnderPackage {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        Self::kept(metadata) && self.0.enabled(metadata)
    }

    fn log(&self, record: &log::Record<'_>) {
        if !Self::kept(record.metadata()) {
            return;
        }
        if record.target().starts_with("scc_sdk") {
            return self.0.log(record);
        }
        let target = format!("scc_sdk::{}", record.target());
        self.0.log(
            &log::Record::builder()
                .args(*record.args())
                .level(record.level())
                .target(&target)
                .module_path(record.module_path())
                .file(record.file())
                .line(record.line())
                .build(),
        );
    }

    fn flush(&self) {
        self.0.flush();
    }
}

/// The API's closed sets as the SDK knows them (`{"user_status": ["ACTIVE", …], …}`), so the Python
/// layer decides with the SDK's values instead of a copy of its own.
#[pyfunction]
fn closed_sets() -> std::collections::BTreeMap<&'static str, Vec<&'static str>> {
    use scc_sdk::types::*;
    // The spellings of older SDK versions and docs (docs/decisions.md, "User statuses"), sent as given.
    let legacy_user_status = ["DISABLE", "INACTIVE"];
    [
        ("organization_type", OrganizationType::KNOWN.to_vec()),
        ("region_code", RegionCode::KNOWN.to_vec()),
        ("sort_order", SortOrder::KNOWN.to_vec()),
        ("user_status", [UserStatus::KNOWN, &legacy_user_status].concat()),
        ("user_operation", UserOperationType::KNOWN.to_vec()),
        ("applies_to", AppliesTo::KNOWN.to_vec()),
        ("role_type", RoleType::KNOWN.to_vec()),
        ("patch_operation", PatchOperation::KNOWN.to_vec()),
        ("subscription_type", SubscriptionType::KNOWN.to_vec()),
    ]
    .into_iter()
    .collect()
}

/// The SDK's operations (`scc_sdk::catalog`): `[{"name", "method", "path", "reads", "destructive",
/// "idempotent", "summary"}]`, for the resources and the checks that every face has every operation.
#[pyfunction]
fn operations(py: Python<'_>) -> PyResult<Vec<Bound<'_, pyo3::types::PyDict>>> {
    scc_sdk::catalog::OPERATIONS
        .iter()
        .map(|operation| {
            let entry = pyo3::types::PyDict::new(py);
            entry.set_item("name", operation.name)?;
            entry.set_item("method", operation.method.as_ref().map(|method| method.as_str()))?;
            entry.set_item("path", operation.path)?;
            entry.set_item("reads", operation.is_read())?;
            entry.set_item("destructive", operation.destructive)?;
            entry.set_item("idempotent", operation.idempotent)?;
            entry.set_item("summary", operation.summary)?;
            Ok(entry)
        })
        .collect()
}

/// The SDK's defaults, for the Python layer's signatures: `timeout`, `connect_timeout` (seconds),
/// `max_attempts`, `initial_backoff`, `max_backoff` (seconds), `max_response_bytes`, `base_url`,
/// `base_path`.
#[pyfunction]
fn defaults(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    use scc_sdk::{config, retry};
    let table = pyo3::types::PyDict::new(py);
    table.set_item("timeout", config::DEFAULT_TIMEOUT.as_secs_f64())?;
    table.set_item("connect_timeout", config::DEFAULT_CONNECT_TIMEOUT.as_secs_f64())?;
    table.set_item("max_attempts", retry::DEFAULT_MAX_ATTEMPTS)?;
    table.set_item("initial_backoff", retry::DEFAULT_INITIAL_BACKOFF.as_secs_f64())?;
    table.set_item("max_backoff", retry::DEFAULT_MAX_BACKOFF.as_secs_f64())?;
    table.set_item("max_response_bytes", config::DEFAULT_MAX_RESPONSE_BYTES)?;
    table.set_item("base_url", config::DEFAULT_BASE_URL)?;
    table.set_item("base_path", config::DEFAULT_BASE_PATH)?;
    Ok(table)
}

/// The native module `scc_sdk._native`.
#[pymodule]
mod _native {
    #[cfg(unix)]
    #[pymodule_export]
    use super::client::Started;
    #[pymodule_export]
    use super::client::{NativeClient, build_products, bulk_summary, plan};
    #[pymodule_export]
    use super::emulator::NativeEmulator;
    #[pymodule_export]
    use super::errors::error_for;
    #[pymodule_export]
    use super::plans::{NativePlan, plan_changes};
    #[pymodule_export]
    use super::xdr::{NativeXdrClient, xdr_rules};

    #[pymodule_export]
    use super::runtime::shutdown_runtime;
    #[pymodule_export]
    use super::{closed_sets, defaults, operations, set_debug_logging};

    /// Sends the SDK's `tracing` events to Python's `logging` (logger names from the Rust targets:
    /// `scc_sdk.transport`, …) at DEBUG and above; dependencies' events below WARNING are left out.
    #[pymodule_init]
    fn init(module: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
        // Levels are not cached, so `logging` configured after import still applies; bodies (TRACE) never
        // go to Python.
        let logger = pyo3_log::Logger::new(module.py(), pyo3_log::Caching::Loggers)?.filter(log::LevelFilter::Debug);
        // A second import (a sub-interpreter, a reload) finds a logger installed: that one stays.
        let _ = log::set_boxed_logger(Box::new(super::UnderPackage(logger)));
        // Until Python's `scc_sdk` logger asks for DEBUG (see `set_debug_logging`), the SDK's debug
        // events stop at `log`'s level check and never take the GIL from a runtime thread.
        log::set_max_level(log::LevelFilter::Warn);
        pyo3::types::PyModuleMethods::add(module, "__version__", env!("CARGO_PKG_VERSION"))?;
        Ok(())
    }
}
