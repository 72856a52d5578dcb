//! The advisory lock of `scc apply`: one run at a time per (service, organization) on this machine,
//! so two applies of one plan cannot both create the organization. A file lock, released by the
//! operating system when the process ends, however it ends.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::plan::{OrgPlan, name_key};
use super::report::{ItemReport, OrgOutcome, Status};

/// Held for as long as the organization is worked on.
pub(crate) struct OrgLock {
    _file: File,
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
    dir.join(format!("apply-{:016x}.lock", fingerprint(&key)))
}

/// Takes the organization's lock, waiting (and saying so) while another run holds it.
pub(crate) async fn acquire(dir: &Path, service: &str, org: &OrgPlan) -> std::io::Result<OrgLock> {
    create_private_dir(dir)?;
    let path = lock_path(dir, service, org);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => return Ok(OrgLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(error)) => return Err(error),
    }
    eprintln!(
        "scc: waiting for another `scc apply` working on organization {} (lock {})",
        org.label(),
        path.display()
    );
    tokio::task::spawn_blocking(move || file.lock().map(|()| OrgLock { _file: file }))
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
