//! Reading what a person gives: a file, or `-` for standard input, never more than a plan may hold
//! (whatever the file is: a device, a file growing as it is read).

use std::path::Path;

use crate::Error;

/// The path that names standard input.
pub const STDIN: &str = "-";

/// How messages name standard input.
pub(crate) const STDIN_LABEL: &str = "<stdin>";

/// How messages name `path`.
pub(crate) fn label(path: &Path) -> String {
    if path.as_os_str() == STDIN {
        STDIN_LABEL.to_owned()
    } else {
        path.display().to_string()
    }
}

/// The bytes of `path` (`-`: standard input), refused past [`crate::bounds::MAX_PLAN_BYTES`].
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, Error> {
    let label = label(path);
    let cannot = |error: std::io::Error| Error::input(format!("cannot read {label}: {error}"), "check the path");
    let limit = crate::bounds::MAX_PLAN_BYTES;
    let mut bytes = Vec::new();
    if path.as_os_str() == STDIN {
        std::io::Read::read_to_end(&mut std::io::Read::take(std::io::stdin().lock(), limit + 1), &mut bytes)
            .map_err(cannot)?;
    } else {
        let file = std::fs::File::open(path).map_err(cannot)?;
        std::io::Read::read_to_end(&mut std::io::Read::take(file, limit + 1), &mut bytes).map_err(cannot)?;
    }
    if bytes.len() as u64 > limit {
        return Err(Error::input(
            format!("{label}: more than {limit} bytes; a plan file is at most {limit} bytes"),
            "split it into several files",
        ));
    }
    Ok(bytes)
}

/// The text of `path` (`-`: standard input): UTF-8, within the bounds.
pub(crate) fn read_text(path: &Path) -> Result<String, Error> {
    String::from_utf8(read_bytes(path)?).map_err(|error| {
        Error::input(
            format!(
                "{}: not UTF-8 text (at byte {})",
                label(path),
                error.utf8_error().valid_up_to()
            ),
            "save the file as UTF-8",
        )
    })
}
