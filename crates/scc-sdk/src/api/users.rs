//! `client.users()`.

use serde::Serialize;

use super::optional_setters;
use std::sync::Arc;

use futures_util::StreamExt;

use crate::bulk::{BulkItem, BulkReport, BulkResult, ItemOutcome, match_results};
use crate::catalog;
use crate::operation::Operation;
use crate::pagination::Page;
use crate::request::Request;
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
    pub fn get(&self, org_id: impl Into<OrgId>, user_id: impl Into<UserId>) -> Operation<User> {
        Operation::json(&self.client, move || {
            let request = Request::of(&catalog::USERS_GET)
                .param("org_id", org_id.into())
                .param("user_id", user_id.into());
            Ok(request)
        })
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
    pub fn patch(&self, org_id: impl Into<OrgId>, users: Vec<UserOperation>) -> Operation<BulkResult> {
        Operation::json(&self.client, move || {
            validate::bulk_len("users", users.len())?;
            for (index, item) in users.iter().enumerate() {
                item.validate(&format!("users[{index}]"))?;
            }
            #[derive(Serialize)]
            struct Body<'a> {
                users: &'a [UserOperation],
            }
            let request = Request::of(&catalog::USERS_PATCH)
                .param("org_id", org_id.into())
                .json(&Body { users: &users })?;
            Ok(request)
        })
    }

    /// Any number of user operations: split into requests of at most 500 (checked one by one first),
    /// sent with bounded concurrency, and reported with one outcome per input item in input order. A
    /// request that still fails after retries marks each of its items failed with its error; no item
    /// is dropped or reported twice.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use scc_sdk::types::UserOperation;
    /// let operations: Vec<_> = (0..2_000)
    ///     .map(|i| UserOperation::invite(format!("user{i}@example.com"), "New", "User"))
    ///     .collect();
    /// let report = client.users().patch_all("org-uuid", operations).concurrency(4).send().await;
    /// for failure in report.failures() {
    ///     println!("{}: {:?}", failure.email, failure.outcome.failure_reason());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn patch_all(&self, org_id: impl Into<OrgId>, operations: Vec<UserOperation>) -> PatchAllUsers {
        PatchAllUsers {
            users: self.clone(),
            org_id: org_id.into(),
            operations,
            concurrency: 4,
            chunk_size: validate::MAX_BULK_ITEMS,
            progress: None,
        }
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
    pub fn get_groups(&self, org_id: impl Into<OrgId>, user_id: impl Into<UserId>) -> Operation<Page<AdminGroup>> {
        Operation::page(&self.client, move || {
            let request = Request::of(&catalog::USERS_GET_GROUPS)
                .param("org_id", org_id.into())
                .param("user_id", user_id.into());
            Ok(request)
        })
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
    pub fn enable(&self, org_id: impl Into<OrgId>, email: impl Into<String>) -> Operation<BulkResult> {
        self.patch(org_id, vec![UserOperation::enable(email)])
    }

    /// Disables one user.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// client.users().disable("org-uuid", "ana@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub fn disable(&self, org_id: impl Into<OrgId>, email: impl Into<String>) -> Operation<BulkResult> {
        self.patch(org_id, vec![UserOperation::disable(email)])
    }

    /// Removes one user from the organization.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// client.users().remove("org-uuid", "ana@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub fn remove(&self, org_id: impl Into<OrgId>, email: impl Into<String>) -> Operation<BulkResult> {
        self.patch(org_id, vec![UserOperation::remove(email)])
    }

    /// Sends one user's invitation e-mail again.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// client.users().resend_email_invite("org-uuid", "ana@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub fn resend_email_invite(&self, org_id: impl Into<OrgId>, email: impl Into<String>) -> Operation<BulkResult> {
        self.patch(org_id, vec![UserOperation::resend_email_invite(email)])
    }

    /// Sends one user a password reset.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// client.users().reset_password("org-uuid", "ana@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub fn reset_password(&self, org_id: impl Into<OrgId>, email: impl Into<String>) -> Operation<BulkResult> {
        self.patch(org_id, vec![UserOperation::reset_password(email)])
    }

    /// Resets one MFA factor of a user; the factor id is required.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// client.users().reset_mfa("org-uuid", "ana@example.com", "uft2odnt5ez9xSslf0h8").await?;
    /// # Ok(()) }
    /// ```
    pub fn reset_mfa(
        &self,
        org_id: impl Into<OrgId>,
        email: impl Into<String>,
        factor_id: impl Into<String>,
    ) -> Operation<BulkResult> {
        self.patch(org_id, vec![UserOperation::reset_mfa(email, factor_id)])
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
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(self) -> Operation<Page<User>> {
        let client = self.client.clone();
        Operation::page(&client, move || {
            let request = Request::of(&catalog::USERS_LIST)
                .param("org_id", self.org_id)
                .query_opt("status", self.status);
            Ok(request)
        })
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
    pub async fn send(self) -> Result<User> {
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(mut self) -> Operation<User> {
        let client = self.client.clone();
        Operation::json(&client, move || {
            self.first_name = self.first_name.filter(|name| !name.trim().is_empty());
            self.last_name = self.last_name.filter(|name| !name.trim().is_empty());
            if self.first_name.is_none() && self.last_name.is_none() {
                return Err(Error::invalid(
                    "first_name",
                    "or `last_name` must be given: there is nothing to update",
                ));
            }
            let request = Request::of(&catalog::USERS_UPDATE)
                .param("org_id", &self.org_id)
                .param("user_id", &self.user_id)
                .json(&self)?;
            Ok(request)
        })
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
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(self) -> Operation<BulkResult> {
        self.users.patch(self.org_id, vec![self.operation])
    }
}

/// A progress callback: items done, items in all.
pub type ProgressFn = Arc<dyn Fn(usize, usize) + Send + Sync>;

/// Builder of [`Users::patch_all`].
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct PatchAllUsers {
    users: Users,
    org_id: OrgId,
    operations: Vec<UserOperation>,
    concurrency: usize,
    chunk_size: usize,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for PatchAllUsers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatchAllUsers")
            .field("org_id", &self.org_id)
            .field("operations", &self.operations.len())
            .field("concurrency", &self.concurrency)
            .field("chunk_size", &self.chunk_size)
            .finish_non_exhaustive()
    }
}

impl PatchAllUsers {
    /// Requests in flight at once (default 4, at least 1).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Items per request (default and most 500).
    pub fn chunk_size(mut self, size: usize) -> Self {
        self.chunk_size = size.clamp(1, validate::MAX_BULK_ITEMS);
        self
    }

    /// Called after each request with the items done so far and the total.
    pub fn on_progress(mut self, progress: impl Fn(usize, usize) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Runs the job. It never fails as a whole: every failure is in the item it concerns.
    pub async fn send(self) -> BulkReport {
        let total = self.operations.len();
        let mut outcomes: Vec<Option<ItemOutcome>> = vec![None; total];
        let mut valid = Vec::with_capacity(total);
        for (index, operation) in self.operations.iter().enumerate() {
            match operation.validate(&format!("users[{index}]")) {
                Ok(()) => valid.push(index),
                Err(error) => outcomes[index] = Some(ItemOutcome::NotSent(Arc::new(error))),
            }
        }
        let mut done = total - valid.len();
        if let Some(progress) = &self.progress {
            progress(done, total);
        }
        let chunks: Vec<Vec<usize>> = valid.chunks(self.chunk_size).map(<[usize]>::to_vec).collect();
        let requests = chunks.len();
        let operations = Arc::new(self.operations);
        let users = self.users;
        let org_id = self.org_id;
        let mut answers = futures_util::stream::iter(chunks.into_iter().map(|chunk| {
            let users = users.clone();
            let org_id = org_id.clone();
            let operations = operations.clone();
            async move {
                let items: Vec<UserOperation> = chunk.iter().map(|&index| operations[index].clone()).collect();
                let answer = users.patch(org_id, items.clone()).await;
                (chunk, items, answer)
            }
        }))
        .buffer_unordered(self.concurrency);
        while let Some((chunk, items, answer)) = answers.next().await {
            match answer {
                Ok(result) => {
                    for (index, outcome) in chunk.iter().zip(match_results(&items, result.results)) {
                        outcomes[*index] = Some(outcome);
                    }
                }
                Err(error) => {
                    let error = Arc::new(error);
                    for index in &chunk {
                        outcomes[*index] = Some(ItemOutcome::RequestFailed(error.clone()));
                    }
                }
            }
            done += chunk.len();
            if let Some(progress) = &self.progress {
                progress(done, total);
            }
        }
        let items = outcomes
            .into_iter()
            .enumerate()
            .map(|(index, outcome)| BulkItem {
                index,
                email: operations[index].email().to_owned(),
                operation: operations[index].operation().clone(),
                outcome: outcome.unwrap_or(ItemOutcome::NoResult),
            })
            .collect();
        BulkReport { items, requests }
    }
}
