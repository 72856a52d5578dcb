//! [`Client`] and [`ClientBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::api::{Groups, Organizations, Roles, Subscriptions, Tokens, Users};
use crate::auth::TokenProvider;
use crate::config::{self, Config};
use crate::{Error, Result};

/// The SCC Platform Management client.
///
/// Cheap to clone (one `Arc` inside), `Send + Sync`: build one and share it. Each resource has an
/// accessor named as in the Python SDK. `Debug` never shows the token.
///
/// ```no_run
/// # async fn run() -> scc_sdk::Result<()> {
/// let client = scc_sdk::Client::new("your_bearer_token_here")?;
/// let org = client.organizations().get("550e8400-e29b-41d4-a716-446655440000").await?;
/// println!("{}", org.name.unwrap_or_default());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    pub(crate) config: Config,
    pub(crate) api_root: Url,
    pub(crate) tokens: TokenProvider,
}

impl Client {
    /// A client for the production service with an access token. An empty token is an
    /// [`Error::InvalidInput`].
    ///
    /// ```no_run
    /// let client = scc_sdk::Client::new("your_bearer_token_here")?;
    /// # Ok::<(), scc_sdk::Error>(())
    /// ```
    pub fn new(access_token: impl Into<String>) -> Result<Self> {
        Self::builder().access_token(access_token).build()
    }

    /// A builder for every setting.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let client = scc_sdk::Client::builder()
    ///     .access_token("token")
    ///     .base_url("http://127.0.0.1:8080")
    ///     .timeout(Duration::from_secs(5))
    ///     .build()?;
    /// # Ok::<(), scc_sdk::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from the environment: `SCC_ACCESS_TOKEN` (required), `SCC_BASE_URL` and
    /// `SCC_BASE_PATH` (optional).
    ///
    /// ```no_run
    /// let client = scc_sdk::Client::from_env()?;
    /// # Ok::<(), scc_sdk::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        Self::builder().from_env()?.build()
    }

    /// The settings this client was built with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Organizations: list, get, create, update.
    pub fn organizations(&self) -> Organizations {
        Organizations::new(self.clone())
    }
    /// Subscriptions and claim codes.
    pub fn subscriptions(&self) -> Subscriptions {
        Subscriptions::new(self.clone())
    }
    /// Users and the bulk user operations.
    pub fn users(&self) -> Users {
        Users::new(self.clone())
    }
    /// Admin groups.
    pub fn groups(&self) -> Groups {
        Groups::new(self.clone())
    }
    /// Roles and role assignments.
    pub fn roles(&self) -> Roles {
        Roles::new(self.clone())
    }
    /// Token refresh.
    pub fn tokens(&self) -> Tokens {
        Tokens::new(self.clone())
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_root", &self.inner.api_root.as_str())
            .field("timeout", &self.inner.config.timeout)
            .field("connect_timeout", &self.inner.config.connect_timeout)
            .field("user_agent", &self.inner.config.user_agent)
            .field("access_token", &"[redacted]")
            .finish()
    }
}

/// Settings for a [`Client`]. Defaults: base URL `https://api.security.cisco.com`, base path `v1`,
/// 30 s per attempt, 10 s to connect, user agent `scc-sdk/<version>`.
#[derive(Default)]
pub struct ClientBuilder {
    access_token: Option<SecretString>,
    base_url: Option<String>,
    base_path: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    http_client: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// The access token sent as `Authorization: Bearer …`.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = Some(SecretString::from(token.into()));
        self
    }

    /// The service's address (default `https://api.security.cisco.com`); the emulator's `base_url`
    /// goes here.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The version path (default `v1`).
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        self.base_path = Some(path.into());
        self
    }

    /// How long one attempt may take, including the body (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How long connecting may take (default 10 s). Applies only to the HTTP client the SDK builds;
    /// a client given with [`http_client`](Self::http_client) keeps its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// `User-Agent` (default `scc-sdk/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// A `reqwest::Client` of the caller's (proxies, custom roots, shared pool).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Reads `SCC_ACCESS_TOKEN`, `SCC_BASE_URL` and `SCC_BASE_PATH`; a variable that is set wins over
    /// what the builder holds. A missing token is an error only when the builder has none either.
    pub fn from_env(self) -> Result<Self> {
        self.read_lookup(|name| std::env::var(name).ok())
    }

    fn read_lookup(mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        if let Some(token) = read(config::ENV_ACCESS_TOKEN) {
            self = self.access_token(token);
        } else if self.access_token.is_none() {
            return Err(Error::Configuration(format!("{} is not set", config::ENV_ACCESS_TOKEN)));
        }
        if let Some(url) = read(config::ENV_BASE_URL) {
            self = self.base_url(url);
        }
        if let Some(path) = read(config::ENV_BASE_PATH) {
            self = self.base_path(path);
        }
        Ok(self)
    }

    /// Builds the client; fails on an empty token, a bad base URL or a zero timeout. Nothing panics.
    pub fn build(self) -> Result<Client> {
        let token = self
            .access_token
            .filter(|token| !token.expose_secret().trim().is_empty())
            .ok_or_else(|| Error::invalid("access_token", "must not be empty"))?;
        if token.expose_secret().chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::invalid(
                "access_token",
                "must not contain spaces or control characters",
            ));
        }
        let base_url = config::parse_base_url(self.base_url.as_deref().unwrap_or(config::DEFAULT_BASE_URL))?;
        let timeout = self.timeout.unwrap_or(config::DEFAULT_TIMEOUT);
        let connect_timeout = self.connect_timeout.unwrap_or(config::DEFAULT_CONNECT_TIMEOUT);
        if timeout.is_zero() {
            return Err(Error::invalid("timeout", "must be more than zero"));
        }
        if connect_timeout.is_zero() {
            return Err(Error::invalid("connect_timeout", "must be more than zero"));
        }
        let config = Config {
            base_url,
            base_path: self.base_path.unwrap_or_else(|| config::DEFAULT_BASE_PATH.to_owned()),
            timeout,
            connect_timeout,
            user_agent: self.user_agent.unwrap_or_else(|| config::USER_AGENT.to_owned()),
        };
        let http = match self.http_client {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(connect_timeout)
                .build()
                .map_err(|error| Error::Configuration(format!("cannot build the HTTP client: {error}")))?,
        };
        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                api_root: config.api_root(),
                config,
                tokens: TokenProvider::Static(token),
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("access_token", &self.access_token.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("base_path", &self.base_path)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const _: () = {
        const fn assert_traits<T: Clone + Send + Sync + 'static>() {}
        assert_traits::<Client>();
    };

    #[test]
    fn empty_token_is_an_error_not_a_panic() {
        for token in ["", "   "] {
            let error = Client::new(token).err();
            assert!(
                matches!(&error, Some(Error::InvalidInput { field, .. }) if field == "access_token"),
                "{error:?}"
            );
        }
        assert!(Client::builder().build().is_err());
    }

    #[test]
    fn debug_never_shows_the_token() {
        let client = Client::new("s3cr3t-token-value").expect("builds");
        let debug = format!("{client:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        assert!(debug.contains("https://api.security.cisco.com/v1"));
        let builder = format!("{:?}", Client::builder().access_token("s3cr3t-token-value"));
        assert!(!builder.contains("s3cr3t"), "{builder}");
    }

    #[test]
    fn from_env_reads_the_three_variables() {
        let env = |name: &str| match name {
            "SCC_ACCESS_TOKEN" => Some("env-token".to_owned()),
            "SCC_BASE_URL" => Some("http://127.0.0.1:9999".to_owned()),
            "SCC_BASE_PATH" => Some("v2".to_owned()),
            _ => None,
        };
        let client = Client::builder()
            .read_lookup(env)
            .and_then(ClientBuilder::build)
            .expect("builds");
        assert_eq!(client.inner.api_root.as_str(), "http://127.0.0.1:9999/v2");
        assert_eq!(client.inner.tokens.access_token().expose_secret(), "env-token");

        let only_token = |name: &str| (name == "SCC_ACCESS_TOKEN").then(|| "t".to_owned());
        let client = Client::builder()
            .read_lookup(only_token)
            .and_then(ClientBuilder::build)
            .expect("builds");
        assert_eq!(client.inner.api_root.as_str(), "https://api.security.cisco.com/v1");

        let nothing = |_: &str| None;
        let error = Client::builder()
            .read_lookup(nothing)
            .err()
            .map(|error| error.to_string());
        assert_eq!(
            error.as_deref(),
            Some("configuration error: SCC_ACCESS_TOKEN is not set")
        );
        let kept = Client::builder()
            .access_token("given")
            .read_lookup(nothing)
            .and_then(ClientBuilder::build);
        assert!(
            kept.is_ok(),
            "a token given to the builder stands when the variable is unset"
        );
    }

    #[test]
    fn defaults() {
        let client = Client::new("t").expect("builds");
        let config = client.config();
        assert_eq!(config.base_url.as_str(), "https://api.security.cisco.com/");
        assert_eq!(config.base_path, "v1");
        assert_eq!(config.timeout, Duration::from_secs(30));
        assert_eq!(config.connect_timeout, Duration::from_secs(10));
        assert_eq!(config.user_agent, concat!("scc-sdk/", env!("CARGO_PKG_VERSION")));
    }
}
