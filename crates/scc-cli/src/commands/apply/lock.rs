//! The advisory lock of `scc apply`: one run at a time per (service, organization) on this machine,
//! so two applies of one plan cannot both create the organization. A file lock, released by the
//! operating system when the process ends, however it ends; the (service, organization) pairs share
//! a fixed set of lock files.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use super::plan::{OrgPlan, name_key};
use super::report::{ItemReport, OrgOutcome, Status};

/// How many lock files the organizations share.
const LOCK_FILES: u64 = 1024;

/// Held for as long as the organization is worked on.
pub(crate) struct OrgLock {
    _file: File,
    _in_process: tokio::sync::OwnedMutexGuard<()>,
}

/// Organizations of one run that share a lock file take turns here first, so the file lock only
/// ever waits for another process (and only then says so).
fn in_process(path: &Path) -> Arc<tokio::sync::Mutex<()>> {
    static HELD: OnceLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    HELD.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(path.to_owned())
        .or_default()
        .clone()
}

/// FNV-1a: stable across builds, so every scc version picks the same lock file.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub(crate) fn lock_path(dir: &Path, service: &str, org: &OrgPlan) -> PathBuf {
    let target = match &org.id {
        Some(id) => format!("id:{}", id.trim()),
        None => format!("name:{}", name_key(&org.label())),
    };
    let key = format!("{}\n{target}", service.trim_end_matches('/'));
    // One of LOCK_FILES files: thousands of organizations do not make thousands of files. Two
    // organizations on one file only wait for each other a moment, as two runs of one would.
    dir.join(format!("apply-{:04}.lock", fingerprint(&key) % LOCK_FILES))
}

/// Takes the organization's lock, waiting (and saying so) while another run holds it; says whether
/// it had to wait (another run may have changed the organization meanwhile).
pub(crate) async fn acquire(dir: &Path, service: &str, org: &OrgPlan) -> std::io::Result<(OrgLock, bool)> {
    create_private_dir(dir)?;
    let path = lock_path(dir, service, org);
    let turn = in_process(&path).lock_owned().await;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => {
            return Ok((
                OrgLock {
                    _file: file,
                    _in_process: turn,
                },
                false,
            ));
        }
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(error)) => return Err(error),
    }
    eprintln!(
        "scc: waiting for another `scc apply` holding {}, the lock organization {} shares with others",
        path.display(),
        org.label()
    );
    tokio::task::spawn_blocking(move || {
        file.lock().map(|()| {
            (
                OrgLock {
                    _file: file,
                    _in_process: turn,
                },
                true,
            )
        })
    })
    .await
    .map_err(std::io::Error::other)?
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The report of an organization whose lock could not be taken: nothing was done.
pub(crate) fn refused(org: &OrgPlan, error: std::io::Error) -> OrgOutcome {
    OrgOutcome {
        org: org.label(),
        org_id: None,
        rounds: 0,
        items: vec![ItemReport {
            org: org.label(),
            object: format!("organization {}", org.label()),
            action: "lock".into(),
            result: Status::Failed,
            tracking_id: None,
            error: Some(format!(
                "cannot take the lock of this organization: {error}; nothing was done"
            )),
            sign: None,
            section: None,
        }],
    }
}
