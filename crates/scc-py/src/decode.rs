//! A JSON body turned into Python objects in one pass over its bytes, as `json.loads` would give
//! them. What could come out differently is not decoded here: a number with a fraction or an
//! exponent, or an integer beyond 64 bits (serde_json reads both as `f64`), and anything serde_json
//! refuses (NaN, lone surrogates, a byte-order mark, more than 128 levels): those bodies are handed to
//! Python's `json` as bytes, which decodes them, or raises the error it always raised.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::{LazyLock, Mutex, MutexGuard, TryLockError};

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString};
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// The body as Python objects; `{}` for an empty one (a 204); its bytes when it is left to `json`.
pub(crate) fn body_object<'py>(py: Python<'py>, body: &[u8]) -> Bound<'py, PyAny> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return PyDict::new(py).into_any();
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let keys = RefCell::new(Keys {
        shared: match SHARED_KEYS.try_lock() {
            Ok(shared) => Some(shared),
            Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            // Another decoding holds them (one run by a finalizer during this one, or by another
            // thread while this one's allocation ran Python code): this body makes its own.
            Err(TryLockError::WouldBlock) => None,
        },
        own: HashMap::default(),
    });
    match PyValue(py, &keys)
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
    {
        Ok(value) => value,
        Err(_) => PyBytes::new(py, body).into_any(),
    }
}

/// Object keys made so far, shared by every answer: the API's keys are a few dozen, each made once
/// for the process instead of once an answer (measured: 1.5 µs of the 4.5 a small answer took to
/// decode). Bounded in count and length, so a server sending ever new keys cannot grow it.
static SHARED_KEYS: LazyLock<Mutex<SharedKeys>> = LazyLock::new(Mutex::default);
type SharedKeys = HashMap<Box<str>, Py<PyString>>;
const SHARED_KEYS_LIMIT: usize = 1024;
const SHARED_KEY_LONGEST: usize = 64;

/// The keys one body's decoding uses: the shared ones, and those made for this body alone (past the
/// bounds, or while the shared ones are in use), each made once a body as `json.loads` makes them.
struct Keys<'py> {
    shared: Option<MutexGuard<'static, SharedKeys>>,
    own: HashMap<Box<str>, Bound<'py, PyString>>,
}

impl<'py> Keys<'py> {
    fn key(&mut self, py: Python<'py>, text: &str) -> Bound<'py, PyString> {
        if let Some(shared) = self.shared.as_mut() {
            if let Some(key) = shared.get(text) {
                return key.bind(py).clone();
            }
            if shared.len() < SHARED_KEYS_LIMIT && text.len() <= SHARED_KEY_LONGEST {
                let key = PyString::new(py, text);
                shared.insert(text.into(), key.clone().unbind());
                return key;
            }
        }
        if let Some(key) = self.own.get(text) {
            return key.clone();
        }
        let key = PyString::new(py, text);
        self.own.insert(text.into(), key.clone());
        key
    }
}

/// Builds one JSON value as a Python object.
#[derive(Clone, Copy)]
struct PyValue<'a, 'py>(Python<'py>, &'a RefCell<Keys<'py>>);

/// A Python error met while building (memory): the body goes to `json` instead.
fn built<T, E: serde::de::Error>(result: PyResult<T>) -> Result<T, E> {
    result.map_err(|error| E::custom(error))
}

impl<'de, 'py> DeserializeSeed<'de> for PyValue<'_, 'py> {
    type Value = Bound<'py, PyAny>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, 'py> Visitor<'de> for PyValue<'_, 'py> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.0.None().into_bound(self.0))
    }

    fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(PyBool::new(self.0, value).to_owned().into_any())
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(PyInt::new(self.0, value).into_any())
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(PyInt::new(self.0, value).into_any())
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
        // `json.loads` reads "1e400" as inf and a 30-digit integer as an int; serde_json gives an
        // f64 for both: left to `json`.
        Err(E::custom("a number json decodes"))
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(PyString::new(self.0, value).into_any())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Self::Value, A::Error> {
        let list = PyList::empty(self.0);
        while let Some(item) = items.next_element_seed(self)? {
            built(list.append(item))?;
        }
        Ok(list.into_any())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Self::Value, A::Error> {
        let dict = PyDict::new(self.0);
        while let Some(key) = entries.next_key_seed(PyKey(self.0, self.1))? {
            let value = entries.next_value_seed(self)?;
            // As in `json.loads`: a repeated key keeps its first place and its last value.
            built(dict.set_item(key, value))?;
        }
        Ok(dict.into_any())
    }
}

/// An object's key, a Python `str`.
struct PyKey<'a, 'py>(Python<'py>, &'a RefCell<Keys<'py>>);

impl<'de, 'py> DeserializeSeed<'de> for PyKey<'_, 'py> {
    type Value = Bound<'py, PyString>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, 'py> Visitor<'de> for PyKey<'_, 'py> {
    type Value = Bound<'py, PyString>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object key")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(self.1.borrow_mut().key(self.0, value))
    }
}
