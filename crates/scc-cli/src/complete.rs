//! Completion of names from the service (`--org`, groups, roles), as kubectl completes resource
//! names: read with the profile's settings, kept a minute in the configuration folder, and never an
//! error on the terminal (a completion that cannot be read offers nothing).

use std::ffi::OsStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap_complete::CompletionCandidate;
use serde::{Deserialize, Serialize};

use crate::settings::{Overrides, Settings};

/// How long names read for completion are offered again without reading.
const FRESH: Duration = Duration::from_secs(60);
/// The most a completion waits for the service.
const WAIT: Duration = Duration::from_secs(3);

#[derive(Serialize, Deserialize)]
struct Cached {
    /// Seconds since the epoch when read.
    at: u64,
    /// Each name, with what it is (an id, a type).
    names: Vec<(String, String)>,
}

/// Organization names the token reaches.
pub(crate) fn orgs(current: &OsStr) -> Vec<CompletionCandidate> {
    offer("orgs", current, |client, _settings| async move {
        let orgs = client
            .organizations()
            .list()
            .max(500)
            .send()
            .await
            .map_err(|error| error.to_string())?;
        Ok(orgs
            .items
            .into_iter()
            .filter_map(|org| Some((org.name?, org.id.to_string())))
            .collect())
    })
}

/// Admin group names of the organization in use.
pub(crate) fn groups(current: &OsStr) -> Vec<CompletionCandidate> {
    offer("groups", current, |client, settings| async move {
        let org = org_in_use(&client, &settings).await?;
        let groups = client
            .groups()
            .list(org)
            .max(500)
            .send()
            .await
            .map_err(|error| error.to_string())?;
        Ok(groups
            .items
            .into_iter()
            .filter_map(|group| Some((group.name?, group.id.to_string())))
            .collect())
    })
}

/// Role display names of the organization in use.
pub(crate) fn roles(current: &OsStr) -> Vec<CompletionCandidate> {
    offer("roles", current, |client, settings| async move {
        let org = org_in_use(&client, &settings).await?;
        let roles = client
            .roles()
            .list(org)
            .send()
            .await
            .map_err(|error| error.to_string())?;
        Ok(roles
            .items
            .into_iter()
            .filter_map(|role| Some((role.display_name?, role.id.to_string())))
            .collect())
    })
}

/// The id of the organization in use (the profile's, by id or name).
async fn org_in_use(client: &scc_sdk::Client, settings: &Settings) -> Result<String, String> {
    let org = settings.org().map_err(|error| error.message)?;
    crate::commands::resolve::org(client, &org)
        .await
        .map_err(|error| error.message)
}

/// The names of `kind` that start with what was typed (any case), from the cache while it is
/// fresh, else read with `read`.
fn offer<F, Fut>(kind: &str, current: &OsStr, read: F) -> Vec<CompletionCandidate>
where
    F: FnOnce(scc_sdk::Client, Settings) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<(String, String)>, String>>,
{
    let typed = current.to_string_lossy().to_lowercase();
    let names = names(kind, read).unwrap_or_default();
    names
        .into_iter()
        .filter(|(name, _)| name.to_lowercase().starts_with(&typed))
        .map(|(name, about)| CompletionCandidate::new(name).help(Some(about.into())))
        .collect()
}

fn names<F, Fut>(kind: &str, read: F) -> Option<Vec<(String, String)>>
where
    F: FnOnce(scc_sdk::Client, Settings) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<(String, String)>, String>>,
{
    let settings = Settings::resolve(&Overrides::default()).ok()?;
    let scope = format!(
        "{}\n{}\n{}",
        settings.profile.value,
        settings.base_url.value,
        settings
            .org_id
            .as_ref()
            .map(|org| org.value.as_str())
            .unwrap_or_default()
    );
    let path = settings.config_dir.join("cache").join(format!(
        "complete-{kind}-{:016x}.json",
        scc_apply::fnv1a(scope.as_bytes())
    ));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    if let Some(cached) = std::fs::read(&path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Cached>(&bytes).ok())
        .filter(|cached| now.saturating_sub(cached.at) < FRESH.as_secs())
    {
        return Some(cached.names);
    }
    let client = settings.client().ok()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    let names = runtime
        .block_on(async { tokio::time::timeout(WAIT, read(client, settings)).await })
        .ok()?
        .ok()?;
    // The names are not secrets; the folder is the owner's (0700).
    let cached = serde_json::to_vec(&Cached {
        at: now,
        names: names.clone(),
    })
    .ok()?;
    let _ = scc_sdk::auth::write_private_atomically(&path, &cached);
    Some(names)
}
