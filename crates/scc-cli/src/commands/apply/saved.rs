//! Saved plans: `scc plan FILE --out PLAN` writes each organization's changes with what they were
//! computed against (the fingerprint of the state read, the plan file's digest, the service, the
//! version of scc); `scc apply PLAN` makes exactly those changes and refuses an organization whose
//! state reads otherwise now.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::engine::Planned;
use super::plan::{self, OrgPlan, PlanFile};
use crate::failure::CliError;

/// The format of a saved plan; another is refused, never guessed at.
pub(crate) const FORMAT: &str = "scc-saved-plan/1";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SavedPlan {
    pub(crate) format: String,
    /// The scc that computed it: another one may diff otherwise.
    pub(crate) scc_version: String,
    /// The service's base URL it was computed against.
    pub(crate) service: String,
    pub(crate) created: String,
    pub(crate) plan_file: PlanSource,
    pub(crate) organizations: Vec<SavedOrg>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanSource {
    pub(crate) path: String,
    /// FNV-1a (64 bits) of the file's bytes.
    pub(crate) fnv1a64: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SavedOrg {
    /// The organization's part of the plan file.
    pub(crate) plan: OrgPlan,
    pub(crate) planned: Planned,
}

/// What `scc plan` or `scc apply` was given.
pub(crate) enum Source {
    /// A plan file, and the digest of its bytes.
    Plan(PlanFile, String),
    Saved(Box<SavedPlan>),
}

/// The digest a saved plan records of a file.
pub(crate) fn digest(bytes: &[u8]) -> String {
    format!("{:016x}", super::lock::fnv1a(bytes))
}

/// Reads a plan file, or a saved plan (a JSON document of [`FORMAT`]).
pub(crate) fn read(path: &Path) -> Result<Source, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| CliError::usage(format!("cannot read {}: {error}", path.display()), "check the path"))?;
    let format = serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|value| {
        value
            .get("format")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    });
    let Some(format) = format else {
        return Ok(Source::Plan(plan::parse(path, &text)?, digest(text.as_bytes())));
    };
    if format != FORMAT {
        return Err(CliError::usage(
            format!(
                "{}: a saved plan of format {format:?}; this scc reads {FORMAT:?}",
                path.display()
            ),
            "plan again with this scc: `scc plan FILE --out PLAN`",
        ));
    }
    let saved: SavedPlan = serde_json::from_str(&text).map_err(|error| {
        CliError::usage(
            format!("{}: not a saved plan this scc can read: {error}", path.display()),
            "plan again: `scc plan FILE --out PLAN`",
        )
    })?;
    Ok(Source::Saved(Box::new(saved)))
}

impl SavedPlan {
    /// The plan file part of the saved plan.
    pub(crate) fn plan_file(&self) -> PlanFile {
        PlanFile {
            organizations: self.organizations.iter().map(|org| org.plan.clone()).collect(),
        }
    }

    /// Refuses a plan computed by another scc or against another service.
    pub(crate) fn check(&self, path: &Path, service: &str) -> Result<(), CliError> {
        let version = env!("CARGO_PKG_VERSION");
        if self.scc_version != version {
            return Err(CliError::usage(
                format!(
                    "{} was saved by scc {}; this is scc {version}, which may plan otherwise",
                    path.display(),
                    self.scc_version
                ),
                "plan again with this scc: `scc plan FILE --out PLAN`",
            ));
        }
        let trimmed = |url: &str| url.trim_end_matches('/').to_owned();
        if trimmed(&self.service) != trimmed(service) {
            return Err(CliError::usage(
                format!(
                    "{} was computed against {}, not {service}",
                    path.display(),
                    scc_sdk::config::redacted(&self.service)
                ),
                "apply it with the same --base-url (or profile) it was planned with, or plan again",
            ));
        }
        Ok(())
    }
}

/// Writes the saved plan next to its final place, then renames it there: a reader never sees half a
/// plan. Readable by the owner only (it names users).
pub(crate) fn write(path: &Path, saved: &SavedPlan) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(saved)
        .map_err(|error| CliError::failure(format!("cannot write the plan: {error}"), None))?;
    let cannot = |error: std::io::Error| {
        CliError::failure(
            format!("cannot write the plan to {}: {error}", path.display()),
            Some("check the path; nothing was changed"),
        )
    };
    let partial = path.with_extension("partial");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&partial).map_err(cannot)?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .and_then(|()| std::io::Write::write_all(&mut file, b"\n"))
        .and_then(|()| file.sync_all())
        .map_err(cannot)?;
    std::fs::rename(&partial, path).map_err(cannot)
}
