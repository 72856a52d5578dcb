//! Users and bulk user operations.

use serde::{Deserialize, Serialize};

use super::{Extra, UserId, UserOperationType, UserStatus};

/// A user of an organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// `id`.
    pub id: UserId,
    /// `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `firstName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// `lastName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<UserStatus>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What a [`UserOperation`] would change ([`UserOperation::effect_on`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserEffect {
    /// Already in place exactly: sending it would change nothing.
    None,
    /// In place, but not as asked (an invite of a user who exists under other names): why.
    Conflicts(String),
    /// It would change something, or the listing cannot tell.
    Changes,
    /// It names a user the organization does not have (anything but an invite): the service would
    /// refuse it, and a removal of a misspelt address must not pass for one already made.
    NoSuchUser,
}

/// One item of a bulk user change (`PATCH /organizations/{orgId}/users`). Users are addressed by
/// e-mail.
///
/// Build it with the constructor of the operation; each one asks for what that operation needs (an
/// invitation needs names, an MFA reset a factor id), so a malformed item cannot be built in code.
/// Items read from JSON are checked before sending.
///
/// ```
/// use scc_sdk::types::UserOperation;
/// let items = vec![
///     UserOperation::invite("ana@example.com", "Ana", "Silva").admin(true),
///     UserOperation::disable("old@example.com"),
///     UserOperation::reset_mfa("bo@example.com", "uft2odnt5ez9xSslf0h8"),
/// ];
/// assert_eq!(items[2].operation().as_str(), "reset_mfa");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOperation {
    email: String,
    operation: UserOperationType,
    // The plan file's snake_case names are read too (`first_name` as `firstName`).
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "first_name")]
    first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "last_name")]
    last_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "is_admin",
        alias = "admin"
    )]
    is_admin: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "factor_id")]
    factor_id: Option<String>,
}

impl UserOperation {
    fn plain(email: impl Into<String>, operation: UserOperationType) -> Self {
        Self {
            email: email.into(),
            operation,
            first_name: None,
            last_name: None,
            is_admin: None,
            factor_id: None,
        }
    }

    /// Invite a user; they are `PENDING` until they accept.
    pub fn invite(email: impl Into<String>, first_name: impl Into<String>, last_name: impl Into<String>) -> Self {
        Self {
            first_name: Some(first_name.into()),
            last_name: Some(last_name.into()),
            ..Self::plain(email, UserOperationType::Invite)
        }
    }

    /// For an invitation: also give the organization administrator role (`isAdmin`, sent whenever set,
    /// `false` included).
    pub fn admin(mut self, is_admin: bool) -> Self {
        self.is_admin = Some(is_admin);
        self
    }

    /// Enable a disabled user.
    pub fn enable(email: impl Into<String>) -> Self {
        Self::plain(email, UserOperationType::Enable)
    }
    /// Disable a user.
    pub fn disable(email: impl Into<String>) -> Self {
        Self::plain(email, UserOperationType::Disable)
    }
    /// Remove a user from the organization.
    pub fn remove(email: impl Into<String>) -> Self {
        Self::plain(email, UserOperationType::Remove)
    }
    /// Send the invitation e-mail again.
    pub fn resend_email_invite(email: impl Into<String>) -> Self {
        Self::plain(email, UserOperationType::ResendEmailInvite)
    }
    /// Send a password reset.
    pub fn reset_password(email: impl Into<String>) -> Self {
        Self::plain(email, UserOperationType::ResetPassword)
    }
    /// Reset one MFA factor of a user.
    pub fn reset_mfa(email: impl Into<String>, factor_id: impl Into<String>) -> Self {
        Self {
            factor_id: Some(factor_id.into()),
            ..Self::plain(email, UserOperationType::ResetMfa)
        }
    }

    /// `email`.
    pub fn email(&self) -> &str {
        &self.email
    }
    /// `operation`.
    pub fn operation(&self) -> &UserOperationType {
        &self.operation
    }
    /// `firstName` (invitations).
    pub fn first_name(&self) -> Option<&str> {
        self.first_name.as_deref()
    }
    /// `lastName` (invitations).
    pub fn last_name(&self) -> Option<&str> {
        self.last_name.as_deref()
    }
    /// `isAdmin` (invitations).
    pub fn is_admin(&self) -> Option<bool> {
        self.is_admin
    }
    /// `factorId` (MFA resets).
    pub fn factor_id(&self) -> Option<&str> {
        self.factor_id.as_deref()
    }

    /// What this operation would change, judged from the user as the service lists them (`None`: not
    /// a user of the organization). Re-runnable scripts send only what changes something, as
    /// `kubectl apply` does. `isAdmin` is not judged: a listing does not show roles. Resending an
    /// invite and resetting a password or MFA always act.
    ///
    /// ```
    /// use scc_sdk::types::{User, UserEffect, UserOperation};
    /// let bob: User = serde_json::from_value(serde_json::json!(
    ///     {"id": "u1", "email": "bob@acme.example", "firstName": "Bob", "lastName": "Lee", "status": "ACTIVE"})).unwrap();
    /// assert_eq!(UserOperation::enable("bob@acme.example").effect_on(Some(&bob)), UserEffect::None);
    /// assert_eq!(UserOperation::invite("bob@acme.example", "Bob", "Lee").effect_on(Some(&bob)), UserEffect::None);
    /// assert!(matches!(UserOperation::invite("bob@acme.example", "Rob", "Lee").effect_on(Some(&bob)), UserEffect::Conflicts(_)));
    /// assert_eq!(UserOperation::remove("bob@acme.example").effect_on(None), UserEffect::NoSuchUser);
    /// ```
    pub fn effect_on(&self, current: Option<&User>) -> UserEffect {
        let status = current.and_then(|user| user.status.as_ref()).map(UserStatus::as_str);
        match (&self.operation, current) {
            (UserOperationType::Invite, None) => UserEffect::Changes,
            (_, None) => UserEffect::NoSuchUser,
            (UserOperationType::Enable, Some(_)) if status == Some("ACTIVE") => UserEffect::None,
            (UserOperationType::Disable, Some(_)) if matches!(status, Some("DISABLED" | "DISABLE" | "INACTIVE")) => {
                UserEffect::None
            }
            (UserOperationType::Invite, Some(user)) => {
                let same = |wanted: Option<&str>, held: Option<&String>| {
                    wanted.unwrap_or_default().trim() == held.map_or("", |name| name.trim())
                };
                if same(self.first_name(), user.first_name.as_ref()) && same(self.last_name(), user.last_name.as_ref())
                {
                    UserEffect::None
                } else {
                    UserEffect::Conflicts(format!(
                        "already a user, as {:?} {:?} ({}); the invite names {:?} {:?}",
                        user.first_name.as_deref().unwrap_or_default(),
                        user.last_name.as_deref().unwrap_or_default(),
                        status.unwrap_or("no status"),
                        self.first_name().unwrap_or_default(),
                        self.last_name().unwrap_or_default(),
                    ))
                }
            }
            _ => UserEffect::Changes,
        }
    }

    /// Checks what the constructors guarantee, for items read from JSON. `field` is the item's path,
    /// e.g. `users[3]`; the error names the field at fault (`users[3].email`).
    ///
    /// ```
    /// let item: scc_sdk::types::UserOperation =
    ///     serde_json::from_value(serde_json::json!({"email": "not-an-email", "operation": "enable"})).unwrap();
    /// assert!(item.validate("users[0]").unwrap_err().to_string().contains("users[0].email"));
    /// ```
    pub fn validate(&self, field: &str) -> crate::Result<()> {
        use crate::validate;
        validate::email(&format!("{field}.email"), &self.email)?;
        match &self.operation {
            UserOperationType::Invite => {
                validate::non_empty(&format!("{field}.firstName"), self.first_name.as_deref().unwrap_or(""))?;
                validate::non_empty(&format!("{field}.lastName"), self.last_name.as_deref().unwrap_or(""))?;
            }
            UserOperationType::ResetMfa => {
                validate::non_empty(&format!("{field}.factorId"), self.factor_id.as_deref().unwrap_or(""))?;
            }
            UserOperationType::Unknown(name) if name.is_empty() => {
                return Err(crate::Error::invalid(format!("{field}.operation"), "must not be empty"));
            }
            _ => {}
        }
        Ok(())
    }
}
