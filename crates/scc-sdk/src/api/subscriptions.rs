//! `client.subscriptions()`.

use serde::Serialize;

use super::optional_setters;
use crate::catalog;
use crate::operation::Operation;
use crate::pagination::Page;
use crate::request::Request;
use crate::types::{
    ClaimInfo, EntitlementQuantity, OrgId, ProductId, ProductSelection, RegionCode, Subscription, SubscriptionId,
    SubscriptionType,
};
use crate::{Client, Error, Result, validate};

/// Subscriptions and claim codes: `client.subscriptions()`.
#[derive(Debug, Clone)]
pub struct Subscriptions {
    client: Client,
}

impl Subscriptions {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `GET /organizations/{orgId}/subscriptions`.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let subscriptions = client.subscriptions().list("org-uuid").send().await?;
    /// for sub in subscriptions {
    ///     println!("Subscription: {:?}", sub.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self, org_id: impl Into<OrgId>) -> ListSubscriptions {
        ListSubscriptions {
            client: self.client.clone(),
            org_id: org_id.into(),
            name: None,
        }
    }

    /// `GET /organizations/{orgId}/subscriptions/{subscriptionId}`.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let sub = client.subscriptions().get("org-uuid", "3742d652-6740-489c-b628-143f00690fea").await?;
    /// # Ok(()) }
    /// ```
    pub fn get(&self, org_id: impl Into<OrgId>, subscription_id: impl Into<SubscriptionId>) -> Operation<Subscription> {
        Operation::json(&self.client, move || {
            let request = Request::of(&catalog::SUBSCRIPTIONS_GET)
                .param("org_id", org_id.into())
                .param("subscription_id", subscription_id.into());
            Ok(request)
        })
    }

    /// `POST /organizations/{orgId}/subscriptions`: claims a subscription with a claim code. `type` is
    /// never sent unless set.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use scc_sdk::types::RegionCode;
    /// let subscriptions = client.subscriptions();
    /// let claim_info = subscriptions.read_claim_code("org-uuid", "PHJZ-DWMF-ZBYH-FYMB").await?;
    /// let products = subscriptions.build_products_from_claim_info(&claim_info, RegionCode::Nam);
    /// let created = subscriptions.create("org-uuid", "PHJZ-DWMF-ZBYH-FYMB").products(products).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, org_id: impl Into<OrgId>, claim_code: impl Into<String>) -> CreateSubscription {
        CreateSubscription {
            client: self.client.clone(),
            org_id: org_id.into(),
            claim_code: claim_code.into(),
            products: None,
            subscription_type: None,
        }
    }

    /// `PUT /organizations/{orgId}/subscriptions/{subscriptionId}`: activates (`status = true`) or
    /// deactivates a product.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use scc_sdk::types::RegionCode;
    /// let updated = client
    ///     .subscriptions()
    ///     .update("org-uuid", "sub-uuid", "product-uuid", true)
    ///     .region_code(RegionCode::Nam)
    ///     .initial_admin("admin@example.com")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update(
        &self,
        org_id: impl Into<OrgId>,
        subscription_id: impl Into<SubscriptionId>,
        product_id: impl Into<ProductId>,
        status: bool,
    ) -> UpdateSubscription {
        UpdateSubscription {
            client: self.client.clone(),
            org_id: org_id.into(),
            subscription_id: subscription_id.into(),
            product_id: product_id.into(),
            status,
            source_instance_id: None,
            region_code: None,
            initial_admin: None,
        }
    }

    /// `PATCH /organizations/{orgId}/subscriptions/{subscriptionId}`: sets entitlement quantities of a
    /// managed organization's subscription.
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use scc_sdk::types::EntitlementQuantity;
    /// let patched = client
    ///     .subscriptions()
    ///     .patch(
    ///         "managed-org-uuid",
    ///         "sub-uuid",
    ///         vec![EntitlementQuantity::new("E3S-AIDEF-ADV", 10), EntitlementQuantity::new("CPT-SEC-ADV", 50)],
    ///     )
    ///     .use_existing_tenants_for_products(vec!["8a9f43fa-f8f5-4aac-8d0b-380cf6656255".to_string()])
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn patch(
        &self,
        org_id: impl Into<OrgId>,
        subscription_id: impl Into<SubscriptionId>,
        entitlements: Vec<EntitlementQuantity>,
    ) -> PatchSubscription {
        PatchSubscription {
            client: self.client.clone(),
            org_id: org_id.into(),
            subscription_id: subscription_id.into(),
            entitlements,
            use_existing_tenants_for_products: None,
        }
    }

    /// `POST /organizations/{orgId}/subscriptions/claimInfo`: validates a claim code and reads its
    /// products, entitlements and allowed regions. An unknown code is a
    /// [`Validation`](crate::ErrorKind::Validation) error ("invalid claim code provided").
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// let claim_info = client.subscriptions().read_claim_code("org-uuid", "PHJZ-DWMF-ZBYH-FYMB").await?;
    /// for product in &claim_info.products {
    ///     println!("Product: {:?}", product.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn read_claim_code(&self, org_id: impl Into<OrgId>, claim_code: impl Into<String>) -> Operation<ClaimInfo> {
        Operation::json(&self.client, move || {
            let claim_code = validate::claim_code(&claim_code.into());
            validate::non_empty("claim_code", &claim_code)?;
            let request = Request::of(&catalog::SUBSCRIPTIONS_READ_CLAIM_CODE)
                .param("org_id", org_id.into())
                .json(&serde_json::json!({ "claimCode": claim_code }))?;
            Ok(request)
        })
    }

    /// The products to claim, chosen from claim info for a preferred region (computed here, nothing is
    /// sent); see [`ClaimInfo::build_products`].
    ///
    /// ```no_run
    /// # async fn run(client: scc_sdk::Client) -> scc_sdk::Result<()> {
    /// use scc_sdk::types::RegionCode;
    /// let claim_info = client.subscriptions().read_claim_code("org-uuid", "XXXX").await?;
    /// let products = client.subscriptions().build_products_from_claim_info(&claim_info, RegionCode::Emea);
    /// # Ok(()) }
    /// ```
    pub fn build_products_from_claim_info(
        &self,
        claim_info: &ClaimInfo,
        preferred_region: impl Into<RegionCode>,
    ) -> Vec<ProductSelection> {
        claim_info.build_products(&preferred_region.into())
    }
}

/// Builder of [`Subscriptions::list`].
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct ListSubscriptions {
    client: Client,
    org_id: OrgId,
    name: Option<String>,
}

impl ListSubscriptions {
    optional_setters! {
        /// `name` filter.
        name / set_name: into String;
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Page<Subscription>> {
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(self) -> Operation<Page<Subscription>> {
        let client = self.client.clone();
        Operation::page(&client, move || {
            let request = Request::of(&catalog::SUBSCRIPTIONS_LIST)
                .param("org_id", self.org_id)
                .query_opt("name", self.name);
            Ok(request)
        })
    }
}

/// Builder of [`Subscriptions::create`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct CreateSubscription {
    #[serde(skip)]
    client: Client,
    #[serde(skip)]
    org_id: OrgId,
    claim_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    products: Option<Vec<ProductSelection>>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    subscription_type: Option<SubscriptionType>,
}

impl CreateSubscription {
    optional_setters! {
        /// `products` to provision (omitted when empty).
        products / set_products: into Vec<ProductSelection>;
        /// `type`: `trial`, `free` or `paid` (not in the published spec; sent only when set).
        subscription_type / set_subscription_type: into SubscriptionType;
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Subscription> {
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(mut self) -> Operation<Subscription> {
        let client = self.client.clone();
        Operation::json(&client, move || {
            self.claim_code = validate::claim_code(&self.claim_code);
            validate::non_empty("claim_code", &self.claim_code)?;
            // Only the three types the service documents are sent, as
            // docs/decisions.md, "Subscription type and patch" says.
            if let Some(SubscriptionType::Unknown(other)) = &self.subscription_type {
                return Err(Error::invalid(
                    "type",
                    format!("must be {}, not {other:?}", SubscriptionType::KNOWN.join(", ")),
                ));
            }
            if self.products.as_ref().is_some_and(Vec::is_empty) {
                self.products = None;
            }
            for (index, product) in self.products.iter().flatten().enumerate() {
                validate::non_empty(&format!("products[{index}].id"), product.id.as_str())?;
                validate::non_empty(&format!("products[{index}].regionCode"), product.region_code.as_str())?;
            }
            let request = Request::of(&catalog::SUBSCRIPTIONS_CREATE)
                .param("org_id", &self.org_id)
                .json(&self)?;
            Ok(request)
        })
    }
}

/// Builder of [`Subscriptions::update`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct UpdateSubscription {
    #[serde(skip)]
    client: Client,
    #[serde(skip)]
    org_id: OrgId,
    #[serde(skip)]
    subscription_id: SubscriptionId,
    product_id: ProductId,
    status: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_instance_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region_code: Option<RegionCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    initial_admin: Option<String>,
}

impl UpdateSubscription {
    optional_setters! {
        /// `sourceInstanceId`: an existing tenant to attach.
        source_instance_id / set_source_instance_id: into String;
        /// `regionCode` of the product: `NAM`, `EMEA`, `APJC`, `US`, `GLOBAL`.
        region_code / set_region_code: into RegionCode;
        /// `initialAdmin`: e-mail of the first admin of a new tenant.
        initial_admin / set_initial_admin: into String;
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Subscription> {
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(mut self) -> Operation<Subscription> {
        let client = self.client.clone();
        Operation::json(&client, move || {
            validate::non_empty("product_id", self.product_id.as_str())?;
            self.source_instance_id = self.source_instance_id.filter(|value| !value.is_empty());
            self.initial_admin = self.initial_admin.filter(|value| !value.is_empty());
            self.region_code = self.region_code.filter(|value| !value.as_str().is_empty());
            if let Some(admin) = &self.initial_admin {
                validate::email("initial_admin", admin)?;
            }
            let request = Request::of(&catalog::SUBSCRIPTIONS_UPDATE)
                .param("org_id", &self.org_id)
                .param("subscription_id", &self.subscription_id)
                .json(&self)?;
            Ok(request)
        })
    }
}

/// Builder of [`Subscriptions::patch`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use = "nothing is sent until `.send()` is awaited"]
pub struct PatchSubscription {
    #[serde(skip)]
    client: Client,
    #[serde(skip)]
    org_id: OrgId,
    #[serde(skip)]
    subscription_id: SubscriptionId,
    entitlements: Vec<EntitlementQuantity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    use_existing_tenants_for_products: Option<Vec<String>>,
}

impl PatchSubscription {
    optional_setters! {
        /// `useExistingTenantsForProducts`: product ids whose existing tenants are attached.
        use_existing_tenants_for_products / set_use_existing_tenants_for_products: into Vec<String>;
    }

    /// The Python SDK's alias of [`use_existing_tenants_for_products`](Self::use_existing_tenants_for_products).
    pub fn use_existing_tenants(self, product_ids: impl Into<Vec<String>>) -> Self {
        self.use_existing_tenants_for_products(product_ids)
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Subscription> {
        self.operation().send().await
    }

    /// The operation this builder describes: `.await` it, or read the body's bytes with
    /// [`Operation::send_raw`].
    pub fn operation(mut self) -> Operation<Subscription> {
        let client = self.client.clone();
        Operation::json(&client, move || {
            validate::bulk_len("entitlements", self.entitlements.len())?;
            for (index, entitlement) in self.entitlements.iter().enumerate() {
                validate::non_empty(&format!("entitlements[{index}].id"), &entitlement.id)?;
                if entitlement.quantity < 0 {
                    return Err(crate::Error::invalid(
                        format!("entitlements[{index}].quantity"),
                        format!("must not be negative, got {}", entitlement.quantity),
                    ));
                }
            }
            if self
                .use_existing_tenants_for_products
                .as_ref()
                .is_some_and(Vec::is_empty)
            {
                self.use_existing_tenants_for_products = None;
            }
            for (index, product) in self.use_existing_tenants_for_products.iter().flatten().enumerate() {
                validate::non_empty(&format!("useExistingTenantsForProducts[{index}]"), product)?;
            }
            let request = Request::of(&catalog::SUBSCRIPTIONS_PATCH)
                .param("org_id", &self.org_id)
                .param("subscription_id", &self.subscription_id)
                .json(&self)?;
            Ok(request)
        })
    }
}
