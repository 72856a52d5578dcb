//! Reading a call's keyword arguments (a `dict` built by the Python layer) into Rust values. A value of
//! the wrong type is refused before anything is sent, naming the argument.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use scc_sdk::Error;
use serde::de::DeserializeOwned;

/// The arguments of one call, and which of them the operation read: a key nothing read is a
/// `TypeError` (a misspelt optional argument is never taken for "not given").
pub(crate) struct Args<'py> {
    dict: Bound<'py, PyDict>,
    read: std::cell::RefCell<Vec<&'static str>>,
}

fn wrong_type(name: &str, expected: &str) -> Error {
    Error::invalid(name, format!("must be {expected}"))
}

impl<'py> Args<'py> {
    pub(crate) fn new(dict: Bound<'py, PyDict>) -> Self {
        Self {
            dict,
            read: std::cell::RefCell::new(Vec::new()),
        }
    }

    fn get(&self, name: &'static str) -> Option<Bound<'py, PyAny>> {
        self.read.borrow_mut().push(name);
        self.dict.get_item(name).ok().flatten().filter(|value| !value.is_none())
    }

    /// Reads a call's arguments with `read`; when it succeeds, keys it did not read are refused (the
    /// outer error, a `TypeError`). Its own failure (input the SDK refuses) is the inner one.
    pub(crate) fn read_all<T>(
        dict: Bound<'py, PyDict>,
        operation: &str,
        read: impl FnOnce(&Self) -> Result<T, Error>,
    ) -> PyResult<Result<T, Error>> {
        let args = Self::new(dict);
        let read = read(&args);
        if read.is_ok() {
            args.finish(operation)?;
        }
        Ok(read)
    }

    /// Refuses keys the operation did not read, naming them (a `TypeError`, as Python does for an
    /// unexpected keyword argument).
    fn finish(&self, operation: &str) -> PyResult<()> {
        let read = self.read.borrow();
        let mut unread = Vec::new();
        for key in self.dict.keys() {
            let key: String = key.extract()?;
            if !read.iter().any(|name| *name == key) {
                unread.push(key);
            }
        }
        if unread.is_empty() {
            return Ok(());
        }
        Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{operation}() got unexpected keyword argument(s): {}",
            unread.join(", ")
        )))
    }

    /// A string argument that must be given (an empty one is left to the SDK's checks, which name it).
    pub(crate) fn text(&self, name: &'static str) -> Result<String, Error> {
        Ok(self.opt_text(name)?.unwrap_or_default())
    }

    /// An optional string: `None` and `""` both mean "not given", as in the Python SDK.
    pub(crate) fn opt_text(&self, name: &'static str) -> Result<Option<String>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .extract::<String>()
                .map(|text| Some(text).filter(|text| !text.is_empty()))
                .map_err(|_| wrong_type(name, "a string")),
        }
    }

    pub(crate) fn opt_u32(&self, name: &'static str) -> Result<Option<u32>, Error> {
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
    pub(crate) fn has(&self, name: &'static str) -> bool {
        self.read.borrow_mut().push(name);
        self.dict.contains(name).unwrap_or(false)
    }

    pub(crate) fn opt_bool(&self, name: &'static str) -> Result<Option<bool>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .extract::<bool>()
                .map(Some)
                .map_err(|_| wrong_type(name, "True or False")),
        }
    }

    pub(crate) fn boolean(&self, name: &'static str) -> Result<bool, Error> {
        match self.get(name) {
            None => Err(Error::invalid(name, "is required (True or False)")),
            Some(value) => value.extract::<bool>().map_err(|_| wrong_type(name, "True or False")),
        }
    }

    /// A structured argument (a list of dicts…) read into the SDK's own type, so its wire names and
    /// checks apply. Keys the SDK does not know are refused rather than dropped.
    pub(crate) fn structured<T: DeserializeOwned>(&self, name: &'static str) -> Result<Option<T>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => parse(name, &value).map(Some),
        }
    }

    /// A list argument, item by item (for operations that judge each item on its own).
    pub(crate) fn items(&self, name: &'static str) -> Result<Option<Vec<Bound<'py, PyAny>>>, Error> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        if value.is_instance_of::<pyo3::types::PyString>() || value.is_instance_of::<PyDict>() {
            return Err(wrong_type(name, "a list"));
        }
        let iterator = value.try_iter().map_err(|_| wrong_type(name, "a list"))?;
        iterator
            .map(|item| item.map_err(|_| wrong_type(name, "a list")))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

/// A Python value read into the SDK's own type, so its wire names and checks apply. Keys the SDK
/// does not know are refused rather than dropped, naming them (`users[2].frist_name`).
pub(crate) fn parse<T: DeserializeOwned>(name: &str, value: &Bound<'_, PyAny>) -> Result<T, Error> {
    {
        let mut unknown = Vec::new();
        let deserializer = &mut pythonize::Depythonizer::from_object(value);
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
        Ok(parsed)
    }
}
