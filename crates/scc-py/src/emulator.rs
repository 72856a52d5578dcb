//! `NativeEmulator`: the Rust emulator started in this process on a free loopback port, for tests and
//! examples that run without a Cisco account (`scc_sdk.testing.Emulator`).

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use scc_emulator::{Emulator, EmulatorOptions};

use crate::errors::internal_error;
use crate::runtime;

#[pyclass(frozen, module = "scc_sdk._native")]
pub(crate) struct NativeEmulator {
    /// The server and the process that started it (a forked child must not stop the parent's).
    running: Mutex<Option<(u32, Emulator)>>,
    /// The ready line's JSON: URL, organization, credentials, claim codes.
    ready: Vec<u8>,
}

#[pymethods]
impl NativeEmulator {
    #[new]
    #[pyo3(signature = (*, seed=42, token_ttl=None, fault_rate=0.0, latency_ms=0, rate_limit=None, claim_codes=None))]
    fn new(
        py: Python<'_>,
        seed: u64,
        token_ttl: Option<u64>,
        fault_rate: f64,
        latency_ms: u64,
        rate_limit: Option<u32>,
        claim_codes: Option<usize>,
    ) -> PyResult<Self> {
        runtime::guarded(|| {
            if !(0.0..=1.0).contains(&fault_rate) {
                return Err(pyo3::exceptions::PyValueError::new_err(
                    "fault_rate must be between 0 and 1",
                ));
            }
            let mut options = EmulatorOptions::default()
                .seed(seed)
                .fault_rate(fault_rate)
                .latency_ms(latency_ms)
                .rate_limit(rate_limit);
            if let Some(seconds) = token_ttl {
                options = options.token_ttl(seconds);
            }
            if let Some(count) = claim_codes {
                options = options.claim_codes(count);
            }
            let emulator = runtime::block_on(py, scc_emulator::spawn(options))?
                .map_err(|error| internal_error(format!("the emulator did not start: {error:#}")))?;
            let ready = serde_json::to_vec(emulator.ready()).map_err(|error| internal_error(error.to_string()))?;
            Ok(Self {
                running: Mutex::new(Some((std::process::id(), emulator))),
                ready,
            })
        })
    }

    /// The ready line as JSON bytes.
    fn ready<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.ready)
    }

    /// The emulator's whole state as JSON bytes (tokens included: for tests only).
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        runtime::guarded(|| {
            let running = self.running.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let (_, emulator) = running
                .as_ref()
                .ok_or_else(|| internal_error("the emulator is stopped".into()))?;
            let body = serde_json::to_vec(&emulator.state_json()).map_err(|error| internal_error(error.to_string()))?;
            Ok(PyBytes::new(py, &body))
        })
    }

    /// Stops the server and waits until it has stopped; a second call does nothing.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        runtime::guarded(|| {
            let taken = self
                .running
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take();
            match taken {
                Some((pid, emulator)) if pid == std::process::id() => runtime::block_on(py, emulator.shutdown())?
                    .map_err(|error| internal_error(format!("the emulator did not stop cleanly: {error:#}"))),
                Some((_, inherited)) => {
                    std::mem::forget(inherited);
                    Ok(())
                }
                None => Ok(()),
            }
        })
    }
}
