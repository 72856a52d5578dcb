//! The operations, once: each one's name (the Python SDK's), the request it sends, whether it reads or
//! writes, and what a write does. The SDK builds its requests from these entries; the Python package
//! dispatches and checks its resources by them, the CLI's commands are checked against them and the
//! MCP server's tools come from them — a new operation appears in every face, or a test fails.

use reqwest::Method;

/// What an operation does to the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Changes nothing (a `GET`, or a `POST` that only reads, like claim-code information).
    Read,
    /// May change something.
    Write,
}

/// One operation of the SDK.
#[derive(Debug)]
pub struct OperationInfo {
    /// The Python SDK's name, `resource.method` (`users.get_groups`).
    pub name: &'static str,
    /// The method of the request it sends; `None` for an operation computed without a request
    /// (`subscriptions.build_products_from_claim_info`).
    pub method: Option<Method>,
    /// The path below the base path, with `{name}` placeholders, of the request it sends (for one
    /// made of another, that one's: `users.invite` sends the users `PATCH`).
    pub path: &'static str,
    /// Reads or writes.
    pub access: Access,
    /// A write that may take something away: delete an object, remove or disable a user, reset a
    /// credential, take away a membership or an entitlement, or replace what was there.
    pub destructive: bool,
    /// Making the same call twice leaves the service as making it once.
    pub idempotent: bool,
    /// One line saying what it does.
    pub summary: &'static str,
}

impl OperationInfo {
    /// The resource part of the name (`users`).
    pub fn resource(&self) -> &'static str {
        self.name.split_once('.').map_or(self.name, |(resource, _)| resource)
    }

    /// The method part of the name (`get_groups`).
    pub fn verb(&self) -> &'static str {
        self.name.split_once('.').map_or(self.name, |(_, verb)| verb)
    }

    /// True for an operation that changes nothing.
    pub fn is_read(&self) -> bool {
        self.access == Access::Read
    }
}

/// The entry named `name`.
pub fn find(name: &str) -> Option<&'static OperationInfo> {
    OPERATIONS.iter().copied().find(|operation| operation.name == name)
}

macro_rules! operations {
    ($($id:ident = $name:literal, $method:ident $path:literal, $access:ident,
       destructive: $destructive:literal, idempotent: $idempotent:literal, $summary:literal;)*) => {
        $(
            #[doc = $summary]
            pub static $id: OperationInfo = OperationInfo {
                name: $name,
                method: operations!(@method $method),
                path: $path,
                access: Access::$access,
                destructive: $destructive,
                idempotent: $idempotent,
                summary: $summary,
            };
        )*
        /// Every operation, in the order of the API reference.
        pub static OPERATIONS: &[&OperationInfo] = &[$(&$id),*];
    };
    (@method NONE) => { None };
    (@method $method:ident) => { Some(Method::$method) };
}

operations! {
    ORGANIZATIONS_LIST = "organizations.list", GET "organizations", Read,
        destructive: false, idempotent: true, "Lists the organizations the key can see, optionally by name, type or region.";
    ORGANIZATIONS_GET = "organizations.get", GET "organizations/{org_id}", Read,
        destructive: false, idempotent: true, "Gets one organization.";
    ORGANIZATIONS_CREATE = "organizations.create", POST "organizations", Write,
        destructive: false, idempotent: false, "Creates an organization (managed by the key's organization).";
    ORGANIZATIONS_UPDATE = "organizations.update", PUT "organizations/{org_id}", Write,
        destructive: false, idempotent: true, "Renames an organization.";
    SUBSCRIPTIONS_LIST = "subscriptions.list", GET "organizations/{org_id}/subscriptions", Read,
        destructive: false, idempotent: true, "Lists an organization's subscriptions.";
    SUBSCRIPTIONS_GET = "subscriptions.get", GET "organizations/{org_id}/subscriptions/{subscription_id}", Read,
        destructive: false, idempotent: true, "Gets one subscription.";
    SUBSCRIPTIONS_CREATE = "subscriptions.create", POST "organizations/{org_id}/subscriptions", Write,
        destructive: false, idempotent: false, "Claims a subscription with a claim code.";
    SUBSCRIPTIONS_UPDATE = "subscriptions.update", PUT "organizations/{org_id}/subscriptions/{subscription_id}", Write,
        destructive: true, idempotent: true, "Turns a subscription's product on or off.";
    SUBSCRIPTIONS_PATCH = "subscriptions.patch", PATCH "organizations/{org_id}/subscriptions/{subscription_id}", Write,
        destructive: true, idempotent: true, "Changes a subscription's entitlements.";
    SUBSCRIPTIONS_READ_CLAIM_CODE = "subscriptions.read_claim_code", POST "organizations/{org_id}/subscriptions/claimInfo", Read,
        destructive: false, idempotent: true, "Reads what a claim code would bring, without claiming it.";
    SUBSCRIPTIONS_BUILD_PRODUCTS_FROM_CLAIM_INFO = "subscriptions.build_products_from_claim_info", NONE "", Read,
        destructive: false, idempotent: true, "Builds the products of a claim from claim-code information (no request).";
    USERS_LIST = "users.list", GET "organizations/{org_id}/users", Read,
        destructive: false, idempotent: true, "Lists an organization's users, optionally by status.";
    USERS_GET = "users.get", GET "organizations/{org_id}/users/{user_id}", Read,
        destructive: false, idempotent: true, "Gets one user.";
    USERS_UPDATE = "users.update", PUT "organizations/{org_id}/users/{user_id}", Write,
        destructive: false, idempotent: true, "Changes a user's names or admin flag.";
    USERS_PATCH = "users.patch", PATCH "organizations/{org_id}/users", Write,
        destructive: true, idempotent: false, "Invites, enables, disables or removes up to 500 users at once.";
    USERS_PATCH_ALL = "users.patch_all", PATCH "organizations/{org_id}/users", Write,
        destructive: true, idempotent: false, "Any number of user operations, sent 500 at a time.";
    USERS_GET_GROUPS = "users.get_groups", GET "organizations/{org_id}/users/{user_id}/groups", Read,
        destructive: false, idempotent: true, "Lists the admin groups a user belongs to.";
    USERS_INVITE = "users.invite", PATCH "organizations/{org_id}/users", Write,
        destructive: false, idempotent: false, "Invites a user by e-mail.";
    USERS_ENABLE = "users.enable", PATCH "organizations/{org_id}/users", Write,
        destructive: false, idempotent: true, "Enables a user.";
    USERS_DISABLE = "users.disable", PATCH "organizations/{org_id}/users", Write,
        destructive: true, idempotent: true, "Disables a user (they can no longer sign in).";
    USERS_REMOVE = "users.remove", PATCH "organizations/{org_id}/users", Write,
        destructive: true, idempotent: true, "Removes a user from the organization.";
    USERS_RESEND_EMAIL_INVITE = "users.resend_email_invite", PATCH "organizations/{org_id}/users", Write,
        destructive: false, idempotent: false, "Sends a user's invitation e-mail again.";
    USERS_RESET_PASSWORD = "users.reset_password", PATCH "organizations/{org_id}/users", Write,
        destructive: true, idempotent: false, "Resets a user's password.";
    USERS_RESET_MFA = "users.reset_mfa", PATCH "organizations/{org_id}/users", Write,
        destructive: true, idempotent: false, "Resets one of a user's MFA factors.";
    GROUPS_LIST = "groups.list", GET "organizations/{org_id}/adminGroups", Read,
        destructive: false, idempotent: true, "Lists an organization's admin groups.";
    GROUPS_GET = "groups.get", GET "organizations/{org_id}/adminGroups/{group_id}", Read,
        destructive: false, idempotent: true, "Gets one admin group.";
    GROUPS_CREATE = "groups.create", POST "organizations/{org_id}/adminGroups", Write,
        destructive: false, idempotent: false, "Creates an admin group.";
    GROUPS_UPDATE = "groups.update", PUT "organizations/{org_id}/adminGroups/{group_id}", Write,
        destructive: false, idempotent: true, "Changes an admin group's name or description.";
    GROUPS_DELETE = "groups.delete", DELETE "organizations/{org_id}/adminGroups/{group_id}", Write,
        destructive: true, idempotent: true, "Deletes an admin group.";
    GROUPS_PATCH = "groups.patch", PATCH "organizations/{org_id}/adminGroups/{group_id}", Write,
        destructive: true, idempotent: false, "Adds or removes a group's users, roles and managed organizations.";
    GROUPS_GET_USERS = "groups.get_users", GET "organizations/{org_id}/adminGroups/{group_id}/users", Read,
        destructive: false, idempotent: true, "Lists the users of an admin group.";
    GROUPS_GET_ASSIGNED_ROLES = "groups.get_assigned_roles", GET "organizations/{org_id}/adminGroups/{group_id}/roles", Read,
        destructive: false, idempotent: true, "Lists the roles assigned to an admin group.";
    GROUPS_GET_MANAGED_ORGANIZATIONS = "groups.get_managed_organizations", GET "organizations/{org_id}/adminGroups/{group_id}/managedOrgs", Read,
        destructive: false, idempotent: true, "Lists the organizations a shared admin group manages.";
    GROUPS_REMOVE_SHARED_GROUP = "groups.remove_shared_group", DELETE "organizations/{org_id}/adminGroups/{group_id}", Write,
        destructive: true, idempotent: true, "Deletes a shared admin group of a manager organization.";
    ROLES_LIST = "roles.list", GET "organizations/{org_id}/roles", Read,
        destructive: false, idempotent: true, "Lists an organization's roles, optionally by type or user.";
    ROLES_GET = "roles.get", GET "organizations/{org_id}/roles/{role_id}", Read,
        destructive: false, idempotent: true, "Gets one role.";
    ROLES_PATCH = "roles.patch", PATCH "organizations/{org_id}/roles/{role_id}", Write,
        destructive: true, idempotent: false, "Assigns a role to, or takes it from, users and groups.";
    ROLES_FIND_ROLE_ID = "roles.find_role_id", GET "organizations/{org_id}/roles", Read,
        destructive: false, idempotent: true, "Finds a role's id by product and display name.";
    TOKENS_REFRESH = "tokens.refresh", POST "organizations/{org_id}/apiKeys/{api_key_id}/token", Write,
        destructive: true, idempotent: false, "Exchanges a refresh token for a new token pair (the old refresh token stops working).";
    XDR_WHOAMI = "xdr.whoami", GET "iroh/profile/whoami", Read,
        destructive: false, idempotent: true, "The XDR identity profile of the signed-in user.";
    XDR_ORG = "xdr.org", GET "iroh/profile/org", Read,
        destructive: false, idempotent: true, "The XDR organization of the signed-in user.";
    XDR_UPDATE_ORG = "xdr.update_org", POST "iroh/profile/org", Write,
        destructive: false, idempotent: true, "Changes the XDR organization's name or settings.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_shaped_resource_dot_verb() {
        let mut names: Vec<&str> = OPERATIONS.iter().map(|operation| operation.name).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "a name is listed twice");
        for operation in OPERATIONS {
            assert!(
                !operation.resource().is_empty() && !operation.verb().is_empty(),
                "{}",
                operation.name
            );
            assert!(operation.verb().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }

    #[test]
    fn reads_are_neither_destructive_nor_sent_with_a_method_that_writes() {
        for operation in OPERATIONS.iter().filter(|operation| operation.is_read()) {
            assert!(!operation.destructive, "{}", operation.name);
            assert!(operation.idempotent, "{}", operation.name);
            assert!(
                matches!(operation.method, None | Some(Method::GET))
                    || operation.name == "subscriptions.read_claim_code",
                "{} reads with {:?}",
                operation.name,
                operation.method
            );
        }
        assert_eq!(
            find("users.get_groups").map(|operation| operation.path),
            Some(USERS_GET_GROUPS.path)
        );
        assert!(find("users.nothing").is_none());
    }
}
