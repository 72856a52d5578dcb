//! The plan file: what organizations should hold. YAML, TOML or JSON (by extension). Every problem is
//! found before anything is sent, each with its location.

use scc_sdk::types::{AppliesTo, RegionCode};
use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
/// A plan file: what organizations should hold.
pub struct PlanFile {
    /// The organization of the API key the plan is for (an MSP's manager organization): against a
    /// key of another organization the plan is refused before anything is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The organizations, each found by id or by name.
    pub organizations: Vec<OrgPlan>,
}

/// Appends to `items` those of `more` whose key none of `items` has: an organization's own item wins.
fn hold<T: Clone, K: Eq + std::hash::Hash>(items: &mut Vec<T>, more: &[T], key: impl Fn(&T) -> K) {
    let own: HashSet<K> = items.iter().map(&key).collect();
    items.extend(more.iter().filter(|item| !own.contains(&key(item))).cloned());
}

/// The plan file as written: with `defaults`, a baseline every organization holds besides its own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    #[serde(default)]
    tenant: Option<String>,
    #[serde(default)]
    defaults: Option<Defaults>,
    organizations: Vec<OrgPlan>,
}

/// What every organization of the file holds unless it says otherwise: its own item of the same key
/// (claim code, e-mail, group name, product and role) wins, and its own `prune` replaces this one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Defaults {
    #[serde(default)]
    subscriptions: Vec<SubscriptionPlan>,
    #[serde(default)]
    users: Vec<UserPlan>,
    #[serde(default)]
    groups: Vec<GroupPlan>,
    #[serde(default)]
    roles: Vec<RolePlan>,
    #[serde(default)]
    prune: Option<Prune>,
}

impl Written {
    /// Each organization with the defaults it does not override, after its own items (so the places
    /// of its own items in problems stay those of the file).
    fn into_plan(self) -> PlanFile {
        let Some(defaults) = self.defaults else {
            return PlanFile {
                tenant: self.tenant,
                organizations: self.organizations,
            };
        };
        let organizations = self
            .organizations
            .into_iter()
            .map(|mut org| {
                hold(&mut org.subscriptions, &defaults.subscriptions, |s| {
                    name_key(&s.claim_code)
                });
                hold(&mut org.users, &defaults.users, |u| name_key(&u.email));
                hold(&mut org.groups, &defaults.groups, |g| name_key(&g.name));
                hold(&mut org.roles, &defaults.roles, |r| {
                    (name_key(&r.product), name_key(&r.role))
                });
                if org.prune.is_empty()
                    && let Some(prune) = &defaults.prune
                {
                    org.prune = *prune;
                }
                org
            })
            .collect();
        PlanFile {
            tenant: self.tenant,
            organizations,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
/// What one organization should hold.
pub struct OrgPlan {
    /// An existing organization by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// An organization by exact name (created when `create` is true and none exists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Create it as a MANAGED organization of the token's organization when it does not exist.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create: bool,
    /// Region of a created organization: NAM, EMEA or APJC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<RegionCode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    /// Claim codes it should hold.
    pub subscriptions: Vec<SubscriptionPlan>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    /// Users it should have.
    pub users: Vec<UserPlan>,
    /// A CSV file of more users (an HR system's export; relative to the plan file), read into
    /// `users` when the plan is read: a user `users` lists itself wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users_csv: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    /// Admin groups it should have, with their members.
    pub groups: Vec<GroupPlan>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    /// Roles and who should hold them.
    pub roles: Vec<RolePlan>,
    #[serde(default, skip_serializing_if = "Prune::is_empty")]
    /// What may be removed that the plan does not list.
    pub prune: Prune,
    /// Where it was read: its file and place there (none for a plan not read from a file).
    #[serde(skip)]
    pub origin: Option<crate::lines::Origin>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
/// A subscription, by claim code.
pub struct SubscriptionPlan {
    /// The claim code (`XXXX-XXXX-XXXX-XXXX`).
    pub claim_code: String,
    /// Preferred region of the products (default NAM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<RegionCode>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
/// A user of the organization.
pub struct UserPlan {
    /// E-mail (how users are matched).
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Holds the Security Cloud Control Organization Administrator role (directly): `true` gives it,
    /// `false` takes a direct one away, none leaves it as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<bool>,
    /// May sign in: `false` disables the user, `true` enables a disabled one, none leaves it as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

impl UserPlan {
    pub(crate) fn is_admin(&self) -> bool {
        self.admin == Some(true)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
/// An admin group.
pub struct GroupPlan {
    /// Its name (matched in any case).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Its description.
    pub description: Option<String>,
    /// all, manager or selected_managed (used when the group is created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<AppliesTo>,
    /// E-mails of the members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// The organizations this (manager) organization manages that the group is shared into, each
    /// by name or id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_orgs: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
/// A role, and who should hold it.
pub struct RolePlan {
    /// Product name, e.g. Security Cloud Control.
    pub product: String,
    /// Role display name, e.g. Organization Administrator.
    pub role: String,
    /// Names of groups of this plan that hold the role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// E-mails of users that hold the role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
}

/// What may be deleted: only what a section names, and only with --yes.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Prune {
    /// Remove users of the organization that the plan does not list.
    #[serde(default)]
    pub users: bool,
    /// Delete admin groups the plan does not list.
    #[serde(default)]
    pub groups: bool,
    /// Remove members of the plan's groups that it does not list.
    #[serde(default)]
    pub members: bool,
    /// Take the plan's roles from groups it does not list for them.
    #[serde(default)]
    pub roles: bool,
    /// Stop sharing the plan's groups into managed organizations it does not list for them.
    #[serde(default)]
    pub managed_orgs: bool,
}

impl Prune {
    fn is_empty(&self) -> bool {
        !(self.users || self.groups || self.members || self.roles || self.managed_orgs)
    }
}

impl OrgPlan {
    /// How the report names the organization.
    pub fn label(&self) -> String {
        self.name
            .as_deref()
            .map(|name| name.trim().to_owned())
            .or_else(|| self.id.clone())
            .unwrap_or_default()
    }
}

pub(crate) const ADMIN_PRODUCT: &str = "Security Cloud Control";
pub(crate) const ADMIN_ROLE: &str = "Organization Administrator";

impl OrgPlan {
    /// The plan's role assignments, with the Organization Administrator role of every admin user.
    pub(crate) fn desired_roles(&self) -> Vec<RolePlan> {
        let mut roles: Vec<RolePlan> = self.roles.clone();
        let admins: Vec<String> = self
            .users
            .iter()
            .filter(|u| u.is_admin())
            .map(|u| u.email.clone())
            .collect();
        if !admins.is_empty() {
            match roles
                .iter_mut()
                .find(|role| role.product == ADMIN_PRODUCT && role.role == ADMIN_ROLE)
            {
                Some(role) => role.users.extend(admins),
                None => roles.push(RolePlan {
                    product: ADMIN_PRODUCT.into(),
                    role: ADMIN_ROLE.into(),
                    groups: Vec::new(),
                    users: admins,
                }),
            }
        }
        roles
    }
}

/// How names (and e-mail addresses) are matched: the SDK's one rule ([`scc_sdk::validate::name_key`]:
/// NFC, invisible characters dropped, surrounding spaces trimmed, case ignored), the emulator's too,
/// so `Acme`, `acme ` and `Ac\u{200b}me` are one organization or group, never two. Every name
/// comparison of apply goes through this.
pub(crate) fn name_key(name: &str) -> String {
    scc_sdk::validate::name_key(name)
}

impl PlanFile {
    /// The places of the organizations `scope` names (each by the file's name for it, in any case,
    /// or its id); every organization when `scope` is empty. `Err` holds the names that match none.
    pub(crate) fn select(&self, scope: &[String]) -> Result<Vec<usize>, Vec<String>> {
        if scope.is_empty() {
            return Ok((0..self.organizations.len()).collect());
        }
        let names = |org: &OrgPlan, wanted: &str| {
            org.name
                .as_deref()
                .is_some_and(|name| name_key(name) == name_key(wanted))
                || org.id.as_deref().is_some_and(|id| id.trim() == wanted.trim())
        };
        let unmatched: Vec<String> = scope
            .iter()
            .filter(|wanted| !self.organizations.iter().any(|org| names(org, wanted)))
            .cloned()
            .collect();
        if !unmatched.is_empty() {
            return Err(unmatched);
        }
        Ok((0..self.organizations.len())
            .filter(|&index| scope.iter().any(|wanted| names(&self.organizations[index], wanted)))
            .collect())
    }
}

/// Parses a plan's text by the file's extension.
#[cfg(test)]
pub(crate) fn parse(path: &Path, text: &str) -> Result<PlanFile, Error> {
    parse_as(path, &format_of(path), text, &|csv| {
        Err(Error::input(format!("{} is not read here", csv.display()), "a test"))
    })
}

/// The format a file's name says: its extension in lower case.
pub(crate) fn format_of(path: &Path) -> String {
    path.extension()
        .and_then(|ext| ext.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Users a CSV file at a path holds (`users_csv`).
pub(crate) type CsvReader<'a> = &'a dyn Fn(&Path) -> Result<Vec<UserPlan>, Error>;

/// Parses a plan's text in the format `extension` names (`yaml`, `yml`, `toml`, `json`); `path`
/// names it in messages, and its folder is where `users_csv` files are read by `read_csv`.
pub(crate) fn parse_as(path: &Path, extension: &str, text: &str, read_csv: CsvReader<'_>) -> Result<PlanFile, Error> {
    let extension = extension.to_ascii_lowercase();
    if let Some(line) = too_deep(text) {
        return Err(Error::input(
            format!(
                "{}:{line}: nested more than {MAX_PLAN_NESTING} levels deep; a plan is a few levels (organizations, users, fields)",
                path.display()
            ),
            "fix the plan file",
        ));
    }
    if text.len() as u64 > crate::bounds::MAX_PLAN_BYTES {
        return Err(Error::input(
            format!(
                "{}: {} bytes; a plan file is at most {} bytes",
                path.display(),
                text.len(),
                crate::bounds::MAX_PLAN_BYTES
            ),
            "split the plan into several files",
        ));
    }
    if matches!(extension.as_str(), "yaml" | "yml")
        && let Err(crate::bounds::Stop::Excessive(why)) = crate::bounds::expansion(text)
    {
        return Err(Error::input(
            format!("{}: refused before decoding: {why}", path.display()),
            "an anchor may be repeated by aliases, not multiplied: write the repeated part out, or use fewer nested aliases",
        ));
    }
    let parsed: Result<Written, String> = match extension.as_str() {
        "yaml" | "yml" => serde_norway::from_str(text).map_err(|error| error.to_string()),
        "toml" => toml::from_str(text).map_err(|error| error.to_string()),
        "json" => serde_json::from_str(text).map_err(|error| error.to_string()),
        other => {
            return Err(Error::input(
                format!("{}: unknown plan format {other:?}", path.display()),
                "name the file .yaml, .yml, .toml or .json",
            ));
        }
    };
    let parsed = parsed.map_err(|error| decode_error(path, &extension, text, error))?;
    read_users_csv(path, &extension, text, parsed, read_csv).map(Written::into_plan)
}

/// Each organization's `users_csv` read into its `users` (those it lists itself win), relative to the
/// plan file's folder; every problem of every file at once.
fn read_users_csv(
    path: &Path,
    extension: &str,
    text: &str,
    mut written: Written,
    read_csv: CsvReader<'_>,
) -> Result<Written, Error> {
    let folder = path.parent().unwrap_or(Path::new(""));
    let mut problems = Vec::new();
    for (o, org) in written.organizations.iter_mut().enumerate() {
        let Some(csv) = org.users_csv.take() else { continue };
        let location = format!("organizations[{o}].users_csv");
        if !csv.trim().to_ascii_lowercase().ends_with(".csv") {
            problems.push(Problem {
                location,
                message: format!("{csv:?} is not a .csv file"),
            });
            continue;
        }
        match read_csv(&folder.join(csv.trim())) {
            Ok(rows) => hold(&mut org.users, &rows, |user| name_key(&user.email)),
            Err(error) => problems.push(Problem {
                location,
                message: match error {
                    Error::Input { message, .. } => message,
                    other => other.to_string(),
                },
            }),
        }
    }
    if problems.is_empty() {
        return Ok(written);
    }
    let lines = crate::lines::Lines::of(extension, text);
    Err(problems_error(path, &problems, &|location| lines.line(location)))
}

/// The decoder's error, or every place the schema refuses (the decoder stops at its first).
fn decode_error(path: &Path, extension: &str, text: &str, error: String) -> Error {
    // The decoder stops at its first problem: the schema's walk finds every one, each at its line.
    let document: Option<serde_json::Value> = match extension {
        "toml" => toml::from_str(text).ok(),
        "json" => serde_json::from_str(text).ok(),
        _ => serde_norway::from_str(text).ok(),
    };
    let refused = document
        .map(|document| crate::schema::refusals(&document))
        .unwrap_or_default();
    if refused.is_empty() {
        return Error::input(format!("{}: {error}", path.display()), "fix the plan file");
    }
    let problems: Vec<Problem> = refused
        .into_iter()
        .map(|(location, message)| Problem { location, message })
        .collect();
    let lines = crate::lines::Lines::of(extension, text);
    problems_error(path, &problems, &|location| lines.line(location))
}

/// `value` is not one of the SDK's closed set `known`: `"MARS" is not NAM, EMEA or APJC`.
fn not_one_of(value: &str, known: &[&str]) -> String {
    let (last, rest) = known.split_last().map_or(("", &[][..]), |(last, rest)| (*last, rest));
    if rest.is_empty() {
        return format!("{value:?} is not {last}");
    }
    format!("{value:?} is not {} or {last}", rest.join(", "))
}

/// Why the SDK refused a value, without its field (the plan names the field by its place).
fn invalid_reason(error: &scc_sdk::Error) -> String {
    match error {
        scc_sdk::Error::InvalidInput { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

/// The deepest nesting a plan file may have; a plan needs about six levels.
const MAX_PLAN_NESTING: usize = 64;

/// The line at which `text` nests deeper than [`MAX_PLAN_NESTING`] (brackets, or YAML's block
/// indicators and indentation), if it does: checked before parsing, whose cost grows with the depth.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (number, line) in text.lines().enumerate() {
        // YAML block nesting on one line: indentation, and `- `/`? ` indicators before the content.
        let indent = line.len() - line.trim_start_matches([' ', '-', '?', '\t']).len();
        if indent / 2 > MAX_PLAN_NESTING * 2 {
            return Some(number + 1);
        }
        let mut escaped = false;
        for c in line.chars() {
            match quote {
                Some(open) => {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' && open == '"' {
                        escaped = true;
                    } else if c == open {
                        quote = None;
                    }
                }
                None => match c {
                    '"' | '\'' => quote = Some(c),
                    '#' => break,
                    '[' | '{' => {
                        depth += 1;
                        if depth > MAX_PLAN_NESTING {
                            return Some(number + 1);
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
        }
        // A YAML or TOML string does not span lines unless it is a block; JSON's never do.
        if quote == Some('\'') {
            quote = None;
        }
    }
    None
}

/// A problem of the plan and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) location: String,
    pub(crate) message: String,
}

fn claim_code_ok(code: &str) -> bool {
    let parts: Vec<&str> = code.split('-').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|part| part.len() == 4 && part.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Every problem of the plan at once.
pub(crate) fn validate(plan: &PlanFile) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut add = |location: String, message: String| problems.push(Problem { location, message });
    if plan.organizations.is_empty() {
        add("organizations".into(), "lists no organization".into());
    }
    let mut orgs_seen = HashSet::new();
    let mut codes_seen = HashSet::new();
    for (o, org) in plan.organizations.iter().enumerate() {
        let at = format!("organizations[{o}]");
        match (&org.id, &org.name) {
            (None, None) => add(at.clone(), "needs an `id` or a `name`".into()),
            (Some(_), Some(_)) => add(at.clone(), "has both `id` and `name`; give one".into()),
            _ => {}
        }
        if let Some(Err(refused)) = org.name.as_deref().map(|name| scc_sdk::validate::name("name", name)) {
            add(format!("{at}.name"), invalid_reason(&refused));
        }
        if org.create {
            if org.id.is_some() {
                add(
                    format!("{at}.create"),
                    "cannot create an organization given by id".into(),
                );
            }
            match org.region.as_ref().map(RegionCode::as_str) {
                Some(region) if RegionCode::ORGANIZATION.contains(&region) => {}
                Some(other) => add(format!("{at}.region"), not_one_of(other, RegionCode::ORGANIZATION)),
                None => add(format!("{at}.region"), "is required to create the organization".into()),
            }
        }
        let key = org
            .id
            .clone()
            .or_else(|| org.name.as_deref().map(name_key))
            .unwrap_or_default();
        if !key.is_empty() && !orgs_seen.insert(key) {
            add(at.clone(), format!("organization {:?} is listed twice", org.label()));
        }
        for (s, subscription) in org.subscriptions.iter().enumerate() {
            let at = format!("{at}.subscriptions[{s}]");
            if !claim_code_ok(&subscription.claim_code) {
                add(
                    format!("{at}.claim_code"),
                    format!(
                        "{:?} is not a claim code (XXXX-XXXX-XXXX-XXXX)",
                        subscription.claim_code
                    ),
                );
            } else if !codes_seen.insert(subscription.claim_code.to_uppercase()) {
                add(
                    format!("{at}.claim_code"),
                    format!("{} is used twice in the plan", subscription.claim_code),
                );
            }
            if let Some(region) = &subscription.region
                && !region.is_known()
            {
                add(format!("{at}.region"), not_one_of(region.as_str(), RegionCode::KNOWN));
            }
        }
        let mut emails = HashSet::new();
        for (u, user) in org.users.iter().enumerate() {
            let at = format!("{at}.users[{u}]");
            if !scc_sdk::validate::is_email(&user.email) {
                add(
                    format!("{at}.email"),
                    format!("{:?} is not an e-mail address", user.email),
                );
            } else if !emails.insert(name_key(&user.email)) {
                add(format!("{at}.email"), format!("{} is listed twice", user.email));
            }
            if user.first_name.trim().is_empty() {
                add(format!("{at}.first_name"), "must not be empty".into());
            }
            if user.last_name.trim().is_empty() {
                add(format!("{at}.last_name"), "must not be empty".into());
            }
        }
        let mut groups = HashSet::new();
        for (g, group) in org.groups.iter().enumerate() {
            let at = format!("{at}.groups[{g}]");
            if let Err(refused) = scc_sdk::validate::name("name", &group.name) {
                add(format!("{at}.name"), invalid_reason(&refused));
            } else if !groups.insert(name_key(&group.name)) {
                add(format!("{at}.name"), format!("group {:?} is listed twice", group.name));
            }
            if let Some(applies_to) = &group.applies_to
                && !applies_to.is_known()
            {
                add(
                    format!("{at}.applies_to"),
                    not_one_of(applies_to.as_str(), AppliesTo::KNOWN),
                );
            }
            for (m, member) in group.members.iter().enumerate() {
                if !scc_sdk::validate::is_email(member) {
                    add(
                        format!("{at}.members[{m}]"),
                        format!("{member:?} is not an e-mail address"),
                    );
                }
            }
            let mut shares = HashSet::new();
            for (s, managed) in group.managed_orgs.iter().enumerate() {
                if managed.trim().is_empty() {
                    add(format!("{at}.managed_orgs[{s}]"), "must not be empty".into());
                } else if !shares.insert(name_key(managed)) {
                    add(
                        format!("{at}.managed_orgs[{s}]"),
                        format!("{managed:?} is listed twice"),
                    );
                } else if org.create {
                    add(
                        format!("{at}.managed_orgs[{s}]"),
                        "an organization this plan creates manages no organization to share into".into(),
                    );
                }
            }
        }
        for (r, role) in org.roles.iter().enumerate() {
            let at = format!("{at}.roles[{r}]");
            if role.product.trim().is_empty() {
                add(format!("{at}.product"), "must not be empty".into());
            }
            if role.role.trim().is_empty() {
                add(format!("{at}.role"), "must not be empty".into());
            }
            if role.groups.is_empty() && role.users.is_empty() {
                add(at.clone(), "assigns the role to no group and no user".into());
            }
            for (g, group) in role.groups.iter().enumerate() {
                if !groups.contains(&name_key(group)) {
                    add(
                        format!("{at}.groups[{g}]"),
                        format!("group {group:?} is not one of this organization's groups"),
                    );
                }
            }
            for (u, user) in role.users.iter().enumerate() {
                if !scc_sdk::validate::is_email(user) {
                    add(format!("{at}.users[{u}]"), format!("{user:?} is not an e-mail address"));
                }
            }
        }
    }
    problems
}

/// The usage error listing every problem, each at its line where `line_of` tells it (in the order
/// of the file).
pub(crate) fn problems_error(path: &Path, problems: &[Problem], line_of: &dyn Fn(&str) -> Option<usize>) -> Error {
    let mut placed: Vec<(Option<usize>, &Problem)> = problems.iter().map(|p| (line_of(&p.location), p)).collect();
    placed.sort_by_key(|(line, _)| line.unwrap_or(usize::MAX));
    let list: Vec<String> = placed
        .iter()
        .map(|(line, p)| match line {
            Some(line) => format!("  {}:{line}: {}: {}", path.display(), p.location, p.message),
            None => format!("  {}: {}", p.location, p.message),
        })
        .collect();
    Error::input(
        format!(
            "{} has {} problem(s); nothing was sent:\n{}",
            path.display(),
            problems.len(),
            list.join("\n")
        ),
        "fix every problem listed, then run the plan again",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_nested_without_end_is_refused_at_once() {
        let flow = format!("organizations: {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let block = format!("organizations:\n{}x\n", "- ".repeat(100_000));
        let indented = format!("organizations:\n{}x: 1\n", " ".repeat(1_000));
        for (text, line) in [(&flow, 1), (&block, 2), (&indented, 2)] {
            let started = std::time::Instant::now();
            let error = parse(Path::new("deep.yaml"), text).expect_err("too deep");
            assert!(
                error
                    .to_string()
                    .contains(&format!("deep.yaml:{line}: nested more than 64")),
                "{error}"
            );
            assert!(started.elapsed() < std::time::Duration::from_secs(1));
        }
        let json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(Path::new("deep.json"), &json).is_err());
        let fine = "organizations:\n  - name: \"SOC [tier 1] {east}\"\n    users:\n      - email: o'brien@example.com # [not a list\n";
        assert_eq!(too_deep(fine), None);
    }

    #[test]
    fn names_that_are_one_name_to_the_service_are_refused_as_twice_listed() {
        let plan: PlanFile = serde_norway::from_str(
            "organizations:\n  - name: Acme\n    groups:\n      - {name: SOC}\n      - {name: \" soc\"}\n    users:\n      - {email: a@acme.example, first_name: A, last_name: B}\n      - {email: A@Acme.example, first_name: A, last_name: B}\n",
        )
        .expect("plan");
        let problems: Vec<(String, String)> = validate(&plan)
            .into_iter()
            .map(|problem| (problem.location, problem.message))
            .collect();
        assert_eq!(
            problems,
            vec![
                (
                    "organizations[0].users[1].email".to_owned(),
                    "A@Acme.example is listed twice".to_owned()
                ),
                (
                    "organizations[0].groups[1].name".to_owned(),
                    "group \" soc\" is listed twice".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn every_problem_at_once() {
        let plan: PlanFile = serde_norway::from_str(
            r#"
organizations:
  - name: A
    create: true
    region: MARS
    subscriptions:
      - claim_code: NOT-A-CODE
    users:
      - {email: nobody, first_name: N, last_name: B}
    groups:
      - name: SOC
    roles:
      - {product: Security Cloud Control, role: Organization Administrator, groups: [Missing]}
  - id: x
    name: y
"#,
        )
        .expect("parses");
        let problems = validate(&plan);
        let locations: Vec<_> = problems.iter().map(|p| p.location.as_str()).collect();
        assert_eq!(
            locations,
            [
                "organizations[0].region",
                "organizations[0].subscriptions[0].claim_code",
                "organizations[0].users[0].email",
                "organizations[0].roles[0].groups[0]",
                "organizations[1]",
            ]
        );
    }

    mod fuzz {
        use proptest::prelude::*;

        use super::super::*;

        /// Text that is nearly a plan: the keys of the format with odd values, so the parser and the
        /// checks meet spaces, case, unicode, empty and very long names, numbers and nesting.
        fn near_plan() -> impl Strategy<Value = String> {
            let value = prop_oneof![
                Just(String::new()),
                Just("\"  Acme  \"".to_owned()),
                Just("ACME".to_owned()),
                Just("acme".to_owned()),
                Just("[]".to_owned()),
                Just("{}".to_owned()),
                Just("null".to_owned()),
                Just("-1".to_owned()),
                Just("1e309".to_owned()),
                Just("ABCD-EFGH-IJKL-MNOP".to_owned()),
                "[ -~]{0,40}",
                "\\PC{0,20}",
            ];
            let key = prop_oneof![
                Just("name"),
                Just("id"),
                Just("create"),
                Just("region"),
                Just("claim_code"),
                Just("email"),
                Just("members"),
                Just("groups"),
                Just("users"),
                Just("roles"),
                Just("prune"),
                Just("unknown_key"),
            ];
            proptest::collection::vec((key, value, 0usize..3), 0..12).prop_map(|entries| {
                let mut text = String::from("organizations:\n");
                for (key, value, depth) in entries {
                    let indent = "  ".repeat(depth + 1);
                    text.push_str(&format!("{indent}- {key}: {value}\n"));
                }
                text
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

            #[test]
            fn any_text_is_a_plan_or_a_usage_error_never_a_panic(text in "\\PC{0,300}", ext in prop_oneof![Just("yaml"), Just("toml"), Just("json")]) {
                let path = std::path::PathBuf::from(format!("plan.{ext}"));
                if let Ok(plan) = parse(&path, &text) {
                    let _ = validate(&plan);
                } else if let Err(error) = parse(&path, &text) {
                    prop_assert!(matches!(error, crate::Error::Input { .. }), "{}", error);
                }
            }

            #[test]
            fn a_plan_that_passes_the_checks_names_each_organization_once(text in near_plan()) {
                let path = std::path::PathBuf::from("plan.yaml");
                if let Ok(plan) = parse(&path, &text)
                    && validate(&plan).is_empty()
                {
                        let keys: std::collections::HashSet<String> = plan
                            .organizations
                            .iter()
                            .map(|org| org.id.clone().unwrap_or_else(|| name_key(&org.label())))
                            .collect();
                        prop_assert_eq!(keys.len(), plan.organizations.len());
                        for org in &plan.organizations {
                            prop_assert!(!org.label().trim().is_empty());
                        }
                }
            }
        }
    }
}

#[cfg(test)]
mod written {
    use super::*;

    #[test]
    fn defaults_are_held_by_every_organization_unless_it_says_otherwise() {
        let text = "defaults:\n  users:\n    - {email: soc@msp.example, first_name: Soc, last_name: Desk, admin: true}\n  groups:\n    - {name: SOC, members: [soc@msp.example]}\n  prune: {members: true}\norganizations:\n  - name: East\n  - name: West\n    users:\n      - {email: SOC@msp.example, first_name: Own, last_name: Name}\n    prune: {users: true}\n";
        let plan = parse(Path::new("baseline.yaml"), text).expect("a plan");
        let (east, west) = (&plan.organizations[0], &plan.organizations[1]);
        assert_eq!(east.users.len(), 1);
        assert_eq!(east.groups[0].name, "SOC");
        assert!(east.prune.members && !east.prune.users);
        // West's own user of the same e-mail wins (in any case), and its own prune replaces the default.
        assert_eq!(west.users.len(), 1);
        assert_eq!(west.users[0].first_name, "Own");
        assert!(west.prune.users && !west.prune.members);
        assert_eq!(west.groups.len(), 1, "what it does not override it holds");
        assert!(parse(Path::new("bad.yaml"), "defaults: {colour: red}\norganizations: []\n").is_err());
    }
}
