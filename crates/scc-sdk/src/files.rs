//! The one way the project writes its own files, and the checks on files it reads settings from:
//! private (0600 files, 0700 folders, whatever the umask), atomic (a new name made with
//! `create_new`, then a rename), never through a link it did not make.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temp file in the same folder (created 0600 with `create_new`,
/// so nothing planted there is written through), fsync, rename (which replaces a link at `path`,
/// never follows it), and an fsync of the folder: readers see the old file or the new one, never a
/// part. A folder it makes is 0700. The one way the project writes a file of its own.
pub fn write_private_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically(path, bytes, 0o600)
}

/// [`write_private_atomically`] with another mode, for what is meant to be read by others (man
/// pages): the same new-name, no-link, atomic write.
pub fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let directory = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    create_private_dir(directory)?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = directory.join(format!(".{name}.{}.{}.tmp", std::process::id(), fastrand::u64(..)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let result = (|| {
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)?;
        if let Ok(dir) = std::fs::File::open(directory) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Makes `dir` and its missing parents owner-only (0700), whatever the umask (a umask only takes
/// bits away). An existing folder is left as it is.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Opens `path` to append whole lines (created 0600): never through a symbolic link, and only a
/// regular file (a FIFO or a device there is refused at once, never waited on).
pub fn open_append_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO with no reader would otherwise wait forever.
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let refused =
        |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{} {why}", path.display()));
    let file = options.open(path).map_err(|error| {
        // Said for what is there (a link, a FIFO without a reader, a device), not as errno words.
        match std::fs::symlink_metadata(path) {
            Ok(found) if found.file_type().is_symlink() => refused("is a symbolic link: it is not followed"),
            Ok(found) if !found.is_file() => refused("is not a regular file"),
            _ => error,
        }
    })?;
    if !file.metadata()?.is_file() {
        return Err(refused("is not a regular file"));
    }
    Ok(file)
}

/// Refuses a folder or file of settings or credentials that others may write (as OpenSSH's
/// StrictModes does): whoever can write there can point the token at another service. A missing
/// one passes.
pub fn check_not_writable_by_others(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match std::fs::metadata(path) {
            Ok(metadata) => metadata.permissions().mode(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error),
        };
        if mode & 0o022 != 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "{} can be written by others (mode {:o}): refused, since its settings decide where the token goes; `chmod go-w {}`",
                    path.display(),
                    mode & 0o777,
                    path.display()
                ),
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
