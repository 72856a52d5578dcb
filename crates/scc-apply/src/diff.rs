//! Diff: a pure function from a plan and an observation to the changes that would make the state
//! match the plan. A part that could not be read yields no change (nothing may be concluded of it).

use std::collections::HashSet;

use scc_sdk::types::{AppliesTo, RegionCode};
use serde::{Deserialize, Serialize};

use crate::observe::{ManagedOrg, Observation, Section, SeenGroup};
use crate::spec::{ADMIN_PRODUCT, ADMIN_ROLE, GroupPlan, OrgPlan, name_key};

/// What a change does to its target, as the plan prints it: `+`, `~` or `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// Adds or creates (`+`).
    Add,
    /// Changes in place (`~`).
    Change,
    /// Removes or deletes (`-`).
    Remove,
}

impl Sign {
    /// `+`, `~` or `-`.
    pub fn symbol(self) -> char {
        match self {
            Self::Add => '+',
            Self::Change => '~',
            Self::Remove => '-',
        }
    }
}

/// A role as the plan names it, and its id once the organization's roles are known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoleRef {
    /// The product the role belongs to, e.g. `Security Cloud Control`.
    pub product: String,
    /// The role's display name.
    pub name: String,
    /// `None` for an organization not created yet: found by name when the change runs.
    pub id: Option<String>,
}

impl RoleRef {
    /// `Security Cloud Control / Organization Member`.
    pub fn label(&self) -> String {
        format!("{} / {}", self.product, self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
/// Who holds a role.
pub enum Holder {
    /// A group, by name.
    Group(String),
    /// A user, by e-mail.
    User(String),
}

/// One change to one target: what a plan shows, a saved plan holds, apply makes and the journal
/// records.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// Creates the plan's organization (MANAGED, of the key's organization).
    CreateOrg {
        /// Its name.
        name: String,
        /// Its region.
        region: RegionCode,
    },
    /// Claims a subscription by its claim code.
    Claim {
        /// The claim code.
        code: String,
        /// The preferred region of its products.
        region: RegionCode,
    },
    /// Invites a user.
    Invite {
        /// The user's e-mail.
        email: String,
        /// First name.
        first_name: String,
        /// Last name.
        last_name: String,
        /// Whether the invite gives the Organization Administrator role.
        admin: bool,
    },
    /// Renames a user.
    UpdateUser {
        /// The user's id.
        id: String,
        /// The user's e-mail.
        email: String,
        /// The new first name.
        first_name: String,
        /// The new last name.
        last_name: String,
        /// The names now, shown beside the new ones.
        from_first_name: String,
        /// The last name now.
        from_last_name: String,
    },
    /// Disables a user (`enabled: false`) or enables a disabled one (`enabled: true`).
    SetUserEnabled {
        /// The user's e-mail.
        email: String,
        /// Whether the user may sign in after the change.
        enabled: bool,
    },
    /// Removes a user from the organization.
    RemoveUser {
        /// The user's e-mail.
        email: String,
    },
    /// Creates an admin group.
    CreateGroup {
        /// Its name.
        name: String,
        /// Its description.
        description: Option<String>,
        /// Which organizations it applies to.
        applies_to: AppliesTo,
    },
    /// Changes an admin group's description.
    UpdateGroup {
        /// The group's id.
        id: String,
        /// The group's name.
        name: String,
        /// The new description.
        description: Option<String>,
        /// The description now.
        from_description: Option<String>,
    },
    /// Deletes an admin group.
    DeleteGroup {
        /// The group's id.
        id: String,
        /// The group's name.
        name: String,
    },
    /// Adds a member to a group.
    AddMember {
        /// The group's name.
        group: String,
        /// The member's e-mail.
        email: String,
    },
    /// Removes a member from a group.
    RemoveMember {
        /// The group's name.
        group: String,
        /// The member's e-mail.
        email: String,
    },
    /// Shares a group into an organization this one manages.
    ShareGroup {
        /// The group's name.
        group: String,
        /// The managed organization's name.
        org: String,
        /// The managed organization's id.
        org_id: String,
    },
    /// Stops sharing a group into a managed organization.
    UnshareGroup {
        /// The group's name.
        group: String,
        /// The managed organization's name.
        org: String,
        /// The managed organization's id.
        org_id: String,
    },
    /// Assigns a role.
    AssignRole {
        /// The role.
        role: RoleRef,
        /// To whom.
        holder: Holder,
    },
    /// Takes a role away.
    UnassignRole {
        /// The role.
        role: RoleRef,
        /// From whom.
        holder: Holder,
    },
}

impl Change {
    /// The change without the ids the service gave its targets: what it does, by name. A new
    /// organization's plan knows no role id; the same change read back knows it.
    pub fn target(&self) -> Change {
        let mut target = self.clone();
        match &mut target {
            Self::UpdateUser { id, .. } | Self::UpdateGroup { id, .. } | Self::DeleteGroup { id, .. } => id.clear(),
            Self::AssignRole { role, .. } | Self::UnassignRole { role, .. } => role.id = None,
            // An organization this run creates has its id only once it exists.
            Self::ShareGroup { org_id, .. } | Self::UnshareGroup { org_id, .. } => org_id.clear(),
            _ => {}
        }
        target
    }

    /// Whether two change lists make the same changes: equal, but for the id of an organization a
    /// share names, which the plan of an organization this run creates cannot know yet.
    pub(crate) fn same_list(a: &[Change], b: &[Change]) -> bool {
        a.len() == b.len()
            && a.iter().zip(b).all(|(a, b)| {
                a == b || (matches!(a, Self::ShareGroup { .. } | Self::UnshareGroup { .. }) && a.target() == b.target())
            })
    }

    /// What it does to its object: adds, changes or removes.
    pub fn sign(&self) -> Sign {
        match self {
            Self::CreateOrg { .. }
            | Self::Claim { .. }
            | Self::Invite { .. }
            | Self::CreateGroup { .. }
            | Self::AddMember { .. }
            | Self::ShareGroup { .. }
            | Self::AssignRole { .. }
            | Self::SetUserEnabled { enabled: true, .. } => Sign::Add,
            Self::UpdateUser { .. } | Self::UpdateGroup { .. } => Sign::Change,
            Self::RemoveUser { .. }
            | Self::SetUserEnabled { enabled: false, .. }
            | Self::DeleteGroup { .. }
            | Self::RemoveMember { .. }
            | Self::UnshareGroup { .. }
            | Self::UnassignRole { .. } => Sign::Remove,
        }
    }

    pub(crate) fn section(&self) -> Section {
        match self {
            Self::CreateOrg { .. } => Section::Organization,
            Self::Claim { .. } => Section::Subscriptions,
            Self::Invite { .. } | Self::UpdateUser { .. } | Self::RemoveUser { .. } | Self::SetUserEnabled { .. } => {
                Section::Users
            }
            Self::CreateGroup { .. } | Self::UpdateGroup { .. } | Self::DeleteGroup { .. } => Section::Groups,
            Self::AddMember { .. } | Self::RemoveMember { .. } => Section::Members,
            Self::ShareGroup { .. } | Self::UnshareGroup { .. } => Section::Shares,
            Self::AssignRole { .. } | Self::UnassignRole { .. } => Section::Roles,
        }
    }

    /// What the report names: `user ana@…`, `member ana@… of group SOC`, …
    pub fn object(&self) -> String {
        let holder = |holder: &Holder| match holder {
            Holder::Group(name) => format!("group {name}"),
            Holder::User(email) => format!("user {email}"),
        };
        match self {
            Self::CreateOrg { name, .. } => format!("organization {name}"),
            Self::Claim { code, .. } => format!("subscription {code}"),
            Self::Invite { email, .. }
            | Self::UpdateUser { email, .. }
            | Self::RemoveUser { email }
            | Self::SetUserEnabled { email, .. } => format!("user {email}"),
            Self::CreateGroup { name, .. } | Self::UpdateGroup { name, .. } | Self::DeleteGroup { name, .. } => {
                format!("group {name}")
            }
            Self::AddMember { group, email } | Self::RemoveMember { group, email } => {
                format!("member {email} of group {group}")
            }
            Self::ShareGroup { group, org, org_id } | Self::UnshareGroup { group, org, org_id } => {
                let new = if org_id.is_empty() {
                    " (created by this run)"
                } else {
                    ""
                };
                format!("group {group} with organization {org}{new}")
            }
            Self::AssignRole { role, holder: to } | Self::UnassignRole { role, holder: to } => {
                format!("role {} of {}", role.label(), holder(to))
            }
        }
    }

    /// What a change sets beyond its object's name, by the plan file's names: a new user's names and
    /// `admin` (a privilege a reviewer must see), a new group's description and `applies_to`, the
    /// region of a new organization or a claim, an update's new values.
    pub fn attributes(&self) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::json;
        let mut map = serde_json::Map::new();
        let mut set = |name: &str, value: serde_json::Value| {
            map.insert(name.to_owned(), value);
        };
        match self {
            Self::CreateOrg { region, .. } | Self::Claim { region, .. } => set("region", json!(region)),
            Self::Invite {
                first_name,
                last_name,
                admin,
                ..
            } => {
                set("first_name", json!(first_name));
                set("last_name", json!(last_name));
                set("admin", json!(admin));
            }
            Self::UpdateUser {
                first_name, last_name, ..
            } => {
                set("first_name", json!(first_name));
                set("last_name", json!(last_name));
            }
            Self::CreateGroup {
                description,
                applies_to,
                ..
            } => {
                set("description", json!(description));
                set("applies_to", json!(applies_to));
            }
            Self::UpdateGroup { description, .. } => set("description", json!(description)),
            Self::SetUserEnabled { enabled, .. } => set("enabled", json!(enabled)),
            Self::RemoveUser { .. }
            | Self::DeleteGroup { .. }
            | Self::AddMember { .. }
            | Self::RemoveMember { .. }
            | Self::ShareGroup { .. }
            | Self::UnshareGroup { .. }
            | Self::AssignRole { .. }
            | Self::UnassignRole { .. } => {}
        }
        map
    }

    /// The lines under a change in a plan: what an update changes, attribute by attribute
    /// (`last_name: "One" -> "Uno"`), and what a new object is given (`admin: true`).
    pub fn details(&self) -> Vec<String> {
        if self.sign() == Sign::Add {
            return self
                .attributes()
                .iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(name, value)| format!("{name}: {value}"))
                .collect();
        }
        let mut lines = Vec::new();
        let mut attribute = |name: &str, from: &str, to: &str| {
            if from != to {
                lines.push(format!("{name}: {from:?} -> {to:?}"));
            }
        };
        match self {
            Self::UpdateUser {
                first_name,
                last_name,
                from_first_name,
                from_last_name,
                ..
            } => {
                attribute("first_name", from_first_name, first_name);
                attribute("last_name", from_last_name, last_name);
            }
            Self::SetUserEnabled { enabled: false, .. } => attribute("enabled", "true", "false"),
            Self::UpdateGroup {
                description,
                from_description,
                ..
            } => attribute(
                "description",
                from_description.as_deref().unwrap_or_default(),
                description.as_deref().unwrap_or_default(),
            ),
            _ => {}
        }
        lines
    }

    /// The verb a plan shows: `invite`, `create`, `assign`, …
    pub fn action(&self) -> &'static str {
        match self {
            Self::CreateOrg { .. } | Self::CreateGroup { .. } => "create",
            Self::Claim { .. } => "claim",
            Self::Invite { .. } => "invite",
            Self::UpdateUser { .. } | Self::UpdateGroup { .. } => "update",
            Self::SetUserEnabled { enabled: true, .. } => "enable",
            Self::SetUserEnabled { enabled: false, .. } => "disable",
            Self::RemoveUser { .. } | Self::RemoveMember { .. } => "remove",
            Self::DeleteGroup { .. } => "delete",
            Self::AddMember { .. } => "add",
            Self::ShareGroup { .. } => "share",
            Self::UnshareGroup { .. } => "unshare",
            Self::AssignRole { .. } => "assign",
            Self::UnassignRole { .. } => "unassign",
        }
    }
}

/// What the plan asks for that the state rules out: no change can make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// The organization has no such role.
    NoSuchRole { product: String, role: String },
    /// The plan's group has the name of a group the manager shares into the organization.
    SharedGroup(String),
    /// A member or role holder (at `at` in the organization's plan) who is not a user of the
    /// organization and whom the plan does not invite: adding them would fail.
    NotAUser { at: String, email: String },
    /// A group's `managed_orgs` entry (at `at`) that names no organization this one manages, or
    /// several (`ids`).
    NotManaged { at: String, name: String, ids: Vec<String> },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Diff {
    pub(crate) changes: Vec<Change>,
    pub(crate) problems: Vec<Problem>,
}

/// Creating the plan's organization.
pub(crate) fn create_org(plan: &OrgPlan) -> Change {
    Change::CreateOrg {
        name: plan.label(),
        region: plan.region.clone().unwrap_or(RegionCode::Nam),
    }
}

/// The changes that make `seen` match `plan`. `fresh` is an organization that does not exist yet.
pub(crate) fn diff(plan: &OrgPlan, seen: &Observation, fresh: bool) -> Diff {
    let mut out = Diff::default();
    if fresh {
        out.changes.push(create_org(plan));
    }
    subscriptions(plan, seen, &mut out);
    users(plan, seen, &mut out);
    groups(plan, seen, &mut out);
    members(plan, seen, &mut out);
    shares(plan, seen, &mut out);
    roles(plan, seen, fresh, &mut out);
    not_admins(plan, seen, &mut out);
    out
}

/// Whether `email` is a user of the organization or one the plan invites.
fn known_or_invited(plan: &OrgPlan, seen: &Observation, email: &str) -> bool {
    seen.user_by_email(email).is_some() || plan.users.iter().any(|user| name_key(&user.email) == name_key(email))
}

/// Where a role's user is in the organization's plan: `roles[1].users[0]`.
fn role_user_at(plan: &OrgPlan, wanted: &crate::spec::RolePlan, email: &str) -> String {
    plan.roles
        .iter()
        .enumerate()
        .filter(|(_, role)| role.product == wanted.product && role.role == wanted.role)
        .find_map(|(r, role)| {
            let u = role.users.iter().position(|user| name_key(user) == name_key(email))?;
            Some(format!("roles[{r}].users[{u}]"))
        })
        .unwrap_or_else(|| "roles".into())
}

/// `admin: false`: a direct assignment of the administrator role is taken away. `admin` is about the
/// direct assignment only: the role a group gives is the group's (the plan's `roles`).
fn not_admins(plan: &OrgPlan, seen: &Observation, out: &mut Diff) {
    let Some(roles) = &seen.roles else { return };
    let Some(admin) = roles
        .iter()
        .find(|role| role.display_name.as_deref() == Some(ADMIN_ROLE) && role.has_product(ADMIN_PRODUCT))
    else {
        return;
    };
    let admin_id = admin.id.to_string();
    for user in plan.users.iter().filter(|user| user.admin == Some(false)) {
        let Some(existing) = seen.user_by_email(&user.email) else {
            continue;
        };
        let Some(direct) = seen.direct_roles(existing) else {
            continue;
        };
        if direct.contains(&admin_id) {
            out.changes.push(Change::UnassignRole {
                role: RoleRef {
                    product: ADMIN_PRODUCT.into(),
                    name: ADMIN_ROLE.into(),
                    id: Some(admin_id.clone()),
                },
                holder: Holder::User(existing.email.clone()),
            });
        }
    }
}

fn subscriptions(plan: &OrgPlan, seen: &Observation, out: &mut Diff) {
    let Some(held) = &seen.claim_codes else { return };
    for planned in &plan.subscriptions {
        if !held.contains(&name_key(&planned.claim_code)) {
            out.changes.push(Change::Claim {
                code: planned.claim_code.trim().to_owned(),
                region: planned.region.clone().unwrap_or(RegionCode::Nam),
            });
        }
    }
}

fn users(plan: &OrgPlan, seen: &Observation, out: &mut Diff) {
    let Some(current) = &seen.users else { return };
    for user in &plan.users {
        match seen.user_by_email(&user.email) {
            None => out.changes.push(Change::Invite {
                email: user.email.trim().to_owned(),
                first_name: user.first_name.clone(),
                last_name: user.last_name.clone(),
                admin: user.is_admin(),
            }),
            Some(existing) => {
                match user.enabled {
                    Some(enabled) if enabled == existing.disabled => out.changes.push(Change::SetUserEnabled {
                        email: user.email.trim().to_owned(),
                        enabled,
                    }),
                    _ => {}
                }
                let from_first_name = existing.first_name.clone().unwrap_or_default();
                let from_last_name = existing.last_name.clone().unwrap_or_default();
                if from_first_name != user.first_name || from_last_name != user.last_name {
                    out.changes.push(Change::UpdateUser {
                        id: existing.id.clone(),
                        email: user.email.trim().to_owned(),
                        first_name: user.first_name.clone(),
                        last_name: user.last_name.clone(),
                        from_first_name,
                        from_last_name,
                    });
                }
            }
        }
    }
    if plan.prune.users {
        let wanted: HashSet<String> = plan.users.iter().map(|u| name_key(&u.email)).collect();
        for user in current {
            if !wanted.contains(&name_key(&user.email)) {
                out.changes.push(Change::RemoveUser {
                    email: user.email.clone(),
                });
            }
        }
    }
}

fn groups(plan: &OrgPlan, seen: &Observation, out: &mut Diff) {
    let Some(current) = &seen.groups else { return };
    for group in &plan.groups {
        match seen.group_by_name(&group.name) {
            Some(shared) if shared.shared => out.problems.push(Problem::SharedGroup(shared.name.clone())),
            None => out.changes.push(Change::CreateGroup {
                name: group.name.trim().to_owned(),
                description: group.description.clone(),
                applies_to: group.applies_to.clone().unwrap_or(AppliesTo::All),
            }),
            Some(existing) => {
                let wanted = group.description.as_deref().filter(|d| !d.is_empty());
                if wanted.is_some() && existing.description.as_deref() != wanted {
                    out.changes.push(Change::UpdateGroup {
                        id: existing.id.clone(),
                        name: group.name.trim().to_owned(),
                        description: group.description.clone(),
                        from_description: existing.description.clone(),
                    });
                }
            }
        }
    }
    if plan.prune.groups {
        let wanted: HashSet<String> = plan.groups.iter().map(|g| name_key(&g.name)).collect();
        // A group the manager shares is not the organization's own: never pruned.
        for group in current.iter().filter(|group| !group.shared) {
            if !wanted.contains(&name_key(&group.name)) {
                out.changes.push(Change::DeleteGroup {
                    id: group.id.clone(),
                    name: group.name.clone(),
                });
            }
        }
    }
}

/// What the plan's `group` holds now of a part (`members`, `shares`): nothing for a group this change
/// set creates; `None` when it cannot be told — the groups or that part were not read, or the group is
/// the manager's, shared in — and nothing is planned for it then.
fn held_now(
    seen: &Observation,
    group: &GroupPlan,
    part: fn(&SeenGroup) -> &Option<HashSet<String>>,
) -> Option<HashSet<String>> {
    seen.groups.as_ref()?;
    match seen.group_by_name(&group.name) {
        None => Some(HashSet::new()),
        Some(shared) if shared.shared => None,
        Some(existing) => part(existing).clone(),
    }
}

fn members(plan: &OrgPlan, seen: &Observation, out: &mut Diff) {
    for (g, group) in plan.groups.iter().enumerate() {
        let name = group.name.trim().to_owned();
        let Some(current) = held_now(seen, group, |group| &group.members) else {
            continue;
        };
        let wanted: HashSet<String> = group.members.iter().map(|m| name_key(m)).collect();
        for (m, member) in group.members.iter().enumerate() {
            if !current.contains(&name_key(member)) {
                if !known_or_invited(plan, seen, member) {
                    out.problems.push(Problem::NotAUser {
                        at: format!("groups[{g}].members[{m}]"),
                        email: member.trim().to_owned(),
                    });
                    continue;
                }
                out.changes.push(Change::AddMember {
                    group: name.clone(),
                    email: member.trim().to_owned(),
                });
            }
        }
        if plan.prune.members {
            let mut extra: Vec<&String> = current.difference(&wanted).collect();
            extra.sort();
            for member in extra {
                out.changes.push(Change::RemoveMember {
                    group: name.clone(),
                    email: member.clone(),
                });
            }
        }
    }
}

/// Which managed organizations the plan's groups are shared into: each one listed is shared, and
/// with `prune.managed_orgs` every other one is unshared.
fn shares(plan: &OrgPlan, seen: &Observation, out: &mut Diff) {
    let Some(managed) = &seen.managed else { return };
    for (g, group) in plan.groups.iter().enumerate() {
        if group.managed_orgs.is_empty() && !plan.prune.managed_orgs {
            continue;
        }
        let name = group.name.trim().to_owned();
        let Some(current) = held_now(seen, group, |group| &group.shares) else {
            continue;
        };
        let mut wanted = HashSet::new();
        for (s, listed) in group.managed_orgs.iter().enumerate() {
            match seen.managed_named(listed).as_slice() {
                [one] => {
                    wanted.insert(one.id.clone());
                    if !current.contains(&one.id) {
                        out.changes.push(Change::ShareGroup {
                            group: name.clone(),
                            org: one.name.clone(),
                            org_id: one.id.clone(),
                        });
                    }
                }
                several => out.problems.push(Problem::NotManaged {
                    at: format!("groups[{g}].managed_orgs[{s}]"),
                    name: listed.trim().to_owned(),
                    ids: several.iter().map(|org| org.id.clone()).collect(),
                }),
            }
        }
        if plan.prune.managed_orgs {
            let mut extra: Vec<&ManagedOrg> = managed
                .iter()
                .filter(|org| current.contains(&org.id) && !wanted.contains(&org.id))
                .collect();
            extra.sort_by(|a, b| a.name.cmp(&b.name));
            for org in extra {
                out.changes.push(Change::UnshareGroup {
                    group: name.clone(),
                    org: org.name.clone(),
                    org_id: org.id.clone(),
                });
            }
        }
    }
}

fn roles(plan: &OrgPlan, seen: &Observation, fresh: bool, out: &mut Diff) {
    let desired = plan.desired_roles();
    if desired.is_empty() {
        return;
    }
    let all = match (&seen.roles, fresh) {
        (Some(roles), _) => Some(roles),
        (None, true) => None,
        // The roles could not be read: nothing may be concluded.
        (None, false) => return,
    };
    let Some(current_groups) = &seen.groups else { return };
    for wanted in desired {
        let role = match all {
            None => RoleRef {
                product: wanted.product.clone(),
                name: wanted.role.clone(),
                id: None,
            },
            Some(all) => match all.iter().find(|role| {
                role.display_name.as_deref() == Some(wanted.role.as_str()) && role.has_product(&wanted.product)
            }) {
                Some(found) => RoleRef {
                    product: wanted.product.clone(),
                    name: wanted.role.clone(),
                    // A new organization's roles get their ids when it is made.
                    id: (!fresh).then(|| found.id.to_string()),
                },
                None => {
                    out.problems.push(Problem::NoSuchRole {
                        product: wanted.product.clone(),
                        role: wanted.role.clone(),
                    });
                    continue;
                }
            },
        };
        let holds = |held: &HashSet<String>| role.id.as_ref().is_some_and(|id| held.contains(id));
        for group in &wanted.groups {
            match seen.group_by_name(group) {
                Some(shared) if shared.shared => {}
                None => out.changes.push(Change::AssignRole {
                    role: role.clone(),
                    holder: Holder::Group(group.trim().to_owned()),
                }),
                Some(existing) => match &existing.roles {
                    Some(held) if holds(held) => {}
                    Some(_) => out.changes.push(Change::AssignRole {
                        role: role.clone(),
                        holder: Holder::Group(existing.name.clone()),
                    }),
                    None => {}
                },
            }
        }
        if plan.prune.roles {
            for group in current_groups.iter().filter(|group| !group.shared) {
                if wanted.groups.iter().any(|name| name_key(name) == name_key(&group.name)) {
                    continue;
                }
                if group.roles.as_ref().is_some_and(holds) {
                    out.changes.push(Change::UnassignRole {
                        role: role.clone(),
                        holder: Holder::Group(group.name.clone()),
                    });
                }
            }
        }
        let is_admin_role = wanted.product == ADMIN_PRODUCT && wanted.role == ADMIN_ROLE;
        if seen.users.is_none() {
            // Who exists is not known: nothing may be concluded of users' roles.
            continue;
        }
        for email in &wanted.users {
            match seen.user_by_email(email) {
                None => {
                    // An admin's invite gives the role; a user the plan invites gets it after.
                    let invited = plan.users.iter().find(|user| name_key(&user.email) == name_key(email));
                    match invited {
                        Some(user) if user.is_admin() && is_admin_role => {}
                        Some(_) => out.changes.push(Change::AssignRole {
                            role: role.clone(),
                            holder: Holder::User(email.trim().to_owned()),
                        }),
                        None => out.problems.push(Problem::NotAUser {
                            at: role_user_at(plan, &wanted, email),
                            email: email.trim().to_owned(),
                        }),
                    }
                }
                Some(user) => match seen.user_roles.get(&user.id) {
                    Some(Some(held)) if holds(held) => {}
                    Some(Some(_)) => out.changes.push(Change::AssignRole {
                        role: role.clone(),
                        holder: Holder::User(user.email.clone()),
                    }),
                    _ => {}
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::{SeenGroup, SeenUser};

    fn plan(yaml: &str) -> OrgPlan {
        let file: crate::spec::PlanFile = serde_norway::from_str(yaml).expect("plan");
        file.organizations.into_iter().next().expect("one organization")
    }

    #[test]
    fn shares_are_planned_only_where_the_groups_and_their_shares_were_read() {
        let plan = plan(
            "organizations:\n  - name: MSP\n    groups:\n      - {name: SOC, managed_orgs: [East]}\n    prune: {managed_orgs: true}\n",
        );
        let east = ManagedOrg {
            id: "o-east".into(),
            name: "East".into(),
        };
        let group = |shares: Option<HashSet<String>>| SeenGroup {
            id: "g1".into(),
            name: "SOC".into(),
            description: None,
            members: None,
            roles: None,
            shared: false,
            shares,
        };
        let seen = |groups: Option<Vec<SeenGroup>>| Observation {
            groups,
            managed: Some(vec![east.clone()]),
            ..Observation::default()
        };
        // The groups could not be read: the group is not taken for a new one, nothing is planned.
        assert_eq!(diff(&plan, &seen(None), false).changes, Vec::<Change>::new());
        // Its shares could not be read: nothing concluded of them.
        assert_eq!(
            diff(&plan, &seen(Some(vec![group(None)])), false).changes,
            Vec::<Change>::new()
        );
        let shared = |org_id: &str| Change::ShareGroup {
            group: "SOC".into(),
            org: "East".into(),
            org_id: org_id.into(),
        };
        assert_eq!(
            diff(&plan, &seen(Some(vec![group(Some(HashSet::new()))])), false).changes,
            [shared("o-east")]
        );
        assert_eq!(
            diff(&plan, &seen(Some(Vec::new())), false).changes,
            [
                Change::CreateGroup {
                    name: "SOC".into(),
                    description: None,
                    applies_to: AppliesTo::All,
                },
                shared("o-east")
            ],
            "a group the plan creates"
        );
        let already: HashSet<String> = ["o-east".to_owned(), "o-gone".to_owned()].into();
        assert_eq!(
            diff(&plan, &seen(Some(vec![group(Some(already))])), false).changes,
            Vec::<Change>::new(),
            "an id no longer managed is not unshared by name it lacks"
        );
    }

    fn role(id: &str, product: &str, name: &str) -> scc_sdk::types::Role {
        serde_json::from_value(serde_json::json!({"id": id, "displayName": name, "products": [{"name": product}]}))
            .expect("role")
    }

    const PLAN: &str = "organizations:\n  - name: \" Acme \"\n    create: true\n    region: NAM\n    subscriptions: [{claim_code: AAAA-BBBB-CCCC-DDDD}]\n    users:\n      - {email: ana@acme.example, first_name: Ana, last_name: Silva, admin: true}\n      - {email: bo@acme.example, first_name: Bo, last_name: Lee}\n    groups:\n      - {name: SOC, members: [bo@acme.example]}\n    roles:\n      - {product: Security Cloud Control, role: Organization Member, groups: [SOC], users: [bo@acme.example]}\n";

    #[test]
    fn a_new_organization_is_a_diff_against_nothing() {
        let changes = diff(&plan(PLAN), &Observation::empty(), true).changes;
        let described: Vec<(char, String, &str)> = changes
            .iter()
            .map(|c| (c.sign().symbol(), c.object(), c.action()))
            .collect();
        assert_eq!(
            described,
            vec![
                ('+', "organization Acme".into(), "create"),
                ('+', "subscription AAAA-BBBB-CCCC-DDDD".into(), "claim"),
                ('+', "user ana@acme.example".into(), "invite"),
                ('+', "user bo@acme.example".into(), "invite"),
                ('+', "group SOC".into(), "create"),
                ('+', "member bo@acme.example of group SOC".into(), "add"),
                (
                    '+',
                    "role Security Cloud Control / Organization Member of group SOC".into(),
                    "assign"
                ),
                (
                    '+',
                    "role Security Cloud Control / Organization Member of user bo@acme.example".into(),
                    "assign"
                ),
            ],
            "the admin's invite carries the admin role; the rest is to add"
        );
    }

    #[test]
    fn the_state_equal_to_the_plan_is_no_change_and_unread_parts_yield_none() {
        let seen = Observation {
            claim_codes: Some(["aaaa-bbbb-cccc-dddd".to_owned()].into()),
            users: Some(vec![
                SeenUser {
                    id: "u1".into(),
                    email: "Ana@Acme.example".into(),
                    first_name: Some("Ana".into()),
                    last_name: Some("Silva".into()),
                    disabled: false,
                },
                SeenUser {
                    id: "u2".into(),
                    email: "bo@acme.example".into(),
                    first_name: Some("Bo".into()),
                    last_name: Some("Lee".into()),
                    disabled: true,
                },
            ]),
            groups: Some(vec![SeenGroup {
                id: "g1".into(),
                name: "soc".into(),
                description: None,
                members: Some(["bo@acme.example".to_owned()].into()),
                roles: Some(["member".to_owned()].into()),
                shared: false,
                shares: None,
            }]),
            roles: Some(vec![
                role("admin", ADMIN_PRODUCT, ADMIN_ROLE),
                role("member", ADMIN_PRODUCT, "Organization Member"),
            ]),
            user_roles: [
                ("u1".to_owned(), Some(["admin".to_owned()].into())),
                ("u2".to_owned(), Some(["member".to_owned()].into())),
            ]
            .into(),
            ..Observation::default()
        };
        assert_eq!(diff(&plan(PLAN), &seen, false), Diff::default());
        // Who may sign in: changed only where the plan says so and the state differs (bo is disabled).
        let enabling = PLAN
            .replace("last_name: Silva,", "last_name: Silva, enabled: false,")
            .replace("last_name: Lee}", "last_name: Lee, enabled: true}");
        assert_eq!(
            diff(&plan(&enabling), &seen, false).changes,
            [
                Change::SetUserEnabled {
                    email: "ana@acme.example".into(),
                    enabled: false
                },
                Change::SetUserEnabled {
                    email: "bo@acme.example".into(),
                    enabled: true
                },
            ]
        );
        let unchanged = PLAN.replace("last_name: Lee}", "last_name: Lee, enabled: false}");
        assert_eq!(diff(&plan(&unchanged), &seen, false), Diff::default());

        let mut blind = seen.clone();
        blind.users = None;
        blind.groups.as_mut().expect("groups")[0].members = None;
        blind.user_roles.clear();
        assert_eq!(
            diff(&plan(PLAN), &blind, false),
            Diff::default(),
            "nothing concluded of unread parts"
        );

        let mut missing_role = seen;
        missing_role.roles = Some(vec![role("admin", ADMIN_PRODUCT, ADMIN_ROLE)]);
        let result = diff(&plan(PLAN), &missing_role, false);
        assert_eq!(
            result.problems,
            vec![Problem::NoSuchRole {
                product: ADMIN_PRODUCT.into(),
                role: "Organization Member".into()
            }]
        );
    }

    #[test]
    fn a_group_the_manager_shares_is_never_pruned_and_cannot_be_planned() {
        let shared = SeenGroup {
            id: "g-msp".into(),
            name: "SOC Analysts".into(),
            description: None,
            members: None,
            roles: Some(["member".to_owned()].into()),
            shared: true,
            shares: None,
        };
        let seen = Observation {
            claim_codes: Some(Default::default()),
            users: Some(Vec::new()),
            groups: Some(vec![shared]),
            roles: Some(vec![role("member", ADMIN_PRODUCT, "Organization Member")]),
            ..Observation::default()
        };
        let pruning = plan(
            "organizations:\n  - name: East\n    groups: [{name: Own}]\n    roles:\n      - {product: Security Cloud Control, role: Organization Member, groups: [Own]}\n    prune: {groups: true, roles: true, members: true}\n",
        );
        let result = diff(&pruning, &seen, false);
        assert!(
            result
                .changes
                .iter()
                .all(|change| !change.object().contains("SOC Analysts")),
            "{:?}",
            result.changes
        );
        let naming =
            plan("organizations:\n  - name: East\n    groups: [{name: soc analysts, members: [a@east.example]}]\n");
        let result = diff(&naming, &seen, false);
        assert_eq!(result.changes, Vec::new());
        assert_eq!(result.problems, vec![Problem::SharedGroup("SOC Analysts".into())]);
    }
}
