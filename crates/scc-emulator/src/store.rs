//! The state, changed atomically (a change is made on a draft and kept only if the whole request
//! succeeds) and, with a state file, kept on disk by an append-only change log beside a snapshot:
//!
//! - `FILE` is the snapshot: the whole state as JSON (the format of `GET /_emulator/state`, so state
//!   files of earlier versions load as they are).
//! - `FILE.log` gets one JSON line per change: the rows it changed and nothing else, fsync'd before
//!   the answer goes out, so a write costs the size of the change, not of the state, and an
//!   acknowledged change survives kill -9. Past a size the log is folded into a new snapshot
//!   (written aside, fsync'd, renamed) and emptied; replaying a line twice changes nothing, so a crash
//!   between the two is harmless.
//! - `FILE.lock` is held (an exclusive file lock) for as long as the emulator runs: a second emulator
//!   on the same file refuses to start.
//!
//! Readers take the committed state (a cheap clone of persistent tables) and never wait on the disk;
//! writers queue behind one lock. Files are created 0600, symlinks are refused, temp files of an
//! earlier crash are removed at start, and a broken snapshot or log line stops the start with where
//! it is broken.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use anyhow::Context;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::model::{AccessToken, ApiKey, ClaimCode, Group, Organization, Role, State, Subscription, User, XdrState};

/// The log is folded into a new snapshot once it is this large and larger than the snapshot.
const COMPACT_AFTER_BYTES: u64 = 8 * 1024 * 1024;

pub(crate) struct Store {
    /// The committed state; readers clone the `Arc` and read without holding anything.
    committed: Mutex<Arc<State>>,
    /// One writer at a time: the draft, the log line, the commit.
    writer: Mutex<Option<Disk>>,
    /// What `/_emulator/reset` goes back to.
    initial: State,
    /// Appends to fail as on a full disk (half the record written, then ENOSPC), set by
    /// `/_emulator/disk`: what proves a full disk loses no acknowledged change.
    failing_appends: std::sync::atomic::AtomicU32,
}

/// The files of a state file.
struct Disk {
    snapshot: PathBuf,
    log: File,
    /// The length of the log's whole records: after a failed append the log is cut back to it.
    log_bytes: u64,
    /// A failed append whose cut failed too: no record goes after the cut one until it is cut.
    needs_cut: bool,
    snapshot_bytes: u64,
    /// Held for the emulator's life: the exclusive lock of the state file.
    _lock: File,
}

/// One line of the log: the rows a change touched (`None`: removed), and the small parts of the
/// state that any change may move.
#[derive(Serialize, Deserialize)]
struct Change {
    ids: crate::ids::IdGen,
    seq: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    xdr: Option<XdrState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    principal: Option<crate::model::Principal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    organizations: Vec<(String, Option<Organization>)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    claim_codes: Vec<(String, Option<ClaimCode>)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    subscriptions: Vec<(String, Option<Subscription>)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    users: Vec<(String, Option<User>)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    groups: Vec<(String, Option<Group>)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    roles: Vec<(String, Option<Role>)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    api_keys: Vec<(String, Option<ApiKey>)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    access_tokens: Vec<(String, Option<AccessToken>)>,
}

impl Change {
    /// What `draft` changed since `before` (and forgets the record of it).
    fn take(draft: &mut State, before: &State) -> Self {
        Self {
            ids: draft.ids.clone(),
            seq: draft.seq,
            xdr: (!draft.xdr.same(&before.xdr)).then(|| (*draft.xdr).clone()),
            principal: (!draft.principal.same(&before.principal)).then(|| (*draft.principal).clone()),
            organizations: draft.organizations.take_changes(),
            claim_codes: draft.claim_codes.take_changes(),
            subscriptions: draft.subscriptions.take_changes(),
            users: draft.users.take_changes(),
            groups: draft.groups.take_changes(),
            roles: draft.roles.take_changes(),
            api_keys: draft.api_keys.take_changes(),
            access_tokens: draft.access_tokens.take_changes(),
        }
    }

    fn apply(self, state: &mut State) {
        state.ids = self.ids;
        state.seq = self.seq;
        if let Some(xdr) = self.xdr {
            state.xdr = xdr.into();
        }
        if let Some(principal) = self.principal {
            state.principal = principal.into();
        }
        state.organizations.apply(self.organizations);
        state.claim_codes.apply(self.claim_codes);
        state.subscriptions.apply(self.subscriptions);
        state.users.apply(self.users);
        state.groups.apply(self.groups);
        state.roles.apply(self.roles);
        state.api_keys.apply(self.api_keys);
        state.access_tokens.apply(self.access_tokens);
    }
}

impl Store {
    /// A store in memory only.
    pub(crate) fn in_memory(mut state: State, mut initial: State) -> Self {
        state.settle();
        initial.settle();
        Self {
            committed: Mutex::new(Arc::new(state)),
            writer: Mutex::new(None),
            initial,
            failing_appends: std::sync::atomic::AtomicU32::new(0),
        }
    }

    /// A store kept in `path`: its snapshot and log are loaded (or `initial` written when there is
    /// none), and the file is locked for this process.
    pub(crate) fn open(path: &Path, mut initial: State) -> anyhow::Result<Self> {
        initial.settle();
        refuse_symlink(path)?;
        let lock_path = sibling(path, "lock");
        refuse_symlink(&lock_path)?;
        let lock = private_file(&lock_path, false)
            .with_context(|| format!("cannot open the lock file {}", lock_path.display()))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
                "another emulator is using the state file {} (it holds {}): stop it, or give this one another --state-file",
                path.display(),
                lock_path.display()
            ),
            Err(std::fs::TryLockError::Error(error)) => {
                return Err(error).with_context(|| format!("cannot lock {}", lock_path.display()));
            }
        }
        remove_stale_temp_files(path);
        let log_path = sibling(path, "log");
        refuse_symlink(&log_path)?;
        let mut state = match load(path)? {
            Some(mut state) => {
                replay(&log_path, &mut state)?;
                state
            }
            None => {
                save(path, &initial).with_context(|| format!("cannot write the state file {}", path.display()))?;
                // A log without its snapshot belongs to nothing.
                let _ = std::fs::remove_file(&log_path);
                initial.clone()
            }
        };
        state.settle();
        let log = private_file(&log_path, true).with_context(|| format!("cannot open {}", log_path.display()))?;
        let log_bytes = log.metadata().map(|m| m.len()).unwrap_or(0);
        let snapshot_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        Ok(Self {
            committed: Mutex::new(Arc::new(state)),
            writer: Mutex::new(Some(Disk {
                snapshot: path.to_owned(),
                log,
                log_bytes,
                needs_cut: false,
                snapshot_bytes,
                _lock: lock,
            })),
            initial,
            failing_appends: std::sync::atomic::AtomicU32::new(0),
        })
    }

    /// The next `count` appends to the log fail as on a full disk.
    pub(crate) fn fail_appends(&self, count: u32) {
        self.failing_appends.store(count, std::sync::atomic::Ordering::SeqCst);
    }

    fn take_failing_append(&self) -> bool {
        self.failing_appends
            .fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |left| left.checked_sub(1),
            )
            .is_ok()
    }

    fn current(&self) -> Arc<State> {
        self.committed.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn writer(&self) -> MutexGuard<'_, Option<Disk>> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.current())
    }

    /// Runs a change on a draft and keeps it only when it succeeds (and, with a state file, once its
    /// log line is on disk): a refused request changes nothing.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut State) -> ApiResult<R>) -> ApiResult<R> {
        let mut disk = self.writer();
        let before = self.current();
        let mut draft = (*before).clone();
        let result = f(&mut draft)?;
        if let Some(disk) = disk.as_mut() {
            let change = Change::take(&mut draft, &before);
            disk.append(&change, self.take_failing_append()).map_err(unsaved)?;
            if disk.log_bytes > COMPACT_AFTER_BYTES && disk.log_bytes > disk.snapshot_bytes {
                disk.compact(&draft).map_err(unsaved)?;
            }
        } else {
            draft.settle();
        }
        let replaced = std::mem::replace(
            &mut *self.committed.lock().unwrap_or_else(PoisonError::into_inner),
            Arc::new(draft),
        );
        // The state this change replaced is freed (the parts no reader holds) after the writer's
        // lock is let go, so the next write does not wait for it.
        drop(disk);
        drop((before, replaced));
        Ok(result)
    }

    /// Back to the initial fixtures (a new snapshot, an empty log).
    pub(crate) fn reset(&self) -> ApiResult<()> {
        let mut disk = self.writer();
        let initial = self.initial.clone();
        if let Some(disk) = disk.as_mut() {
            disk.compact(&initial).map_err(unsaved)?;
        }
        *self.committed.lock().unwrap_or_else(PoisonError::into_inner) = Arc::new(initial);
        Ok(())
    }

    pub(crate) fn snapshot(&self) -> State {
        (*self.current()).clone()
    }
}

fn unsaved(error: std::io::Error) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("the state could not be saved: {error}"),
    )
}

impl Disk {
    /// Appends one record (`LENGTH:CHECKSUM:JSON\n`) and syncs it. When that fails (a full disk), the
    /// log is cut back to its last whole record before anything else is acknowledged, so a cut record
    /// never ends up before an acknowledged one.
    fn append(&mut self, change: &Change, fail_as_full: bool) -> std::io::Result<()> {
        if self.needs_cut {
            self.cut()?;
        }
        let line = record(&serde_json::to_vec(change).map_err(std::io::Error::other)?);
        let written = if fail_as_full {
            self.log
                .write_all(&line[..line.len() / 2])
                .and_then(|()| Err(std::io::Error::from_raw_os_error(28)))
        } else {
            self.log.write_all(&line).and_then(|()| self.log.sync_data())
        };
        if let Err(error) = written {
            self.needs_cut = true;
            // Should the cut fail too, the next append tries it again before writing.
            let _ = self.cut();
            return Err(error);
        }
        self.log_bytes += line.len() as u64;
        Ok(())
    }

    /// The log back to its whole records.
    fn cut(&mut self) -> std::io::Result<()> {
        self.log.set_len(self.log_bytes)?;
        self.log.sync_data()?;
        self.needs_cut = false;
        Ok(())
    }

    /// The state as the new snapshot, then an empty log.
    fn compact(&mut self, state: &State) -> std::io::Result<()> {
        self.snapshot_bytes = save(&self.snapshot, state)?;
        self.log.set_len(0)?;
        self.log.sync_all()?;
        self.log_bytes = 0;
        self.needs_cut = false;
        Ok(())
    }
}

fn sibling(path: &Path, extension: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".{extension}"));
    path.with_file_name(name)
}

fn refuse_symlink(path: &Path) -> anyhow::Result<()> {
    if std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink()) {
        anyhow::bail!(
            "{} is a symbolic link: the emulator does not follow links for its state (give the real path)",
            path.display()
        );
    }
    Ok(())
}

/// Opens (creating 0600) without following a symbolic link; `append` for the log.
fn private_file(path: &Path, append: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).read(true);
    if append {
        options.append(true);
    } else {
        options.write(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

fn temp_prefix(path: &Path) -> String {
    format!(
        ".{}.",
        path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
    )
}

/// Temp files of a snapshot an earlier process did not finish (killed mid-write).
fn remove_stale_temp_files(path: &Path) {
    let directory = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let prefix = temp_prefix(path);
    if let Ok(entries) = std::fs::read_dir(directory) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(&prefix) && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Writes the whole state atomically (0600): a reader, or a crash, sees the old file or the new one,
/// never half. Returns its size.
pub(crate) fn save(path: &Path, state: &State) -> std::io::Result<u64> {
    let bytes = serde_json::to_vec(state).map_err(std::io::Error::other)?;
    let directory = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp = directory.join(format!("{}{}.tmp", temp_prefix(path), std::process::id()));
    let written = (|| {
        let mut options = OpenOptions::new();
        options.create_new(true).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        let mut file = options.open(&temp)?;
        file.write_all(&bytes)?;
        file.sync_all()
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(error);
    }
    std::fs::rename(&temp, path)?;
    if let Ok(dir) = File::open(directory) {
        let _ = dir.sync_all();
    }
    Ok(bytes.len() as u64)
}

/// Reads a snapshot (a state file or a fixtures file); a missing file is `None`, a broken one an
/// error that names the file and where it breaks (trailing bytes included).
pub(crate) fn load(path: &Path) -> anyhow::Result<Option<State>> {
    refuse_symlink(path)?;
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => anyhow::bail!("cannot read the state file {}: {error}", path.display()),
    };
    let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
    let state: State = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        anyhow::anyhow!(
            "the state file {} is not a valid emulator state (at `{}`: {}); it was left as it is",
            path.display(),
            error.path(),
            error.inner()
        )
    })?;
    deserializer.end().map_err(|error| {
        anyhow::anyhow!(
            "the state file {} has bytes after the state ({error}); it was left as it is",
            path.display()
        )
    })?;
    Ok(Some(state))
}

/// FNV-1a, 64 bits: the checksum of a log record (a torn write, not an attacker, is what it finds).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// One log record: `LENGTH:CHECKSUM:JSON` and a newline, so replay knows a whole record from a torn one.
fn record(json: &[u8]) -> Vec<u8> {
    let mut line = format!("{}:{:016x}:", json.len(), fnv1a(json)).into_bytes();
    line.extend_from_slice(json);
    line.push(b'\n');
    line
}

/// The JSON of a record (its line without the newline) when the record is whole: its length and
/// checksum agree. A line of an earlier version (plain JSON) is taken as it is.
fn record_json(content: &[u8]) -> Option<&[u8]> {
    if content.first() == Some(&b'{') {
        return Some(content);
    }
    let first = content.iter().position(|&byte| byte == b':')?;
    let second = first + 1 + content.get(first + 1..)?.iter().position(|&byte| byte == b':')?;
    let length: usize = std::str::from_utf8(&content[..first]).ok()?.parse().ok()?;
    let checksum = u64::from_str_radix(std::str::from_utf8(&content[first + 1..second]).ok()?, 16).ok()?;
    let json = &content[second + 1..];
    (json.len() == length && fnv1a(json) == checksum).then_some(json)
}

/// Applies the log's records to `state`. A last record that is not whole (no newline, or a length or
/// checksum that does not agree: the process died or the disk filled while writing it) was never
/// acknowledged: it is cut off and the start goes on. A broken record before others stops the start,
/// saying where.
fn replay(log_path: &Path, state: &mut State) -> anyhow::Result<()> {
    let file = match File::open(log_path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => anyhow::bail!("cannot read the state log {}: {error}", log_path.display()),
    };
    let mut reader = std::io::BufReader::new(file);
    let mut line = Vec::new();
    let mut offset: u64 = 0;
    let mut number = 0;
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok(());
        }
        number += 1;
        let whole = line.strip_suffix(b"\n").and_then(record_json).and_then(|json| {
            serde_json::from_slice::<Change>(json)
                .map_err(|error| error.to_string())
                .ok()
        });
        let Some(change) = whole else {
            let last = reader.fill_buf()?.is_empty();
            if last {
                eprintln!(
                    "scc-emulator: the last record of {} was cut before it was acknowledged (a crash or a full disk); dropping it",
                    log_path.display()
                );
                OpenOptions::new().write(true).open(log_path)?.set_len(offset)?;
                return Ok(());
            }
            let why = match line.strip_suffix(b"\n").map(record_json) {
                Some(Some(json)) => serde_json::from_slice::<Change>(json)
                    .err()
                    .map_or_else(String::new, |error| error.to_string()),
                _ => "its length or checksum does not agree".to_owned(),
            };
            anyhow::bail!(
                "the state log {} is broken at line {number} (byte {offset}): {why}; records follow it, so it was left as it is",
                log_path.display()
            );
        };
        change.apply(state);
        offset += read as u64;
    }
}
