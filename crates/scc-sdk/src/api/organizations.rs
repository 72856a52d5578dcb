//! `client.organizations()`.

use serde::Serialize;

use super::optional_setters;
use crate::catalog;
use crate::operation::Operation;
use crate::pagination::{ItemStream, Page, PageStream, item_stream, page_stream};
use crate::request::Request;
use crate::types::{OrgId, Organization, OrganizationType, RegionCode, SortOrder};
use crate::{Client, Result, validate};

/// The page size the Python SDK always sends.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// Organizations: `client.organizations()`.
#[derive(Debug, Clone)]
pub struct Organizations {
    client: Client,
}

impl Organizations {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `GET /organizations`: a page of the organizations the token reaches, filtered and sorted.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use scc_sdk::types::{OrganizationType, RegionCode, SortOrder};
    /// let page = client
    ///     .organizations()
    ///     .list()
    ///     .name("Acme")
    ///     .organization_type(OrganizationType::Standalone)
    ///     .region_code(RegionCode::Nam)
    ///     .max(50)
    ///     .sort_by("name")
    ///     .order(SortOrder::Asc)
    ///     .send()
    ///     .await?;
    /// for org in &page {
    ///     println!("{} {:?}", org.id, org.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListOrganizations {
        ListOrganizations {
            client: self.client.clone(),
            name: None,
            organization_type: None,
            region_code: None,
            country_code: None,
            manager_org_id: None,
            max: None,
            cursor: None,
            sort_by: None,
            order: None,
            max_items: None,
        }
    }

    /// `GET /organizations/{orgId}`.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let org = client.organizations().get("550e8400-e29b-41d4-a716-446655440000").await?;
    /// println!("{:?} {:?} {:?}", org.name, org.organization_type, org.region_code);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, org_id: impl Into<OrgId>) -> Operation<Organization> {
        Operation::json(&self.client, move || {
            let request = Request::of(&catalog::ORGANIZATIONS_GET).param("org_id", org_id.into());
            Ok(request)
        })
    }

    /// `POST /organizations`: creates an organization; its type defaults to `STANDALONE` and is
    /// always sent.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use scc_sdk::types::{OrganizationType, RegionCode};
    /// let org = client
    ///     .organizations()
    ///     .create("New Organization", RegionCode::Nam)
    ///     .organization_type(OrganizationType::Managed)
    ///     .send()
    ///     .await?;
    /// println!("created {}", org.id);
    /// # Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>, region_code: impl Into<RegionCode>) -> CreateOrganization {
        CreateOrganization {
            client: self.client.clone(),
            name: name.into(),
            region_code: region_code.into(),
            organization_type: None,
        }
    }

    /// `PUT /organizations/{orgId}`: renames an organization.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let org = client.organizations().update("550e8400-e29b-41d4-a716-446655440000", "Updated Name").await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, org_id: impl Into<OrgId>, name: impl Into<String>) -> Operation<Organization> {
        Operation::json(&self.client, move || {
            let name = name.into();
            validate::name("name", &name)?;
            let request = Request::of(&catalog::ORGANIZATIONS_UPDATE)
                .param("org_id", org_id.into())
                .json(&serde_json::json!({ "name": name }))?;
            Ok(request)
        })
    }
}

/// Builder of [`Organizations::list`].
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct ListOrganizations {
    client: Client,
    name: Option<String>,
    organization_type: Option<OrganizationType>,
    region_code: Option<RegionCode>,
    country_code: Option<String>,
    manager_org_id: Option<OrgId>,
    max: Option<u32>,
    cursor: Option<String>,
    sort_by: Option<String>,
    order: Option<SortOrder>,
    max_items: Option<usize>,
}

impl ListOrganizations {
    optional_setters! {
        /// `name`: partial match.
        name / set_name: into String;
        /// `type`.
        organization_type / set_organization_type: into OrganizationType;
        /// `regionCode`: `NAM`, `EMEA`, `APJC`, `GLOBAL`.
        region_code / set_region_code: into RegionCode;
        /// `countryCode`, e.g. `US`.
        country_code / set_country_code: into String;
        /// `managerOrgId`: the organizations this manager manages.
        manager_org_id / set_manager_org_id: into OrgId;
        /// `max`: page size, 1..=500 (default 100, always sent).
        max / set_max: exact u32;
        /// `cursor` of the page to read.
        cursor / set_cursor: into String;
        /// `sortBy`: a field name, e.g. `name`.
        sort_by / set_sort_by: into String;
        /// `order`.
        order / set_order: into SortOrder;
        /// The most items [`pages`](Self::pages) and [`items`](Self::items) yield in all.
        max_items / set_max_items: exact usize;
    }

    /// Every page, lazily: nothing is sent until the stream is polled; it follows the next cursor
    /// until the last page or `max_items`.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let mut pages = client.organizations().list().max(500).pages();
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} organizations", page.items.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> PageStream<Organization> {
        let first = self.cursor.clone();
        let max_items = self.max_items;
        page_stream(first, max_items, move |cursor| {
            let mut request = self.clone();
            request.cursor = cursor;
            request.send()
        })
    }

    /// Every organization across pages, lazily.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let orgs: Vec<_> = client.organizations().list().max_items(1_000).items().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn items(self) -> ItemStream<Organization> {
        item_stream(self.pages())
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Page<Organization>> {
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(self) -> Operation<Page<Organization>> {
        let client = self.client.clone();
        Operation::page(&client, move || {
            let max = self.max.unwrap_or(DEFAULT_PAGE_SIZE);
            validate::page_size("max", max)?;
            let request = Request::of(&catalog::ORGANIZATIONS_LIST)
                .query_opt("name", self.name)
                .query_opt("type", self.organization_type)
                .query_opt("regionCode", self.region_code)
                .query_opt("countryCode", self.country_code)
                .query_opt("managerOrgId", self.manager_org_id)
                .query("max", max)
                .query_opt("cursor", self.cursor)
                .query_opt("sortBy", self.sort_by)
                .query_opt("order", self.order);
            Ok(request)
        })
    }
}

/// Builder of [`Organizations::create`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct CreateOrganization {
    #[serde(skip)]
    client: Client,
    name: String,
    region_code: RegionCode,
    #[serde(rename = "type", serialize_with = "organization_type_or_default")]
    organization_type: Option<OrganizationType>,
}

fn organization_type_or_default<S: serde::Serializer>(
    value: &Option<OrganizationType>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    value
        .as_ref()
        .unwrap_or(&OrganizationType::Standalone)
        .serialize(serializer)
}

impl CreateOrganization {
    optional_setters! {
        /// `type` (default `STANDALONE`).
        organization_type / set_organization_type: into OrganizationType;
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Organization> {
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(self) -> Operation<Organization> {
        let client = self.client.clone();
        Operation::json(&client, move || {
            validate::name("name", &self.name)?;
            validate::non_empty("region_code", self.region_code.as_str())?;
            let request = Request::of(&catalog::ORGANIZATIONS_CREATE).json(&self)?;
            Ok(request)
        })
    }
}
