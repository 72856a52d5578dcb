//! SDK errors as the Python package's exceptions (defined in `scc_sdk/exceptions.py`), with the
//! service's message, status, tracking id, timestamp, path and full error body.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict};
use scc_sdk::{Error, ErrorKind};

pyo3::import_exception!(scc_sdk.exceptions, SCCError);

/// An error of the native core itself (a bug, or a runtime that would not start): an `SCCError`,
/// never a `PanicException` that `except Exception` would miss.
pub(crate) fn internal_error(message: String) -> PyErr {
    SCCError::new_err(message)
}

/// The exception class for an error kind.
fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        // Refused before sending: also a `ValueError`, as cisco-scc-sdk 1.0.6 raised.
        ErrorKind::InvalidInput => "InvalidInputError",
        ErrorKind::Validation => "ValidationError",
        ErrorKind::Authentication => "AuthenticationError",
        ErrorKind::Forbidden => "ForbiddenError",
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::Conflict => "ConflictError",
        ErrorKind::RateLimited => "RateLimitError",
        ErrorKind::Server => "ServerError",
        ErrorKind::Timeout => "APITimeoutError",
        ErrorKind::Connect | ErrorKind::Transport => "APIConnectionError",
        ErrorKind::Decode => "InvalidResponseError",
        _ => "SCCError",
    }
}

fn exceptions_module(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static MODULE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || {
            py.import("scc_sdk.exceptions").map(|module| module.into_any().unbind())
        })
        .map(|module| module.bind(py))
}

/// The body decoded with Python's `json` (so nothing changes), or `None` when it is not JSON.
fn decode_body<'py>(py: Python<'py>, body: &[u8]) -> Option<Bound<'py, PyAny>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let loads = crate::json_loads(py).ok()?;
    loads.call1((PyBytes::new(py, body),)).ok()
}

/// The exception the SDK raises for an error answer (`status`, the request's `path`, the body and
/// headers as received): what the Python layer raises for an answer `requests` received while a test
/// mocks it, so the class, message and details are the SDK's, once.
#[pyfunction]
pub(crate) fn error_for(
    py: Python<'_>,
    status: u16,
    path: &str,
    body: &[u8],
    headers: Vec<(String, String)>,
) -> PyResult<Py<PyAny>> {
    let mut api = scc_sdk::ApiError::from_response(status, path, body, None);
    api.headers = headers;
    Ok(to_py(py, &Error::Api(Box::new(api))).into_value(py).into_any())
}

/// Builds the exception for `error`. Needs the GIL; called once the wait is over.
pub(crate) fn to_py(py: Python<'_>, error: &Error) -> PyErr {
    match build(py, error) {
        Ok(exception) => exception,
        Err(failed) => failed,
    }
}

fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let name = if error.status() == Some(422) {
        // The seed counts 422 (unprocessable) with 400 as a validation error.
        "ValidationError"
    } else {
        class_name(error.kind())
    };
    let class = exceptions_module(py)?.getattr(name)?;
    let kwargs = PyDict::new(py);
    let message = match error {
        Error::Api(api) => {
            kwargs.set_item("status_code", api.status)?;
            kwargs.set_item("tracking_id", api.tracking_id.as_deref())?;
            kwargs.set_item("timestamp", api.timestamp.as_deref())?;
            kwargs.set_item("path", api.path.as_deref())?;
            kwargs.set_item("response", decode_body(py, api.body.as_bytes()))?;
            kwargs.set_item("http_headers", api.headers.clone())?;
            kwargs.set_item("http_body", api.body.as_str())?;
            if let Some(delay) = api.retry_after {
                kwargs.set_item("retry_after", delay.as_secs_f64())?;
            }
            api.message.clone()
        }
        Error::InvalidInput { field, .. } => {
            kwargs.set_item("field", field)?;
            error.to_string()
        }
        other => {
            if let Some(status) = other.status() {
                kwargs.set_item("status_code", status)?;
            }
            other.to_string()
        }
    };
    kwargs.set_item("may_have_reached_server", error.may_have_reached_server())?;
    kwargs.set_item("attempts", error.attempts())?;
    let exception = class.call((message,), Some(&kwargs))?;
    Ok(PyErr::from_value(exception))
}
