//! The native core of the Python package `scc_sdk`: the Rust SDK's client, the XDR client and the
//! emulator, exposed as a few classes that the package's Python layer wraps in the seed's API.

mod args;
mod bulk;
mod client;
mod emulator;
mod errors;
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

/// The native module `scc_sdk._native`.
#[pymodule]
mod _native {
    #[pymodule_export]
    use super::client::{NativeClient, build_products, bulk_summary};
    #[pymodule_export]
    use super::emulator::NativeEmulator;
    #[pymodule_export]
    use super::xdr::{NativeXdrClient, xdr_rules};

    #[pymodule_export]
    use super::runtime::shutdown_runtime;
    #[pymodule_export]
    use super::set_debug_logging;

    /// Sends the SDK's `tracing` events to Python's `logging` (logger names from the Rust targets:
    /// `scc_sdk.transport`, …) at DEBUG and above; dependencies' events below WARNING are left out.
    #[pymodule_init]
    fn init(module: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
        // Levels are not cached, so `logging` configured after import still applies; bodies (TRACE) never
        // go to Python.
        let logger = pyo3_log::Logger::new(module.py(), pyo3_log::Caching::Loggers)?
            .filter(log::LevelFilter::Warn)
            .filter_target("scc_sdk".to_owned(), log::LevelFilter::Debug);
        // A second import (a sub-interpreter, a reload) finds a logger installed: that one stays.
        let _ = logger.install();
        // Until Python's `scc_sdk` logger asks for DEBUG (see `set_debug_logging`), the SDK's debug
        // events stop at `log`'s level check and never take the GIL from a runtime thread.
        log::set_max_level(log::LevelFilter::Warn);
        pyo3::types::PyModuleMethods::add(module, "__version__", env!("CARGO_PKG_VERSION"))?;
        Ok(())
    }
}
