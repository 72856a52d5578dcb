//! The rules of the XDR data model, as methods: the name to show, activation, and who may log in.

use std::fmt;

use super::model::{ScimStatus, XdrOrg, XdrUser};

/// What an organization may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgCapability {
    /// Configure its modules.
    ConfigureModules,
    /// See its own profile.
    ReadOwnProfile,
    /// Anything else (every other API area).
    Other,
}

/// Which identity provider ids mean what (docs/decisions.md, "XDR identity providers": the ids are assumptions, so
/// they are configurable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpDefaults {
    /// Secure Endpoint: non-admins may not log in by default.
    pub secure_endpoint: Vec<String>,
    /// Secure Malware Analytics: non-admins may log in by default.
    pub malware_analytics: Vec<String>,
}

impl Default for IdpDefaults {
    fn default() -> Self {
        Self {
            secure_endpoint: vec!["idb-amp".into()],
            malware_analytics: vec!["threatgrid".into()],
        }
    }
}

/// The rule that decided whether non-admins may log in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginRule {
    /// The top-level `allow-all-role-to-login`.
    TopLevel,
    /// `settings.allow-all-roles-to-login`.
    Settings,
    /// The default of the user's identity provider.
    IdentityProvider {
        /// The provider's id.
        idp: String,
        /// Its product.
        product: &'static str,
    },
    /// Neither flag is set and the identity provider is unknown: refused, to be safe.
    UnknownIdentityProvider {
        /// The provider's id, when the user has one.
        idp: Option<String>,
    },
}

impl fmt::Display for LoginRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TopLevel => f.write_str("the organization's allow-all-role-to-login"),
            Self::Settings => f.write_str("the organization's settings.allow-all-roles-to-login"),
            Self::IdentityProvider { idp, product } => {
                write!(f, "the default of the identity provider {idp} ({product})")
            }
            Self::UnknownIdentityProvider { idp: Some(idp) } => {
                write!(f, "no flag set and the identity provider {idp} is unknown (refused)")
            }
            Self::UnknownIdentityProvider { idp: None } => {
                f.write_str("no flag set and no identity provider (refused)")
            }
        }
    }
}

/// Whether non-admin users may log in, and the rule that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginDecision {
    /// The answer.
    pub allowed: bool,
    /// Why.
    pub rule: LoginRule,
}

fn present(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|text| !text.is_empty())
}

impl XdrUser {
    /// The name to show: `user-nick`, else `user-name`, else `user-email`, else `user-id`.
    ///
    /// ```
    /// let user: scc_sdk::xdr::XdrUser = serde_json::from_str(
    ///     r#"{"user-id": "idb-amp:1", "org-id": "o", "scopes": [], "user-name": "Jane Doe", "user-nick": "Jannie"}"#,
    /// ).unwrap();
    /// assert_eq!(user.display_name(), "Jannie");
    /// ```
    pub fn display_name(&self) -> &str {
        present(&self.user_nick)
            .or_else(|| present(&self.user_name))
            .or_else(|| present(&self.user_email))
            .unwrap_or(&self.user_id)
    }

    /// The user's identity provider: the first `idp-mappings` entry, else the prefix of `user-id`.
    pub fn identity_provider(&self) -> Option<&str> {
        self.idp_mappings
            .iter()
            .flatten()
            .find_map(|mapping| present(&mapping.idp))
            .or_else(|| {
                self.user_id
                    .split_once(':')
                    .map(|(idp, _)| idp)
                    .filter(|idp| !idp.is_empty())
            })
    }
}

impl XdrOrg {
    /// True unless `scim-status` says the organization is waiting for activation (an absent status is
    /// taken as activated; an unknown one as not).
    pub fn is_activated(&self) -> bool {
        match &self.scim_status {
            None | Some(ScimStatus::Activated) => true,
            Some(_) => false,
        }
    }

    /// Whether the organization may do this: a not-activated one may only configure modules and see
    /// its own profile.
    pub fn may(&self, capability: OrgCapability) -> bool {
        self.is_activated()
            || matches!(
                capability,
                OrgCapability::ConfigureModules | OrgCapability::ReadOwnProfile
            )
    }

    /// Whether any user can log in: `enabled?` (true when absent).
    pub fn any_user_can_log_in(&self) -> bool {
        self.enabled.unwrap_or(true)
    }

    /// Whether non-admin users may log in, in the seed's order: the top-level
    /// `allow-all-role-to-login`, else `settings.allow-all-roles-to-login`, else the default of the
    /// user's identity provider (Secure Endpoint: no; Secure Malware Analytics: yes).
    ///
    /// ```
    /// use scc_sdk::xdr::{IdpDefaults, LoginRule, XdrOrg, XdrUser};
    /// let org: XdrOrg = serde_json::from_str(r#"{"id": "o", "settings": {"allow-all-roles-to-login": true}}"#).unwrap();
    /// let user: XdrUser = serde_json::from_str(r#"{"user-id": "idb-amp:1", "org-id": "o", "scopes": []}"#).unwrap();
    /// let decision = org.non_admins_may_log_in(&user, &IdpDefaults::default());
    /// assert_eq!((decision.allowed, decision.rule), (true, LoginRule::Settings));
    /// ```
    pub fn non_admins_may_log_in(&self, user: &XdrUser, idps: &IdpDefaults) -> LoginDecision {
        if let Some(allowed) = self.allow_all_role_to_login {
            return LoginDecision {
                allowed,
                rule: LoginRule::TopLevel,
            };
        }
        if let Some(allowed) = self
            .settings
            .as_ref()
            .and_then(|settings| settings.allow_all_roles_to_login)
        {
            return LoginDecision {
                allowed,
                rule: LoginRule::Settings,
            };
        }
        let idp = user.identity_provider();
        let known = |list: &[String]| idp.is_some_and(|idp| list.iter().any(|known| known == idp));
        if known(&idps.secure_endpoint) {
            return LoginDecision {
                allowed: false,
                rule: LoginRule::IdentityProvider {
                    idp: idp.unwrap_or_default().to_owned(),
                    product: "Secure Endpoint",
                },
            };
        }
        if known(&idps.malware_analytics) {
            return LoginDecision {
                allowed: true,
                rule: LoginRule::IdentityProvider {
                    idp: idp.unwrap_or_default().to_owned(),
                    product: "Secure Malware Analytics",
                },
            };
        }
        LoginDecision {
            allowed: false,
            rule: LoginRule::UnknownIdentityProvider {
                idp: idp.map(str::to_owned),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(value: serde_json::Value) -> XdrUser {
        serde_json::from_value(value).expect("user")
    }

    fn org(top: Option<bool>, settings: Option<bool>) -> XdrOrg {
        let mut value = json!({"id": "o"});
        if let Some(top) = top {
            value["allow-all-role-to-login"] = top.into();
        }
        if let Some(settings) = settings {
            value["settings"] = json!({"allow-all-roles-to-login": settings});
        }
        serde_json::from_value(value).expect("org")
    }

    #[test]
    fn display_name_prefers_nick_then_name_then_email_then_id() {
        let full = json!({"user-id": "idb-amp:1", "org-id": "o", "scopes": [],
                          "user-nick": "Jannie", "user-name": "Jane Doe", "user-email": "j@x.com"});
        assert_eq!(user(full.clone()).display_name(), "Jannie");
        let mut no_nick = full.clone();
        no_nick["user-nick"] = json!("  ");
        assert_eq!(user(no_nick.clone()).display_name(), "Jane Doe");
        no_nick.as_object_mut().map(|o| o.remove("user-name"));
        assert_eq!(user(no_nick.clone()).display_name(), "j@x.com");
        no_nick.as_object_mut().map(|o| o.remove("user-email"));
        assert_eq!(user(no_nick).display_name(), "idb-amp:1");
    }

    #[test]
    fn every_combination_of_the_three_levels() {
        let idps = IdpDefaults::default();
        let secure_endpoint = user(json!({"user-id": "idb-amp:1", "org-id": "o", "scopes": []}));
        let malware_analytics = user(json!({"user-id": "x:1", "org-id": "o", "scopes": [],
                                            "idp-mappings": [{"idp": "threatgrid"}]}));
        let unknown = user(json!({"user-id": "other:1", "org-id": "o", "scopes": []}));
        for top in [None, Some(true), Some(false)] {
            for settings in [None, Some(true), Some(false)] {
                let org = org(top, settings);
                for (who, idp_default) in [
                    (&secure_endpoint, Some(false)),
                    (&malware_analytics, Some(true)),
                    (&unknown, None),
                ] {
                    let decision = org.non_admins_may_log_in(who, &idps);
                    let (expected, rule_is) = match (top, settings, idp_default) {
                        (Some(value), _, _) => (value, "top"),
                        (None, Some(value), _) => (value, "settings"),
                        (None, None, Some(value)) => (value, "idp"),
                        (None, None, None) => (false, "unknown"),
                    };
                    assert_eq!(decision.allowed, expected, "{top:?} {settings:?} {}", who.user_id);
                    let rule_matches = match rule_is {
                        "top" => decision.rule == LoginRule::TopLevel,
                        "settings" => decision.rule == LoginRule::Settings,
                        "idp" => matches!(decision.rule, LoginRule::IdentityProvider { .. }),
                        _ => matches!(decision.rule, LoginRule::UnknownIdentityProvider { .. }),
                    };
                    assert!(
                        rule_matches,
                        "{top:?} {settings:?} {}: {:?}",
                        who.user_id, decision.rule
                    );
                }
            }
        }
    }

    #[test]
    fn idp_ids_are_configurable() {
        let custom = IdpDefaults {
            secure_endpoint: vec![],
            malware_analytics: vec!["other".into()],
        };
        let someone = user(json!({"user-id": "other:1", "org-id": "o", "scopes": []}));
        let decision = org(None, None).non_admins_may_log_in(&someone, &custom);
        assert!(decision.allowed);
        assert_eq!(
            decision.rule.to_string(),
            "the default of the identity provider other (Secure Malware Analytics)"
        );
    }

    #[test]
    fn activation_and_enablement() {
        let mut waiting: XdrOrg =
            serde_json::from_value(json!({"id": "o", "scim-status": "waiting-activation"})).expect("org");
        assert!(!waiting.is_activated());
        assert!(waiting.may(OrgCapability::ConfigureModules) && waiting.may(OrgCapability::ReadOwnProfile));
        assert!(!waiting.may(OrgCapability::Other));
        waiting.scim_status = Some(ScimStatus::Activated);
        assert!(waiting.may(OrgCapability::Other));
        assert!(waiting.any_user_can_log_in());
        let disabled: XdrOrg = serde_json::from_value(json!({"id": "o", "enabled?": false})).expect("org");
        assert!(!disabled.any_user_can_log_in());
        let odd: XdrOrg = serde_json::from_value(json!({"id": "o", "scim-status": "suspended"})).expect("org");
        assert!(!odd.is_activated(), "an unknown status is not taken as activated");
    }
}
