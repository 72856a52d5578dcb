//! What the engine refuses or cannot do, before any change: a face turns it into its own error (the
//! CLI's exit code, Python's exception).

/// An error of the engine, with a hint that is true for its case.
#[derive(Debug)]
pub enum Error {
    /// The input (a plan file, a saved plan, a scope) is refused: nothing was read or sent.
    Input {
        /// One line, or the list of every problem of a plan file.
        message: String,
        /// What to do about it.
        hint: String,
    },
    /// A file of the engine's (a saved plan) could not be written: nothing was changed.
    Write {
        /// What could not be written, and why.
        message: String,
    },
    /// The client's API key only reads (its token says so): an apply is refused before the first
    /// write, instead of meeting a refusal at every change.
    ReadOnlyKey {
        /// The scope the token states, e.g. `security:enterprise:member`.
        scope: String,
    },
    /// A read that decides what may be done failed (the listing of organizations): nothing was changed.
    Read {
        /// What was being read.
        context: String,
        /// The SDK's error, with its kind and tracking id.
        error: std::sync::Arc<scc_sdk::Error>,
    },
}

impl Error {
    pub(crate) fn input(message: String, hint: &str) -> Self {
        Self::Input {
            message,
            hint: hint.to_owned(),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Input { message, .. } | Self::Write { message } => f.write_str(message),
            Self::Read { context, error } => write!(f, "{context} failed, nothing was changed: {error}"),
            Self::ReadOnlyKey { scope } => write!(
                f,
                "the API key is read-only (its scope is {scope:?}): an apply would be refused at every change; nothing was changed"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { error, .. } => Some(error.as_ref()),
            _ => None,
        }
    }
}
