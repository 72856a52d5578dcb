//! The API's enumerations, all open (see [`crate::types`]).

use super::open_enum;

open_enum!(
    /// `type` of an organization.
    OrganizationType {
        /// `STANDALONE`
        Standalone = "STANDALONE",
        /// `MANAGER`: manages other organizations.
        Manager = "MANAGER",
        /// `MANAGED`: managed by a MANAGER organization.
        Managed = "MANAGED",
    }
);

open_enum!(
    /// A region code: `NAM`, `EMEA`, `APJC` for organizations (plus `GLOBAL` as a list filter), and also
    /// `US` and `GLOBAL` for product regions.
    RegionCode {
        /// North America.
        Nam = "NAM",
        /// Europe, Middle East and Africa.
        Emea = "EMEA",
        /// Asia Pacific, Japan and China.
        Apjc = "APJC",
        /// United States (product regions).
        Us = "US",
        /// Global (list filter and product regions).
        Global = "GLOBAL",
    }
);

open_enum!(
    /// `order` of a sorted organization list.
    SortOrder {
        /// Ascending.
        Asc = "ASC",
        /// Descending.
        Desc = "DESC",
    }
);

open_enum!(
    /// `sortBy` of an organization list: the fields the project knows to sort by (docs/decisions.md,
    /// "Sorting"); the service may know more, so the SDK sends any value it is given.
    OrganizationSortField {
        /// By name.
        Name = "name",
        /// By type.
        Type = "type",
        /// By region.
        RegionCode = "regionCode",
        /// By creation time.
        Created = "created",
        /// By id.
        Id = "id",
    }
);

open_enum!(
    /// `status` of a user. The sources disagree on the value set; `DISABLE` and `INACTIVE` arrive as
    /// [`UserStatus::Unknown`].
    UserStatus {
        /// Enabled.
        Active = "ACTIVE",
        /// Invited, not yet accepted.
        Pending = "PENDING",
        /// Disabled.
        Disabled = "DISABLED",
        /// Shared from a manager organization.
        Shared = "SHARED",
    }
);

open_enum!(
    /// `operation` of a bulk user change.
    UserOperationType {
        /// Invite a new user.
        Invite = "invite",
        /// Enable a disabled user.
        Enable = "enable",
        /// Disable a user.
        Disable = "disable",
        /// Remove a user from the organization.
        Remove = "remove",
        /// Send the invitation e-mail again.
        ResendEmailInvite = "resend_email_invite",
        /// Send a password reset.
        ResetPassword = "reset_password",
        /// Reset one MFA factor (needs `factorId`).
        ResetMfa = "reset_mfa",
    }
);

open_enum!(
    /// `appliesTo` of an admin group: which organizations the group reaches.
    AppliesTo {
        /// The manager and all its managed organizations.
        All = "all",
        /// The manager organization only.
        Manager = "manager",
        /// Only the managed organizations chosen for the group.
        SelectedManaged = "selected_managed",
    }
);

open_enum!(
    /// `type` of a role.
    RoleType {
        /// A role defined by the organization.
        Custom = "CUSTOM",
        /// A bundle of product roles.
        Bundled = "BUNDLED",
        /// A built-in product role.
        Static = "STATIC",
    }
);

open_enum!(
    /// `operation` of a membership change (admin groups, roles).
    PatchOperation {
        /// Add the member.
        Add = "add",
        /// Remove the member.
        Remove = "remove",
    }
);

open_enum!(
    /// `status` of one item of a bulk result.
    ResultStatus {
        /// The item was applied.
        Success = "success",
        /// The item failed; see `errorDescription`.
        Failed = "failed",
    }
);

open_enum!(
    /// `type` of a subscription claim (sent only when set).
    SubscriptionType {
        /// Trial.
        Trial = "trial",
        /// Free.
        Free = "free",
        /// Paid (the service's default).
        Paid = "paid",
    }
);

impl RegionCode {
    /// The regions an organization is created in.
    ///
    /// ```
    /// assert!(scc_sdk::types::RegionCode::ORGANIZATION.iter().all(|code| scc_sdk::types::RegionCode::KNOWN.contains(code)));
    /// ```
    pub const ORGANIZATION: &'static [&'static str] = &["NAM", "EMEA", "APJC"];
    /// The regions an organization list filters by: an organization's, and `GLOBAL`.
    pub const ORGANIZATION_FILTER: &'static [&'static str] = &["NAM", "EMEA", "APJC", "GLOBAL"];
}
