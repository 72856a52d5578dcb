//! `scc configure` and `scc auth status`.

use std::io::{BufRead, IsTerminal};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::Ctx;
use crate::cli::{AuthCommand, ConfigureArgs};
use crate::failure::{CliError, Code};
use crate::output::Format;
use crate::settings::{StoredCredentials, config_path, credentials_path, read_config, read_credentials};

/// A secret flag's value; `-` reads one line of stdin, without echo on a terminal, and says so.
fn read_secret(flag: &str, value: Option<String>) -> Result<Option<String>, CliError> {
    match value.as_deref() {
        Some("-") => {
            let cannot =
                |error: std::io::Error| CliError::failure(format!("cannot read {flag} from stdin: {error}"), None);
            let line = if std::io::stdin().is_terminal() {
                eprintln!("scc: reading {flag} from the terminal (input is not shown); end with Enter");
                rpassword::read_password().map_err(cannot)?
            } else {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).map_err(cannot)?;
                eprintln!("scc: read {flag} from stdin");
                line
            };
            Ok(Some(line.trim().to_owned()).filter(|text| !text.is_empty()))
        }
        Some(_) => {
            eprintln!(
                "scc: warning: {flag} on the command line can be read by other users of this machine (ps) and stays in shell history; give `{flag} -` to read it from stdin"
            );
            Ok(value.filter(|text| !text.trim().is_empty()))
        }
        None => Ok(None),
    }
}

fn prompt(question: &str, secret: bool) -> Result<Option<String>, CliError> {
    let answer = if secret {
        rpassword::prompt_password(format!("{question}: "))
            .map_err(|error| CliError::failure(format!("cannot read the answer: {error}"), None))?
    } else {
        eprint!("{question}: ");
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|error| CliError::failure(format!("cannot read the answer: {error}"), None))?;
        line
    };
    Ok(Some(answer.trim().to_owned()).filter(|text| !text.is_empty()))
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), CliError> {
    scc_sdk::files::write_private_atomically(path, bytes)
        .map_err(|error| CliError::failure(format!("cannot write {}: {error}", path.display()), None))
}

pub(crate) async fn configure(ctx: &Ctx, args: ConfigureArgs) -> Result<Code, CliError> {
    let dir = &ctx.settings.config_dir;
    let profile_name = ctx.settings.profile.value.clone();
    let config_file = config_path(dir);
    let mut config = read_config(&config_file)?;
    let interactive = !args.no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let no_flags = ctx.global.base_url.is_none()
        && ctx.global.org.is_empty()
        && args.base_path.is_none()
        && args.api_key_id.is_none()
        && args.access_token.is_none()
        && args.refresh_token.is_none()
        && args.default_output.is_none();
    let profile = config.profiles.entry(profile_name.clone()).or_default();
    let mut base_url = ctx.global.base_url.clone();
    let mut org = ctx.global.org.last().cloned();
    if interactive && no_flags {
        // Asked on a terminal when nothing was given; Enter keeps what is shown.
        let current_url = profile
            .base_url
            .clone()
            .unwrap_or_else(|| scc_sdk::config::DEFAULT_BASE_URL.to_owned());
        // A mistake is asked again, the answers before it kept.
        let insecure = ctx.global.insecure_http || profile.insecure_http == Some(true);
        let mut tries = 0;
        base_url = loop {
            let answer = prompt(&format!("Base URL [{current_url}]"), false)?.unwrap_or_else(|| current_url.clone());
            tries += 1;
            match checked_base_url(&answer, insecure) {
                Ok(()) => break Some(answer),
                Err(error) if tries < 3 => ctx.ui.error(&error.message, Some("type it again")),
                Err(error) => return Err(error),
            }
        };
        let current_org = profile.org_id.clone().unwrap_or_default();
        org = prompt(&format!("Organization id [{current_org}]"), false)?.or(profile.org_id.clone());
    }
    if let Some(url) = &base_url {
        let insecure = ctx.global.insecure_http || profile.insecure_http == Some(true);
        checked_base_url(url, insecure)?;
        profile.base_url = Some(url.clone());
        if ctx.global.insecure_http && scc_sdk::config::in_clear_to(url).is_some() {
            profile.insecure_http = Some(true);
        } else if scc_sdk::config::in_clear_to(url).is_none() {
            profile.insecure_http = None;
        }
    }
    if let Some(path) = args.base_path {
        profile.base_path = Some(path);
    }
    if let Some(org) = &org {
        profile.org_id = Some(org.clone());
    }
    if let Some(format) = args.default_output {
        profile.output = Some(format);
    }
    if let Some(seconds) = ctx.global.timeout {
        profile.timeout = Some(seconds);
    }
    let credentials_file = credentials_path(dir, &profile_name);
    let existing = read_credentials(&credentials_file)?;
    let mut access_token = read_secret("--access-token", args.access_token)?;
    let mut refresh_token = read_secret("--refresh-token", args.refresh_token)?;
    let mut api_key_id = args.api_key_id;
    if interactive && no_flags {
        let keep = if existing.is_some() {
            " (Enter keeps the saved one)"
        } else {
            ""
        };
        access_token = prompt(&format!("Access token, not shown{keep}"), true)?;
        // A token the service refuses is asked again (the answers before it kept); Enter goes on
        // with it, for a refresh token to replace it.
        let mut tries = 1;
        while let (Some(token), false) = (access_token.clone(), args.no_verify) {
            match check_token(ctx, profile, &token, profile.org_id.as_deref(), false).await {
                Err(error) if error.code == Code::Auth && tries < 3 => {
                    ctx.ui.error(&error.message, None);
                    tries += 1;
                    match prompt("Access token again, not shown (Enter goes on with this one)", true)? {
                        Some(again) => access_token = Some(again),
                        None => break,
                    }
                }
                _ => break,
            }
        }
        if access_token.is_some() || existing.is_none() {
            api_key_id = prompt("API key id, for automatic refresh (Enter to skip)", false)?;
            if api_key_id.is_some() {
                refresh_token = prompt("Refresh token, not shown", true)?;
            }
        }
    }

    // Checked as `gh auth login` does: one read with the token given (an organization given by name
    // is resolved to its id first, so a token refresh, which names the organization, works).
    if !args.no_verify {
        let token = access_token
            .clone()
            .or_else(|| existing.as_ref().map(|saved| saved.access_token.clone()))
            .filter(|token| !token.is_empty());
        let org_text = profile.org_id.clone();
        let by_name = org_text.as_deref().is_some_and(|text| !crate::resolve::is_id(text));
        if access_token.is_some() || by_name {
            let Some(token) = token else {
                return Err(CliError::usage(
                    format!(
                        "organization {:?} is a name, and there is no token to find its id with",
                        org_text.unwrap_or_default()
                    ),
                    "give the organization's id, or a token with --access-token",
                ));
            };
            let refreshable =
                refresh_token.is_some() || existing.as_ref().is_some_and(|saved| saved.refresh_token.is_some());
            let resolved = check_token(ctx, profile, &token, org_text.as_deref(), refreshable).await?;
            if let (Some(id), Some(text)) = (resolved, org_text) {
                if id != text {
                    ctx.ui
                        .note(&format!("organization {text:?} is {id}: the profile keeps the id"));
                }
                profile.org_id = Some(id);
            }
        }
    } else if let Some(text) = profile.org_id.as_deref()
        && !crate::resolve::is_id(text)
    {
        return Err(CliError::usage(
            format!("organization {text:?} is a name, and --no-verify reads nothing to find its id"),
            "give the organization's id (a token refresh names it), or leave out --no-verify",
        ));
    }
    let org_id = profile.org_id.clone();

    let wrote_config = toml::to_string_pretty(&config)
        .map_err(|error| CliError::failure(format!("cannot write the configuration: {error}"), None))?;
    // --dry-run: say what would be written, and write nothing.
    let dry_run = ctx.global.dry_run;
    if !dry_run {
        write_file(&config_file, wrote_config.as_bytes())?;
    }

    let changes_credentials = access_token.is_some() || refresh_token.is_some() || api_key_id.is_some();
    if changes_credentials {
        let mut credentials = existing.unwrap_or_default();
        if let Some(token) = access_token {
            credentials.access_token = token;
            credentials.access_token_expires_at = None;
        }
        if refresh_token.is_some() {
            credentials.refresh_token = refresh_token;
            credentials.refresh_token_expires_at = None;
        }
        if api_key_id.is_some() {
            credentials.api_key_id = api_key_id;
        }
        if credentials.org_id.is_none() {
            credentials.org_id = org_id;
        }
        if credentials.access_token.is_empty() {
            return Err(CliError::usage(
                "the credentials need an access token".into(),
                "pass --access-token (or - to read it from stdin)",
            ));
        }
        if !dry_run {
            scc_sdk::FileTokenStore::new(&credentials_file)
                .write(&credentials)
                .map_err(|error| {
                    CliError::failure(format!("cannot write {}: {error}", credentials_file.display()), None)
                })?;
        }
    }
    ctx.ui.item(
        &json!({
            "profile": profile_name,
            "config_file": config_file.display().to_string(),
            "credentials_file": credentials_file.display().to_string(),
            "credentials_updated": changes_credentials,
            "dry_run": dry_run,
        }),
        &[
            ("PROFILE", "profile"),
            ("CONFIG FILE", "config_file"),
            ("CREDENTIALS FILE", "credentials_file"),
            ("CREDENTIALS UPDATED", "credentials_updated"),
            ("DRY RUN", "dry_run"),
        ],
    );
    if dry_run {
        ctx.ui.note("dry run: nothing was written");
    }
    Ok(Code::Ok)
}

/// A time as people and scripts read it: on a table, `2026-12-06T17:28:48Z (in 1079 min)`; in JSON
/// and YAML, RFC 3339 under `key` and the seconds left (negative once past) under `key_in_seconds`.
fn set_time(ctx: &Ctx, document: &mut serde_json::Value, key: &str, time: Option<SystemTime>) {
    let Some(time) = time else {
        document[key] = if matches!(ctx.ui.format, Format::Table | Format::Wide) {
            json!("unknown")
        } else {
            serde_json::Value::Null
        };
        return;
    };
    let seconds = time.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let at = jiff::Timestamp::from_second(i64::try_from(seconds).unwrap_or(i64::MAX))
        .map(|t| t.to_string())
        .unwrap_or_default();
    let left: i64 = match time.duration_since(SystemTime::now()) {
        Ok(left) => i64::try_from(left.as_secs()).unwrap_or(i64::MAX),
        Err(past) => -i64::try_from(past.duration().as_secs()).unwrap_or(i64::MAX),
    };
    if matches!(ctx.ui.format, Format::Table | Format::Wide) {
        document[key] = if left >= 0 {
            json!(format!("{at} (in {} min)", left / 60))
        } else {
            json!(format!("{at} (expired)"))
        };
    } else {
        document[key] = json!(at);
        document[format!("{key}_in_seconds")] = json!(left);
    }
}

pub(crate) fn run(ctx: &Ctx, command: AuthCommand) -> Result<Code, CliError> {
    match command {
        AuthCommand::Status => status(ctx),
        AuthCommand::Logout => logout(ctx),
        AuthCommand::Login(_) => unreachable!("login is configure, dispatched before"),
    }
}

/// Forgets the profile's saved credentials; its settings stay. Credentials from the environment are
/// not the profile's: said, and left alone.
fn logout(ctx: &Ctx) -> Result<Code, CliError> {
    let profile = &ctx.settings.profile.value;
    let path = credentials_path(&ctx.settings.config_dir, profile);
    if ctx.global.dry_run {
        ctx.ui.note(&format!(
            "dry run: {} would be removed; nothing was written",
            path.display()
        ));
        return Ok(Code::Ok);
    }
    match std::fs::remove_file(&path) {
        Ok(()) => ctx.ui.success(&format!(
            "logged out of profile {profile}: its saved credentials are removed"
        )),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            ctx.ui.note(&format!("profile {profile} has no saved credentials"));
        }
        Err(error) => {
            return Err(CliError::failure(
                format!("cannot remove {}: {error}", path.display()),
                Some("check the file's folder permissions"),
            ));
        }
    }
    if ctx
        .settings
        .credentials
        .as_ref()
        .is_some_and(|credentials| matches!(credentials.source, crate::settings::Source::Env(_)))
    {
        ctx.ui
            .note("credentials from the environment (SCC_ACCESS_TOKEN, …) are still set in this shell");
    }
    Ok(Code::Ok)
}

fn status(ctx: &Ctx) -> Result<Code, CliError> {
    let settings = &ctx.settings;
    let mut status = json!({
        "profile": settings.profile.value,
        "profile_source": settings.profile.source.to_string(),
        "base_url": scc_sdk::config::redacted(&settings.base_url.value),
        "base_url_source": settings.base_url.source.to_string(),
        "org_id": settings.org_id.as_ref().map(|org| org.value.clone()),
        "org_id_source": settings.org_id.as_ref().map_or("not set".to_owned(), |org| org.source.to_string()),
    });
    let code = match &settings.credentials {
        None => {
            status["credentials"] = json!("none");
            Code::Auth
        }
        Some(credentials) => {
            let stored: &StoredCredentials = &credentials.value;
            let org = settings.org_id.as_ref().map(|org| org.value.as_str());
            status["credentials_source"] = json!(credentials.source.to_string());
            status["credentials"] = json!(if stored.refreshing(org).is_some() {
                "API key with refresh token (refreshes automatically)"
            } else {
                "access token only (no automatic refresh)"
            });
            status["api_key_id"] = json!(stored.api_key_id);
            set_time(ctx, &mut status, "access_token_expires", stored.access_expiry());
            set_time(
                ctx,
                &mut status,
                "refresh_token_expires",
                stored
                    .refresh_token_expires_at
                    .map(|seconds| UNIX_EPOCH + std::time::Duration::from_secs(seconds)),
            );
            Code::Ok
        }
    };
    ctx.ui.item(&status, &[]);
    if code == Code::Auth {
        return Err(CliError::auth(
            "no credentials".into(),
            "set SCC_ACCESS_TOKEN, or save credentials with `scc configure`",
        ));
    }
    Ok(code)
}

/// `scc whoami`: the organization the token belongs to, its scope and expiry, as the token says and
/// the service confirms (a GET of that organization: a 401 means the token does not work).
pub(crate) async fn whoami(ctx: &Ctx) -> Result<Code, CliError> {
    let settings = &ctx.settings;
    let credentials = settings.credentials.as_ref().ok_or_else(|| {
        CliError::auth(
            "no credentials".into(),
            "set SCC_ACCESS_TOKEN, or save credentials with `scc configure`",
        )
    })?;
    let claims = scc_sdk::auth::jwt_claims(&credentials.value.access_token).unwrap_or_default();
    let claim = |name: &str| claims.get(name).and_then(|value| value.as_str()).map(str::to_owned);
    let org_id = settings.key_org().ok_or_else(|| {
        CliError::usage(
            "the token does not name its organization and none is set".into(),
            "pass --org ORG_ID or set SCC_ORG_ID",
        )
    })?;
    let client = ctx.client()?;
    let org = client.organizations().get(org_id.as_str()).await?;
    let expires = credentials
        .value
        .access_expiry()
        .or_else(|| scc_sdk::auth::jwt_expiry(&credentials.value.access_token));
    let scope = match scc_sdk::auth::KeyScope::of_token(&credentials.value.access_token) {
        Some(scc_sdk::auth::KeyScope::Admin(scope)) => format!("admin (read and write): {scope}"),
        Some(scc_sdk::auth::KeyScope::Member(scope)) => format!("member (read only): {scope}"),
        Some(other) => other.as_str().to_owned(),
        None => "not stated by the token".to_owned(),
    };
    let api_key_id = credentials.value.api_key_id.clone().or_else(|| claim("sub"));
    let mut document = json!({
        "org_id": org.id,
        "org_name": org.name,
        "org_type": org.organization_type,
        "scope": scope,
        "api_key_id": api_key_id,
        "credentials_source": credentials.source.to_string(),
        "base_url": scc_sdk::config::redacted(&settings.base_url.value),
    });
    set_time(ctx, &mut document, "expires", expires);
    ctx.ui.item(
        &document,
        &[
            ("ORGANIZATION", "org_id"),
            ("NAME", "org_name"),
            ("TYPE", "org_type"),
            ("SCOPE", "scope"),
            ("API KEY", "api_key_id"),
            ("EXPIRES", "expires"),
            ("CREDENTIALS", "credentials_source"),
            ("SERVICE", "base_url"),
        ],
    );
    Ok(Code::Ok)
}

/// One read with the token being saved: the organization's id when it was given by name. A token
/// the service refuses is an error (nothing is saved) unless a refresh token will replace it; a
/// service that cannot be reached is said, and the profile saved.
/// The base URL as a client takes it (https, or plain http to this machine or with --insecure-http).
fn checked_base_url(url: &str, insecure: bool) -> Result<(), CliError> {
    scc_sdk::Client::builder()
        .access_token("-")
        .insecure_http(insecure)
        .base_url(url)
        .build()
        .map(|_| ())
        .map_err(|error| {
            CliError::usage(
                error.to_string(),
                "give an https URL, e.g. https://api.security.cisco.com (plain http is for this machine, or with --insecure-http); nothing was saved",
            )
        })
}

async fn check_token(
    ctx: &Ctx,
    profile: &crate::settings::Profile,
    token: &str,
    org: Option<&str>,
    refreshable: bool,
) -> Result<Option<String>, CliError> {
    let mut builder = scc_sdk::Client::builder()
        .access_token(token)
        .insecure_http(ctx.global.insecure_http || profile.insecure_http == Some(true))
        .base_url(
            profile
                .base_url
                .clone()
                .unwrap_or_else(|| scc_sdk::config::DEFAULT_BASE_URL.to_owned()),
        )
        .timeout(ctx.settings.timeout)
        .max_response_bytes(ctx.settings.max_response_bytes);
    if let Some(path) = &profile.base_path {
        builder = builder.base_path(path.as_str());
    }
    if let Some(bundle) = &ctx.settings.ca_bundle {
        builder = builder.ca_bundle(bundle.clone());
    }
    let client = builder.build()?;
    let id = match org {
        Some(text) if !crate::resolve::is_id(text) => {
            Some(crate::resolve::org(&client, text).await.map_err(|error| {
                CliError::new(
                    error.code,
                    format!(
                        "cannot find organization {text:?} with this token: {}; nothing was saved",
                        error.message
                    ),
                    Some("give the organization's id, or check the token".into()),
                )
            })?)
        }
        Some(id) => Some(id.to_owned()),
        None => None,
    };
    let read = match &id {
        Some(id) => client.organizations().get(id.as_str()).await.map(|org| org.name),
        None => client.organizations().list().max(1).send().await.map(|_| None),
    };
    match read {
        Ok(name) => {
            let reach = match (&id, name) {
                (Some(id), Some(name)) => format!(": it reaches {name:?} ({id})"),
                (Some(id), None) => format!(": it reaches {id}"),
                _ => String::new(),
            };
            ctx.ui.note(&format!("checked the token{reach}"));
        }
        Err(error) if error.kind() == scc_sdk::ErrorKind::Authentication && refreshable => ctx.ui.note(
            "the access token was refused (expired?): the refresh token replaces it at the first command",
        ),
        Err(error) if error.kind() == scc_sdk::ErrorKind::Authentication => {
            return Err(CliError::auth(
                format!("the service refused the access token: {error}; nothing was saved"),
                "copy the token again from Security Cloud Control (Platform Management > API Keys), or give --refresh-token and --api-key-id",
            ));
        }
        Err(error) if error.is_not_found() => {
            return Err(CliError::new(
                Code::NotFound,
                format!("the token does not reach organization {}: {error}; nothing was saved", id.unwrap_or_default()),
                Some("give the organization the API key belongs to (or one it manages)".into()),
            ));
        }
        Err(error) => ctx.ui.note(&format!(
            "warning: could not check the token ({error}); the profile is saved: `scc whoami` checks it once the service can be reached"
        )),
    }
    Ok(id)
}

/// `scc profile list` and `scc profile use NAME`.
pub(crate) fn profile(ctx: &Ctx, command: crate::cli::ProfileCommand) -> Result<Code, CliError> {
    let dir = &ctx.settings.config_dir;
    let config_file = config_path(dir);
    let mut config = read_config(&config_file)?;
    let known = crate::settings::known_profiles(dir)?;
    match command {
        crate::cli::ProfileCommand::List => {
            let in_use = &ctx.settings.profile.value;
            let mut names = known;
            if !names.contains(in_use) {
                names.push(in_use.clone());
            }
            let rows: Vec<serde_json::Value> = names
                .iter()
                .map(|name| {
                    let profile = config.profiles.get(name).cloned().unwrap_or_default();
                    let credentials = match read_credentials(&credentials_path(dir, name)) {
                        Ok(Some(saved)) if saved.refreshing(profile.org_id.as_deref()).is_some() => {
                            "API key with refresh token"
                        }
                        Ok(Some(_)) => "access token",
                        Ok(None) => "none",
                        Err(_) => "unreadable",
                    };
                    json!({
                        "current": if name == in_use { "*" } else { "" },
                        "name": name,
                        "base_url": profile.base_url.unwrap_or_else(|| scc_sdk::config::DEFAULT_BASE_URL.into()),
                        "org_id": profile.org_id,
                        "credentials": credentials,
                    })
                })
                .collect();
            ctx.ui.list(
                &rows,
                &[
                    ("", "current"),
                    ("NAME", "name"),
                    ("BASE URL", "base_url"),
                    ("ORGANIZATION", "org_id"),
                    ("CREDENTIALS", "credentials"),
                ],
            );
            if ctx.settings.profile.source != crate::settings::Source::Default
                && !matches!(ctx.settings.profile.source, crate::settings::Source::File(_))
            {
                ctx.ui.note(&format!(
                    "in use: {in_use}, from {} (it comes before `scc profile use`)",
                    ctx.settings.profile.source
                ));
            }
        }
        crate::cli::ProfileCommand::Use { name } => {
            crate::settings::check_profile_name(&name)?;
            if !known.contains(&name) {
                let listed = if known.is_empty() {
                    "there are none yet".to_owned()
                } else {
                    format!("there are: {}", known.join(", "))
                };
                return Err(CliError::usage(
                    format!("no profile {name:?} ({listed})"),
                    &format!("create it with `scc configure --profile {name}`"),
                ));
            }
            config.current = Some(name.clone());
            let text = toml::to_string_pretty(&config)
                .map_err(|error| CliError::failure(format!("cannot write the configuration: {error}"), None))?;
            if ctx.global.dry_run {
                ctx.ui.note(&format!(
                    "dry run: {name} would be the profile in use; nothing was written"
                ));
                return Ok(Code::Ok);
            }
            write_file(&config_file, text.as_bytes())?;
            ctx.ui.success(&format!(
                "{name} is the profile in use (--profile and SCC_PROFILE still come first)"
            ));
        }
        crate::cli::ProfileCommand::Delete { name } => {
            crate::settings::check_profile_name(&name)?;
            if !known.contains(&name) {
                return Err(CliError::new(
                    Code::NotFound,
                    format!("no profile {name:?} (there are: {})", known.join(", ")),
                    Some("`scc profile list` shows them".into()),
                ));
            }
            if !ctx.confirm(&format!("delete profile {name} and its saved credentials"))? {
                return Ok(ctx.declined());
            }
            if ctx.global.dry_run {
                ctx.ui.note(&format!(
                    "dry run: profile {name} would be deleted; nothing was written"
                ));
                return Ok(Code::Ok);
            }
            config.profiles.remove(&name);
            if config.current.as_deref() == Some(name.as_str()) {
                config.current = None;
            }
            let text = toml::to_string_pretty(&config)
                .map_err(|error| CliError::failure(format!("cannot write the configuration: {error}"), None))?;
            write_file(&config_file, text.as_bytes())?;
            match std::fs::remove_file(credentials_path(dir, &name)) {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => {
                    return Err(CliError::failure(
                        format!("profile {name} is deleted, but its credentials file could not be removed: {error}"),
                        Some("remove it by hand"),
                    ));
                }
            }
            ctx.ui.success(&format!("deleted profile {name}"));
        }
    }
    Ok(Code::Ok)
}
