//! [`Page`]: the answer of every list operation, with the next cursor of the paginated ones.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use futures_util::{Stream, TryStreamExt};

use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Result;
use crate::types::{AdminGroup, Extra, ManagedOrganization, Organization, Role, Subscription, User};

/// A lazy stream of pages: nothing is sent until it is polled.
pub type PageStream<T> = Pin<Box<dyn Stream<Item = Result<Page<T>>> + Send>>;
/// A lazy stream of items across pages.
pub type ItemStream<T> = Pin<Box<dyn Stream<Item = Result<T>> + Send>>;

struct Walk<F> {
    fetch: F,
    cursor: Option<String>,
    seen: HashSet<String>,
    remaining: Option<usize>,
    done: bool,
}

/// Pages from `first_cursor` on, following each page's next cursor, until there is none, `max_items`
/// items have come, an error ends it, or the service hands back a cursor it already gave (then the
/// stream ends with a warning instead of looping).
pub(crate) fn page_stream<T, F, Fut>(first_cursor: Option<String>, max_items: Option<usize>, fetch: F) -> PageStream<T>
where
    T: Send + 'static,
    F: FnMut(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let walk = Walk {
        fetch,
        seen: first_cursor.iter().cloned().collect(),
        cursor: first_cursor,
        remaining: max_items,
        done: max_items == Some(0),
    };
    Box::pin(futures_util::stream::unfold(walk, |mut walk| async move {
        if walk.done {
            return None;
        }
        let mut page = match (walk.fetch)(walk.cursor.clone()).await {
            Ok(page) => page,
            Err(error) => {
                walk.done = true;
                return Some((Err(error), walk));
            }
        };
        if let Some(remaining) = walk.remaining.as_mut() {
            page.items.truncate(*remaining);
            *remaining -= page.items.len();
            if *remaining == 0 {
                walk.done = true;
            }
        }
        match page.next_cursor.clone() {
            None => walk.done = true,
            Some(next) if !walk.seen.insert(next.clone()) => {
                tracing::warn!(cursor = %next, "the service returned a cursor it already gave; stopping the pagination");
                walk.done = true;
            }
            Some(next) => walk.cursor = Some(next),
        }
        Some((Ok(page), walk))
    }))
}

/// The items of a page stream, one by one.
pub(crate) fn item_stream<T: Send + 'static>(pages: PageStream<T>) -> ItemStream<T> {
    Box::pin(
        pages
            .map_ok(|page| futures_util::stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten(),
    )
}

/// A model that arrives in lists, under one fixed key of the list answer.
pub trait Listed: DeserializeOwned + Serialize {
    /// The key of the list in the answer, e.g. `organizations`.
    const LIST_KEY: &'static str;
}

impl Listed for Organization {
    const LIST_KEY: &'static str = "organizations";
}
impl Listed for Subscription {
    const LIST_KEY: &'static str = "subscriptions";
}
impl Listed for User {
    const LIST_KEY: &'static str = "users";
}
impl Listed for AdminGroup {
    const LIST_KEY: &'static str = "groups";
}
impl Listed for Role {
    const LIST_KEY: &'static str = "roles";
}
impl Listed for ManagedOrganization {
    const LIST_KEY: &'static str = "managedOrgs";
}

/// One answer of a list operation: the items, the next cursor when there are more, and every other
/// field of the body in `extra`.
///
/// Organizations and admin groups are paginated; the other lists come whole and have no cursor.
/// The next cursor, as docs/decisions.md ("Pagination") says: the body's `cursor`, then its `nextCursor`, then
/// the `cursor` query parameter of a `Link: <…>; rel="next"` header.
pub(crate) fn next_cursor(
    cursor: Option<&serde_json::Value>,
    next_cursor: Option<&serde_json::Value>,
    link_header: Option<&str>,
) -> Option<String> {
    let text = |value: Option<&serde_json::Value>| {
        value
            .and_then(serde_json::Value::as_str)
            .filter(|cursor| !cursor.is_empty())
            .map(str::to_owned)
    };
    text(cursor)
        .or_else(|| text(next_cursor))
        .or_else(|| link_header.and_then(next_cursor_from_link))
}

/// Serializing a page gives back the body as received.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last one.
    pub next_cursor: Option<String>,
    /// The other fields of the body (including `cursor` or `nextCursor` as received).
    pub extra: Extra,
}

impl<T> Page<T> {
    /// Reads the next cursor as docs/decisions.md ("Pagination") says: body `cursor`, then `nextCursor`,
    /// then the `cursor` query parameter of a `Link: <…>; rel="next"` header.
    pub(crate) fn resolve_cursor(&mut self, link_header: Option<&str>) {
        self.next_cursor = next_cursor(self.extra.get("cursor"), self.extra.get("nextCursor"), link_header);
    }

    /// True when there is a next page.
    ///
    /// ```
    /// let page: scc_sdk::Page<scc_sdk::types::Organization> =
    ///     serde_json::from_str(r#"{"organizations": [{"id": "o1"}], "cursor": "next"}"#).unwrap();
    /// assert!(page.has_more());
    /// assert_eq!(page.next_cursor.as_deref(), Some("next"));
    /// ```
    pub fn has_more(&self) -> bool {
        self.next_cursor.is_some()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Page<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// The `cursor` query parameter of the `rel="next"` target of an RFC 8288 `Link` header.
pub(crate) fn next_cursor_from_link(header: &str) -> Option<String> {
    header.split(',').find_map(|link| {
        let (target, params) = link.split_once(';')?;
        let is_next = params.split(';').any(|param| {
            let param = param.trim().replace(' ', "");
            param == "rel=\"next\"" || param == "rel=next"
        });
        if !is_next {
            return None;
        }
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let url = url::Url::parse(target)
            .or_else(|_| url::Url::parse("http://relative.invalid").and_then(|base| base.join(target)))
            .ok()?;
        url.query_pairs()
            .find(|(key, _)| key == "cursor")
            .map(|(_, value)| value.into_owned())
            .filter(|cursor| !cursor.is_empty())
    })
}

impl<'de, T: Listed> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PageVisitor<T>(PhantomData<T>);

        impl<'de, T: Listed> Visitor<'de> for PageVisitor<T> {
            type Value = Page<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "an object with a `{}` list", T::LIST_KEY)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut items = None;
                let mut extra = Extra::new();
                while let Some(key) = map.next_key::<String>()? {
                    if key == T::LIST_KEY {
                        items = Some(map.next_value::<Option<Vec<T>>>()?.unwrap_or_default());
                    } else {
                        let value = map.next_value::<serde_json::Value>()?;
                        extra.insert(key, value);
                    }
                }
                // An answer without its list is not an empty page: it is not the documented answer.
                let items = items.ok_or_else(|| serde::de::Error::missing_field(T::LIST_KEY))?;
                Ok(Page {
                    items,
                    next_cursor: None,
                    extra,
                })
            }
        }

        let mut page = deserializer.deserialize_map(PageVisitor(PhantomData))?;
        page.resolve_cursor(None);
        Ok(page)
    }
}

impl<T: Listed> Serialize for Page<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.extra.len() + 1))?;
        map.serialize_entry(T::LIST_KEY, &self.items)?;
        for (key, value) in &self.extra {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_sources_in_order() {
        let mut page: Page<Organization> =
            serde_json::from_str(r#"{"organizations": [], "cursor": "a", "nextCursor": "b"}"#).expect("decodes");
        assert_eq!(page.next_cursor.as_deref(), Some("a"));
        page.extra.remove("cursor");
        page.resolve_cursor(Some(r#"<https://x/v1/organizations?max=2&cursor=c>; rel="next""#));
        assert_eq!(page.next_cursor.as_deref(), Some("b"));
        page.extra.remove("nextCursor");
        page.resolve_cursor(Some(r#"<https://x/v1/organizations?max=2&cursor=c%3D%3D>; rel="next""#));
        assert_eq!(page.next_cursor.as_deref(), Some("c=="));
        page.resolve_cursor(None);
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn link_header_forms() {
        assert_eq!(
            next_cursor_from_link(r#"<https://h/p?cursor=1>; rel="prev", <https://h/p?cursor=2>; rel="next""#)
                .as_deref(),
            Some("2")
        );
        assert_eq!(
            next_cursor_from_link(r#"</v1/organizations?cursor=r>;rel=next"#).as_deref(),
            Some("r")
        );
        assert_eq!(next_cursor_from_link(r#"<https://h/p?cursor=1>; rel="prev""#), None);
        assert_eq!(next_cursor_from_link("garbage"), None);
    }

    #[test]
    fn an_answer_without_its_list_is_a_decode_error_not_an_empty_page() {
        for body in [r#"{}"#, r#"{"organization": []}"#, r#"{"cursor": "a"}"#] {
            let error = serde_json::from_str::<Page<Organization>>(body).expect_err(body);
            assert!(
                error.to_string().contains("missing field `organizations`"),
                "{body}: {error}"
            );
        }
        let empty: Page<Organization> = serde_json::from_str(r#"{"organizations": null}"#).expect("null is empty");
        assert!(empty.items.is_empty());
    }

    #[test]
    fn page_round_trips_unknown_fields() {
        let body = serde_json::json!({"users": [{"id": "u1", "email": "a@b.co", "mood": "calm"}], "total": 1});
        let page: Page<User> = serde_json::from_value(body.clone()).expect("decodes");
        assert_eq!(page.items[0].extra["mood"], "calm");
        assert_eq!(serde_json::to_value(&page).ok(), Some(body));
    }
}
