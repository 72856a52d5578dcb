//! The command tree: global flags and `scc <noun> <verb>`.

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

pub(crate) use crate::failure::EXIT_CODES;
pub(crate) use crate::output::Format;

// The closed sets flags take: the SDK's, so a value it learns is a value the CLI takes.
use scc_sdk::types::{
    AppliesTo, OrganizationSortField, OrganizationType, RegionCode, RoleType, SortOrder, SubscriptionType, UserStatus,
};
/// Regions of an organization.
const ORG_REGIONS: &[&str] = RegionCode::ORGANIZATION;
/// Regions an organization filter takes.
const ORG_FILTER_REGIONS: &[&str] = RegionCode::ORGANIZATION_FILTER;
/// Regions of a product.
const PRODUCT_REGIONS: &[&str] = RegionCode::KNOWN;
const ORG_TYPES: &[&str] = OrganizationType::KNOWN;
const USER_STATUSES: &[&str] = UserStatus::KNOWN;
const ROLE_TYPES: &[&str] = RoleType::KNOWN;
const SORT_ORDERS: &[&str] = SortOrder::KNOWN;
const ORG_SORT_FIELDS: &[&str] = OrganizationSortField::KNOWN;
const APPLIES_TO: &[&str] = AppliesTo::KNOWN;
const SUBSCRIPTION_TYPES: &[&str] = SubscriptionType::KNOWN;
const XDR_REGIONS: &[&str] = scc_sdk::xdr::XdrRegion::KNOWN;

/// One of `values`, matched in any case and given on as the API spells it; a bad value is a usage
/// error (exit 2) that lists them, and `--help` shows them.
fn one_of(values: &'static [&'static str]) -> impl TypedValueParser<Value = String> {
    PossibleValuesParser::new(values).map(move |given: String| {
        values
            .iter()
            .find(|value| value.eq_ignore_ascii_case(&given))
            .map_or(given, |value| (*value).to_owned())
    })
}

/// scc: Cisco Security Cloud Control from the command line.
#[derive(Debug, Parser)]
#[command(
    name = "scc",
    version,
    about,
    after_help = "See `scc help exit-codes` for the exit codes."
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Flags every command takes (listed apart, after the command's own).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Global options")]
pub(crate) struct Global {
    /// Profile of the configuration and credentials files [env: SCC_PROFILE] [default: default].
    #[arg(long, global = true, add = clap_complete::ArgValueCompleter::new(crate::complete::profiles))]
    pub(crate) profile: Option<String>,
    // The help is an attribute, not a doc comment: rustdoc would want the URL as a link.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help = "The service's address [env: SCC_BASE_URL] [default: https://api.security.cisco.com]"
    )]
    pub(crate) base_url: Option<String>,
    /// The organization to act on, by id or name [env: SCC_ORG_ID] [default: the profile's org_id];
    /// `plan`, `apply` and `export` take it several times (the organizations of the file to work on).
    #[arg(long, global = true, value_name = "ORG_ID", action = clap::ArgAction::Append, add = clap_complete::ArgValueCompleter::new(crate::complete::orgs))]
    pub(crate) org: Vec<String>,
    /// Output format [env: SCC_OUTPUT] [default: table].
    #[arg(short, long, global = true, value_enum, ignore_case = true)]
    pub(crate) output: Option<Format>,
    /// A jq expression over the JSON output (jaq): strings print bare, other values as JSON, one a line.
    #[arg(long, global = true, value_name = "EXPR")]
    pub(crate) jq: Option<String>,
    /// More detail on stderr: -v requests, -vv retries and spans, -vvv bodies (tokens never).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// No colour (also when NO_COLOR is set).
    #[arg(long, global = true)]
    pub(crate) no_color: bool,
    /// Never page long output on a terminal (the pager is SCC_PAGER, else PAGER, else `less -FRX`).
    #[arg(long, global = true)]
    pub(crate) no_pager: bool,
    /// Seconds one attempt may take [default: 30].
    #[arg(long, global = true, value_name = "SECONDS")]
    pub(crate) timeout: Option<u64>,
    /// The largest answer read, in bytes; a longer one is an error [env: SCC_MAX_RESPONSE_BYTES] [default: 67108864].
    #[arg(long, global = true, value_name = "BYTES")]
    pub(crate) max_response_bytes: Option<usize>,
    /// A PEM file of CA certificates to trust besides the system's (a company's TLS inspection CA) [env: SCC_CA_BUNDLE].
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) ca_bundle: Option<std::path::PathBuf>,
    /// A credentials file to read, and to write each rotated pair back to, instead of the profile's
    /// (for CI: a file in a cache the runner keeps) [env: SCC_CREDENTIALS_FILE].
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) credentials_file: Option<std::path::PathBuf>,
    /// Do not retry failed requests.
    #[arg(long, global = true)]
    pub(crate) no_retry: bool,
    /// Requests per second at most (client-side, every request of the run), from 0.001 to 1000000:
    /// for `scc apply` and `--all-orgs` listings across many organizations.
    #[arg(long, global = true, value_name = "N", value_parser = rate_per_second)]
    pub(crate) rate_limit: Option<f64>,
    /// Do not ask before destructive changes.
    #[arg(short = 'y', long, global = true)]
    pub(crate) yes: bool,
    /// Print the request a write would send, and send no write (reads that find names still run).
    #[arg(long, global = true)]
    pub(crate) dry_run: bool,
    /// Allow a plain http:// base URL to a host other than this machine: the token crosses the
    /// network in clear, and every run says so (https, or http to 127.0.0.1, need no flag).
    #[arg(long, global = true)]
    pub(crate) insecure_http: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    #[command(flatten)]
    Remote(RemoteCommand),
    #[command(flatten)]
    Local(LocalCommand),
}

/// Commands that talk to the service (they need settings and credentials).
#[derive(Debug, Subcommand)]
pub(crate) enum RemoteCommand {
    /// Organizations.
    #[command(subcommand, visible_alias = "orgs", alias = "organization", alias = "organizations")]
    Org(OrgCommand),
    /// Subscriptions and claim codes.
    #[command(subcommand, visible_alias = "subscriptions", alias = "sub", alias = "subs")]
    Subscription(SubscriptionCommand),
    /// Users and the bulk user operations.
    #[command(subcommand, visible_alias = "users")]
    User(UserCommand),
    /// Admin groups.
    #[command(subcommand, visible_alias = "groups")]
    Group(GroupCommand),
    /// Roles and role assignments.
    #[command(subcommand, visible_alias = "roles")]
    Role(RoleCommand),
    /// API tokens.
    #[command(subcommand, visible_alias = "tokens")]
    Token(TokenCommand),
    /// The Cisco XDR profile: who am I, my organization, who may log in. Credentials come from
    /// SCC_XDR_CLIENT_ID and SCC_XDR_CLIENT_SECRET, or SCC_XDR_TOKEN.
    Xdr(XdrArgs),
    /// A raw API request below the base path, as `gh api`: `scc api organizations`,
    /// `scc api organizations/{org}/users -f status=ACTIVE`, `scc api -X PATCH …`.
    Api(ApiArgs),
    /// What `apply` would change: reads the state, writes nothing (`--org`, repeatable: only those
    /// organizations of the file).
    Plan(ApplyArgs),
    /// Make organizations hold what a plan file declares (idempotent; `--dry-run` = `plan`; `--org`,
    /// repeatable: only those organizations of the file).
    Apply(ApplyArgs),
    /// The state of organizations as a plan `apply` reads (YAML; `-o json` the same as JSON): every
    /// organization the token reaches, or only those of `--org` (repeatable) given on the command line.
    Export,
    /// Write the profile's settings and credentials (flags, or prompts on a terminal).
    Configure(ConfigureArgs),
    /// Credentials.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// The profiles: list them, choose the one used when none is named.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Who the SCC token is: its organization (name and type), scope and expiry; `scc xdr whoami` for XDR.
    Whoami,
    /// Run the whole onboarding example against an embedded emulator.
    Demo(DemoArgs),
    /// Serve SCC to AI assistants over the Model Context Protocol (stdio): the reads as tools, and
    /// with --allow-writes change sets the person confirms (--yes: without asking, for clients that
    /// cannot ask).
    Mcp(McpArgs),
}

/// Commands that need no settings: they run before any is read.
#[derive(Debug, Subcommand)]
pub(crate) enum LocalCommand {
    /// Serve the local emulator in the foreground: one JSON ready line on stdout, Ctrl-C stops it.
    Emulator(EmulatorArgs),
    /// Shell completion script.
    Completion {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The exit codes of scc.
    #[command(long_about = EXIT_CODES)]
    ExitCodes,
    /// This scc: version, commit, build date and target (`-o json` for a document).
    Version,
    /// The plan file's JSON Schema (also `schema/plan-file.json` in the repository): for editors'
    /// YAML language servers (`# yaml-language-server: $schema=plan-file.json`) and checks in CI.
    Schema,
    /// Write a commented starter plan file (the onboarding example) to begin from.
    Init {
        /// Where to write it (refused if it exists).
        #[arg(default_value = "plan.yaml", value_name = "FILE")]
        file: PathBuf,
    },
    /// Write the man pages (one per command, from the same definitions as --help).
    Man {
        /// Folder to write `scc.1`, `scc-org.1`, `scc-org-list.1`, … into.
        #[arg(long, value_name = "DIR", default_value = "man")]
        dir: PathBuf,
    },
}

/// Flags of list verbs that follow pages.
#[derive(Debug, Args, Clone, Copy)]
pub(crate) struct Paging {
    /// Stop after this many items.
    #[arg(long, value_name = "N")]
    pub(crate) max_items: Option<usize>,
    /// Items per request (1..=500).
    #[arg(long, value_name = "N")]
    pub(crate) page_size: Option<u32>,
    /// Only the first page (its next cursor goes to stderr).
    #[arg(long)]
    pub(crate) no_paginate: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum OrgCommand {
    /// List organizations (every page unless told otherwise).
    #[command(visible_alias = "ls")]
    List {
        /// Partial name match.
        #[arg(long)]
        name: Option<String>,
        /// Organization type.
        #[arg(long = "type", value_parser = one_of(ORG_TYPES), ignore_case = true)]
        org_type: Option<String>,
        /// Region.
        #[arg(long, value_parser = one_of(ORG_FILTER_REGIONS), ignore_case = true)]
        region: Option<String>,
        /// Country code, e.g. US.
        #[arg(long)]
        country: Option<String>,
        /// Organizations managed by this organization.
        #[arg(long)]
        manager: Option<String>,
        /// Field to sort by.
        #[arg(long, value_parser = one_of(ORG_SORT_FIELDS), ignore_case = true)]
        sort_by: Option<String>,
        /// Sort order.
        #[arg(long, value_parser = one_of(SORT_ORDERS), ignore_case = true)]
        order: Option<String>,
        /// Start from this cursor.
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        paging: Paging,
    },
    /// Show an organization (the --org one without an id).
    Get {
        /// Organization id or name [default: --org].
        #[arg(value_name = "ORG", add = clap_complete::ArgValueCompleter::new(crate::complete::orgs))]
        org_id: Option<String>,
    },
    /// Create an organization.
    Create {
        /// Name.
        #[arg(long)]
        name: String,
        /// Region of the organization.
        #[arg(long, value_parser = one_of(ORG_REGIONS), ignore_case = true)]
        region: String,
        /// Organization type [default: STANDALONE].
        #[arg(long = "type", value_parser = one_of(ORG_TYPES), ignore_case = true)]
        org_type: Option<String>,
        /// When an organization of this name exists, answer it (exit 0) instead of refusing (exit 1).
        #[arg(long)]
        if_missing: bool,
    },
    /// Rename an organization.
    Update {
        /// Organization id or name.
        #[arg(value_name = "ORG", add = clap_complete::ArgValueCompleter::new(crate::complete::orgs))]
        org_id: String,
        /// The new name.
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum SubscriptionCommand {
    /// List subscriptions.
    #[command(visible_alias = "ls")]
    List {
        /// Name filter.
        #[arg(long)]
        name: Option<String>,
        /// Every organization the token reaches, with an ORGANIZATION column (as `kubectl get -A`).
        #[arg(long)]
        all_orgs: bool,
    },
    /// Show a subscription.
    Get {
        /// Subscription id or name.
        #[arg(value_name = "SUBSCRIPTION")]
        subscription_id: String,
    },
    /// Read and validate a claim code: products, entitlements, allowed regions.
    ClaimInfo {
        /// The claim code, XXXX-XXXX-XXXX-XXXX.
        claim_code: String,
    },
    /// Claim a subscription: reads the code, picks each product's region (preferred, else the first
    /// allowed), claims.
    Claim {
        /// The claim code, XXXX-XXXX-XXXX-XXXX.
        claim_code: String,
        /// Preferred region of the products.
        #[arg(long, default_value = "NAM", value_parser = one_of(PRODUCT_REGIONS), ignore_case = true)]
        region: String,
        /// Only these products, by id or name (default: every product of the code).
        #[arg(long = "product", value_name = "PRODUCT")]
        products: Vec<String>,
        /// Subscription type (not sent unless given).
        #[arg(long = "type", value_parser = one_of(SUBSCRIPTION_TYPES), ignore_case = true)]
        subscription_type: Option<String>,
    },
    /// Activate or deactivate a product of a subscription.
    Update {
        /// Subscription id or name.
        #[arg(value_name = "SUBSCRIPTION")]
        subscription_id: String,
        /// The product, by id or name (the subscription's).
        #[arg(long, value_name = "PRODUCT")]
        product: String,
        /// Activate (default) or deactivate.
        #[arg(long, conflicts_with = "deactivate")]
        activate: bool,
        /// Deactivate the product.
        #[arg(long)]
        deactivate: bool,
        /// Product region.
        #[arg(long, value_parser = one_of(PRODUCT_REGIONS), ignore_case = true)]
        region: Option<String>,
        /// An existing tenant to attach.
        #[arg(long)]
        source_instance: Option<String>,
        /// The first admin of a new tenant (e-mail).
        #[arg(long)]
        initial_admin: Option<String>,
    },
    /// Set entitlement quantities (managed organizations).
    Patch {
        /// Subscription id or name.
        #[arg(value_name = "SUBSCRIPTION")]
        subscription_id: String,
        /// SKU=QUANTITY, repeatable.
        #[arg(long = "entitlement", value_name = "SKU=QUANTITY", required = true)]
        entitlements: Vec<String>,
        /// Products (by id or name) whose existing tenants are used, repeatable.
        #[arg(long = "use-existing-tenant", value_name = "PRODUCT")]
        use_existing_tenants: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// List users.
    #[command(visible_alias = "ls")]
    List {
        /// User status.
        #[arg(long, value_parser = one_of(USER_STATUSES), ignore_case = true)]
        status: Option<String>,
        /// Every organization the token reaches, with an ORGANIZATION column (as `kubectl get -A`).
        #[arg(long)]
        all_orgs: bool,
    },
    /// Show a user.
    Get {
        /// The user's e-mail or id.
        #[arg(value_name = "USER")]
        user_id: String,
    },
    /// Change a user's names.
    Update {
        /// The user's e-mail or id.
        #[arg(value_name = "USER")]
        user_id: String,
        /// The new first name.
        #[arg(long)]
        first_name: Option<String>,
        /// The new last name.
        #[arg(long)]
        last_name: Option<String>,
    },
    /// The admin groups of a user.
    Groups {
        /// The user's e-mail or id.
        #[arg(value_name = "USER")]
        user_id: String,
    },
    /// Invite a user.
    Invite {
        /// The e-mail the invitation goes to.
        #[arg(required_unless_present = "csv")]
        email: Option<String>,
        /// First name.
        #[arg(long, required_unless_present = "csv")]
        first_name: Option<String>,
        /// Last name.
        #[arg(long, required_unless_present = "csv")]
        last_name: Option<String>,
        /// Also give the organization administrator role.
        #[arg(long)]
        admin: bool,
        /// Invite every user of a CSV file (`-`: standard input), as an HR system exports it: a header
        /// row naming the columns email, first_name, last_name and optionally admin (other columns are
        /// left out); every bad row is reported by its line before anything is sent.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["email", "first_name", "last_name", "admin"])]
        csv: Option<PathBuf>,
    },
    /// Enable users.
    Enable {
        /// E-mails of the users.
        #[arg(required = true)]
        emails: Vec<String>,
        /// A user the organization does not have is reported unchanged (exit 0), not as not found (exit 5).
        #[arg(long)]
        ignore_missing: bool,
    },
    /// Disable users.
    Disable {
        /// E-mails of the users.
        #[arg(required = true)]
        emails: Vec<String>,
        /// A user the organization does not have is reported unchanged (exit 0), not as not found (exit 5).
        #[arg(long)]
        ignore_missing: bool,
    },
    /// Remove users from the organization (asks first, unless --yes).
    Remove {
        /// E-mails of the users.
        #[arg(required = true)]
        emails: Vec<String>,
        /// A user the organization does not have is reported unchanged (exit 0), not as not found (exit 5).
        #[arg(long)]
        ignore_missing: bool,
    },
    /// Send invitation e-mails again.
    ResendInvite {
        /// E-mails of the users.
        #[arg(required = true)]
        emails: Vec<String>,
    },
    /// Send password resets.
    ResetPassword {
        /// E-mails of the users.
        #[arg(required = true)]
        emails: Vec<String>,
    },
    /// Reset one MFA factor of a user.
    ResetMfa {
        /// The user's e-mail.
        email: String,
        /// The id of the MFA factor to reset.
        #[arg(long)]
        factor_id: String,
    },
    /// Many user operations from a file: a JSON array, `{"users": [...]}`, or NDJSON; `-` for stdin.
    Patch {
        /// The operations: a JSON array, `{"users": [...]}` or NDJSON; `-` for stdin.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// A user the organization does not have is reported unchanged (exit 0), not as not found (exit 5).
        #[arg(long)]
        ignore_missing: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum GroupCommand {
    /// List admin groups (every page unless told otherwise).
    #[command(visible_alias = "ls")]
    List {
        /// Start from this cursor.
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        paging: Paging,
        /// Every organization the token reaches, with an ORGANIZATION column (as `kubectl get -A`);
        /// every page of each (`--page-size` is honoured; a cursor or a cut is one organization's).
        #[arg(long, conflicts_with_all = ["cursor", "max_items", "no_paginate"])]
        all_orgs: bool,
    },
    /// Show an admin group.
    Get {
        /// Group name or id.
        #[arg(value_name = "GROUP", add = clap_complete::ArgValueCompleter::new(crate::complete::groups))]
        group_id: String,
    },
    /// Create an admin group.
    Create {
        /// Name of the group.
        #[arg(long)]
        name: String,
        /// What the group is for.
        #[arg(long)]
        description: Option<String>,
        /// Which organizations the group applies to [default: all].
        #[arg(long, value_parser = one_of(APPLIES_TO), ignore_case = true)]
        applies_to: Option<String>,
    },
    /// Change an admin group.
    Update {
        /// Group name or id.
        #[arg(value_name = "GROUP", add = clap_complete::ArgValueCompleter::new(crate::complete::groups))]
        group_id: String,
        /// The new name.
        #[arg(long)]
        name: Option<String>,
        /// The new description.
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete an admin group (asks first, unless --yes).
    Delete {
        /// Group name or id.
        #[arg(value_name = "GROUP", add = clap_complete::ArgValueCompleter::new(crate::complete::groups))]
        group_id: String,
    },
    /// Add or remove members and managed organizations.
    #[command(group(clap::ArgGroup::new("changes").required(true).multiple(true)
        .args(["add_users", "remove_users", "add_managed_orgs", "remove_managed_orgs"])))]
    Patch {
        /// Group name or id.
        #[arg(value_name = "GROUP", add = clap_complete::ArgValueCompleter::new(crate::complete::groups))]
        group_id: String,
        /// E-mail of a user to add, repeatable.
        #[arg(long = "add-user", value_name = "EMAIL")]
        add_users: Vec<String>,
        /// E-mail of a user to remove, repeatable.
        #[arg(long = "remove-user", value_name = "EMAIL")]
        remove_users: Vec<String>,
        /// Managed organization to share with (name or id), repeatable.
        #[arg(long = "add-managed-org", value_name = "ORG", add = clap_complete::ArgValueCompleter::new(crate::complete::orgs))]
        add_managed_orgs: Vec<String>,
        /// Managed organization to stop sharing with (name or id), repeatable.
        #[arg(long = "remove-managed-org", value_name = "ORG", add = clap_complete::ArgValueCompleter::new(crate::complete::orgs))]
        remove_managed_orgs: Vec<String>,
    },
    /// The members of a group.
    Users {
        /// Group name or id.
        #[arg(value_name = "GROUP", add = clap_complete::ArgValueCompleter::new(crate::complete::groups))]
        group_id: String,
    },
    /// The roles assigned to a group.
    Roles {
        /// Group name or id.
        #[arg(value_name = "GROUP", add = clap_complete::ArgValueCompleter::new(crate::complete::groups))]
        group_id: String,
    },
    /// The managed organizations a shared group reaches.
    ManagedOrgs {
        /// Group name or id.
        #[arg(value_name = "GROUP", add = clap_complete::ArgValueCompleter::new(crate::complete::groups))]
        group_id: String,
    },
    /// Remove a group shared by the manager from this (managed) organization (asks first, unless --yes).
    RemoveShared {
        /// Group name or id.
        #[arg(value_name = "GROUP", add = clap_complete::ArgValueCompleter::new(crate::complete::groups))]
        group_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum RoleCommand {
    /// List roles.
    #[command(visible_alias = "ls")]
    List {
        /// Role type.
        #[arg(long = "type", value_parser = one_of(ROLE_TYPES), ignore_case = true)]
        role_type: Option<String>,
        /// Only the roles of this user id.
        #[arg(long, conflicts_with = "all_orgs")]
        user: Option<String>,
        /// Every organization the token reaches, with an ORGANIZATION column (as `kubectl get -A`).
        #[arg(long)]
        all_orgs: bool,
    },
    /// Show a role.
    Get {
        /// Role display name or id.
        #[arg(value_name = "ROLE", add = clap_complete::ArgValueCompleter::new(crate::complete::roles))]
        role_id: String,
    },
    /// Find a STATIC role by product and display name.
    Find {
        /// Product name, e.g. "Security Cloud Control".
        #[arg(long)]
        product: String,
        /// Role display name, e.g. "Organization Administrator".
        #[arg(long)]
        name: String,
    },
    /// Assign or take away a role.
    #[command(group(clap::ArgGroup::new("changes").required(true).multiple(true)
        .args(["add_users", "remove_users", "add_groups", "remove_groups"])))]
    Patch {
        /// Role display name or id.
        #[arg(value_name = "ROLE", add = clap_complete::ArgValueCompleter::new(crate::complete::roles))]
        role_id: String,
        /// User (id or e-mail) to assign the role to, repeatable.
        #[arg(long = "add-user", value_name = "USER")]
        add_users: Vec<String>,
        /// User to take the role from, repeatable.
        #[arg(long = "remove-user", value_name = "USER")]
        remove_users: Vec<String>,
        /// Admin group (name or id) to assign the role to, repeatable.
        #[arg(long = "add-group", value_name = "GROUP", add = clap_complete::ArgValueCompleter::new(crate::complete::groups))]
        add_groups: Vec<String>,
        /// Admin group (name or id) to take the role from, repeatable.
        #[arg(long = "remove-group", value_name = "GROUP", add = clap_complete::ArgValueCompleter::new(crate::complete::groups))]
        remove_groups: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Refresh the profile's access token now and save the rotated pair (tokens are never printed).
    Refresh,
}

#[derive(Debug, Args)]
pub(crate) struct ApiArgs {
    /// `[METHOD] PATH`: the path below the base path (a leading `/` or `/v1` is fine), with an
    /// optional query; `{org}` is the organization in use (`--org`). The method defaults to GET, or
    /// POST when fields or a body are given.
    #[arg(value_name = "[METHOD] PATH", num_args = 1..=2, required = true)]
    pub(crate) words: Vec<String>,
    /// The HTTP method (instead of giving it before the path).
    #[arg(short = 'X', long, value_name = "METHOD")]
    pub(crate) method: Option<String>,
    /// A string field `key=value`: in the query of a GET, else in the JSON body (repeatable).
    #[arg(short = 'f', long = "raw-field", value_name = "KEY=VALUE")]
    pub(crate) raw_fields: Vec<String>,
    /// A typed field `key=value`: `true`, `false`, `null` and numbers as JSON, `@FILE` the file's
    /// text, `{org}` the organization in use; else a string (repeatable).
    #[arg(short = 'F', long = "field", value_name = "KEY=VALUE")]
    pub(crate) fields: Vec<String>,
    /// JSON body: text, `@FILE`, or `-` for stdin.
    #[arg(long, conflicts_with = "input")]
    pub(crate) data: Option<String>,
    /// The JSON body from FILE (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub(crate) input: Option<PathBuf>,
    /// Follow the next cursor and print every page.
    #[arg(long)]
    pub(crate) paginate: bool,
    /// A request header `Name: value` (repeatable; replaces one the client sends, such as Accept).
    /// The token is never a header: it comes from the credentials in use.
    #[arg(short = 'H', long = "header", value_name = "NAME:VALUE")]
    pub(crate) headers: Vec<String>,
    /// Print the answer's status line and headers before its body (each page's with --paginate).
    #[arg(short = 'i', long)]
    pub(crate) include: bool,
}

/// `--base-url` and `--org` (the global flags) are saved too.
#[derive(Debug, Args)]
pub(crate) struct ConfigureArgs {
    /// Base path (v1).
    #[arg(long)]
    pub(crate) base_path: Option<String>,
    /// API key id (for automatic refresh).
    #[arg(long)]
    pub(crate) api_key_id: Option<String>,
    /// Access token; `-` reads it from stdin (without echo on a terminal).
    #[arg(long, visible_alias = "token", value_name = "TOKEN|-")]
    pub(crate) access_token: Option<String>,
    /// Refresh token; `-` reads it from stdin (without echo on a terminal).
    #[arg(long, value_name = "TOKEN|-")]
    pub(crate) refresh_token: Option<String>,
    /// Default output format.
    #[arg(long, value_enum)]
    pub(crate) default_output: Option<Format>,
    /// Never prompt, even on a terminal.
    #[arg(long)]
    pub(crate) no_input: bool,
    /// Save without checking the token against the service (offline); an organization must then be
    /// given by id.
    #[arg(long)]
    pub(crate) no_verify: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ProfileCommand {
    /// Every profile, the one in use marked, with its service, organization and credentials.
    #[command(visible_alias = "ls")]
    List,
    /// Use this profile when neither --profile nor SCC_PROFILE names one.
    Use {
        /// The profile.
        #[arg(add = clap_complete::ArgValueCompleter::new(crate::complete::profiles))]
        name: String,
    },
    /// Delete a profile: its settings and its saved credentials (asks first, unless --yes).
    #[command(visible_alias = "rm")]
    Delete {
        /// The profile.
        #[arg(add = clap_complete::ArgValueCompleter::new(crate::complete::profiles))]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuthCommand {
    /// Where the credentials come from and when they expire (never the secrets).
    Status,
    /// Save credentials for the profile: prompts on a terminal (secrets hidden) and checks them
    /// with one read, as `scc configure` does.
    Login(ConfigureArgs),
    /// Forget the profile's saved credentials (its other settings stay).
    Logout,
}

#[derive(Debug, Args)]
pub(crate) struct McpArgs {
    /// Offer the write tools: plan, apply, invite_user, update_user (every write a change set).
    #[arg(long)]
    pub(crate) allow_writes: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Seed of the embedded emulator's fixtures.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Preferred region of the claimed products.
    #[arg(long, default_value = "NAM", value_parser = one_of(PRODUCT_REGIONS), ignore_case = true)]
    pub(crate) region: String,
}

#[derive(Debug, Args)]
#[command(after_long_help = scc_emulator::HELP)]
pub(crate) struct EmulatorArgs {
    #[command(flatten)]
    pub(crate) options: scc_emulator::EmulatorOptions,
    /// Once ready, write `export SCC_…=…` lines to FILE (0600; removed at a clean stop), so that
    /// `. FILE` points any shell, and scc, at this emulator. A FILE that exists is refused.
    #[arg(long, value_name = "FILE")]
    pub(crate) env_file: Option<PathBuf>,
    /// With --env-file: replace a FILE that exists (it is then left in place at the stop).
    #[arg(long, requires = "env_file")]
    pub(crate) force: bool,
    /// Print the JSON ready line (with the credentials) on stdout also when it is a terminal; it is
    /// always printed when stdout is a pipe or a file.
    #[arg(long)]
    pub(crate) ready_line: bool,
}

#[derive(Debug, Args)]
pub(crate) struct XdrArgs {
    /// XDR region [env: SCC_XDR_REGION] [default: us].
    #[arg(long, global = true, value_parser = one_of(XDR_REGIONS), ignore_case = true)]
    pub(crate) region: Option<String>,
    /// Any base URL instead of the region's (the emulator) [env: SCC_XDR_BASE_URL].
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) xdr_base_url: Option<String>,
    #[command(subcommand)]
    pub(crate) command: XdrCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum XdrCommand {
    /// The user the credentials act for, their organization, and who may log in (with the rule that
    /// decided it).
    Whoami,
    /// The organization.
    #[command(subcommand)]
    Org(XdrOrgCommand),
}

/// true, false, or unset (remove the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Toggle {
    True,
    False,
    Unset,
}

impl Toggle {
    pub(crate) fn value(self) -> Option<bool> {
        match self {
            Self::True => Some(true),
            Self::False => Some(false),
            Self::Unset => None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum XdrOrgCommand {
    /// Show the organization.
    Get,
    /// Change the organization (admins: name, settings; master role: the rest).
    Update {
        /// The new name of the organization.
        #[arg(long)]
        name: Option<String>,
        /// settings.allow-all-roles-to-login.
        #[arg(long, value_enum)]
        allow_all_roles_to_login: Option<Toggle>,
        /// The top-level allow-all-role-to-login (master role).
        #[arg(long, value_enum)]
        allow_all_role_to_login: Option<Toggle>,
        /// enabled? (master role).
        #[arg(long)]
        enabled: Option<bool>,
        /// additional-scopes, repeatable (master role).
        #[arg(long = "additional-scope", value_name = "SCOPE")]
        additional_scopes: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ApplyArgs {
    /// The plan: files (.yaml, .yml, .toml, .json), folders of them, or `-` (standard input, YAML or
    /// JSON); several are one plan. A saved plan (`--out`) is given alone.
    #[arg(value_name = "FILE", required = true, num_args = 1..)]
    pub(crate) files: Vec<PathBuf>,
    /// Organizations worked on at once.
    #[arg(long, default_value_t = 4)]
    pub(crate) concurrency: usize,
    /// `scc plan`: exit 0 when nothing would change, 10 when something would; any error keeps its
    /// own code (1-8), so a drift check never takes a broken file for drift.
    #[arg(long)]
    pub(crate) detailed_exitcode: bool,
    /// `scc plan`: save the plan to PATH; `scc apply PATH` then makes exactly those changes, or refuses
    /// when the state changed since.
    #[arg(long, value_name = "PATH")]
    pub(crate) out: Option<PathBuf>,
    /// `scc apply`: append one JSON line per change made (or tried) to PATH: time, service,
    /// organization, change, outcome, tracking id, API key id (default: the profile's `journal`,
    /// or SCC_JOURNAL).
    #[arg(long, value_name = "PATH")]
    pub(crate) journal: Option<PathBuf>,
}

/// `--rate-limit`: a number of requests per second the client can keep to.
fn rate_per_second(text: &str) -> Result<f64, String> {
    let rate: f64 = text.trim().parse().map_err(|_| format!("{text:?} is not a number"))?;
    if !(scc_sdk::RateLimit::MIN_PER_SECOND..=1_000_000.0).contains(&rate) {
        return Err(format!(
            "{text} is outside 0.001 (a request every 1,000 s) to 1000000 requests per second"
        ));
    }
    Ok(rate)
}

impl From<&Global> for crate::settings::Overrides {
    fn from(global: &Global) -> Self {
        Self {
            profile: global.profile.clone(),
            base_url: global.base_url.clone(),
            org: global.org.last().cloned(),
            output: global.output,
            timeout: global.timeout,
            max_response_bytes: global.max_response_bytes,
            ca_bundle: global.ca_bundle.clone(),
            credentials_file: global.credentials_file.clone(),
            no_retry: global.no_retry,
            rate_limit: global.rate_limit,
            dry_run: global.dry_run,
            insecure_http: global.insecure_http,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// The command that runs each operation of the SDK's catalog: a new operation fails here until it
    /// has one.
    const COMMANDS: &[(&str, &str)] = &[
        ("organizations.list", "org list"),
        ("organizations.get", "org get"),
        ("organizations.create", "org create"),
        ("organizations.update", "org update"),
        ("subscriptions.list", "subscription list"),
        ("subscriptions.get", "subscription get"),
        ("subscriptions.create", "subscription claim"),
        ("subscriptions.update", "subscription update"),
        ("subscriptions.patch", "subscription patch"),
        ("subscriptions.read_claim_code", "subscription claim-info"),
        ("subscriptions.build_products_from_claim_info", "subscription claim"),
        ("users.list", "user list"),
        ("users.get", "user get"),
        ("users.update", "user update"),
        ("users.patch", "user patch"),
        ("users.patch_all", "user patch"),
        ("users.get_groups", "user groups"),
        ("users.invite", "user invite"),
        ("users.enable", "user enable"),
        ("users.disable", "user disable"),
        ("users.remove", "user remove"),
        ("users.resend_email_invite", "user resend-invite"),
        ("users.reset_password", "user reset-password"),
        ("users.reset_mfa", "user reset-mfa"),
        ("groups.list", "group list"),
        ("groups.get", "group get"),
        ("groups.create", "group create"),
        ("groups.update", "group update"),
        ("groups.delete", "group delete"),
        ("groups.patch", "group patch"),
        ("groups.get_users", "group users"),
        ("groups.get_assigned_roles", "group roles"),
        ("groups.get_managed_organizations", "group managed-orgs"),
        ("groups.remove_shared_group", "group remove-shared"),
        ("roles.list", "role list"),
        ("roles.get", "role get"),
        ("roles.patch", "role patch"),
        ("roles.find_role_id", "role find"),
        ("tokens.refresh", "token refresh"),
        ("xdr.whoami", "xdr whoami"),
        ("xdr.org", "xdr org get"),
        ("xdr.update_org", "xdr org update"),
    ];

    #[test]
    fn every_operation_of_the_catalog_has_a_command() {
        let tree = super::Cli::command();
        for operation in scc_sdk::catalog::OPERATIONS {
            let words = COMMANDS
                .iter()
                .find(|(name, _)| *name == operation.name)
                .map(|(_, words)| *words)
                .unwrap_or_else(|| panic!("{} has no command", operation.name));
            let mut command = &tree;
            for word in words.split(' ') {
                command = command
                    .find_subcommand(word)
                    .unwrap_or_else(|| panic!("`scc {words}` ({}) is not a command", operation.name));
            }
        }
        assert_eq!(
            COMMANDS.len(),
            scc_sdk::catalog::OPERATIONS.len(),
            "a command names no operation"
        );
    }
}
