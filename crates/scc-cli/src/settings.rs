//! Where each setting comes from: flag > environment > profile file > default. Settings live in
//! `$XDG_CONFIG_HOME/scc/config.toml` (named profiles); credentials in
//! `$XDG_CONFIG_HOME/scc/credentials/<profile>.json`, written atomically with 0600 permissions.
//! `SCC_CONFIG_DIR` moves both.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use scc_sdk::{Client, FileTokenStore, RetryConfig};
use serde::{Deserialize, Serialize};

use crate::failure::CliError;
use crate::output::Format;

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    Flag,
    Env(&'static str),
    File(PathBuf),
    /// The pair an earlier `scc` rotated from the environment's credentials of the same API key,
    /// newer than the environment's (whose refresh token that rotation spent).
    Rotated(PathBuf),
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag => f.write_str("flag"),
            Self::Env(name) => write!(f, "environment ({name})"),
            Self::File(path) => write!(f, "file ({})", path.display()),
            Self::Rotated(path) => write!(f, "the environment's key, rotated since ({})", path.display()),
            Self::Default => f.write_str("default"),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Resolved<T> {
    pub(crate) value: T,
    pub(crate) source: Source,
}

/// One profile of `config.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) base_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) org_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) output: Option<Format>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) timeout: Option<u64>,
    /// `scc apply`'s change journal (one JSON line per change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) journal: Option<PathBuf>,
    /// A plain http:// base URL to another host is allowed (`scc configure --insecure-http`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) insecure_http: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ConfigFile {
    /// The profile used when neither --profile nor SCC_PROFILE names one (`scc profile use`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) current: Option<String>,
    #[serde(default)]
    pub(crate) profiles: BTreeMap<String, Profile>,
}

/// The credentials file: the SDK's format, so `FileTokenStore` and `scc configure` write the same file.
pub(crate) use scc_sdk::auth::StoredCredentials;

pub(crate) struct Settings {
    pub(crate) config_dir: PathBuf,
    pub(crate) profile: Resolved<String>,
    pub(crate) base_url: Resolved<String>,
    pub(crate) base_path: Resolved<String>,
    pub(crate) org_id: Option<Resolved<String>>,
    pub(crate) output: Format,
    pub(crate) timeout: Duration,
    /// `--ca-bundle`, else `SCC_CA_BUNDLE`.
    pub(crate) ca_bundle: Option<std::path::PathBuf>,
    pub(crate) max_response_bytes: usize,
    pub(crate) credentials: Option<Resolved<StoredCredentials>>,
    /// `scc apply`'s change journal: SCC_JOURNAL, or the profile's `journal`.
    pub(crate) journal: Option<PathBuf>,
    /// What the command line gave (the client's retry and dry-run flags).
    pub(crate) overrides: Overrides,
    /// Plain HTTP to another host allowed: `--insecure-http`, or the profile's `insecure_http`.
    pub(crate) insecure_http: bool,
}

fn env(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.trim().is_empty())
}

/// One setting by precedence: flag > environment > file (given already resolved) > none.
fn pick(flag: Option<String>, var: &'static str, file: Option<Resolved<String>>) -> Option<Resolved<String>> {
    if let Some(value) = flag {
        return Some(Resolved {
            value,
            source: Source::Flag,
        });
    }
    if let Some(value) = env(var) {
        return Some(Resolved {
            value,
            source: Source::Env(var),
        });
    }
    file
}

pub(crate) fn config_dir() -> PathBuf {
    scc_sdk::config::config_dir()
}

pub(crate) fn config_path(dir: &Path) -> PathBuf {
    dir.join("config.toml")
}

pub(crate) fn credentials_path(dir: &Path, profile: &str) -> PathBuf {
    dir.join("credentials").join(format!("{profile}.json"))
}

pub(crate) fn read_config(path: &Path) -> Result<ConfigFile, CliError> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text)
            .map_err(|error| CliError::usage(format!("{}: {error}", path.display()), "fix or remove the file")),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
        Err(error) => Err(CliError::failure(
            format!("cannot read {}: {error}", path.display()),
            None,
        )),
    }
}

/// The profiles of config.toml and of the credentials folder, sorted.
pub(crate) fn known_profiles(dir: &Path) -> Result<Vec<String>, CliError> {
    let mut names: std::collections::BTreeSet<String> = read_config(&config_path(dir))?.profiles.into_keys().collect();
    if let Ok(entries) = std::fs::read_dir(dir.join("credentials")) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|ext| ext == "json")
                && let Some(stem) = path.file_stem().and_then(|stem| stem.to_str())
            {
                names.insert(stem.to_owned());
            }
        }
    }
    Ok(names.into_iter().collect())
}

/// A profile names a file under the configuration directory: letters, digits, `-`, `_` and `.`,
/// not starting with a dot, so no name reaches outside it.
pub(crate) fn check_profile_name(name: &str) -> Result<(), CliError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.len() > 64 || name.starts_with('.') || !name.chars().all(allowed) {
        return Err(CliError::usage(
            format!("--profile {name:?} is not a profile name"),
            "a profile name has 1 to 64 letters, digits, '-', '_' or '.', and does not start with '.'",
        ));
    }
    Ok(())
}

/// Like ssh with a private key: a credentials file that others may read is refused, not used.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(metadata) = std::fs::metadata(path) else {
        return Ok(());
    };
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(CliError::auth(
            format!(
                "the credentials file {} may be read by others (mode {mode:04o}); it is not used",
                path.display()
            ),
            &format!("make it private with `chmod 600 {}`", path.display()),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), CliError> {
    Ok(())
}

/// Where the pairs rotated from the environment's credentials of API key `key` are kept (0600, in a
/// private folder of the configuration folder), so the next `scc` of the same key (the next step of
/// a CI job, the next night's drift check) finds the pair instead of the spent one.
pub(crate) fn rotated_path(config_dir: &Path, key: &str) -> PathBuf {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let name = if plain {
        key.to_owned()
    } else {
        format!("{:016x}", scc_apply::fnv1a(key.as_bytes()))
    };
    config_dir.join("rotated").join(format!("{name}.json"))
}

/// The environment's credentials, or the pair an earlier `scc` rotated from them when that is newer
/// (its access token expires later): a refresh spends the environment's refresh token, and the
/// rotated pair is the one that works now.
fn newer_rotated(config_dir: &Path, from_env: StoredCredentials) -> Result<Resolved<StoredCredentials>, CliError> {
    let from_env_source = |value| Resolved {
        value,
        source: Source::Env("SCC_ACCESS_TOKEN"),
    };
    let Some(key) = from_env.api_key_id.clone().filter(|_| from_env.refresh_token.is_some()) else {
        return Ok(from_env_source(from_env));
    };
    let path = rotated_path(config_dir, &key);
    let Some(rotated) = read_credentials(&path)? else {
        return Ok(from_env_source(from_env));
    };
    let expiry = |stored: &StoredCredentials| {
        stored
            .access_expiry()
            .or_else(|| scc_sdk::auth::jwt_expiry(&stored.access_token))
    };
    // Unknown ages keep the environment's: a new key set in the job's secrets must win. A rotation
    // in the second the environment's pair was issued expires in the same second: the rotated pair
    // is the one that works then (the file holds only pairs rotated from this key's).
    let newer = match (expiry(&rotated), expiry(&from_env)) {
        (Some(rotated_expiry), Some(env_expiry)) => {
            rotated_expiry >= env_expiry && rotated.refresh_token != from_env.refresh_token
        }
        _ => false,
    };
    if newer && rotated.api_key_id.as_deref() == Some(key.as_str()) {
        Ok(Resolved {
            value: rotated,
            source: Source::Rotated(path),
        })
    } else {
        Ok(from_env_source(from_env))
    }
}

/// Where a pair rotated from these credentials is saved: the file they came from, or for the
/// environment's the rotated-pairs file of their key (none without a key id).
pub(crate) fn rotation_store(config_dir: &Path, credentials: &Resolved<StoredCredentials>) -> Option<PathBuf> {
    match &credentials.source {
        Source::File(path) | Source::Rotated(path) => Some(path.clone()),
        Source::Env(_) => credentials
            .value
            .api_key_id
            .as_deref()
            .map(|key| rotated_path(config_dir, key)),
        Source::Flag | Source::Default => None,
    }
}

/// The rotated-pairs file of the environment's key, which also says once that the environment's
/// refresh token is spent and where the pair that replaced it is kept.
struct KeptRotation(FileTokenStore);

impl scc_sdk::TokenStore for KeptRotation {
    fn store(&self, credentials: &scc_sdk::Credentials) -> std::io::Result<()> {
        self.0.store(credentials)?;
        eprintln!(
            "scc: the access token was refreshed; SCC_REFRESH_TOKEN is now spent, and the new pair is kept in {} \
             for the next scc of this key",
            self.0.path().display()
        );
        Ok(())
    }

    fn newest(&self) -> std::io::Result<Option<scc_sdk::Credentials>> {
        self.0.newest()
    }

    fn try_lock_for_refresh(&self) -> std::io::Result<Option<scc_sdk::auth::RefreshLock>> {
        self.0.try_lock_for_refresh()
    }
}

pub(crate) fn read_credentials(path: &Path) -> Result<Option<StoredCredentials>, CliError> {
    check_private(path)?;
    match FileTokenStore::new(path).read() {
        Ok(stored) => Ok(Some(stored)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        // The SDK's message names the file and where it is broken.
        Err(error) if error.kind() == std::io::ErrorKind::InvalidData => Err(CliError::usage(
            format!("not a credentials file: {error}"),
            "run `scc configure` to write it again",
        )),
        Err(error) => Err(CliError::failure(
            format!("cannot read {}: {error}", path.display()),
            None,
        )),
    }
}

/// What the command line gave that settings read (flags win over the environment and the profile):
/// made from clap's `Global` once, in `main`, so nothing below it knows clap's types.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overrides {
    pub(crate) profile: Option<String>,
    pub(crate) base_url: Option<String>,
    /// The organization in use (the last `--org`).
    pub(crate) org: Option<String>,
    pub(crate) output: Option<Format>,
    pub(crate) timeout: Option<u64>,
    pub(crate) max_response_bytes: Option<usize>,
    pub(crate) ca_bundle: Option<PathBuf>,
    /// `--credentials-file`: read and rewritten instead of the profile's (wins over the environment).
    pub(crate) credentials_file: Option<PathBuf>,
    pub(crate) no_retry: bool,
    /// `--rate-limit`: requests per second at most.
    pub(crate) rate_limit: Option<f64>,
    pub(crate) dry_run: bool,
    pub(crate) insecure_http: bool,
}

impl Settings {
    /// The warning every run gives while the token goes in clear to another host.
    pub(crate) fn plain_http_warning(&self) -> Option<String> {
        let host = scc_sdk::config::in_clear_to(&self.base_url.value).filter(|_| self.insecure_http)?;
        Some(format!(
            "warning: the token is sent in clear over plain HTTP to {host} (--insecure-http, or the profile's insecure_http)"
        ))
    }

    /// The organization the credentials belong to: the token's `org` claim, else the saved key's,
    /// else the organization in use.
    pub(crate) fn key_org(&self) -> Option<String> {
        let credentials = self.credentials.as_ref()?;
        scc_sdk::auth::jwt_org(&credentials.value.access_token)
            .or_else(|| credentials.value.org_id.clone())
            .or_else(|| self.org_id.as_ref().map(|org| org.value.clone()))
    }

    pub(crate) fn resolve(global: &Overrides) -> Result<Self, CliError> {
        let overrides = global.clone();
        let config_dir = config_dir();
        let config_file = config_path(&config_dir);
        // Settings others may write could send the token anywhere: refused, as ssh refuses them.
        for path in [&config_dir, &config_file, &config_dir.join("credentials")] {
            scc_sdk::files::check_not_writable_by_others(path).map_err(|error| {
                CliError::usage(
                    error.to_string(),
                    "make it writable by its owner only; nothing was read",
                )
            })?;
        }
        let config = read_config(&config_file)?;
        let profile = match (&global.profile, env("SCC_PROFILE")) {
            (Some(name), _) => Resolved {
                value: name.clone(),
                source: Source::Flag,
            },
            (None, Some(name)) => Resolved {
                value: name,
                source: Source::Env("SCC_PROFILE"),
            },
            (None, None) => match &config.current {
                Some(current) => Resolved {
                    value: current.clone(),
                    source: Source::File(config_file.clone()),
                },
                None => Resolved {
                    value: "default".into(),
                    source: Source::Default,
                },
            },
        };
        check_profile_name(&profile.value)?;
        let stored = config.profiles.get(&profile.value).cloned().unwrap_or_default();
        let file = || Source::File(config_file.clone());

        let pick = |flag: Option<String>, var: &'static str, file_value: Option<String>| {
            pick(flag, var, file_value.map(|value| Resolved { value, source: file() }))
        };
        let base_url = pick(global.base_url.clone(), "SCC_BASE_URL", stored.base_url.clone()).unwrap_or(Resolved {
            value: scc_sdk::config::DEFAULT_BASE_URL.into(),
            source: Source::Default,
        });
        let base_path = pick(None, "SCC_BASE_PATH", stored.base_path.clone()).unwrap_or(Resolved {
            value: scc_sdk::config::DEFAULT_BASE_PATH.into(),
            source: Source::Default,
        });
        let org_id = pick(global.org.clone(), "SCC_ORG_ID", stored.org_id.clone());
        let output = match (global.output, env("SCC_OUTPUT")) {
            (Some(format), _) => format,
            (None, Some(text)) => <Format as clap::ValueEnum>::from_str(&text, true).map_err(|_| {
                CliError::usage(
                    format!("SCC_OUTPUT={text} is not an output format"),
                    "use table, json, ndjson or yaml",
                )
            })?,
            (None, None) => stored.output.unwrap_or(Format::Table),
        };
        let timeout = Duration::from_secs(global.timeout.or(stored.timeout).unwrap_or(30).max(1));

        let max_response_bytes = match (global.max_response_bytes, env("SCC_MAX_RESPONSE_BYTES")) {
            (Some(bytes), _) => bytes,
            (None, Some(text)) => text.trim().parse().map_err(|_| {
                CliError::usage(
                    format!("SCC_MAX_RESPONSE_BYTES={text} is not a number of bytes"),
                    "give a whole number, e.g. 8388608",
                )
            })?,
            (None, None) => scc_sdk::config::DEFAULT_MAX_RESPONSE_BYTES,
        };
        if max_response_bytes == 0 {
            return Err(CliError::usage(
                "--max-response-bytes must be more than zero".into(),
                "give a whole number of bytes, e.g. 8388608",
            ));
        }
        let credentials_file = global
            .credentials_file
            .clone()
            .or_else(|| env("SCC_CREDENTIALS_FILE").map(PathBuf::from));
        // --credentials-file wins over the environment's token, as every flag does; the environment's
        // token wins over SCC_CREDENTIALS_FILE and the profile.
        let token_from_env = env("SCC_ACCESS_TOKEN").filter(|_| global.credentials_file.is_none());
        let credentials = match (token_from_env, credentials_file) {
            (Some(access_token), _) => {
                let mut stored = StoredCredentials::access_token_only(access_token);
                stored.org_id = env("SCC_ORG_ID");
                stored.api_key_id = env("SCC_API_KEY_ID");
                stored.refresh_token = env("SCC_REFRESH_TOKEN");
                Some(newer_rotated(&config_dir, stored)?)
            }
            (None, Some(path)) => {
                let value = read_credentials(&path)?.ok_or_else(|| {
                    CliError::usage(
                        format!("the credentials file {} does not exist", path.display()),
                        "write it with `scc configure` (SCC_CONFIG_DIR) or point the variable at the file",
                    )
                })?;
                Some(Resolved {
                    value,
                    source: Source::File(path),
                })
            }
            (None, None) => {
                let path = credentials_path(&config_dir, &profile.value);
                read_credentials(&path)?.map(|value| Resolved {
                    value,
                    source: Source::File(path),
                })
            }
        };
        Ok(Self {
            config_dir,
            profile,
            base_url,
            base_path,
            org_id,
            output,
            timeout,
            ca_bundle: global
                .ca_bundle
                .clone()
                .or_else(|| env(scc_sdk::config::ENV_CA_BUNDLE).map(Into::into)),
            max_response_bytes,
            credentials,
            journal: env("SCC_JOURNAL").map(PathBuf::from).or_else(|| stored.journal.clone()),
            insecure_http: overrides.insecure_http || stored.insecure_http == Some(true),
            overrides,
        })
    }

    /// The XDR client: region and address by the same precedence as every setting (flag >
    /// environment > default); credentials from the environment only.
    pub(crate) fn xdr_client(
        &self,
        region: Option<String>,
        base_url: Option<String>,
    ) -> Result<scc_sdk::xdr::XdrClient, CliError> {
        let region: scc_sdk::xdr::XdrRegion = pick(region, "SCC_XDR_REGION", None)
            .map(|resolved| resolved.value)
            .unwrap_or_default()
            .parse()?;
        let mut builder = scc_sdk::xdr::XdrClient::builder()
            .insecure_http(self.insecure_http)
            .region(region)
            .timeout(self.timeout)
            .max_response_bytes(self.max_response_bytes);
        if let Some(bundle) = &self.ca_bundle {
            builder = builder.ca_bundle(bundle.clone());
        }
        if let Some(url) = pick(base_url, "SCC_XDR_BASE_URL", None) {
            builder = builder.base_url(url.value);
        }
        builder = match (
            env("SCC_XDR_CLIENT_ID"),
            env("SCC_XDR_CLIENT_SECRET"),
            env("SCC_XDR_TOKEN"),
        ) {
            (Some(id), Some(secret), _) => builder.client_credentials(id, secret),
            (_, _, Some(token)) => builder.bearer_token(token),
            _ => {
                return Err(CliError::auth(
                    "no XDR credentials".into(),
                    "set SCC_XDR_CLIENT_ID and SCC_XDR_CLIENT_SECRET, or SCC_XDR_TOKEN",
                ));
            }
        };
        if self.overrides.no_retry {
            builder = builder.retry(RetryConfig::disabled());
        }
        Ok(builder.dry_run(self.overrides.dry_run).build()?)
    }

    /// A profile named by --profile or SCC_PROFILE must exist (in config.toml or as a credentials
    /// file): a typo is an error listing the profiles there are, not a silent empty profile.
    pub(crate) fn check_profile_exists(&self) -> Result<(), CliError> {
        if self.profile.source == Source::Default {
            return Ok(());
        }
        let known = known_profiles(&self.config_dir)?;
        if known.contains(&self.profile.value) {
            return Ok(());
        }
        let listed = if known.is_empty() {
            "there are none yet".to_owned()
        } else {
            format!("there are: {}", known.join(", "))
        };
        Err(CliError::usage(
            format!("no profile {:?} ({listed})", self.profile.value),
            &format!("create it with `scc configure --profile {}`", self.profile.value),
        ))
    }

    /// The organization to act on, or a usage error that says how to give one.
    pub(crate) fn org(&self) -> Result<String, CliError> {
        self.org_id.as_ref().map(|org| org.value.clone()).ok_or_else(|| {
            CliError::usage(
                "no organization given".into(),
                "pass --org ORG_ID, set SCC_ORG_ID, or save one with `scc configure --org ORG_ID`",
            )
        })
    }

    /// A client for these settings. Refreshing credentials of the profile's file save every rotated
    /// pair back to it; credentials from the environment are never written to a profile (a rotation
    /// is said on stderr: the environment's refresh token no longer works).
    pub(crate) fn client(&self) -> Result<Client, CliError> {
        self.client_builder(self.overrides.dry_run)?
            .build()
            .map_err(CliError::from)
    }

    /// The client's builder, for callers that add settings (the rate limit of `apply`).
    pub(crate) fn client_builder(&self, dry_run: bool) -> Result<scc_sdk::ClientBuilder, CliError> {
        let global = &self.overrides;
        let credentials = self.credentials.as_ref().ok_or_else(|| {
            CliError::auth(
                "no credentials".into(),
                "set SCC_ACCESS_TOKEN, or save credentials with `scc configure`",
            )
        })?;
        let mut builder = Client::builder()
            .insecure_http(self.insecure_http)
            .base_url(&self.base_url.value)
            .base_path(&self.base_path.value)
            .timeout(self.timeout)
            .max_response_bytes(self.max_response_bytes)
            .dry_run(dry_run);
        if let Some(bundle) = &self.ca_bundle {
            builder = builder.ca_bundle(bundle.clone());
        }
        if global.no_retry {
            builder = builder.retry(RetryConfig::disabled());
        }
        if let Some(rate) = global.rate_limit {
            builder = builder.rate_limit(scc_sdk::RateLimit::new(rate, (rate.ceil() as u32).max(1)));
        }
        let org_fallback = self.org_id.as_ref().map(|org| org.value.as_str());
        Ok(
            match (
                credentials.value.refreshing(org_fallback),
                rotation_store(&self.config_dir, credentials),
            ) {
                (Some(refreshing), Some(path)) => {
                    if let Some(folder) = path.parent() {
                        scc_sdk::files::create_private_dir(folder).map_err(|error| {
                            CliError::failure(format!("cannot make {}: {error}", folder.display()), None)
                        })?;
                    }
                    match credentials.source {
                        Source::Env(_) => builder
                            .credentials(refreshing)
                            .token_store(KeptRotation(FileTokenStore::new(path))),
                        _ => builder.credentials(refreshing).token_store(FileTokenStore::new(path)),
                    }
                }
                (Some(refreshing), None) => builder.credentials(refreshing),
                (None, _) => builder.access_token(&credentials.value.access_token),
            },
        )
    }
}
