//! `client.users()`.

use reqwest::Method;
use serde::Serialize;

use super::optional_setters;
use crate::bulk::BulkResult;
use crate::pagination::Page;
use crate::transport::Request;
use crate::types::{AdminGroup, OrgId, User, UserId, UserOperation, UserStatus};
use crate::{Client, Error, Result, validate};

/// Users: `client.users()`. The bulk operations address users by e-mail.
#[derive(Debug, Clone)]
pub struct Users {
    client: Client,
}

impl Users {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `GET /organizations/{orgId}/users`.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use scc_sdk::types::UserStatus;
    /// let pending = client.users().list("org-uuid").status(UserStatus::Pending).send().await?;
    /// for user in &pending {
    ///     println!("{:?}", user.email);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self, org_id: impl Into<OrgId>) -> ListUsers {
        ListUsers {
            client: self.client.clone(),
            org_id: org_id.into(),
            status: None,
        }
    }

    /// `GET /organizations/{orgId}/users/{userId}`.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let user = client.users().get("org-uuid", "00u2k67hy1xf3mRxG0h8").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, org_id: impl Into<OrgId>, user_id: impl Into<UserId>) -> Result<User> {
        let request = Request::new("users.get", Method::GET, "organizations/{org_id}/users/{user_id}")
            .param("org_id", org_id.into())
            .param("user_id", user_id.into());
        self.client.send(request).await
    }

    /// `PUT /organizations/{orgId}/users/{userId}`: changes the names given, and only those.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let user = client.users().update("org-uuid", "00u2k67hy1xf3mRxG0h8").first_name("Jane").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, org_id: impl Into<OrgId>, user_id: impl Into<UserId>) -> UpdateUser {
        UpdateUser {
            client: self.client.clone(),
            org_id: org_id.into(),
            user_id: user_id.into(),
            first_name: None,
            last_name: None,
        }
    }

    /// `PATCH /organizations/{orgId}/users`: up to 500 user operations in one request, one result
    /// per item.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use scc_sdk::types::UserOperation;
    /// let result = client
    ///     .users()
    ///     .patch(
    ///         "org-uuid",
    ///         vec![
    ///             UserOperation::invite("john.doe@example.com", "John", "Doe").admin(true),
    ///             UserOperation::disable("old@example.com"),
    ///         ],
    ///     )
    ///     .await?;
    /// println!("{:?}", result.summary());
    /// # Ok(()) }
    /// ```
    pub async fn patch(&self, org_id: impl Into<OrgId>, users: Vec<UserOperation>) -> Result<BulkResult> {
        validate::bulk_len("users", users.len())?;
        for (index, item) in users.iter().enumerate() {
            item.validate(&format!("users[{index}]"))?;
        }
        #[derive(Serialize)]
        struct Body<'a> {
            users: &'a [UserOperation],
        }
        let request = Request::new("users.patch", Method::PATCH, "organizations/{org_id}/users")
            .param("org_id", org_id.into())
            .json(&Body { users: &users })?;
        self.client.send(request).await
    }

    /// `GET /organizations/{orgId}/users/{userId}/groups`: the admin groups the user belongs to.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let groups = client.users().get_groups("org-uuid", "00u2k67hy1xf3mRxG0h8").await?;
    /// for group in &groups {
    ///     println!("Group: {:?}", group.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_groups(&self, org_id: impl Into<OrgId>, user_id: impl Into<UserId>) -> Result<Page<AdminGroup>> {
        let request = Request::new(
            "users.get_groups",
            Method::GET,
            "organizations/{org_id}/users/{user_id}/groups",
        )
        .param("org_id", org_id.into())
        .param("user_id", user_id.into());
        self.client.send_page(request).await
    }

    /// Invites one user (`operation: invite`); `is_admin` gives the organization administrator role.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let result = client.users().invite("org-uuid", "ana@example.com", "Ana", "Silva").is_admin(true).send().await?;
    /// assert!(result.summary().all_successful);
    /// # Ok(()) }
    /// ```
    pub fn invite(
        &self,
        org_id: impl Into<OrgId>,
        email: impl Into<String>,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
    ) -> InviteUser {
        InviteUser {
            users: self.clone(),
            org_id: org_id.into(),
            operation: UserOperation::invite(email, first_name, last_name),
        }
    }

    /// Enables one user.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// client.users().enable("org-uuid", "ana@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub async fn enable(&self, org_id: impl Into<OrgId>, email: impl Into<String>) -> Result<BulkResult> {
        self.patch(org_id, vec![UserOperation::enable(email)]).await
    }

    /// Disables one user.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// client.users().disable("org-uuid", "ana@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub async fn disable(&self, org_id: impl Into<OrgId>, email: impl Into<String>) -> Result<BulkResult> {
        self.patch(org_id, vec![UserOperation::disable(email)]).await
    }

    /// Removes one user from the organization.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// client.users().remove("org-uuid", "ana@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove(&self, org_id: impl Into<OrgId>, email: impl Into<String>) -> Result<BulkResult> {
        self.patch(org_id, vec![UserOperation::remove(email)]).await
    }

    /// Sends one user's invitation e-mail again.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// client.users().resend_email_invite("org-uuid", "ana@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub async fn resend_email_invite(&self, org_id: impl Into<OrgId>, email: impl Into<String>) -> Result<BulkResult> {
        self.patch(org_id, vec![UserOperation::resend_email_invite(email)])
            .await
    }

    /// Sends one user a password reset.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// client.users().reset_password("org-uuid", "ana@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub async fn reset_password(&self, org_id: impl Into<OrgId>, email: impl Into<String>) -> Result<BulkResult> {
        self.patch(org_id, vec![UserOperation::reset_password(email)]).await
    }

    /// Resets one MFA factor of a user; the factor id is required.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// client.users().reset_mfa("org-uuid", "ana@example.com", "uft2odnt5ez9xSslf0h8").await?;
    /// # Ok(()) }
    /// ```
    pub async fn reset_mfa(
        &self,
        org_id: impl Into<OrgId>,
        email: impl Into<String>,
        factor_id: impl Into<String>,
    ) -> Result<BulkResult> {
        self.patch(org_id, vec![UserOperation::reset_mfa(email, factor_id)])
            .await
    }
}

/// Builder of [`Users::list`].
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct ListUsers {
    client: Client,
    org_id: OrgId,
    status: Option<UserStatus>,
}

impl ListUsers {
    optional_setters! {
        /// `status` filter.
        status / set_status: into UserStatus;
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Page<User>> {
        let request = Request::new("users.list", Method::GET, "organizations/{org_id}/users")
            .param("org_id", self.org_id)
            .query_opt("status", self.status);
        self.client.send_page(request).await
    }
}

/// Builder of [`Users::update`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct UpdateUser {
    #[serde(skip)]
    client: Client,
    #[serde(skip)]
    org_id: OrgId,
    #[serde(skip)]
    user_id: UserId,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<String>,
}

impl UpdateUser {
    optional_setters! {
        /// `firstName`.
        first_name / set_first_name: into String;
        /// `lastName`.
        last_name / set_last_name: into String;
    }

    /// Sends the request; at least one name must be given.
    pub async fn send(mut self) -> Result<User> {
        self.first_name = self.first_name.filter(|name| !name.trim().is_empty());
        self.last_name = self.last_name.filter(|name| !name.trim().is_empty());
        if self.first_name.is_none() && self.last_name.is_none() {
            return Err(Error::invalid(
                "first_name",
                "or `last_name` must be given: there is nothing to update",
            ));
        }
        let request = Request::new("users.update", Method::PUT, "organizations/{org_id}/users/{user_id}")
            .param("org_id", &self.org_id)
            .param("user_id", &self.user_id)
            .json(&self)?;
        self.client.send(request).await
    }
}

/// Builder of [`Users::invite`].
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct InviteUser {
    users: Users,
    org_id: OrgId,
    operation: UserOperation,
}

impl InviteUser {
    /// `isAdmin`: also give the organization administrator role (sent whenever set).
    pub fn is_admin(mut self, is_admin: bool) -> Self {
        self.operation = self.operation.admin(is_admin);
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<BulkResult> {
        self.users.patch(self.org_id, vec![self.operation]).await
    }
}
