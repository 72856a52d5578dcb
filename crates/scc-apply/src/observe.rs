//! Observe: read what an organization holds now, once, into typed values. A part whose read failed
//! is `None`, and its failure is reported: nothing may be concluded about that part.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::{StreamExt, TryStreamExt};
use scc_sdk::types::{Organization, Role};
use scc_sdk::{Client, Error};

use crate::spec::{OrgPlan, name_key};

/// The parts of an organization, in the order they depend on each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// The organization itself.
    Organization,
    /// Its subscriptions (claim codes).
    Subscriptions,
    /// Its users.
    Users,
    /// Its admin groups.
    Groups,
    /// The members of its groups.
    Members,
    /// Its roles and who holds them.
    Roles,
    /// The managed organizations its groups are shared into.
    Shares,
}

/// A read that failed: reported as an item (`object`, `action`) with the error.
#[derive(Debug, Clone)]
pub(crate) struct ReadFailure {
    pub(crate) object: String,
    pub(crate) action: &'static str,
    /// The part of the organization that could not be read.
    pub(crate) section: Section,
    pub(crate) error: std::sync::Arc<Error>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SeenUser {
    pub(crate) id: String,
    pub(crate) email: String,
    pub(crate) first_name: Option<String>,
    pub(crate) last_name: Option<String>,
    /// Disabled (the service's `DISABLED`, or an older SDK's spelling of it).
    pub(crate) disabled: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct SeenGroup {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    /// Member e-mails in lower case; `None` when not read (not needed, or the read failed).
    pub(crate) members: Option<HashSet<String>>,
    /// Ids of the roles the group holds; `None` when not read.
    pub(crate) roles: Option<HashSet<String>>,
    /// Shared into the organization by its manager: not the organization's own (never pruned,
    /// never exported, never changed from here).
    pub(crate) shared: bool,
    /// Ids of the managed organizations the group is shared into; `None` when not read.
    pub(crate) shares: Option<HashSet<String>>,
}

/// An organization the observed one manages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ManagedOrg {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// What one organization holds, as far as it was read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Observation {
    /// Claim codes of the organization's subscriptions (as [`name_key`]); `None` when not read.
    pub(crate) claim_codes: Option<HashSet<String>>,
    /// The claim codes as the service wrote them (for an export).
    pub(crate) held_codes: Vec<String>,
    /// Whether the service names claim codes on subscriptions at all (it may not).
    pub(crate) subscriptions_name_codes: bool,
    pub(crate) has_subscriptions: bool,
    pub(crate) users: Option<Vec<SeenUser>>,
    pub(crate) groups: Option<Vec<SeenGroup>>,
    pub(crate) roles: Option<Vec<Role>>,
    /// Roles held directly by users (by user id); only the users that matter were read.
    pub(crate) user_roles: HashMap<String, Option<HashSet<String>>>,
    /// The organizations this one manages (groups are shared into them); `None` when not read.
    pub(crate) managed: Option<Vec<ManagedOrg>>,
    pub(crate) failures: Vec<ReadFailure>,
}

impl Observation {
    /// An organization that does not exist yet: nothing in it, every part known.
    pub(crate) fn empty() -> Self {
        Self {
            claim_codes: Some(HashSet::new()),
            users: Some(Vec::new()),
            groups: Some(Vec::new()),
            roles: None,
            ..Self::default()
        }
    }

    pub(crate) fn user_by_email(&self, email: &str) -> Option<&SeenUser> {
        let key = name_key(email);
        self.users.as_ref()?.iter().find(|user| name_key(&user.email) == key)
    }

    /// The roles the user holds directly: those the service lists for them, less those one of their
    /// groups holds. `None` when that cannot be told (their roles, or a group's members or roles, were
    /// not read).
    pub(crate) fn direct_roles(&self, user: &SeenUser) -> Option<HashSet<String>> {
        let held = self.user_roles.get(&user.id)?.as_ref()?;
        let mut direct = held.clone();
        for group in self.groups.as_ref()? {
            let member = group.members.as_ref()?.contains(&name_key(&user.email));
            if member {
                for role in group.roles.as_ref()? {
                    direct.remove(role);
                }
            }
        }
        Some(direct)
    }

    /// The managed organizations `wanted` (a name, in any case, or an id) names.
    pub(crate) fn managed_named(&self, wanted: &str) -> Vec<&ManagedOrg> {
        let key = name_key(wanted);
        self.managed
            .iter()
            .flatten()
            .filter(|org| org.id == wanted.trim() || name_key(&org.name) == key)
            .collect()
    }

    pub(crate) fn group_by_name(&self, name: &str) -> Option<&SeenGroup> {
        let key = name_key(name);
        self.groups.as_ref()?.iter().find(|group| name_key(&group.name) == key)
    }
}

/// Which details to read beyond the lists: those a plan needs, or everything (export).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'p> {
    Plan(&'p OrgPlan),
    Everything,
}

pub(crate) fn failure(object: impl Into<String>, action: &'static str, section: Section, error: Error) -> ReadFailure {
    ReadFailure {
        object: object.into(),
        action,
        section,
        error: std::sync::Arc::new(error),
    }
}

/// Reads the organization's state: the four lists at once, then the details they lead to.
pub(crate) async fn observe(client: &Client, org: &Organization, managers: &Managers, scope: Scope<'_>) -> Observation {
    let mut observation = Observation::default();
    let manager = org.manager_org_id().map(str::to_owned);
    let org_id = org.id.to_string();
    let org = org_id.as_str();
    let (subscriptions, users, groups, roles, shared) = tokio::join!(
        client.subscriptions().list(org).send(),
        client.users().list(org).send(),
        client.groups().list(org).max(500).items().try_collect::<Vec<_>>(),
        client.roles().list(org).send(),
        managers.shared_into(client, manager),
    );
    match subscriptions {
        Ok(page) => {
            observation.has_subscriptions = !page.items.is_empty();
            observation.subscriptions_name_codes = page.items.iter().any(|s| s.claim_code.is_some());
            observation.held_codes = page.items.iter().filter_map(|s| s.claim_code.clone()).collect();
            observation.claim_codes = Some(
                page.items
                    .iter()
                    .filter_map(|s| s.claim_code.as_deref().map(name_key))
                    .collect(),
            );
        }
        Err(error) => observation
            .failures
            .push(failure("subscriptions", "list", Section::Subscriptions, error)),
    }
    match users {
        Ok(page) => {
            observation.users = Some(
                page.items
                    .into_iter()
                    .filter_map(|user| {
                        Some(SeenUser {
                            id: user.id.to_string(),
                            email: user.email?,
                            first_name: user.first_name,
                            last_name: user.last_name,
                            disabled: user
                                .status
                                .as_ref()
                                .is_some_and(|status| matches!(status.as_str(), "DISABLED" | "DISABLE" | "INACTIVE")),
                        })
                    })
                    .collect(),
            )
        }
        Err(error) => observation
            .failures
            .push(failure("users", "list", Section::Users, error)),
    }
    match roles {
        Ok(page) => observation.roles = Some(page.items),
        Err(error) => observation
            .failures
            .push(failure("roles", "list", Section::Roles, error)),
    }
    let groups = match (groups, shared) {
        (Ok(groups), Ok(shared)) => groups
            .into_iter()
            .map(|group| {
                let is_shared = shared.contains(group.id.as_str());
                (group, is_shared)
            })
            .collect::<Vec<_>>(),
        (Err(error), _) => {
            observation
                .failures
                .push(failure("groups", "list", Section::Groups, error));
            return observation;
        }
        // Which groups are the organization's own cannot be told: nothing may be concluded of them.
        (Ok(_), Err(error)) => {
            observation.failures.push(failure(
                "groups shared by the manager organization",
                "list",
                Section::Groups,
                error,
            ));
            return observation;
        }
    };
    // Details: members and roles of the groups that matter, roles of the users that matter, and
    // where the groups are shared when the organization manages any and the plan says.
    let (members_of, roles_of) = match scope {
        Scope::Everything => (true, true),
        Scope::Plan(plan) => (
            plan.prune.members || plan.groups.iter().any(|g| !g.members.is_empty()) || not_admins(plan),
            plan.prune.roles || !plan.desired_roles().is_empty() || not_admins(plan),
        ),
    };
    let shares_wanted = match scope {
        Scope::Everything => true,
        Scope::Plan(plan) => plan.prune.managed_orgs || plan.groups.iter().any(|g| !g.managed_orgs.is_empty()),
    };
    if shares_wanted {
        match managers.managed_by(client, org).await {
            Ok(managed) => observation.managed = Some(managed),
            Err(error) => {
                observation
                    .failures
                    .push(failure("organizations it manages", "list", Section::Shares, error))
            }
        }
    }
    // Whether the organization manages any (`None`: not asked, or not known).
    let manages = observation.managed.as_ref().map(|managed| !managed.is_empty());
    let wanted_group = |name: &str| match scope {
        Scope::Everything => true,
        Scope::Plan(plan) => {
            // Whether a user holds a role directly or through a group needs every group read.
            plan.prune.roles
                || not_admins(plan)
                || plan.groups.iter().any(|g| name_key(&g.name) == name_key(name))
                || plan
                    .roles
                    .iter()
                    .any(|r| r.groups.iter().any(|g| name_key(g) == name_key(name)))
        }
    };
    let details =
        futures_util::stream::iter(groups.into_iter().map(|(group, shared)| {
            let name = group.name.clone().unwrap_or_default();
            // A shared group's members and roles are read too where needed: a role a user holds through it
            // is not the user's own (the group itself is never changed from here).
            let wanted = wanted_group(&name);
            async move {
                let id = group.id.to_string();
                let (members, held, shares) =
                    tokio::join!(
                        async {
                            if !(wanted && members_of) {
                                return None;
                            }
                            Some(client.groups().get_users(org, id.as_str()).await.map(|page| {
                                page.items
                                    .iter()
                                    .filter_map(|user| user.email.as_ref().map(|e| name_key(e)))
                                    .collect::<HashSet<_>>()
                            }))
                        },
                        async {
                            if !(wanted && roles_of) {
                                return None;
                            }
                            Some(
                                client.groups().get_assigned_roles(org, id.as_str()).await.map(|page| {
                                    page.items.into_iter().map(|r| r.id.to_string()).collect::<HashSet<_>>()
                                }),
                            )
                        },
                        async {
                            match manages {
                                // A group shared in from a manager is the manager's to share.
                                Some(_) if shared || !wanted => None,
                                // Managing none, the organization shares into none: nothing to read.
                                Some(false) => Some(Ok(HashSet::new())),
                                Some(true) => {
                                    Some(client.groups().get_managed_organizations(org, id.as_str()).await.map(
                                        |page| page.items.into_iter().filter_map(|o| o.id).collect::<HashSet<_>>(),
                                    ))
                                }
                                None => None,
                            }
                        },
                    );
                (
                    group.id.to_string(),
                    name,
                    group.description.clone(),
                    members,
                    held,
                    shares,
                    shared,
                )
            }
        }))
        .buffered(8)
        .collect::<Vec<_>>()
        .await;
    let mut seen_groups = Vec::new();
    for (id, name, description, members, held, shares, shared) in details {
        let mut kept = |read: Option<Result<HashSet<String>, Error>>, object: String, action, section| match read {
            Some(Ok(read)) => Some(read),
            Some(Err(error)) => {
                observation.failures.push(failure(object, action, section, error));
                None
            }
            None => None,
        };
        let members = kept(members, format!("members of group {name}"), "list", Section::Members);
        let roles = kept(held, format!("roles of group {name}"), "read", Section::Roles);
        let shares = kept(
            shares,
            format!("organizations group {name} is shared into"),
            "list",
            Section::Shares,
        );
        seen_groups.push(SeenGroup {
            id,
            name,
            description,
            members,
            roles,
            shared,
            shares,
        });
    }
    observation.groups = Some(seen_groups);
    observe_user_roles(client, org, scope, &mut observation).await;
    observation
}

/// The plan says `admin: false` of some user.
fn not_admins(plan: &OrgPlan) -> bool {
    plan.users.iter().any(|user| user.admin == Some(false))
}

/// The roles users hold (directly or through groups, as the service lists them): every user for an export, those named by the plan's roles otherwise.
async fn observe_user_roles(client: &Client, org: &str, scope: Scope<'_>, observation: &mut Observation) {
    let Some(users) = &observation.users else {
        return;
    };
    let concerned: Vec<(String, String)> = users
        .iter()
        .filter(|user| match scope {
            Scope::Everything => true,
            Scope::Plan(plan) => {
                plan.desired_roles()
                    .iter()
                    .any(|role| role.users.iter().any(|email| name_key(email) == name_key(&user.email)))
                    || plan.users.iter().any(|planned| {
                        planned.admin == Some(false) && name_key(&planned.email) == name_key(&user.email)
                    })
            }
        })
        .map(|user| (user.id.clone(), user.email.clone()))
        .collect();
    let reads = futures_util::stream::iter(concerned.into_iter().map(|(id, email)| async move {
        let held = client.roles().list(org).user(id.as_str()).send().await;
        (id, email, held)
    }))
    .buffered(8)
    .collect::<Vec<_>>()
    .await;
    for (id, email, held) in reads {
        match held {
            Ok(page) => {
                observation
                    .user_roles
                    .insert(id, Some(page.items.into_iter().map(|r| r.id.to_string()).collect()));
            }
            Err(error) => {
                observation.user_roles.insert(id, None);
                observation
                    .failures
                    .push(failure(format!("roles of user {email}"), "read", Section::Roles, error));
            }
        }
    }
}

/// The organizations the token reaches, read once per run and indexed by name, so finding each of
/// thousands of organizations costs no request of its own.
#[derive(Debug, Default)]
pub(crate) struct Directory {
    by_name: HashMap<String, Vec<Organization>>,
}

impl Directory {
    /// Every organization the token reaches, in the service's order.
    pub(crate) async fn read_all(client: &Client) -> Result<Vec<Organization>, Error> {
        client.organizations().list().max(500).items().try_collect().await
    }

    pub(crate) async fn read(client: &Client) -> Result<Self, Error> {
        let orgs = Self::read_all(client).await?;
        let mut by_name: HashMap<String, Vec<Organization>> = HashMap::new();
        for org in orgs {
            if let Some(name) = &org.name {
                by_name.entry(name_key(name)).or_default().push(org);
            }
        }
        Ok(Self { by_name })
    }

    pub(crate) fn named(&self, name: &str) -> &[Organization] {
        self.by_name.get(&name_key(name)).map_or(&[], Vec::as_slice)
    }
}

/// The organizations the client reaches whose name is `name` by the one rule names compare by (one
/// filtered request): to catch a duplicate right after a create, or before one.
pub async fn orgs_named(client: &Client, name: &str) -> Result<Vec<Organization>, Error> {
    let orgs: Vec<Organization> = client
        .organizations()
        .list()
        .name(name.trim())
        .max(500)
        .items()
        .try_collect()
        .await?;
    Ok(orgs
        .into_iter()
        .filter(|org| {
            org.name
                .as_deref()
                .is_some_and(|found| name_key(found) == name_key(name))
        })
        .collect())
}

/// The ids of one organization's groups.
type GroupIds = Arc<HashSet<String>>;

/// Which groups are shared into which organization, by the rule the SDK's `remove_shared_group`
/// uses: a group of a managed organization is shared exactly when its manager (`managerOrgId`)
/// holds a group of that id. Each manager's groups are listed once per run.
#[derive(Debug, Default)]
pub(crate) struct Managers {
    /// Each manager's group ids, listed once.
    groups_of: Mutex<HashMap<String, Arc<tokio::sync::OnceCell<GroupIds>>>>,
    /// The organizations each manager manages, from one listing of every organization the token
    /// reaches (made when a plan or an export first asks, again after organizations were created).
    managed: tokio::sync::Mutex<Option<ManagedBy>>,
}

/// Each manager's id, with the organizations it manages.
type ManagedBy = Arc<HashMap<String, Vec<ManagedOrg>>>;

impl Managers {
    /// The organizations `manager` manages, in the service's order.
    pub(crate) async fn managed_by(&self, client: &Client, manager: &str) -> Result<Vec<ManagedOrg>, Error> {
        let mut cached = self.managed.lock().await;
        let by_manager = match &*cached {
            Some(by_manager) => by_manager.clone(),
            None => {
                let mut by_manager: HashMap<String, Vec<ManagedOrg>> = HashMap::new();
                for org in Directory::read_all(client).await? {
                    if let Some(manager) = org.manager_org_id() {
                        by_manager.entry(manager.to_owned()).or_default().push(ManagedOrg {
                            id: org.id.to_string(),
                            name: org.name.clone().unwrap_or_default(),
                        });
                    }
                }
                cached.insert(Arc::new(by_manager)).clone()
            }
        };
        Ok(by_manager.get(manager).cloned().unwrap_or_default())
    }

    /// Organizations were created: who manages what is read again on the next question.
    pub(crate) async fn forget_managed(&self) {
        *self.managed.lock().await = None;
    }

    /// The ids of the groups shared into an organization whose manager is `manager` (none
    /// without a manager).
    pub(crate) async fn shared_into(&self, client: &Client, manager: Option<String>) -> Result<GroupIds, Error> {
        let Some(manager) = manager else {
            return Ok(Arc::default());
        };
        let cell = self
            .groups_of
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(manager.clone())
            .or_default()
            .clone();
        cell.get_or_try_init(|| async {
            let groups: Vec<scc_sdk::types::AdminGroup> = client
                .groups()
                .list(manager.as_str())
                .max(500)
                .items()
                .try_collect()
                .await?;
            Ok(Arc::new(groups.into_iter().map(|group| group.id.to_string()).collect()))
        })
        .await
        .cloned()
    }
}

impl Observation {
    /// A digest of what was read, the same for the same state however the service ordered it: a
    /// saved plan records it, and applying the plan refuses it when the state reads otherwise.
    pub(crate) fn fingerprint(&self) -> String {
        fn sorted(set: &Option<HashSet<String>>) -> Option<BTreeSet<&String>> {
            set.as_ref().map(|set| set.iter().collect())
        }
        let users: Option<BTreeMap<&str, serde_json::Value>> = self.users.as_ref().map(|users| {
            users
                .iter()
                .map(|user| {
                    (
                        user.id.as_str(),
                        serde_json::json!([user.email, user.first_name, user.last_name]),
                    )
                })
                .collect()
        });
        let groups: Option<BTreeMap<&str, serde_json::Value>> = self.groups.as_ref().map(|groups| {
            groups
                .iter()
                .map(|group| {
                    (
                        group.id.as_str(),
                        serde_json::json!([
                            group.name,
                            group.description,
                            sorted(&group.members),
                            sorted(&group.roles),
                            group.shared,
                            sorted(&group.shares)
                        ]),
                    )
                })
                .collect()
        });
        let roles: Option<BTreeMap<String, serde_json::Value>> = self.roles.as_ref().map(|roles| {
            roles
                .iter()
                .map(|role| {
                    let products: BTreeSet<&str> = role
                        .products
                        .iter()
                        .flatten()
                        .filter_map(|p| p.name.as_deref())
                        .collect();
                    (role.id.to_string(), serde_json::json!([role.display_name, products]))
                })
                .collect()
        });
        let user_roles: BTreeMap<&String, Option<BTreeSet<&String>>> = self
            .user_roles
            .iter()
            .map(|(user, held)| (user, sorted(held)))
            .collect();
        let canonical = serde_json::json!({
            "claim_codes": sorted(&self.claim_codes),
            "users": users,
            "groups": groups,
            "roles": roles,
            "user_roles": user_roles,
            // By name: an organization this run creates is the same one before and after it exists.
            "managed": self.managed.as_ref().map(|managed| managed.iter().map(|org| name_key(&org.name)).collect::<BTreeSet<_>>()),
        });
        format!(
            "fnv1a64:{:016x}",
            crate::digest::fnv1a(canonical.to_string().as_bytes())
        )
    }
}
