//! Reading a call's keyword arguments (a `dict` built by the Python layer) into Rust values. A value of
//! the wrong type is refused before anything is sent, naming the argument.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use scc_sdk::Error;
use serde::de::DeserializeOwned;

pub(crate) struct Args<'py>(pub(crate) Bound<'py, PyDict>);

fn wrong_type(name: &str, expected: &str) -> Error {
    Error::invalid(name, format!("must be {expected}"))
}

impl<'py> Args<'py> {
    fn get(&self, name: &str) -> Option<Bound<'py, PyAny>> {
        self.0.get_item(name).ok().flatten().filter(|value| !value.is_none())
    }

    /// A string argument that must be given (an empty one is left to the SDK's checks, which name it).
    pub(crate) fn text(&self, name: &str) -> Result<String, Error> {
        Ok(self.opt_text(name)?.unwrap_or_default())
    }

    /// An optional string: `None` and `""` both mean "not given", as in the Python SDK.
    pub(crate) fn opt_text(&self, name: &str) -> Result<Option<String>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .extract::<String>()
                .map(|text| Some(text).filter(|text| !text.is_empty()))
                .map_err(|_| wrong_type(name, "a string")),
        }
    }

    pub(crate) fn opt_u32(&self, name: &str) -> Result<Option<u32>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => {
                if value.is_instance_of::<pyo3::types::PyBool>() {
                    return Err(wrong_type(name, "an integer"));
                }
                let number = value.extract::<i64>().map_err(|_| wrong_type(name, "an integer"))?;
                u32::try_from(number)
                    .map(Some)
                    .map_err(|_| Error::invalid(name, "must be between 1 and 500"))
            }
        }
    }

    /// True when the argument was passed at all (`None` included: for fields that `None` clears).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.0.contains(name).unwrap_or(false)
    }

    pub(crate) fn opt_bool(&self, name: &str) -> Result<Option<bool>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .extract::<bool>()
                .map(Some)
                .map_err(|_| wrong_type(name, "True or False")),
        }
    }

    pub(crate) fn boolean(&self, name: &str) -> Result<bool, Error> {
        match self.get(name) {
            None => Err(Error::invalid(name, "is required (True or False)")),
            Some(value) => value.extract::<bool>().map_err(|_| wrong_type(name, "True or False")),
        }
    }

    /// A structured argument (a list of dicts…) read into the SDK's own type, so its wire names and
    /// checks apply. Keys the SDK does not know are refused rather than dropped.
    pub(crate) fn structured<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, Error> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let mut unknown = Vec::new();
        let deserializer = &mut pythonize::Depythonizer::from_object(&value);
        let parsed: T = serde_ignored::deserialize(deserializer, |path| unknown.push(path.to_string()))
            .map_err(|error| Error::invalid(name, format!("is not valid: {error}")))?;
        if let Some(path) = unknown.first() {
            let mut field = name.to_owned();
            for segment in path.split('.') {
                if segment.chars().all(|c| c.is_ascii_digit()) {
                    field.push_str(&format!("[{segment}]"));
                } else {
                    field.push('.');
                    field.push_str(segment);
                }
            }
            return Err(Error::invalid(
                &field,
                "is not a field this operation sends (check its spelling)",
            ));
        }
        Ok(Some(parsed))
    }
}
