//! The storage shapes of the state: [`Shared`] values and [`Table`]s of rows, persistent so a draft of
//! the state costs nothing and a change copies only the path to what it changed.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::{Bound, Deref, DerefMut};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A value shared between the state and its drafts until one of them changes it: cloning is a
/// reference count, and the first mutable access copies it (`Arc::make_mut`).
#[derive(Debug, Default)]
pub(crate) struct Shared<T>(Arc<T>);

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.as_ref().serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(|value| Self(Arc::new(value)))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Self(Arc::new(value))
    }
}

impl<T> Shared<T> {
    /// Whether two values are the same allocation (nothing changed between them).
    pub(crate) fn same(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The first string after every string that starts with `prefix`, when its last character is ASCII
/// (below DEL): that character, grown by one.
fn past_prefix(prefix: &str) -> Option<String> {
    let (&last, rest) = prefix.as_bytes().split_last()?;
    if last >= 0x7F {
        return None;
    }
    let mut bytes = rest.to_vec();
    bytes.push(last + 1);
    String::from_utf8(bytes).ok()
}

/// The id of a row, shared by the tree's nodes and the index.
type Id = Arc<str>;

/// A row of a [`Table`]: what it may be looked up by besides its id.
pub(crate) trait Row: Clone {
    /// Its keys in the table's secondary index (its organization, a user's e-mail, …).
    fn index_keys(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A table of rows by id: a persistent B-tree, so a draft of the state costs nothing and a change
/// copies only the path to its row (O(log n), whatever the size); the ids of the rows a draft
/// changed, so the store writes those rows and nothing else; and a secondary index ([`Row::index_key`])
/// so a lookup by it does not read every row.
#[derive(Debug, Clone)]
pub(crate) struct Table<V: Row> {
    /// Rows behind `Arc`s and ids as `Arc<str>`: copying a node of the tree (up to 16 entries on each
    /// level of the path to a change) counts references instead of allocating strings and rows.
    rows: imbl::OrdMap<Id, Arc<V>>,
    touched: BTreeSet<String>,
    /// Persistent sets too: an organization of 100,000 users is a set a change copies a path of.
    index: imbl::OrdMap<Id, imbl::OrdSet<Id>>,
    /// Rows handed out mutably since the index last saw them, with the keys they had then.
    stale: BTreeMap<String, Vec<String>>,
}

impl<V: Row> Default for Table<V> {
    fn default() -> Self {
        Self {
            rows: imbl::OrdMap::new(),
            touched: BTreeSet::new(),
            index: imbl::OrdMap::new(),
            stale: BTreeMap::new(),
        }
    }
}

impl<V: Row> Table<V> {
    pub(crate) fn get(&self, id: &str) -> Option<&V> {
        self.rows.get(id).map(|row| row.as_ref())
    }

    pub(crate) fn contains_key(&self, id: &str) -> bool {
        self.rows.contains_key(id)
    }

    /// The rows in id order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.rows.values().map(|row| row.as_ref())
    }

    /// Ids and rows in id order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.rows.iter().map(|(id, row)| (id.as_ref(), row.as_ref()))
    }

    fn unindex(&mut self, id: &str, keys: Vec<String>) {
        for key in keys {
            if let Some(ids) = self.index.get_mut(key.as_str()) {
                ids.remove(id);
                if ids.is_empty() {
                    self.index.remove(key.as_str());
                }
            }
        }
    }

    fn index_row(&mut self, id: &Id) {
        let keys = self
            .rows
            .get(id.as_ref())
            .map(|row| row.index_keys())
            .unwrap_or_default();
        for key in keys {
            self.index.entry(Id::from(key)).or_default().insert(id.clone());
        }
    }

    fn keys_of(&self, id: &str) -> Vec<String> {
        self.rows.get(id).map(|row| row.index_keys()).unwrap_or_default()
    }

    /// The rows whose index key starts with `prefix` and passes `keep` (given the rest of the key).
    pub(crate) fn find_by_key_prefix<'t>(
        &'t self,
        prefix: &'t str,
        keep: impl Fn(&str) -> bool + 't,
    ) -> impl Iterator<Item = &'t V> + 't {
        // The keys from `prefix` up to (not including) the first key past every key that starts with
        // it: no comparison of the prefix for each key read.
        let end = past_prefix(prefix);
        let bounded = end.is_some();
        let upper = end.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
        let indexed = self
            .index
            .range::<_, str>((Bound::Included(prefix), upper))
            .take_while(move |(key, _)| bounded || key.starts_with(prefix))
            .filter(move |(key, _)| keep(&key[prefix.len()..]))
            .flat_map(|(_, ids)| ids.iter())
            .filter(|id| !self.stale.contains_key(id.as_ref()))
            .filter_map(|id| self.rows.get(id.as_ref()).map(|row| row.as_ref()));
        // Rows changed in this draft are looked at one by one (their keys may have moved).
        let stale = self
            .stale
            .keys()
            .filter_map(|id| self.rows.get(id.as_str()).map(|row| row.as_ref()));
        indexed.chain(stale)
    }

    /// The rows whose index key is `key`.
    pub(crate) fn find_indexed(&self, key: &str) -> impl Iterator<Item = &V> {
        let indexed = self
            .index
            .get(key)
            .into_iter()
            .flatten()
            .filter(|id| !self.stale.contains_key(id.as_ref()))
            .filter_map(|id| self.rows.get(id.as_ref()).map(|row| row.as_ref()));
        let stale = self
            .stale
            .keys()
            .filter_map(|id| self.rows.get(id.as_str()).map(|row| row.as_ref()))
            .filter(move |row| row.index_keys().iter().any(|k| k == key));
        indexed.chain(stale)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut V> {
        let row = self.rows.get(id)?;
        self.touched.insert(id.to_owned());
        if !self.stale.contains_key(id) {
            let keys = row.index_keys();
            self.stale.insert(id.to_owned(), keys);
        }
        self.rows.get_mut(id).map(Arc::make_mut)
    }

    pub(crate) fn insert(&mut self, id: String, row: V) -> Option<V> {
        self.touched.insert(id.clone());
        let old_keys = match self.stale.remove(&id) {
            Some(keys) => keys,
            None => self.keys_of(&id),
        };
        self.unindex(&id, old_keys);
        let key = Id::from(id);
        let old = self.rows.insert(key.clone(), Arc::new(row));
        self.index_row(&key);
        old.map(|row| Arc::unwrap_or_clone(row))
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<V> {
        let old_keys = match self.stale.remove(id) {
            Some(keys) => keys,
            None => self.keys_of(id),
        };
        self.unindex(id, old_keys);
        let removed = self.rows.remove(id);
        if removed.is_some() {
            self.touched.insert(id.to_owned());
        }
        removed.map(|row| Arc::unwrap_or_clone(row))
    }

    /// Changes the rows `matches` picks (only those are copied and written).
    pub(crate) fn update_where(&mut self, matches: impl Fn(&V) -> bool, mut change: impl FnMut(&mut V)) {
        let picked: Vec<Id> = self
            .rows
            .iter()
            .filter(|(_, row)| matches(row))
            .map(|(id, _)| id.clone())
            .collect();
        for id in picked {
            if let Some(row) = self.get_mut(&id) {
                change(row);
            }
        }
    }

    /// Removes the rows `keep` says no to.
    pub(crate) fn retain(&mut self, keep: impl Fn(&V) -> bool) {
        let gone: Vec<Id> = self
            .rows
            .iter()
            .filter(|(_, row)| !keep(row))
            .map(|(id, _)| id.clone())
            .collect();
        for id in gone {
            self.remove(&id);
        }
    }

    /// Brings the index up to date with the rows handed out mutably (most keep their key).
    fn refresh_index(&mut self) {
        for (id, old_keys) in std::mem::take(&mut self.stale) {
            if self.keys_of(&id) != old_keys {
                self.unindex(&id, old_keys);
                self.index_row(&Id::from(id));
            }
        }
    }

    /// Forgets which rows changed (a state just built or loaded has nothing to write).
    pub(crate) fn settle(&mut self) {
        self.refresh_index();
        self.touched.clear();
    }

    /// The ids changed since the last call, and their rows now (`None`: removed).
    pub(crate) fn take_changes(&mut self) -> Vec<(String, Option<V>)> {
        self.refresh_index();
        std::mem::take(&mut self.touched)
            .into_iter()
            .map(|id| {
                let row = self.rows.get(id.as_str()).map(|row| (**row).clone());
                (id, row)
            })
            .collect()
    }

    /// Applies changes read back from the store's log.
    pub(crate) fn apply(&mut self, changes: Vec<(String, Option<V>)>) {
        for (id, row) in changes {
            match row {
                Some(row) => {
                    self.insert(id, row);
                }
                None => {
                    self.remove(&id);
                }
            }
        }
        self.touched.clear();
    }
}

impl<V: Row + Serialize> Serialize for Table<V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de, V: Row + Deserialize<'de>> Deserialize<'de> for Table<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let rows: BTreeMap<String, V> = BTreeMap::deserialize(deserializer)?;
        Ok(rows.into_iter().collect())
    }
}

impl<V: Row> FromIterator<(String, V)> for Table<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(rows: I) -> Self {
        let mut table = Self::default();
        for (id, row) in rows {
            table.insert(id, row);
        }
        table.touched.clear();
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Named(String);

    impl Row for Named {
        fn index_keys(&self) -> Vec<String> {
            vec![format!("name\n{}", self.0), format!("other\n{}", self.0)]
        }
    }

    #[test]
    fn a_prefix_search_reads_exactly_the_keys_that_start_with_it() {
        assert_eq!(past_prefix("name\n").as_deref(), Some("name\u{b}"));
        assert_eq!(past_prefix("na\u{e9}"), None);
        assert_eq!(past_prefix(""), None);
        let table: Table<Named> = ["acme", "acme west", "beta", "name"]
            .into_iter()
            .enumerate()
            .map(|(index, name)| (format!("id{index}"), Named(name.to_owned())))
            .collect();
        let found = |prefix: &str, part: &str| {
            let mut names: Vec<String> = table
                .find_by_key_prefix(prefix, |rest| rest.contains(part))
                .map(|row| row.0.clone())
                .collect();
            names.sort();
            names
        };
        assert_eq!(found("name\n", "acme"), ["acme", "acme west"]);
        assert_eq!(found("name\n", ""), ["acme", "acme west", "beta", "name"]);
        assert_eq!(found("other\n", "ta"), ["beta"]);
        assert!(found("nam", "zzz").is_empty());
    }
}
