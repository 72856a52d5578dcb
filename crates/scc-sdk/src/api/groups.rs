//! `client.groups()`.

use serde::Serialize;

use super::optional_setters;
use crate::bulk::BulkResult;
use crate::catalog::{self, OperationInfo};
use crate::operation::Operation;
use crate::pagination::{ItemStream, Page, PageStream, item_stream, page_stream};
use crate::request::Request;
use crate::types::{AdminGroup, AppliesTo, GroupId, ManagedOrganization, MemberChange, OrgId, Role, User};
use crate::{Client, Error, Result, validate};

/// Admin groups: `client.groups()`.
#[derive(Debug, Clone)]
pub struct Groups {
    client: Client,
}

impl Groups {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `GET /organizations/{orgId}/adminGroups`: a page of admin groups (`max` and `cursor` are sent
    /// only when set).
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let page = client.groups().list("org-uuid").max(50).send().await?;
    /// for group in &page {
    ///     println!("{} {:?}", group.id, group.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self, org_id: impl Into<OrgId>) -> ListGroups {
        ListGroups {
            client: self.client.clone(),
            org_id: org_id.into(),
            max: None,
            cursor: None,
            max_items: None,
        }
    }

    /// `GET /organizations/{orgId}/adminGroups/{groupId}`.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let group = client.groups().get("org-uuid", "e980e881-b61f-11f0-a9b4-06fbd2118f4e").await?;
    /// # Ok(()) }
    /// ```
    pub fn get(&self, org_id: impl Into<OrgId>, group_id: impl Into<GroupId>) -> Operation<AdminGroup> {
        Operation::json(&self.client, move || {
            Ok(group_request(&catalog::GROUPS_GET, org_id.into(), group_id.into()))
        })
    }

    /// `POST /organizations/{orgId}/adminGroups`.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use scc_sdk::types::AppliesTo;
    /// let group = client
    ///     .groups()
    ///     .create("org-uuid", "Engineering Team")
    ///     .description("Engineering department group")
    ///     .applies_to(AppliesTo::SelectedManaged)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, org_id: impl Into<OrgId>, name: impl Into<String>) -> CreateGroup {
        CreateGroup {
            client: self.client.clone(),
            org_id: org_id.into(),
            name: name.into(),
            description: None,
            applies_to: None,
        }
    }

    /// `PUT /organizations/{orgId}/adminGroups/{groupId}`: changes the fields given, and only those.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let group = client
    ///     .groups()
    ///     .update("org-uuid", "group-uuid")
    ///     .name("Updated Team Name")
    ///     .description("Updated description")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, org_id: impl Into<OrgId>, group_id: impl Into<GroupId>) -> UpdateGroup {
        UpdateGroup {
            client: self.client.clone(),
            org_id: org_id.into(),
            group_id: group_id.into(),
            name: None,
            description: None,
        }
    }

    /// `DELETE /organizations/{orgId}/adminGroups/{groupId}`.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// client.groups().delete("org-uuid", "group-uuid").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, org_id: impl Into<OrgId>, group_id: impl Into<GroupId>) -> Operation<()> {
        Operation::empty(&self.client, move || {
            let request = group_request(&catalog::GROUPS_DELETE, org_id.into(), group_id.into());
            Ok(request)
        })
    }

    /// `PATCH /organizations/{orgId}/adminGroups/{groupId}`: adds or removes users (by e-mail) and
    /// managed organizations; one result per item.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let result = client
    ///     .groups()
    ///     .patch("org-uuid", "group-uuid")
    ///     .add_user("user@example.com")
    ///     .add_user("admin@example.com")
    ///     .remove_managed_org("managed-org-id")
    ///     .send()
    ///     .await?;
    /// println!("{:?}", result.summary());
    /// # Ok(()) }
    /// ```
    pub fn patch(&self, org_id: impl Into<OrgId>, group_id: impl Into<GroupId>) -> PatchGroup {
        PatchGroup {
            client: self.client.clone(),
            org_id: org_id.into(),
            group_id: group_id.into(),
            users: Vec::new(),
            managed_org: Vec::new(),
        }
    }

    /// `GET …/adminGroups/{groupId}/users`: the group's members.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let users = client.groups().get_users("org-uuid", "group-uuid").await?;
    /// for user in &users {
    ///     println!("User: {:?}", user.email);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get_users(&self, org_id: impl Into<OrgId>, group_id: impl Into<GroupId>) -> Operation<Page<User>> {
        Operation::page(&self.client, move || {
            let request = group_request(&catalog::GROUPS_GET_USERS, org_id.into(), group_id.into());
            Ok(request)
        })
    }

    /// `GET …/adminGroups/{groupId}/roles`: the roles assigned to the group.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let roles = client.groups().get_assigned_roles("org-uuid", "group-uuid").await?;
    /// for role in &roles {
    ///     println!("Role: {:?}", role.display_name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get_assigned_roles(&self, org_id: impl Into<OrgId>, group_id: impl Into<GroupId>) -> Operation<Page<Role>> {
        Operation::page(&self.client, move || {
            let request = group_request(&catalog::GROUPS_GET_ASSIGNED_ROLES, org_id.into(), group_id.into());
            Ok(request)
        })
    }

    /// `GET …/adminGroups/{groupId}/managedOrgs`: the managed organizations a shared group reaches.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let managed = client.groups().get_managed_organizations("org-uuid", "group-uuid").await?;
    /// # Ok(()) }
    /// ```
    pub fn get_managed_organizations(
        &self,
        org_id: impl Into<OrgId>,
        group_id: impl Into<GroupId>,
    ) -> Operation<Page<ManagedOrganization>> {
        Operation::page(&self.client, move || {
            let request = group_request(
                &catalog::GROUPS_GET_MANAGED_ORGANIZATIONS,
                org_id.into(),
                group_id.into(),
            );
            Ok(request)
        })
    }

    /// Removes a group shared by the manager from a managed organization: `DELETE
    /// …/adminGroups/{groupId}` sent for the managed organization. The manager's group stays; only the
    /// share ends. (No separate endpoint exists: docs/decisions.md, "Shared groups".)
    ///
    /// A method named for removing a share never deletes a group: before sending, it reads the
    /// organization's manager (`managerOrgId`) and checks that the manager holds a group of this id;
    /// otherwise it refuses with [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming
    /// `group_id` and pointing to [`delete`](Self::delete).
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// client.groups().remove_shared_group("managed-org-uuid", "group-uuid").await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove_shared_group(&self, org_id: impl Into<OrgId>, group_id: impl Into<GroupId>) -> Result<()> {
        let org_id = org_id.into();
        let group_id = group_id.into();
        let not_shared = |why: String| {
            Error::invalid(
                "group_id",
                format!(
                    "{why}, so it is not a shared group; removing a share never deletes a group \
                     (to delete the organization's own group, use groups.delete)"
                ),
            )
        };
        let org = self.client.organizations().get(org_id.clone()).await?;
        let manager = org
            .manager_org_id()
            .map(str::to_owned)
            .ok_or_else(|| not_shared(format!("organization {} has no manager organization", org_id.as_str())))?;
        match self.get(manager.as_str(), group_id.clone()).await {
            Ok(_) => {}
            Err(error) if error.is_not_found() => {
                return Err(not_shared(format!(
                    "group {} is not a group of the manager organization {manager}",
                    group_id.as_str()
                )));
            }
            Err(error) => return Err(error),
        }
        let request = group_request(&catalog::GROUPS_REMOVE_SHARED_GROUP, org_id, group_id);
        Operation::<()>::empty(&self.client, move || Ok(request)).await
    }
}

fn group_request(operation: &'static OperationInfo, org_id: OrgId, group_id: GroupId) -> Request {
    Request::of(operation)
        .param("org_id", org_id)
        .param("group_id", group_id)
}

/// Checks one list of membership changes: at most 500, ids not empty, e-mails well formed where the
/// id is an e-mail.
pub(crate) fn check_changes(field: &str, changes: &[MemberChange], ids_are_emails: bool) -> Result<()> {
    if !changes.is_empty() {
        // Each list may be empty on its own; the caller checks that some change is given.
        validate::bulk_len(field, changes.len())?;
    }
    for (index, change) in changes.iter().enumerate() {
        let id_field = format!("{field}[{index}].id");
        if ids_are_emails {
            validate::email(&id_field, &change.id)?;
        } else {
            validate::non_empty(&id_field, &change.id)?;
        }
        validate::non_empty(&format!("{field}[{index}].operation"), change.operation.as_str())?;
    }
    Ok(())
}

/// Builder of [`Groups::list`].
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct ListGroups {
    client: Client,
    org_id: OrgId,
    max: Option<u32>,
    cursor: Option<String>,
    max_items: Option<usize>,
}

impl ListGroups {
    optional_setters! {
        /// `max`: page size, 1..=500.
        max / set_max: exact u32;
        /// `cursor` of the page to read.
        cursor / set_cursor: into String;
        /// The most items [`pages`](Self::pages) and [`items`](Self::items) yield in all.
        max_items / set_max_items: exact usize;
    }

    /// Every page, lazily, following the next cursor until the last page or `max_items`.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let pages: Vec<_> = client.groups().list("org-uuid").pages().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> PageStream<AdminGroup> {
        let first = self.cursor.clone();
        let max_items = self.max_items;
        page_stream(first, max_items, move |cursor| {
            let mut request = self.clone();
            request.cursor = cursor;
            request.send()
        })
    }

    /// Every admin group across pages, lazily.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let groups: Vec<_> = client.groups().list("org-uuid").items().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn items(self) -> ItemStream<AdminGroup> {
        item_stream(self.pages())
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Page<AdminGroup>> {
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(self) -> Operation<Page<AdminGroup>> {
        let client = self.client.clone();
        Operation::page(&client, move || {
            if let Some(max) = self.max {
                validate::page_size("max", max)?;
            }
            let request = Request::of(&catalog::GROUPS_LIST)
                .param("org_id", self.org_id)
                .query_opt("max", self.max)
                .query_opt("cursor", self.cursor);
            Ok(request)
        })
    }
}

/// Builder of [`Groups::create`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct CreateGroup {
    #[serde(skip)]
    client: Client,
    #[serde(skip)]
    org_id: OrgId,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    applies_to: Option<AppliesTo>,
}

impl CreateGroup {
    optional_setters! {
        /// `description` (sent only when not empty).
        description / set_description: into String;
        /// `appliesTo`: `all`, `manager` or `selected_managed`.
        applies_to / set_applies_to: into AppliesTo;
    }

    /// Sends the request.
    pub async fn send(self) -> Result<AdminGroup> {
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(mut self) -> Operation<AdminGroup> {
        let client = self.client.clone();
        Operation::json(&client, move || {
            validate::name("name", &self.name)?;
            self.description = self.description.filter(|text| !text.is_empty());
            let request = Request::of(&catalog::GROUPS_CREATE)
                .param("org_id", &self.org_id)
                .json(&self)?;
            Ok(request)
        })
    }
}

/// Builder of [`Groups::update`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct UpdateGroup {
    #[serde(skip)]
    client: Client,
    #[serde(skip)]
    org_id: OrgId,
    #[serde(skip)]
    group_id: GroupId,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl UpdateGroup {
    optional_setters! {
        /// `name`.
        name / set_name: into String;
        /// `description`.
        description / set_description: into String;
    }

    /// Sends the request; at least one field must be given.
    pub async fn send(self) -> Result<AdminGroup> {
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(mut self) -> Operation<AdminGroup> {
        let client = self.client.clone();
        Operation::json(&client, move || {
            self.name = self.name.filter(|name| !name.trim().is_empty());
            self.description = self.description.filter(|text| !text.is_empty());
            if let Some(name) = &self.name {
                validate::name("name", name)?;
            }
            if self.name.is_none() && self.description.is_none() {
                return Err(Error::invalid(
                    "name",
                    "or `description` must be given: there is nothing to update",
                ));
            }
            let request =
                group_request(&catalog::GROUPS_UPDATE, self.org_id.clone(), self.group_id.clone()).json(&self)?;
            Ok(request)
        })
    }
}

/// Builder of [`Groups::patch`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct PatchGroup {
    #[serde(skip)]
    client: Client,
    #[serde(skip)]
    org_id: OrgId,
    #[serde(skip)]
    group_id: GroupId,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    users: Vec<MemberChange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    managed_org: Vec<MemberChange>,
}

impl PatchGroup {
    /// Adds the user with this e-mail to the group.
    pub fn add_user(mut self, email: impl Into<String>) -> Self {
        self.users.push(MemberChange::add(email));
        self
    }
    /// Removes the user with this e-mail from the group.
    pub fn remove_user(mut self, email: impl Into<String>) -> Self {
        self.users.push(MemberChange::remove(email));
        self
    }
    /// Shares the group with a managed organization.
    pub fn add_managed_org(mut self, managed_org_id: impl Into<String>) -> Self {
        self.managed_org.push(MemberChange::add(managed_org_id));
        self
    }
    /// Stops sharing the group with a managed organization.
    pub fn remove_managed_org(mut self, managed_org_id: impl Into<String>) -> Self {
        self.managed_org.push(MemberChange::remove(managed_org_id));
        self
    }
    /// `users`: membership changes, ids are e-mails (appended to those already given).
    pub fn users(mut self, changes: impl IntoIterator<Item = MemberChange>) -> Self {
        self.users.extend(changes);
        self
    }
    /// `managedOrg`: managed-organization changes (appended to those already given).
    pub fn managed_orgs(mut self, changes: impl IntoIterator<Item = MemberChange>) -> Self {
        self.managed_org.extend(changes);
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
            if self.users.is_empty() && self.managed_org.is_empty() {
                return Err(Error::invalid("users", "or `managedOrg` must hold at least one change"));
            }
            check_changes("users", &self.users, true)?;
            check_changes("managedOrg", &self.managed_org, false)?;
            let request =
                group_request(&catalog::GROUPS_PATCH, self.org_id.clone(), self.group_id.clone()).json(&self)?;
            Ok(request)
        })
    }
}
