//! The advisory lock of `scc apply`: one run at a time per (service, organization) on this machine,
//! so two applies of one plan cannot both create the organization. A file lock, released by the
//! operating system when the process ends, however it ends; the (service, organization) pairs share
//! a fixed set of lock files.
//!
//! Each lock file also counts the turns taken on it (once when a run takes it, once when it lets it
//! go). A run reads the counts before it lists the organizations; when a count has moved by the time
//! the run takes that lock, by more than its own turns, another run held it since the listing and
//! may have created or changed the organization, so the listing is not trusted for it.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::observe::Section;
use crate::outcome::{Failure, Outcome, Subject};
use crate::spec::{OrgPlan, name_key};

/// How many lock files the organizations share.
const LOCK_FILES: u64 = 1024;

/// Held for as long as the organization is worked on; letting it go counts a turn.
pub(crate) struct OrgLock {
    file: File,
    path: PathBuf,
    turns: Arc<Turns>,
    _in_process: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for OrgLock {
    fn drop(&mut self) {
        // Before the file closes (which lets the lock go): the next run learns this one held it.
        self.turns.count_turn(&self.file, &self.path);
    }
}

/// The turn counts of the lock files as this run expects them: read before the organizations were
/// listed, plus this run's own turns. `None`: another run took a turn since (or the count could not
/// be read), so the listing is out of date for the organizations of that file.
#[derive(Debug, Default)]
pub(crate) struct Turns {
    expected: Mutex<HashMap<PathBuf, Option<u64>>>,
}

impl Turns {
    /// Reads the counts of the lock files of these organizations. Call it before listing them.
    pub(crate) fn read(dir: &Path, service: &str, orgs: &[OrgPlan]) -> Arc<Self> {
        let ready = scc_sdk::files::create_private_dir(dir).is_ok();
        let mut expected = HashMap::new();
        for org in orgs {
            expected
                .entry(lock_path(dir, service, org))
                .or_insert_with_key(|path| if ready { read_count_at(path) } else { None });
        }
        Arc::new(Self {
            expected: Mutex::new(expected),
        })
    }

    /// Counts a turn on a lock file this run holds; says whether no other run took one since the
    /// counts were read.
    fn count_turn(&self, file: &File, path: &Path) -> bool {
        let found = read_count(file);
        let next = found.unwrap_or(0).saturating_add(1);
        let written = write_count(file, next).is_ok();
        let mut expected = self.expected.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = expected.entry(path.to_owned()).or_insert(None);
        let untouched = found.is_some() && *entry == found;
        *entry = (untouched && written).then_some(next);
        untouched
    }
}

/// The width of a count: written in place, so a reader never sees a half-written one.
const COUNT_DIGITS: usize = 20;

fn parse_count(bytes: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    if text.is_empty() {
        // A lock file of an older scc, or a new one.
        return Some(0);
    }
    text.parse().ok()
}

fn read_count_at(path: &Path) -> Option<u64> {
    match std::fs::read(path) {
        Ok(bytes) => parse_count(&bytes),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Some(0),
        Err(_) => None,
    }
}

fn read_count(file: &File) -> Option<u64> {
    use std::io::{Read, Seek};
    let mut bytes = Vec::with_capacity(COUNT_DIGITS + 1);
    let mut reader = file;
    reader.seek(std::io::SeekFrom::Start(0)).ok()?;
    reader.take(64).read_to_end(&mut bytes).ok()?;
    parse_count(&bytes)
}

fn write_count(file: &File, count: u64) -> std::io::Result<()> {
    use std::io::{Seek, Write};
    let mut writer = file;
    writer.seek(std::io::SeekFrom::Start(0))?;
    writer.write_all(format!("{count:0COUNT_DIGITS$}\n").as_bytes())
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

pub(crate) fn lock_path(dir: &Path, service: &str, org: &OrgPlan) -> PathBuf {
    let target = match &org.id {
        Some(id) => format!("id:{}", id.trim()),
        None => format!("name:{}", name_key(&org.label())),
    };
    let key = format!("{}\n{target}", service.trim_end_matches('/'));
    // One of LOCK_FILES files: thousands of organizations do not make thousands of files. Two
    // organizations on one file only wait for each other a moment, as two runs of one would.
    dir.join(format!(
        "apply-{:04}.lock",
        crate::digest::fnv1a(key.as_bytes()) % LOCK_FILES
    ))
}

/// Takes the organization's lock, waiting (and saying so) while another run holds it; says whether
/// another run held it since `turns` were read (it may have created or changed the organization).
pub(crate) async fn acquire(
    dir: &Path,
    service: &str,
    org: &OrgPlan,
    turns: &Arc<Turns>,
    events: &dyn crate::Events,
) -> std::io::Result<(OrgLock, bool)> {
    scc_sdk::files::create_private_dir(dir)?;
    let path = lock_path(dir, service, org);
    let turn = in_process(&path).lock_owned().await;
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).read(true).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path)?;
    let file = match file.try_lock() {
        Ok(()) => file,
        Err(std::fs::TryLockError::WouldBlock) => {
            events.waiting_for_lock(&org.label(), &path);
            tokio::task::spawn_blocking(move || file.lock().map(|()| file))
                .await
                .map_err(std::io::Error::other)??
        }
        Err(std::fs::TryLockError::Error(error)) => return Err(error),
    };
    let untouched = turns.count_turn(&file, &path);
    Ok((
        OrgLock {
            file,
            path,
            turns: Arc::clone(turns),
            _in_process: turn,
        },
        !untouched,
    ))
}

/// The report line of an organization whose lock could not be taken: nothing was done.
pub(crate) fn refused(org: &OrgPlan, error: &std::io::Error) -> (Subject, Outcome) {
    (
        Subject::Read {
            object: format!("organization {}", org.label()),
            action: "lock",
            section: Section::Organization,
        },
        Outcome::Failed(Failure {
            kind: "Lock".into(),
            message: format!("cannot take the lock of this organization: {error}; nothing was done"),
            tracking_id: None,
            passing: false,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::PlanFile;

    fn org(name: &str) -> OrgPlan {
        let text = format!("organizations:\n  - name: {name}\n    create: true\n    region: NAM\n");
        let plan: PlanFile = serde_norway::from_str(&text).expect("parses");
        plan.organizations.into_iter().next().expect("one organization")
    }

    #[tokio::test]
    async fn a_turn_of_another_run_after_the_listing_is_seen_and_our_own_are_not() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let locks = dir.path().join("locks");
        let twin = org("Twin");
        let service = "http://127.0.0.1:1";
        let ours = Turns::read(&locks, service, std::slice::from_ref(&twin));
        for _ in 0..2 {
            let (_lock, held_by_another) = acquire(&locks, service, &twin, &ours, &crate::Silent)
                .await
                .expect("locks");
            assert!(!held_by_another, "our own turns do not count");
        }
        // Another run takes and lets go of the lock after our listing, as a second process would.
        let theirs = Turns::read(&locks, service, std::slice::from_ref(&twin));
        drop(
            acquire(&locks, service, &twin, &theirs, &crate::Silent)
                .await
                .expect("locks"),
        );
        for _ in 0..2 {
            let (_lock, held_by_another) = acquire(&locks, service, &twin, &ours, &crate::Silent)
                .await
                .expect("locks");
            assert!(
                held_by_another,
                "the listing is out of date for this organization from now on"
            );
        }
        let count = std::fs::read_to_string(lock_path(&locks, service, &twin)).expect("reads");
        assert_eq!(count, format!("{:020}\n", 10), "two turns a hold, five holds");
    }

    #[test]
    fn a_count_that_cannot_be_read_is_not_trusted() {
        assert_eq!(parse_count(b""), Some(0), "an older scc's empty lock file");
        assert_eq!(parse_count(b"00000000000000000007\n"), Some(7));
        assert_eq!(parse_count(b"garbage"), None);
    }
}
