//! `client.roles()`.

use serde::Serialize;

use super::groups::check_changes;
use super::optional_setters;
use crate::bulk::BulkResult;
use crate::catalog;
use crate::operation::Operation;
use crate::pagination::Page;
use crate::request::Request;
use crate::types::{MemberChange, OrgId, Role, RoleId, RoleType, UserId};
use crate::{Client, Error, Result, validate};

/// Roles and role assignments: `client.roles()`.
#[derive(Debug, Clone)]
pub struct Roles {
    client: Client,
}

impl Roles {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `GET /organizations/{orgId}/roles`, optionally only one type or only the roles of one user.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use scc_sdk::types::RoleType;
    /// let roles = client.roles().list("org-uuid").role_type(RoleType::Static).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self, org_id: impl Into<OrgId>) -> ListRoles {
        ListRoles {
            client: self.client.clone(),
            org_id: org_id.into(),
            role_type: None,
            user: None,
        }
    }

    /// `GET /organizations/{orgId}/roles/{roleId}`.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let role = client.roles().get("org-uuid", "role-uuid").await?;
    /// for product in role.products.iter().flatten() {
    ///     println!("Product: {:?}", product.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get(&self, org_id: impl Into<OrgId>, role_id: impl Into<RoleId>) -> Operation<Role> {
        Operation::json(&self.client, move || {
            let request = Request::of(&catalog::ROLES_GET)
                .param("org_id", org_id.into())
                .param("role_id", role_id.into());
            Ok(request)
        })
    }

    /// `PATCH /organizations/{orgId}/roles/{roleId}`: assigns the role to users and groups or takes it
    /// away; one result per item, and a [`summary`](BulkResult::summary) computed here.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let result = client.roles().patch("org-uuid", "role-uuid").add_group("group-uuid").send().await?;
    /// if result.summary().all_successful {
    ///     println!("All role assignments successful");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn patch(&self, org_id: impl Into<OrgId>, role_id: impl Into<RoleId>) -> PatchRole {
        PatchRole {
            client: self.client.clone(),
            org_id: org_id.into(),
            role_id: role_id.into(),
            users: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// The id of the role with exactly this display name among the `STATIC` roles of a product, or
    /// `None` (one `GET roles?type=STATIC`).
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let role_id = client
    ///     .roles()
    ///     .find_role_id("org-uuid", "Security Cloud Control", "Organization Administrator")
    ///     .await?;
    /// if let Some(role_id) = role_id {
    ///     println!("Found role ID: {role_id}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn find_role_id(
        &self,
        org_id: impl Into<OrgId>,
        product_name: &str,
        role_display_name: &str,
    ) -> Result<Option<RoleId>> {
        validate::non_empty("product_name", product_name)?;
        validate::non_empty("role_display_name", role_display_name)?;
        let roles = self.list(org_id).role_type(RoleType::Static).send().await?;
        Ok(roles
            .into_iter()
            .find(|role| role.display_name.as_deref() == Some(role_display_name) && role.has_product(product_name))
            .map(|role| role.id))
    }
}

/// Builder of [`Roles::list`].
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct ListRoles {
    client: Client,
    org_id: OrgId,
    role_type: Option<RoleType>,
    user: Option<UserId>,
}

impl ListRoles {
    optional_setters! {
        /// `type`.
        role_type / set_role_type: into RoleType;
        /// `user`: only the roles assigned to this user id.
        user / set_user: into UserId;
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Page<Role>> {
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(self) -> Operation<Page<Role>> {
        let client = self.client.clone();
        Operation::page(&client, move || {
            let request = Request::of(&catalog::ROLES_LIST)
                .param("org_id", self.org_id)
                .query_opt("type", self.role_type)
                .query_opt("user", self.user);
            Ok(request)
        })
    }
}

/// Builder of [`Roles::patch`].
#[derive(Debug, Clone, Serialize)]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct PatchRole {
    #[serde(skip)]
    client: Client,
    #[serde(skip)]
    org_id: OrgId,
    #[serde(skip)]
    role_id: RoleId,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    users: Vec<MemberChange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    groups: Vec<MemberChange>,
}

impl PatchRole {
    /// Assigns the role to a user (id or e-mail, passed through as given).
    pub fn add_user(mut self, user: impl Into<String>) -> Self {
        self.users.push(MemberChange::add(user));
        self
    }
    /// Takes the role from a user.
    pub fn remove_user(mut self, user: impl Into<String>) -> Self {
        self.users.push(MemberChange::remove(user));
        self
    }
    /// Assigns the role to an admin group.
    pub fn add_group(mut self, group_id: impl Into<String>) -> Self {
        self.groups.push(MemberChange::add(group_id));
        self
    }
    /// Takes the role from an admin group.
    pub fn remove_group(mut self, group_id: impl Into<String>) -> Self {
        self.groups.push(MemberChange::remove(group_id));
        self
    }
    /// `users` changes (appended to those already given).
    pub fn users(mut self, changes: impl IntoIterator<Item = MemberChange>) -> Self {
        self.users.extend(changes);
        self
    }
    /// `groups` changes (appended to those already given).
    pub fn groups(mut self, changes: impl IntoIterator<Item = MemberChange>) -> Self {
        self.groups.extend(changes);
        self
    }

    /// Sends the request; at least one change must be given.
    pub async fn send(self) -> Result<BulkResult> {
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(self) -> Operation<BulkResult> {
        let client = self.client.clone();
        Operation::json(&client, move || {
            if self.users.is_empty() && self.groups.is_empty() {
                return Err(Error::invalid("users", "or `groups` must hold at least one change"));
            }
            check_changes("users", &self.users, false)?;
            check_changes("groups", &self.groups, false)?;
            let request = Request::of(&catalog::ROLES_PATCH)
                .param("org_id", &self.org_id)
                .param("role_id", &self.role_id)
                .json(&self)?;
            Ok(request)
        })
    }
}
