//! The Cisco XDR (IROH) profile: who am I, my organization, and who may log in.
//!
//! [`XdrClient`] talks to a region (`us`, the default, `eu`, `apjc`) or any base URL (the emulator),
//! with OAuth2 client credentials (HTTP Basic, `grant_type=client_credentials`; the token is cached
//! until shortly before `expires_in` and fetched again once after a 401, for all concurrent callers at
//! once) or a ready bearer token. It shares the SCC client's transport: retries, tracing and errors —
//! an error's message, tracking id and code come from the IROH envelope (`error_description`,
//! `trace_id`, `error`).
//!
//! ```no_run
//! # async fn run() -> scc_sdk::Result<()> {
//! use scc_sdk::xdr::{IdpDefaults, XdrClient, XdrRegion};
//! let xdr = XdrClient::builder().region(XdrRegion::Eu).client_credentials("client-…", "secret").build()?;
//! let me = xdr.profile().whoami().await?;
//! println!("{} in {}", me.user.display_name(), me.org.name.as_deref().unwrap_or("-"));
//! let login = me.org.non_admins_may_log_in(&me.user, &IdpDefaults::default());
//! println!("non-admins may log in: {} ({})", login.allowed, login.rule);
//! # Ok(()) }
//! ```

mod model;
mod rules;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

pub use model::*;
pub use rules::*;

use crate::auth::{TokenCache, TokenSource};
use crate::catalog;
use crate::identity::Bearer;
use crate::operation::Operation;
use crate::request::Request;
use crate::retry::Clock;
use crate::{Client, Error, Result, RetryConfig, validate};

/// An XDR region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum XdrRegion {
    /// North America: `https://visibility.amp.cisco.com` (the default).
    #[default]
    Us,
    /// Europe: `https://visibility.eu.amp.cisco.com`.
    Eu,
    /// Asia Pacific, Japan and China: `https://visibility.apjc.amp.cisco.com`.
    Apjc,
}

impl XdrRegion {
    /// The regions' names, as [`FromStr`] takes them.
    pub const KNOWN: &'static [&'static str] = &["us", "eu", "apjc"];

    /// The region's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Us => "https://visibility.amp.cisco.com",
            Self::Eu => "https://visibility.eu.amp.cisco.com",
            Self::Apjc => "https://visibility.apjc.amp.cisco.com",
        }
    }
}

impl FromStr for XdrRegion {
    type Err = Error;

    /// `""` or `us`, `eu`, `apjc` (any case).
    ///
    /// ```
    /// use scc_sdk::xdr::XdrRegion;
    /// assert_eq!("eu".parse::<XdrRegion>().map(XdrRegion::base_url).ok(), Some("https://visibility.eu.amp.cisco.com"));
    /// assert!("mars".parse::<XdrRegion>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "us" => Ok(Self::Us),
            "eu" => Ok(Self::Eu),
            "apjc" => Ok(Self::Apjc),
            other => Err(Error::invalid(
                "region",
                format!("{other:?} is not an XDR region; use one of \"us\", \"eu\", \"apjc\""),
            )),
        }
    }
}

/// The answer of the token endpoint.
#[derive(Clone)]
pub struct XdrClient {
    client: Client,
}

impl fmt::Debug for XdrClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XdrClient").field("client", &self.client).finish()
    }
}

impl XdrClient {
    /// A builder: region or base URL, then client credentials or a bearer token.
    pub fn builder() -> XdrClientBuilder {
        XdrClientBuilder::default()
    }

    /// The profile API: whoami and the organization.
    pub fn profile(&self) -> Profile {
        Profile {
            client: self.client.clone(),
        }
    }

    /// How many tokens were fetched with the client credentials.
    pub fn token_fetch_count(&self) -> u64 {
        self.client.refresh_count()
    }
}

enum XdrAuth {
    ClientCredentials(String, SecretString),
    Bearer(SecretString),
}

/// Settings for an [`XdrClient`].
#[derive(Default)]
pub struct XdrClientBuilder {
    region: XdrRegion,
    base_url: Option<String>,
    auth: Option<XdrAuth>,
    timeout: Option<Duration>,
    max_response_bytes: Option<usize>,
    retry: Option<RetryConfig>,
    clock: Option<Arc<dyn Clock>>,
    http_client: Option<reqwest::Client>,
    dry_run: bool,
    ca_bundle: Option<std::path::PathBuf>,
    insecure_http: bool,
}

impl fmt::Debug for XdrClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XdrClientBuilder")
            .field("region", &self.region)
            .field("base_url", &self.base_url)
            .field("auth", &self.auth.as_ref().map(|_| "[redacted]"))
            .finish_non_exhaustive()
    }
}

impl XdrClientBuilder {
    /// The region (default `us`).
    pub fn region(mut self, region: XdrRegion) -> Self {
        self.region = region;
        self
    }
    /// Allows a plain `http://` base URL to a host other than this machine (see
    /// [`ClientBuilder::insecure_http`](crate::ClientBuilder::insecure_http)).
    pub fn insecure_http(mut self, allow: bool) -> Self {
        self.insecure_http = allow;
        self
    }

    /// Any base URL instead of a region's (the emulator's `xdr.base_url`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// OAuth2 client credentials: client id (`client-…`) and secret.
    pub fn client_credentials(mut self, client_id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.auth = Some(XdrAuth::ClientCredentials(
            client_id.into(),
            SecretString::from(secret.into()),
        ));
        self
    }
    /// A ready bearer token.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.auth = Some(XdrAuth::Bearer(SecretString::from(token.into())));
        self
    }
    /// Per-attempt timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// The largest response body read (default as the SCC client, 64 MiB).
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }
    /// Retry policy (default as the SCC client).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }
    /// The clock (token expiry).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }
    /// A PEM file of CA certificates trusted besides the platform's (as the SCC client's
    /// [`ca_bundle`](crate::ClientBuilder::ca_bundle)).
    pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.ca_bundle = Some(path.into());
        self
    }
    /// A `reqwest::Client` of the caller's.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }
    /// Dry-run mode: profile updates are built and returned as `Error::DryRun`, never sent (reads and
    /// the token exchange, which changes nothing, still are).
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Builds the client; credentials are required.
    pub fn build(self) -> Result<XdrClient> {
        let clock = self.clock.unwrap_or_else(crate::retry::default_clock);
        let provider = match self.auth {
            None => {
                return Err(Error::invalid(
                    "client_id",
                    "client credentials or a bearer token are required",
                ));
            }
            Some(XdrAuth::Bearer(token)) => {
                validate::non_empty("bearer_token", token.expose_secret())?;
                TokenSource::Static(Arc::new(Bearer::new(token)?))
            }
            Some(XdrAuth::ClientCredentials(client_id, secret)) => {
                validate::non_empty("client_id", &client_id)?;
                validate::non_empty("client_secret", secret.expose_secret())?;
                TokenSource::ClientCredentials(TokenCache::new(client_id, secret))
            }
        };
        let mut builder = Client::builder()
            .base_url(self.base_url.unwrap_or_else(|| self.region.base_url().to_owned()))
            .base_path("")
            .clock(clock)
            .token_provider(provider)
            .insecure_http(self.insecure_http)
            .dry_run(self.dry_run);
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(bytes) = self.max_response_bytes {
            builder = builder.max_response_bytes(bytes);
        }
        if let Some(retry) = self.retry {
            builder = builder.retry(retry);
        }
        if let Some(bundle) = self.ca_bundle {
            builder = builder.ca_bundle(bundle);
        }
        if let Some(http) = self.http_client {
            builder = builder.http_client(http);
        }
        Ok(XdrClient {
            client: builder.build()?,
        })
    }
}

/// The profile API: `xdr.profile()`.
#[derive(Debug, Clone)]
pub struct Profile {
    client: Client,
}

impl Profile {
    /// `GET /iroh/profile/whoami`: the user the token acts for and their organization.
    ///
    /// ```no_run
    /// # async fn run(xdr: scc_sdk::xdr::XdrClient) -> scc_sdk::Result<()> {
    /// let me = xdr.profile().whoami().await?;
    /// println!("{} ({} scopes)", me.user.display_name(), me.user.scopes.len());
    /// # Ok(()) }
    /// ```
    pub fn whoami(&self) -> Operation<Whoami> {
        Operation::json(&self.client, || Ok(Request::of(&catalog::XDR_WHOAMI)))
    }

    /// `GET /iroh/profile/org`: the organization.
    ///
    /// ```no_run
    /// # async fn run(xdr: scc_sdk::xdr::XdrClient) -> scc_sdk::Result<()> {
    /// let org = xdr.profile().org().await?;
    /// println!("activated: {}", org.is_activated());
    /// # Ok(()) }
    /// ```
    pub fn org(&self) -> Operation<XdrOrg> {
        Operation::json(&self.client, || Ok(Request::of(&catalog::XDR_ORG)))
    }

    /// `POST /iroh/profile/org`: changes the fields given. Admins may change `name` and `settings`;
    /// `enabled?`, `allow-all-role-to-login` and `additional-scopes` need the master role.
    ///
    /// ```no_run
    /// # async fn run(xdr: scc_sdk::xdr::XdrClient) -> scc_sdk::Result<()> {
    /// use scc_sdk::xdr::OrgUpdate;
    /// let org = xdr.profile().update_org(OrgUpdate::new().name("Cisco").allow_all_roles_to_login(Some(true))).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_org(&self, update: OrgUpdate) -> Operation<XdrOrg> {
        Operation::json(&self.client, move || {
            let body = update.into_body()?;
            Request::of(&catalog::XDR_UPDATE_ORG).json(&body)
        })
    }
}
