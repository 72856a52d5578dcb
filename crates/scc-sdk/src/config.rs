//! Where the client sends requests and how long it waits.

use std::time::Duration;

use url::Url;

use crate::{Error, Result};

/// The service's address.
pub const DEFAULT_BASE_URL: &str = "https://api.security.cisco.com";
/// The API version path.
pub const DEFAULT_BASE_PATH: &str = "v1";
/// How long one attempt may take, from sending to the end of the body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting may take.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer body read by default (64 MiB). The users of an organization come in one
/// answer (the API does not page them): 60,000 users are about 11 MiB, so this leaves room for the
/// largest real organizations while a body without end is still stopped.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
/// `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("scc-sdk/", env!("CARGO_PKG_VERSION"));

/// Environment variable with the access token.
pub const ENV_ACCESS_TOKEN: &str = "SCC_ACCESS_TOKEN";
/// Environment variable with the base URL.
pub const ENV_BASE_URL: &str = "SCC_BASE_URL";
/// Environment variable with the base path.
pub const ENV_BASE_PATH: &str = "SCC_BASE_PATH";
/// Environment variable with a PEM file of CA certificates to trust besides the platform's.
pub const ENV_CA_BUNDLE: &str = "SCC_CA_BUNDLE";

/// The folder of scc's own files (profiles, credentials, the apply locks): `SCC_CONFIG_DIR`, else
/// `$XDG_CONFIG_HOME/scc`, else `~/.config/scc`. The CLI and the Python package share it, so an
/// apply from either waits for the other's lock on an organization.
///
/// ```
/// assert!(scc_sdk::config::config_dir().ends_with("scc") || std::env::var_os("SCC_CONFIG_DIR").is_some());
/// ```
pub fn config_dir() -> std::path::PathBuf {
    let set = |name: &str| std::env::var(name).ok().filter(|value| !value.trim().is_empty());
    if let Some(dir) = set("SCC_CONFIG_DIR") {
        return dir.into();
    }
    if let Some(dir) = set("XDG_CONFIG_HOME") {
        return std::path::Path::new(&dir).join("scc");
    }
    let home = set("HOME").unwrap_or_else(|| ".".into());
    std::path::Path::new(&home).join(".config").join("scc")
}

/// The settings of a built client.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The service's address, e.g. `https://api.security.cisco.com`.
    pub base_url: Url,
    /// The version path, e.g. `v1`.
    pub base_path: String,
    /// How long one attempt may take, from sending to the end of the body; `None`: no limit.
    pub timeout: Option<Duration>,
    /// How long a whole call may take, retries and their waits included; `None` (the default): no
    /// limit beyond the attempts' own.
    pub deadline: Option<Duration>,
    /// A PEM file of CA certificates trusted besides the platform's (a company's TLS inspection CA).
    pub ca_bundle: Option<std::path::PathBuf>,
    /// Connect timeout (only for the HTTP client the SDK builds itself).
    pub connect_timeout: Duration,
    /// `User-Agent`.
    pub user_agent: String,
    /// The retry policy of every call (a clone made with `Client::with_retry` may use another).
    pub retry: crate::retry::RetryConfig,
    /// The client-side rate limit, if any.
    pub rate_limit: Option<crate::ratelimit::RateLimit>,
    /// The largest response body read; a longer one fails with [`crate::ErrorKind::ResponseTooLarge`].
    pub max_response_bytes: usize,
}

impl Config {
    /// The URL every operation path is appended to: base URL + base path.
    ///
    /// ```
    /// let client = scc_sdk::Client::builder().access_token("t").base_path("/v1/").build()?;
    /// assert_eq!(client.config().api_root().as_str(), "https://api.security.cisco.com/v1");
    /// # Ok::<(), scc_sdk::Error>(())
    /// ```
    pub fn api_root(&self) -> Url {
        let mut root = self.base_url.clone();
        if let Ok(mut segments) = root.path_segments_mut() {
            segments.pop_if_empty();
            segments.extend(self.base_path.split('/').filter(|segment| !segment.is_empty()));
        }
        root
    }
}

/// `url` as it may be shown: a user name and password in it (`http://admin:secret@host`) replaced by
/// `***`. Text that is not a URL is shown as it is.
///
/// ```
/// assert_eq!(scc_sdk::config::redacted("http://admin:Sup3rS3cret@127.0.0.1:8080/v1"), "http://***@127.0.0.1:8080/v1");
/// assert_eq!(scc_sdk::config::redacted("https://api.security.cisco.com"), "https://api.security.cisco.com");
/// ```
pub fn redacted(url: &str) -> String {
    match Url::parse(url.trim()) {
        Ok(parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let mut shown = parsed.clone();
            let _ = shown.set_password(None);
            let _ = shown.set_username("***");
            let text = shown.to_string();
            // `Url` adds a `/` to a bare host; keep the text as the user wrote it otherwise.
            if url.trim().ends_with('/') || parsed.path() != "/" {
                text
            } else {
                text.trim_end_matches('/').to_owned()
            }
        }
        _ => url.to_owned(),
    }
}

/// `base_url` without a trailing `base_path`: the service's docs write the base URL with the version
/// (`https://api.security.cisco.com/v1`), and joined with the base path again it would read `/v1/v1`.
///
/// ```
/// let client = scc_sdk::Client::builder().access_token("t").base_url("https://api.security.cisco.com/v1/").build()?;
/// assert_eq!(client.config().api_root().as_str(), "https://api.security.cisco.com/v1");
/// let proxied = scc_sdk::Client::builder().access_token("t").base_url("https://proxy.example/scc").build()?;
/// assert_eq!(proxied.config().api_root().as_str(), "https://proxy.example/scc/v1");
/// # Ok::<(), scc_sdk::Error>(())
/// ```
pub(crate) fn without_base_path(mut base_url: Url, base_path: &str) -> Url {
    let wanted: Vec<&str> = base_path.split('/').filter(|segment| !segment.is_empty()).collect();
    let have: Vec<String> = base_url
        .path_segments()
        .map(|segments| {
            segments
                .filter(|segment| !segment.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if wanted.is_empty() || have.len() < wanted.len() || have[have.len() - wanted.len()..] != wanted[..] {
        return base_url;
    }
    let kept = have[..have.len() - wanted.len()].join("/");
    base_url.set_path(&format!("/{kept}"));
    base_url
}

/// Whether `url` names this machine (`localhost`, `127.0.0.0/8`, `::1`): the one place plain HTTP
/// may carry a token without crossing a network.
///
/// ```
/// let url = |text: &str| url::Url::parse(text).unwrap();
/// assert!(scc_sdk::config::is_loopback(&url("http://127.0.0.1:8080")));
/// assert!(scc_sdk::config::is_loopback(&url("http://localhost")));
/// assert!(!scc_sdk::config::is_loopback(&url("http://10.0.0.5:8080")));
/// ```
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    }
}

/// The host a base URL would send the token to in clear (plain `http://` to another machine), if
/// it would.
///
/// ```
/// assert_eq!(scc_sdk::config::in_clear_to("http://10.0.0.5:8080").as_deref(), Some("10.0.0.5"));
/// assert_eq!(scc_sdk::config::in_clear_to("http://127.0.0.1:8080"), None);
/// assert_eq!(scc_sdk::config::in_clear_to("https://api.security.cisco.com"), None);
/// ```
pub fn in_clear_to(base_url: &str) -> Option<String> {
    let url = Url::parse(base_url.trim()).ok()?;
    (url.scheme() == "http" && !is_loopback(&url)).then(|| url.host_str().unwrap_or_default().to_owned())
}

/// Refuses a base URL that would send the token in clear over a network: plain `http://` to a
/// host other than this machine, unless `insecure_http` allows it.
///
/// ```
/// let url = url::Url::parse("http://10.0.0.5:8080").unwrap();
/// assert!(scc_sdk::config::check_plain_http(&url, false).is_err());
/// assert!(scc_sdk::config::check_plain_http(&url, true).is_ok());
/// ```
pub fn check_plain_http(url: &Url, insecure_http: bool) -> Result<()> {
    if url.scheme() == "http" && !is_loopback(url) && !insecure_http {
        return Err(Error::invalid(
            "base_url",
            format!(
                "is plain HTTP to {}, which is not this machine: the token would cross the network in clear. \
                 Use https://, or allow it knowingly (insecure_http; the CLI's --insecure-http)",
                url.host_str().unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

pub(crate) fn parse_base_url(raw: &str) -> Result<Url> {
    let url = Url::parse(raw.trim())
        .map_err(|error| Error::invalid("base_url", format!("is not a URL ({error}): {}", redacted(raw))))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(
            "base_url",
            format!(
                "must not carry a user name or password ({}): the SDK authenticates with its token, and a URL is shown in messages",
                redacted(raw)
            ),
        ));
    }
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::invalid(
            "base_url",
            format!("must be an http or https URL with a host: {:?}", redacted(raw)),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(
            "base_url",
            format!("must not carry a query or fragment: {:?}", redacted(raw)),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base_url: &str, base_path: &str) -> Config {
        Config {
            base_url: parse_base_url(base_url).expect("valid"),
            base_path: base_path.into(),
            timeout: Some(DEFAULT_TIMEOUT),
            deadline: None,
            ca_bundle: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: USER_AGENT.into(),
            retry: crate::retry::RetryConfig::default(),
            rate_limit: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    #[test]
    fn plain_http_goes_only_to_this_machine_unless_allowed() {
        let build = |url: &str, insecure: bool| {
            crate::Client::builder()
                .access_token("t")
                .base_url(url)
                .insecure_http(insecure)
                .build()
        };
        for url in [
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://localhost:1",
            "http://[::1]:8080",
            "https://10.0.0.5",
        ] {
            assert!(build(url, false).is_ok(), "{url}");
        }
        for url in [
            "http://10.0.0.5:8080",
            "http://192.168.1.20",
            "http://api.security.cisco.com",
            "http://[fe80::1]",
        ] {
            let error = build(url, false).expect_err(url);
            assert_eq!(error.kind(), crate::ErrorKind::InvalidInput, "{url}");
            let message = error.to_string();
            assert!(
                message.contains("`base_url`") && message.contains("in clear"),
                "{message}"
            );
            assert!(build(url, true).is_ok(), "{url} allowed knowingly");
        }
        let xdr = crate::xdr::XdrClient::builder()
            .base_url("http://10.0.0.5:9")
            .bearer_token("t")
            .build();
        assert!(xdr.is_err(), "XDR's builder keeps the rule");
    }

    #[test]
    fn api_root_joins_without_double_slashes() {
        assert_eq!(
            config("https://api.security.cisco.com", "v1").api_root().as_str(),
            "https://api.security.cisco.com/v1"
        );
        assert_eq!(
            config("https://api.security.cisco.com/", "/v1/").api_root().as_str(),
            "https://api.security.cisco.com/v1"
        );
        assert_eq!(
            config("http://127.0.0.1:8080/proxy/", "v2").api_root().as_str(),
            "http://127.0.0.1:8080/proxy/v2"
        );
    }

    #[test]
    fn bad_base_urls_name_the_field() {
        for bad in ["", "not a url", "ftp://x", "https://h/?q=1", "mailto:a@b.c"] {
            assert!(
                matches!(parse_base_url(bad), Err(Error::InvalidInput { ref field, .. }) if field == "base_url"),
                "{bad}"
            );
        }
    }
}
