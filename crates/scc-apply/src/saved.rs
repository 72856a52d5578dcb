//! Saved plans: `scc plan FILE --out PLAN` writes each organization's changes with what they were
//! computed against (the fingerprint of the state read, the plan file's digest, the service, the
//! version of scc); `scc apply PLAN` makes exactly those changes and refuses an organization whose
//! state reads otherwise now.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::engine::Planned;
use crate::input::{STDIN, STDIN_LABEL, label, read_text};
use crate::lines::{Origin, SourceText};
use crate::spec::{self, OrgPlan, PlanFile};

/// The format of a saved plan; another is refused, never guessed at.
pub const FORMAT: &str = "scc-saved-plan/1";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
/// A change set as `scc plan --out` saves it: each organization's part of the plan file and its planned changes, with what they were computed against.
pub struct SavedPlan {
    /// Always [`FORMAT`].
    pub format: String,
    /// The scc that computed it: another one may diff otherwise.
    pub scc_version: String,
    /// The service's base URL it was computed against.
    pub service: String,
    /// When it was computed (RFC 3339).
    pub created: String,
    /// The plan file it was computed from.
    pub plan_file: PlanSource,
    /// The tenant the plan file pins (`tenant:`), checked again when it is applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Each organization, in the plan file's order.
    pub organizations: Vec<SavedOrg>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
/// The plan file a saved plan was computed from.
pub struct PlanSource {
    /// Its path, as given.
    pub path: String,
    /// FNV-1a (64 bits) of the file's bytes.
    pub fnv1a64: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
/// One organization of a saved plan.
pub struct SavedOrg {
    /// The organization's part of the plan file.
    pub plan: OrgPlan,
    /// Its changes, and the fingerprint of the state they were computed against.
    pub planned: Planned,
}

/// What `scc plan` or `scc apply` was given: a plan file, or a saved plan.
#[derive(Debug, Clone)]
pub enum Source {
    /// A plan file, and the digest of its bytes.
    Plan(PlanFile, String),
    /// A saved plan (its plan file is checked too).
    Saved(Box<SavedPlan>),
}

/// Reads a plan file, or a saved plan (a JSON document of [`FORMAT`]), and checks it: every problem
/// of the plan file (of a saved plan's too) is reported at once, each with its place.
pub fn read(path: &Path) -> Result<Source, Error> {
    read_one(path)
}

/// Reads what `paths` name as one plan: plan files, directories (their `.yaml`, `.yml`, `.toml` and
/// `.json` files, by name, not below), `-` (standard input, YAML or JSON). One file may be a saved
/// plan; several are plan files, each read with its own `defaults:` and checked in its own terms
/// (every problem of every file at once), then joined: an organization or a claim code in two files,
/// or two `tenant:`s, is refused naming both places. Answers the plan and how messages name it.
pub fn read_all(paths: &[std::path::PathBuf]) -> Result<(Source, String), Error> {
    let files = plan_files(paths)?;
    if let [one] = files.as_slice() {
        return Ok((read_one(one)?, label(one)));
    }
    let mut parts: Vec<(String, PlanFile, String)> = Vec::new();
    let mut errors: Vec<Error> = Vec::new();
    for file in &files {
        let shown = label(file);
        let read = read_one(file).and_then(|source| match source {
            Source::Plan(plan, digest) => Ok((plan, digest)),
            Source::Saved(_) => Err(Error::input(
                format!("{shown} is a saved plan; a saved plan is applied alone"),
                &format!("scc apply {shown}"),
            )),
        });
        match read {
            Ok((plan, digest)) => parts.push((shown, plan, digest)),
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(joined(errors));
    }
    let label = parts
        .iter()
        .map(|(shown, ..)| shown.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    Ok((join(parts)?, label))
}

/// One file of [`read_all`], checked: `-` is standard input, read as YAML (which reads JSON too).
fn read_one(file: &Path) -> Result<Source, Error> {
    let text = read_text(file)?;
    let (named, extension) = if file.as_os_str() == STDIN {
        (Path::new(STDIN_LABEL), "yaml".to_owned())
    } else {
        (file, spec::format_of(file))
    };
    check(named, parse_unchecked_as(named, &extension, text)?)
}

/// Every file `paths` name, directories opened (one level, in name order, hidden files left out);
/// a path given twice, or a directory with no plan file, is refused.
fn plan_files(paths: &[std::path::PathBuf]) -> Result<Vec<std::path::PathBuf>, Error> {
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for path in paths {
        if path.as_os_str() != STDIN && path.is_dir() {
            let cannot = |error: std::io::Error| {
                Error::input(
                    format!("cannot read the folder {}: {error}", path.display()),
                    "check the path",
                )
            };
            let mut found: Vec<std::path::PathBuf> = std::fs::read_dir(path)
                .map_err(cannot)?
                .map(|entry| entry.map(|entry| entry.path()))
                .collect::<Result<_, _>>()
                .map_err(cannot)?;
            found.retain(|file| {
                let hidden = file
                    .file_name()
                    .and_then(|name| name.to_str())
                    .is_none_or(|name| name.starts_with('.'));
                !hidden && file.is_file() && matches!(spec::format_of(file).as_str(), "yaml" | "yml" | "toml" | "json")
            });
            if found.is_empty() {
                return Err(Error::input(
                    format!("{} holds no plan file (.yaml, .yml, .toml or .json)", path.display()),
                    "name the plan files, or a folder that holds them",
                ));
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    for file in &files {
        let identity = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        if !seen.insert(identity) {
            return Err(Error::input(
                format!("{} is given twice", label(file)),
                "name each plan file once (a folder names the files in it)",
            ));
        }
    }
    Ok(files)
}

/// Several files' errors as one: each file's message, the first hint.
fn joined(errors: Vec<Error>) -> Error {
    if errors.len() == 1 {
        return errors.into_iter().next().expect("one error");
    }
    let hint = match &errors[0] {
        Error::Input { hint, .. } => hint.clone(),
        _ => "fix every problem listed".to_owned(),
    };
    let messages: Vec<String> = errors
        .iter()
        .map(|error| match error {
            Error::Input { message, .. } => message.clone(),
            other => other.to_string(),
        })
        .collect();
    Error::input(messages.join("\n"), &hint)
}

/// The plan files as one: their organizations in order, one tenant. What only the join can show
/// (the same organization or claim code in two files, two tenants) is refused naming both places.
fn join(parts: Vec<(String, PlanFile, String)>) -> Result<Source, Error> {
    let mut problems: Vec<String> = Vec::new();
    let mut tenant: Option<(String, String)> = None;
    let mut orgs: std::collections::HashMap<String, (String, usize)> = std::collections::HashMap::new();
    let mut codes: std::collections::HashMap<String, (String, String)> = std::collections::HashMap::new();
    for (shown, plan, _) in &parts {
        if let Some(pinned) = &plan.tenant {
            match &tenant {
                Some((first, file)) if first.trim() != pinned.trim() => problems.push(format!(
                    "{shown}: tenant {pinned} is not {file}'s tenant {first}; the files of one plan are for one tenant"
                )),
                Some(_) => {}
                None => tenant = Some((pinned.clone(), shown.clone())),
            }
        }
        for (o, org) in plan.organizations.iter().enumerate() {
            let key = org
                .id
                .as_deref()
                .map(|id| id.trim().to_owned())
                .or_else(|| org.name.as_deref().map(spec::name_key))
                .unwrap_or_default();
            match orgs.get(&key) {
                Some((file, at)) => problems.push(format!(
                    "{shown}: organizations[{o}]: organization {:?} is also in {file} (organizations[{at}])",
                    org.label()
                )),
                None => {
                    orgs.insert(key, (shown.clone(), o));
                }
            }
            for (s, subscription) in org.subscriptions.iter().enumerate() {
                let at = format!("organizations[{o}].subscriptions[{s}].claim_code");
                let code = subscription.claim_code.trim().to_uppercase();
                match codes.get(&code) {
                    Some((file, first)) => problems.push(format!(
                        "{shown}: {at}: {} is also in {file} ({first})",
                        subscription.claim_code
                    )),
                    None => {
                        codes.insert(code, (shown.clone(), at));
                    }
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::input(
            format!(
                "the plan files have {} problem(s) together; nothing was sent:\n  {}",
                problems.len(),
                problems.join("\n  ")
            ),
            "keep each organization and each claim code in one file",
        ));
    }
    let digest_input: String = parts
        .iter()
        .map(|(shown, _, digest)| format!("{shown}\0{digest}\n"))
        .collect();
    let mut organizations = Vec::new();
    for (_, plan, _) in parts {
        organizations.extend(plan.organizations);
    }
    Ok(Source::Plan(
        PlanFile {
            tenant: tenant.map(|(tenant, _)| tenant),
            organizations,
        },
        crate::digest::of_file(digest_input.as_bytes()),
    ))
}

/// [`read`] of a text already read: `path` names it in messages, and its extension says the format
/// (`.yaml`, `.yml`, `.toml`, `.json`; a saved plan is JSON).
pub fn parse(path: &Path, text: &str) -> Result<Source, Error> {
    check(path, parse_unchecked_as(path, &spec::format_of(path), text.to_owned())?)
}

/// The source, when its plan file has no problem; else every problem at once, each at its line.
fn check(path: &Path, source: Source) -> Result<Source, Error> {
    let problems = match &source {
        Source::Plan(file, _) => spec::validate(file),
        Source::Saved(saved) => spec::validate(&saved.plan_file()),
    };
    if !problems.is_empty() {
        let text = match &source {
            Source::Plan(file, _) => file.organizations.first().and_then(|org| org.origin.clone()),
            Source::Saved(_) => None,
        };
        return Err(spec::problems_error(path, &problems, &|location| {
            text.as_ref().and_then(|origin| origin.source.line(location))
        }));
    }
    Ok(source)
}

/// A saved plan's `format`, read without building the rest of the document.
#[derive(Deserialize)]
struct Format {
    format: Option<String>,
}

/// `text` is kept (moved, not copied) for the lines of problems found later.
fn parse_unchecked_as(path: &Path, extension: &str, text: String) -> Result<Source, Error> {
    let format = serde_json::from_str::<Format>(&text)
        .ok()
        .and_then(|document| document.format);
    let Some(format) = format else {
        let mut file = spec::parse_as(path, extension, &text, &crate::people::users_from_csv)?;
        let digest = crate::digest::of_file(text.as_bytes());
        let source = SourceText::new(path.display().to_string(), extension, text);
        for (index, org) in file.organizations.iter_mut().enumerate() {
            org.origin = Some(Origin {
                source: source.clone(),
                index,
            });
        }
        return Ok(Source::Plan(file, digest));
    };
    if format != FORMAT {
        return Err(Error::input(
            format!(
                "{}: a saved plan of format {format:?}; this scc reads {FORMAT:?}",
                path.display()
            ),
            "plan again with this scc: `scc plan FILE --out PLAN`",
        ));
    }
    let saved: SavedPlan = serde_json::from_str(&text).map_err(|error| {
        Error::input(
            format!("{}: not a saved plan this scc can read: {error}", path.display()),
            "plan again: `scc plan FILE --out PLAN`",
        )
    })?;
    Ok(Source::Saved(Box::new(saved)))
}

impl Source {
    /// The plan file (the one read, or the one the saved plan carries), its digest (none for a saved
    /// plan) and the saved plan: the file is not copied.
    pub fn into_parts(self) -> (PlanFile, String, Option<Box<SavedPlan>>) {
        match self {
            Self::Plan(file, digest) => (file, digest, None),
            Self::Saved(saved) => (saved.plan_file(), String::new(), Some(saved)),
        }
    }

    /// The plan file: the one read, or the one the saved plan carries.
    pub fn plan_file(&self) -> PlanFile {
        match self {
            Self::Plan(file, _) => file.clone(),
            Self::Saved(saved) => saved.plan_file(),
        }
    }

    /// Keeps the organizations `scope` names (each by the file's name for it, in any case, or its
    /// id; all when `scope` is empty) and answers their places in the file read from `path`. A name
    /// that matches none is refused, with the file's organizations in the hint.
    pub fn select(&mut self, scope: &[String], path: &Path) -> Result<Vec<usize>, Error> {
        let saved_file;
        let file = match self {
            Self::Plan(file, _) => &*file,
            Self::Saved(saved) => {
                saved_file = saved.plan_file();
                &saved_file
            }
        };
        let selected = file.select(scope).map_err(|unmatched| {
            let quoted = |names: Vec<String>| {
                names
                    .iter()
                    .map(|name| format!("{name:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            Error::input(
                format!(
                    "--org {}: no organization of {} has this name or id",
                    quoted(unmatched),
                    path.display()
                ),
                &format!(
                    "the file's organizations: {}",
                    file.organizations
                        .iter()
                        .map(OrgPlan::label)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        match self {
            Self::Plan(file, _) => keep(&mut file.organizations, &selected),
            Self::Saved(saved) => keep(&mut saved.organizations, &selected),
        }
        Ok(selected)
    }
}

/// Keeps the items at these places.
fn keep<T>(items: &mut Vec<T>, places: &[usize]) {
    let all = std::mem::take(items);
    *items = all
        .into_iter()
        .enumerate()
        .filter(|(index, _)| places.contains(index))
        .map(|(_, item)| item)
        .collect();
}

impl SavedPlan {
    /// The plan file part of the saved plan.
    pub fn plan_file(&self) -> PlanFile {
        PlanFile {
            tenant: self.tenant.clone(),
            organizations: self.organizations.iter().map(|org| org.plan.clone()).collect(),
        }
    }

    /// Refuses a plan computed by another scc or against another service.
    pub fn check(&self, path: &Path, service: &str) -> Result<(), Error> {
        let version = env!("CARGO_PKG_VERSION");
        if self.scc_version != version {
            return Err(Error::input(
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
            return Err(Error::input(
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

impl SavedPlan {
    /// The saved plan of `plans`, computed from `file` (read from `path`, whose bytes have the
    /// digest `digest`) against the service at `service`.
    pub fn new(path: &Path, digest: &str, service: &str, file: &PlanFile, plans: &[Planned]) -> Self {
        Self {
            format: FORMAT.into(),
            scc_version: env!("CARGO_PKG_VERSION").into(),
            service: service.to_owned(),
            created: jiff::Timestamp::now().to_string(),
            plan_file: PlanSource {
                path: path.display().to_string(),
                fnv1a64: digest.to_owned(),
            },
            tenant: file.tenant.clone(),
            organizations: file
                .organizations
                .iter()
                .zip(plans)
                .map(|(plan, planned)| SavedOrg {
                    plan: plan.clone(),
                    planned: planned.clone(),
                })
                .collect(),
        }
    }

    /// Writes the saved plan through a new private file beside its place (0600: it names users;
    /// made with `create_new`, so a planted file or link there is never written through), then
    /// renames it there: a reader never sees half a plan.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let mut text = serde_json::to_string_pretty(self).map_err(|error| Error::Write {
            message: format!("cannot write the plan: {error}"),
        })?;
        text.push('\n');
        scc_sdk::files::write_private_atomically(path, text.as_bytes()).map_err(|error| Error::Write {
            message: format!("cannot write the plan to {}: {error}", path.display()),
        })
    }
}
