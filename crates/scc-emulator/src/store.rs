//! The state behind one lock, changed atomically (a failed change leaves nothing behind) and, with a
//! state file, saved after every change (temp file, fsync, rename) before the answer goes out.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::http::StatusCode;

use crate::error::{ApiError, ApiResult};
use crate::model::State;

pub(crate) struct Store {
    state: Mutex<State>,
    /// What `/_emulator/reset` goes back to.
    initial: State,
    state_file: Option<PathBuf>,
}

impl Store {
    pub(crate) fn new(state: State, initial: State, state_file: Option<PathBuf>) -> Self {
        Self {
            state: Mutex::new(state),
            initial,
            state_file,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.lock())
    }

    /// Runs a change on a copy and keeps it only when it succeeds (and, with a state file, once it is
    /// saved): a refused request changes nothing.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut State) -> ApiResult<R>) -> ApiResult<R> {
        let mut guard = self.lock();
        let mut draft = guard.clone();
        let result = f(&mut draft)?;
        if let Some(path) = &self.state_file {
            save(path, &draft).map_err(|error| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("the state could not be saved: {error}"),
                )
            })?;
        }
        *guard = draft;
        Ok(result)
    }

    /// Back to the initial fixtures.
    pub(crate) fn reset(&self) -> ApiResult<()> {
        let initial = self.initial.clone();
        self.write(|state| {
            *state = initial;
            Ok(())
        })
    }

    pub(crate) fn snapshot(&self) -> State {
        self.lock().clone()
    }
}

/// Writes the state atomically: a reader (or a crash) sees the old file or the new one, never half.
pub(crate) fn save(path: &Path, state: &State) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(state).map_err(std::io::Error::other)?;
    let directory = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = directory.join(format!(".{file_name}.{}.tmp", std::process::id()));
    {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&temp, path)?;
    if let Ok(dir) = std::fs::File::open(directory) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Reads a state file; a missing file is `None`, a corrupt one an error that names the file.
pub(crate) fn load(path: &Path) -> anyhow::Result<Option<State>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => anyhow::bail!("cannot read the state file {}: {error}", path.display()),
    };
    let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
    let state = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        anyhow::anyhow!(
            "the state file {} is not a valid emulator state (at `{}`: {}); it was left as it is",
            path.display(),
            error.path(),
            error.inner()
        )
    })?;
    Ok(Some(state))
}
