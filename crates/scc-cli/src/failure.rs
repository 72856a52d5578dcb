//! Errors of the CLI: a one-line message, a hint, and the exit code.

use scc_sdk::ErrorKind;

pub(crate) const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    failure (the service refused the request, a server error, a network failure)
  2    usage error (bad flag or argument; input the SDK refuses before sending)
  3    partial failure of a bulk operation (some items failed; every failure is listed)
  4    authentication or permission (missing, invalid or expired credentials; not allowed)
  5    not found
  6    rate limited, still after retries
  7    outcome unknown: an answer was lost and reading the state back could not settle it (every such item is listed)
  8    the plan is not the state's any more (`scc apply`): a saved plan is stale, or the state changed after the
       plan was shown; nothing was made in those organizations, and their plan now is shown
  9    not confirmed: a question was answered no, nothing was changed (terraform exits 1 here)
  10   changes pending (`scc plan --detailed-exitcode` only): the plan is sound and something would change
  130  interrupted (Ctrl-C); `scc apply` first lists what was done, what failed and what is unknown";

/// The documented exit codes (see `scc help exit-codes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    Ok = 0,
    Failure = 1,
    Usage = 2,
    Partial = 3,
    Auth = 4,
    NotFound = 5,
    RateLimited = 6,
    Unknown = 7,
    PlanChanged = 8,
    /// A question was answered no (or not at all): nothing was changed.
    Declined = 9,
    /// `scc plan --detailed-exitcode`: the plan is sound and would change something.
    ChangesPending = 10,
    Interrupted = 130,
}

impl Code {
    /// The code's name, as tool errors of `scc mcp` give their kind.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Code::Ok => "ok",
            Code::Failure => "failure",
            Code::Usage => "usage",
            Code::Partial => "partial",
            Code::Auth => "auth",
            Code::NotFound => "not_found",
            Code::RateLimited => "rate_limited",
            Code::Unknown => "unknown",
            Code::PlanChanged => "plan_changed",
            Code::Declined => "declined",
            Code::ChangesPending => "changes_pending",
            Code::Interrupted => "interrupted",
        }
    }

    /// Every code, for the test that ties them to `scc exit-codes` and the README.
    #[cfg(test)]
    pub(crate) const ALL: [Code; 12] = [
        Code::Ok,
        Code::Failure,
        Code::Usage,
        Code::Partial,
        Code::Auth,
        Code::NotFound,
        Code::RateLimited,
        Code::Unknown,
        Code::PlanChanged,
        Code::Declined,
        Code::ChangesPending,
        Code::Interrupted,
    ];
}

#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) code: Code,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
    /// Under --dry-run: the request a write would have sent (printed on stdout, exit 0).
    pub(crate) planned: Option<serde_json::Value>,
}

impl CliError {
    pub(crate) fn new(code: Code, message: String, hint: Option<String>) -> Self {
        Self {
            code,
            message,
            hint,
            planned: None,
        }
    }
    pub(crate) fn usage(message: String, hint: &str) -> Self {
        Self::new(Code::Usage, message, Some(hint.to_owned()))
    }
    pub(crate) fn auth(message: String, hint: &str) -> Self {
        Self::new(Code::Auth, message, Some(hint.to_owned()))
    }
    pub(crate) fn failure(message: String, hint: Option<&str>) -> Self {
        Self::new(Code::Failure, message, hint.map(str::to_owned))
    }
}

impl From<scc_sdk::Error> for CliError {
    fn from(error: scc_sdk::Error) -> Self {
        Self::from(&error)
    }
}

impl From<&scc_sdk::Error> for CliError {
    fn from(error: &scc_sdk::Error) -> Self {
        if let scc_sdk::Error::DryRun(planned) = error {
            let mut dry = Self::new(Code::Ok, error.to_string(), None);
            dry.planned = serde_json::to_value(planned).ok();
            return dry;
        }
        let message = error.to_string();
        // XDR's refusals of client credentials (the SDK knows which codes they are) carry an IROH code.
        let iroh_code = error.as_api_error().and_then(scc_sdk::ApiError::error_code);
        if error.is_authentication() && iroh_code.is_some() {
            return Self::new(
                Code::Auth,
                message,
                Some("check SCC_XDR_CLIENT_ID and SCC_XDR_CLIENT_SECRET (and that the region is right)".into()),
            );
        }
        if error.refresh_token_may_be_spent() {
            return Self::new(
                Code::Auth,
                message,
                Some(
                    "nothing was saved: the credentials file still holds the refresh token sent. Run `scc token refresh` once more; \
                     if it answers that the refresh token is invalid, the service did rotate it: create a new API key in Security \
                     Cloud Control and save it with `scc configure --api-key-id KEY --refresh-token -`"
                        .into(),
                ),
            );
        }
        if error.is_refresh_rejected() {
            return Self::new(
                Code::Auth,
                message,
                Some(
                    "the refresh token is spent or expired (each one works once) and cannot be refreshed again: create a new \
                     API key in Security Cloud Control and save it with `scc configure --api-key-id KEY --refresh-token -`"
                        .into(),
                ),
            );
        }
        let write = error.was_write();
        let (code, hint) = match error.kind() {
            ErrorKind::InvalidInput => (Code::Usage, "fix the value named above; nothing was sent".to_owned()),
            ErrorKind::Configuration => (Code::Usage, "check the settings: `scc auth status`".to_owned()),
            ErrorKind::Authentication => (
                Code::Auth,
                "the credentials are missing, invalid or expired: check `scc auth status`, run `scc token refresh` or `scc configure`".to_owned(),
            ),
            ErrorKind::Forbidden => (Code::Auth, "the API key may not do this (member keys are read-only)".to_owned()),
            ErrorKind::NotFound => (
                Code::NotFound,
                "check the id and the organization (--org); an organization out of the key's reach also answers 404".to_owned(),
            ),
            ErrorKind::RateLimited => (Code::RateLimited, "still rate limited after retries: wait, then try again with less concurrency".to_owned()),
            ErrorKind::Conflict => (Code::Failure, "it already exists (or the claim code was already used)".to_owned()),
            ErrorKind::Validation => (Code::Failure, "the service refused the input; see the message".to_owned()),
            ErrorKind::Server if write => (
                Code::Failure,
                "a server error: the change may have been applied; check the state before repeating it, and quote the tracking id to Cisco support".to_owned(),
            ),
            ErrorKind::Server => (Code::Failure, "a server error: try again later; quote the tracking id to Cisco support".to_owned()),
            ErrorKind::Connect => (
                Code::Failure,
                "the service could not be reached (nothing was sent): check --base-url and the network".to_owned(),
            ),
            ErrorKind::Timeout | ErrorKind::Transport if write => (
                Code::Failure,
                "the answer was lost: the change may have been applied; check the state before repeating it".to_owned(),
            ),
            ErrorKind::Timeout | ErrorKind::Transport => (
                Code::Failure,
                "the answer was lost; this was a read and changed nothing: try again".to_owned(),
            ),
            ErrorKind::ResponseTooLarge => (
                Code::Failure,
                "the answer exceeded --max-response-bytes (SCC_MAX_RESPONSE_BYTES): check --base-url points at the service, or raise the limit".to_owned(),
            ),
            ErrorKind::TokenStore => (Code::Failure, "check the permissions of the credentials file".to_owned()),
            _ => (Code::Failure, "see the message".to_owned()),
        };
        Self::new(code, message, Some(hint))
    }
}

/// The engine's refusals are usage errors (nothing was read or sent); a file it cannot write is a
/// failure; a read it needed keeps the SDK error's code and hint, its message saying what was read.
impl From<scc_apply::Error> for CliError {
    fn from(error: scc_apply::Error) -> Self {
        match error {
            scc_apply::Error::Input { message, hint } => Self::new(Code::Usage, message, Some(hint)),
            scc_apply::Error::Write { message } => {
                Self::failure(message, Some("check the path and the disk; nothing was changed"))
            }
            scc_apply::Error::ReadOnlyKey { .. } => Self::auth(
                error.to_string(),
                "apply with a key of the Organization Administrator role (`scc whoami` shows a key's scope); `scc plan` works with this one",
            ),
            scc_apply::Error::Read { context, error } => {
                let mut cli = Self::from(error.as_ref());
                cli.message = format!("{context} failed, nothing was changed: {}", cli.message);
                cli
            }
        }
    }
}

impl From<anyhow::Error> for CliError {
    fn from(error: anyhow::Error) -> Self {
        Self::failure(format!("{error:#}"), None)
    }
}

#[cfg(test)]
mod tests {
    use super::Code;
    use super::EXIT_CODES;

    /// The numbers `scc exit-codes` (or the README's table) documents.
    fn documented(text: &str, line_start: &str) -> Vec<u8> {
        text.lines()
            .filter_map(|line| line.trim_start().strip_prefix(line_start))
            .filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
            .collect()
    }

    #[test]
    fn the_exit_codes_documented_are_the_codes_there_are() {
        let codes: Vec<u8> = Code::ALL.iter().map(|code| *code as u8).collect();
        assert_eq!(documented(EXIT_CODES, ""), codes, "scc exit-codes");
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README");
        let table = readme
            .split("| exit code | meaning |")
            .nth(1)
            .expect("the README's exit code table")
            .split("\n\n")
            .next()
            .unwrap_or_default();
        assert_eq!(documented(table, "| "), codes, "the README's table");
    }
}
