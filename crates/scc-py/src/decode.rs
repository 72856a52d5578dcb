//! A JSON body turned into Python objects in one pass over its bytes, as `json.loads` would give
//! them. What could come out differently is not decoded here: a number with a fraction or an
//! exponent, or an integer beyond 64 bits (serde_json reads both as `f64`), and anything serde_json
//! refuses (NaN, lone surrogates, a byte-order mark, more than 128 levels): those bodies are handed to
//! Python's `json` as bytes, which decodes them, or raises the error it always raised.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString};
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// The body as Python objects; `{}` for an empty one (a 204); its bytes when it is left to `json`.
pub(crate) fn body_object<'py>(py: Python<'py>, body: &[u8]) -> Bound<'py, PyAny> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return PyDict::new(py).into_any();
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let keys = RefCell::new(HashMap::new());
    match PyValue(py, &keys)
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
    {
        Ok(value) => value,
        Err(_) => PyBytes::new(py, body).into_any(),
    }
}

/// The keys met so far in one body, each made once (as `json.loads` does): a page of 500 users
/// holds one `"email"`, not 500.
type Keys<'py> = RefCell<HashMap<String, Bound<'py, PyString>>>;

/// Builds one JSON value as a Python object.
#[derive(Clone, Copy)]
struct PyValue<'a, 'py>(Python<'py>, &'a Keys<'py>);

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
struct PyKey<'a, 'py>(Python<'py>, &'a Keys<'py>);

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
        let mut keys = self.1.borrow_mut();
        if let Some(key) = keys.get(value) {
            return Ok(key.clone());
        }
        let key = PyString::new(self.0, value);
        keys.insert(value.to_owned(), key.clone());
        Ok(key)
    }
}
