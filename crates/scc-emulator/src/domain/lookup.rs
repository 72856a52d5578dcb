//! Finding users and roles by what a request names them by.

use crate::model::{State, User, org_key, user_key};

/// A plain shape check of an e-mail address.
pub(crate) fn looks_like_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(char::is_whitespace)
}

/// The user of the organization with this e-mail address (any case).
pub(crate) fn find_by_email<'s>(state: &'s State, org_id: &str, email: &str) -> Option<&'s User> {
    state
        .users
        .find_indexed(&user_key(org_id, email))
        .find(|user| user.org_id == org_id && crate::model::name_key(&user.email) == crate::model::name_key(email))
}

/// A user of the organization by id or by e-mail (role assignments accept both).
pub(crate) fn find_by_id_or_email<'s>(state: &'s State, org_id: &str, id_or_email: &str) -> Option<&'s User> {
    state
        .users
        .get(id_or_email)
        .filter(|user| user.org_id == org_id)
        .or_else(|| find_by_email(state, org_id, id_or_email))
}

/// The id of the organization's role with this name for this product.
pub(crate) fn find_role_id(state: &State, org_id: &str, display_name: &str, product: &str) -> Option<String> {
    state
        .roles
        .find_indexed(&org_key(org_id))
        .find(|role| {
            role.org_id == org_id && role.display_name == display_name && role.products.iter().any(|p| p == product)
        })
        .map(|role| role.id.clone())
}
