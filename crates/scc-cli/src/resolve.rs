//! Names where ids are wanted: an organization, group, role or subscription by name, a user by
//! e-mail. An id (UUID-shaped) is taken as it is; a name matching one object gives its id; a name
//! matching several is an error listing them with their ids; a name matching none is taken as an id
//! (the service answers 404 when it is not one).

use futures_util::TryStreamExt;
use scc_sdk::Client;

use crate::failure::{CliError, Code};

/// `8-4-4-4-12` hexadecimal: the shape of the service's ids.
pub(crate) fn is_id(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, length)| group.len() == length && group.chars().all(|c| c.is_ascii_hexdigit()))
}

fn key(text: &str) -> String {
    scc_sdk::validate::name_key(text)
}

/// The one candidate whose label matches `text`, or an error listing several.
fn pick(kind: &str, text: &str, candidates: Vec<(String, String)>) -> Result<String, CliError> {
    let matching: Vec<(String, String)> = candidates
        .into_iter()
        .filter(|(_, label)| key(label) == key(text))
        .collect();
    match matching.len() {
        0 => Ok(text.trim().to_owned()),
        1 => Ok(matching[0].0.clone()),
        _ => Err(CliError::new(
            Code::Usage,
            format!(
                "{} {kind}s are named {text:?}: {}",
                matching.len(),
                matching
                    .iter()
                    .map(|(id, label)| format!("{id} ({label})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(format!("give the {kind}'s id instead of its name")),
        )),
    }
}

pub(crate) async fn org(client: &Client, text: &str) -> Result<String, CliError> {
    if is_id(text) {
        return Ok(text.to_owned());
    }
    let orgs: Vec<_> = client
        .organizations()
        .list()
        .name(text.trim())
        .max(500)
        .items()
        .try_collect()
        .await?;
    let candidates = orgs
        .into_iter()
        .filter_map(|org| Some((org.id.to_string(), org.name?)))
        .collect();
    pick("organization", text, candidates)
}

pub(crate) async fn group(client: &Client, org: &str, text: &str) -> Result<String, CliError> {
    if is_id(text) {
        return Ok(text.to_owned());
    }
    let groups: Vec<_> = client.groups().list(org).max(500).items().try_collect().await?;
    let candidates = groups
        .into_iter()
        .filter_map(|group| Some((group.id.to_string(), group.name?)))
        .collect();
    pick("group", text, candidates)
}

/// A user by e-mail (or id).
pub(crate) async fn user(client: &Client, org: &str, text: &str) -> Result<String, CliError> {
    if is_id(text) || !text.contains('@') {
        return Ok(text.trim().to_owned());
    }
    let users = client.users().list(org).send().await?;
    let candidates = users
        .items
        .into_iter()
        .filter_map(|user| Some((user.id.to_string(), user.email?)))
        .collect();
    match pick("user", text, candidates)? {
        id if id == text.trim() => Err(CliError::new(
            Code::NotFound,
            format!("no user of organization {org} has the e-mail {text}"),
            Some("see `scc user list`".into()),
        )),
        id => Ok(id),
    }
}

/// A role by display name (or id); the same name in several products is ambiguous.
pub(crate) async fn role(client: &Client, org: &str, text: &str) -> Result<String, CliError> {
    if is_id(text) {
        return Ok(text.to_owned());
    }
    let roles = client.roles().list(org).send().await?;
    let candidates = roles
        .items
        .into_iter()
        .filter_map(|role| {
            let products: Vec<String> = role.products.iter().flatten().filter_map(|p| p.name.clone()).collect();
            let name = role.display_name?;
            Some((role.id.to_string(), name, products))
        })
        .map(|(id, name, products)| (id, name.clone(), products.join(", ")))
        .collect::<Vec<_>>();
    let matching: Vec<(String, String)> = candidates
        .iter()
        .filter(|(_, name, _)| key(name) == key(text))
        .map(|(id, name, products)| (id.clone(), format!("{name} of {products}")))
        .collect();
    if matching.len() > 1 {
        return Err(CliError::new(
            Code::Usage,
            format!(
                "{} roles are named {text:?}: {}",
                matching.len(),
                matching
                    .iter()
                    .map(|(id, label)| format!("{id} ({label})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some("give the role's id, or find it with `scc role find --product … --name …`".into()),
        ));
    }
    Ok(matching
        .into_iter()
        .next()
        .map_or_else(|| text.trim().to_owned(), |(id, _)| id))
}

pub(crate) async fn subscription(client: &Client, org: &str, text: &str) -> Result<String, CliError> {
    if is_id(text) {
        return Ok(text.to_owned());
    }
    let subscriptions = client.subscriptions().list(org).send().await?;
    let candidates = subscriptions
        .items
        .into_iter()
        .filter_map(|s| Some((s.id.to_string(), s.name?)))
        .collect();
    pick("subscription", text, candidates)
}

/// A product by id or name among `products` (id, name): a claim code's, or a subscription's.
pub(crate) fn product(text: &str, products: Vec<(String, String)>) -> Result<String, CliError> {
    if products.iter().any(|(id, _)| id == text.trim()) {
        return Ok(text.trim().to_owned());
    }
    pick("product", text, products)
}

/// The products of a subscription (id, name), read only when one of `texts` is not an id.
pub(crate) async fn subscription_products(
    client: &Client,
    org: &str,
    subscription: &str,
    texts: &[&str],
) -> Result<Vec<(String, String)>, CliError> {
    if texts.iter().all(|text| is_id(text)) {
        return Ok(Vec::new());
    }
    let subscription = client.subscriptions().get(org, subscription).await?;
    Ok(subscription
        .products
        .into_iter()
        .flatten()
        .filter_map(|product| Some((product.id?.to_string(), product.name?)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names() {
        assert!(is_id("323ae5c6-3842-42f6-b2ae-e22bbbc586c3"));
        assert!(!is_id("Contoso Retail") && !is_id("ana@contoso.example") && !is_id("323ae5c6"));
        let candidates = vec![
            ("1".to_owned(), "SOC".to_owned()),
            ("2".to_owned(), "soc ".to_owned()),
            ("3".to_owned(), "NOC".to_owned()),
        ];
        assert_eq!(pick("group", "noc", candidates.clone()).expect("one"), "3");
        assert_eq!(
            pick("group", "other", candidates.clone()).expect("taken as an id"),
            "other"
        );
        let error = pick("group", "SOC", candidates).expect_err("two");
        assert!(
            error.message.contains("1 (SOC)") && error.message.contains("2 (soc )"),
            "{}",
            error.message
        );
        assert_eq!(error.code, Code::Usage);
    }
}
