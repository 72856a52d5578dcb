//! Shell completion, as cobra does it: the script a shell loads calls the hidden `scc __complete
//! SHELL -- WORDS…` at each TAB (no environment variable changes what an ordinary command does), and
//! the candidates come back one a line as data, never code: a candidate with a control character
//! (a newline would make two) or a bidirectional control is dropped, and the rest are quoted for the
//! shell that asked, so `SOC $(…); x` is inserted as one quoted word and `star*` is never globbed.
//! Names of organizations, groups and roles come from the service as kubectl completes resource
//! names: read with the profile's settings, kept a minute in a private cache keyed by the
//! credentials' identity (never the credentials), and never an error on the terminal.

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

/// Organization names the token reaches, one candidate an organization: a name several share is
/// offered as each one's id, described by the name and region (the name alone would be refused as
/// ambiguous).
pub(crate) fn orgs(current: &OsStr) -> Vec<CompletionCandidate> {
    offer("orgs", current, |client, _settings| async move {
        let orgs = client
            .organizations()
            .list()
            .max(500)
            .send()
            .await
            .map_err(|error| error.to_string())?;
        let key = scc_sdk::validate::name_key;
        let mut shared = std::collections::HashMap::<String, usize>::new();
        for name in orgs.items.iter().filter_map(|org| org.name.as_deref()) {
            *shared.entry(key(name)).or_default() += 1;
        }
        Ok(orgs
            .items
            .into_iter()
            .filter_map(|org| {
                let name = org.name?;
                let id = org.id.to_string();
                if shared.get(&key(&name)).copied().unwrap_or(0) > 1 {
                    let region = org.region_code.as_ref().map_or("", |region| region.as_str());
                    Some((id, format!("{name} ({region})")))
                } else {
                    Some((name, id))
                }
            })
            .collect())
    })
}

/// The profiles of the configuration folder (read here: no request).
pub(crate) fn profiles(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy().to_lowercase();
    crate::settings::known_profiles(&crate::settings::config_dir())
        .unwrap_or_default()
        .into_iter()
        .filter(|name| name.to_lowercase().starts_with(&typed))
        .map(CompletionCandidate::new)
        .collect()
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
        // A name several roles share (one per product) is offered as each one's id, described by
        // the name and product: the name alone would be refused as ambiguous.
        let key = scc_sdk::validate::name_key;
        let mut shared = std::collections::HashMap::<String, usize>::new();
        for name in roles.items.iter().filter_map(|role| role.display_name.as_deref()) {
            *shared.entry(key(name)).or_default() += 1;
        }
        Ok(roles
            .items
            .into_iter()
            .filter_map(|role| {
                let name = role.display_name?;
                let id = role.id.to_string();
                if shared.get(&key(&name)).copied().unwrap_or(0) > 1 {
                    let product = role
                        .products
                        .iter()
                        .flatten()
                        .find_map(|product| product.name.clone())
                        .unwrap_or_default();
                    Some((id, format!("{name} ({product})")))
                } else {
                    Some((name, id))
                }
            })
            .collect())
    })
}

/// The id of the organization in use (the profile's, by id or name).
async fn org_in_use(client: &scc_sdk::Client, settings: &Settings) -> Result<String, String> {
    let org = settings.org().map_err(|error| error.message)?;
    crate::resolve::org(client, &org).await.map_err(|error| error.message)
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
        // What was typed may begin the value or its description (an id offered for a shared name).
        .filter(|(name, about)| name.to_lowercase().starts_with(&typed) || about.to_lowercase().starts_with(&typed))
        .map(|(name, about)| CompletionCandidate::new(name).help(Some(about.into())))
        .collect()
}

fn names<F, Fut>(kind: &str, read: F) -> Option<Vec<(String, String)>>
where
    F: FnOnce(scc_sdk::Client, Settings) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<(String, String)>, String>>,
{
    let settings = Settings::resolve(&Overrides::default()).ok()?;
    // Whose names: another token (another key, or one that no longer works) never gets these. The
    // key's id where there is one, else a digest of the token; never the token itself.
    let identity = settings.credentials.as_ref().map_or_else(String::new, |credentials| {
        credentials.value.api_key_id.clone().unwrap_or_else(|| {
            format!(
                "token:{:016x}",
                scc_apply::fnv1a(credentials.value.access_token.as_bytes())
            )
        })
    });
    let scope = format!(
        "{}\n{}\n{}\n{identity}",
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
        // A time in the future is no time: such an entry is read again.
        .filter(|cached| cached.at <= now && now - cached.at < FRESH.as_secs())
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
    let _ = scc_sdk::files::write_private_atomically(&path, &cached);
    Some(names)
}

/// The shells `scc completion` writes a script for, and `__complete` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl Shell {
    pub(crate) fn named(name: &str) -> Option<Self> {
        match name {
            "bash" => Some(Self::Bash),
            "zsh" => Some(Self::Zsh),
            "fish" => Some(Self::Fish),
            "powershell" => Some(Self::Powershell),
            _ => None,
        }
    }

    /// The script that makes the shell ask `scc __complete` at each TAB.
    pub(crate) fn script(self) -> &'static str {
        match self {
            // `read -r` into an array: no word splitting, no globbing; each line is one candidate,
            // quoted by scc for bash.
            Self::Bash => include_str!("completion/scc.bash"),
            // `(f)` splits on lines only; `compadd` quotes what it inserts.
            Self::Zsh => include_str!("completion/scc.zsh"),
            // fish splits a command substitution on lines and escapes what it inserts.
            Self::Fish => include_str!("completion/scc.fish"),
            Self::Powershell => include_str!("completion/scc.ps1"),
        }
    }

    /// `value` as this shell inserts it safely: one word, nothing expanded.
    fn quoted(self, value: &str) -> String {
        let plain = |c: char| c.is_alphanumeric() || "_-.,:/@%+=".contains(c);
        match self {
            // zsh's compadd and fish quote what they insert: the value goes as it is.
            Self::Zsh | Self::Fish => value.to_owned(),
            Self::Bash if value.chars().all(plain) && !value.is_empty() => value.to_owned(),
            Self::Bash => format!("'{}'", value.replace('\'', r"'\''")),
            Self::Powershell if value.chars().all(plain) && !value.is_empty() => value.to_owned(),
            Self::Powershell => format!("'{}'", value.replace('\'', "''")),
        }
    }
}

/// Whether a candidate may reach a shell at all: no control character (a newline would make two
/// candidates, an escape would drive the terminal) and no bidirectional control.
fn printable(value: &str) -> bool {
    scc_sdk::text::one_line(value) == value
}

/// `scc __complete SHELL -- scc WORDS… CURRENT`: the candidates for the last word of `command`'s
/// tree, one a line.
pub(crate) fn answer(mut command: clap::Command, shell: Shell, words: Vec<std::ffi::OsString>) -> String {
    let index = words.len().saturating_sub(1);
    let candidates = clap_complete::engine::complete(&mut command, words, index, None).unwrap_or_default();
    let mut out = String::new();
    for candidate in candidates {
        let Some(value) = candidate.get_value().to_str() else {
            continue;
        };
        if !printable(value) {
            continue;
        }
        out.push_str(&shell.quoted(value));
        if shell == Shell::Fish
            && let Some(help) = candidate.get_help()
        {
            let help = help.to_string();
            if printable(&help) {
                out.push('\t');
                out.push_str(&help);
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_quoted_as_one_word_for_the_shell_that_asked() {
        assert_eq!(Shell::Bash.quoted("SOC Analysts"), "'SOC Analysts'");
        assert_eq!(Shell::Bash.quoted("SOC $(touch PWNED); x"), "'SOC $(touch PWNED); x'");
        assert_eq!(Shell::Bash.quoted("it's"), r"'it'\''s'");
        assert_eq!(Shell::Bash.quoted("star*"), "'star*'");
        assert_eq!(Shell::Bash.quoted("acme-east"), "acme-east");
        assert_eq!(Shell::Powershell.quoted("it's here"), "'it''s here'");
        assert_eq!(Shell::Zsh.quoted("SOC $(x)"), "SOC $(x)");
        assert!(!printable("Ops\ntouch PWNED"));
        assert!(!printable("a\u{202e}b"));
        assert!(printable("Acme Zürich"));
    }
}
