//! The storage shapes of the state: [`Shared`] values and [`Table`]s of rows, persistent so a draft of
//! the state costs nothing and a change copies only the path to what it changed.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::{Deref, DerefMut};
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

/// The id of a row, shared by the tree's nodes and the index.
type Id = Arc<str>;

/// A row of a [`Table`]: what it may be looked up by besides its id.
pub(crate) trait Row: Clone {
    /// Its keys in the table's secondary index (its organization, a user's e-mail, …).
    fn index_keys(&self) -> Vec<String> {
        Vec::new()
    }

    /// The text a partial match searches (an organization's name in lower case), if any.
    fn search_text(&self) -> Option<String> {
        None
    }
}

/// What a row is found by besides its id: index keys and search text.
#[derive(Debug, Clone, Default, PartialEq)]
struct RowKeys {
    index: Vec<String>,
    search: Option<String>,
}

impl RowKeys {
    fn of(row: &impl Row) -> Self {
        Self {
            index: row.index_keys(),
            search: row.search_text(),
        }
    }
}

/// Rows' search texts, up to [`SEARCH_BLOCK`] rows a block, each block one string: a partial match
/// runs one SIMD search over each block instead of walking a tree row by row, and a change copies one
/// block (the others are shared with the state it was drafted from).
#[derive(Debug, Clone, Default)]
struct SearchBlocks {
    blocks: Vec<Arc<SearchBlock>>,
}

const SEARCH_BLOCK: usize = 256;

#[derive(Debug, Clone, Default)]
struct SearchBlock {
    /// The texts one after the other.
    text: String,
    /// Each row's id and where its text ends in `text` (it starts where the previous one ends).
    ends: Vec<(Id, usize)>,
}

impl SearchBlock {
    fn push(&mut self, id: Id, text: &str) {
        self.text.push_str(text);
        self.ends.push((id, self.text.len()));
    }

    fn start_of(&self, entry: usize) -> usize {
        entry.checked_sub(1).map_or(0, |previous| self.ends[previous].1)
    }
}

impl SearchBlocks {
    fn insert(&mut self, id: Id, text: &str) {
        match self.blocks.last_mut() {
            Some(last) if last.ends.len() < SEARCH_BLOCK => Arc::make_mut(last).push(id, text),
            _ => {
                let mut block = SearchBlock::default();
                block.push(id, text);
                self.blocks.push(Arc::new(block));
            }
        }
    }

    /// Removes a row's text (a rare change: renames and deletions), rebuilding its block.
    fn remove(&mut self, id: &str) {
        let Some(position) = self
            .blocks
            .iter()
            .position(|block| block.ends.iter().any(|(entry, _)| entry.as_ref() == id))
        else {
            return;
        };
        let old = &self.blocks[position];
        let mut rebuilt = SearchBlock::default();
        for (entry, (entry_id, end)) in old.ends.iter().enumerate() {
            if entry_id.as_ref() != id {
                rebuilt.push(entry_id.clone(), &old.text[old.start_of(entry)..*end]);
            }
        }
        if rebuilt.ends.is_empty() {
            self.blocks.remove(position);
        } else {
            self.blocks[position] = Arc::new(rebuilt);
        }
    }

    /// The ids of the rows whose text contains `needle`, in the order they were added.
    fn matching(&self, needle: &str) -> Vec<Id> {
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let mut found = Vec::new();
        for block in &self.blocks {
            let text = block.text.as_bytes();
            if needle.is_empty() {
                found.extend(block.ends.iter().map(|(id, _)| id.clone()));
                continue;
            }
            let mut from = 0;
            while let Some(offset) = finder.find(&text[from..]) {
                let at = from + offset;
                // The row whose text holds the match's first byte; a match running into the next
                // row's text is not one, and the search goes on from the byte after it.
                let entry = block.ends.partition_point(|(_, end)| *end <= at);
                let (id, end) = &block.ends[entry];
                if at + needle.len() <= *end {
                    found.push(id.clone());
                    from = *end;
                } else {
                    from = at + 1;
                }
                if from >= text.len() {
                    break;
                }
            }
        }
        found
    }
}

/// A table of rows by id: a persistent B-tree, so a draft of the state costs nothing and a change
/// copies only the path to its row (O(log n), whatever the size); the ids of the rows a draft
/// changed, so the store writes those rows and nothing else; and a secondary index ([`Row::index_keys`])
/// so a lookup by it does not read every row.
#[derive(Debug, Clone)]
pub(crate) struct Table<V: Row> {
    /// Rows behind `Arc`s and ids as `Arc<str>`: copying a node of the tree (up to 16 entries on each
    /// level of the path to a change) counts references instead of allocating strings and rows.
    rows: imbl::OrdMap<Id, Arc<V>>,
    touched: BTreeSet<String>,
    /// Persistent sets too: an organization of 100,000 users is a set a change copies a path of.
    index: imbl::OrdMap<Id, imbl::OrdSet<Id>>,
    /// The rows' search texts ([`Row::search_text`]).
    search: SearchBlocks,
    /// Rows handed out mutably since the index last saw them, with the keys they had then.
    stale: BTreeMap<String, RowKeys>,
}

impl<V: Row> Default for Table<V> {
    fn default() -> Self {
        Self {
            rows: imbl::OrdMap::new(),
            touched: BTreeSet::new(),
            index: imbl::OrdMap::new(),
            search: SearchBlocks::default(),
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

    fn unindex(&mut self, id: &str, keys: RowKeys) {
        for key in keys.index {
            if let Some(ids) = self.index.get_mut(key.as_str()) {
                ids.remove(id);
                if ids.is_empty() {
                    self.index.remove(key.as_str());
                }
            }
        }
        if keys.search.is_some() {
            self.search.remove(id);
        }
    }

    fn index_row(&mut self, id: &Id) {
        let keys = self.keys_of(id);
        for key in keys.index {
            self.index.entry(Id::from(key)).or_default().insert(id.clone());
        }
        if let Some(text) = keys.search {
            self.search.insert(id.clone(), &text);
        }
    }

    fn keys_of(&self, id: &str) -> RowKeys {
        self.rows
            .get(id)
            .map(|row| RowKeys::of(row.as_ref()))
            .unwrap_or_default()
    }

    /// The rows of `ids`, but for those handed out mutably in this draft: their keys may have
    /// moved since the index saw them, so [`changed`](Self::changed) gives them to be looked at
    /// one by one.
    fn settled<'t, K: AsRef<str>>(&'t self, ids: impl Iterator<Item = K> + 't) -> impl Iterator<Item = &'t V> + 't {
        ids.filter(|id| !self.stale.contains_key(id.as_ref()))
            .filter_map(|id| self.rows.get(id.as_ref()).map(|row| row.as_ref()))
    }

    /// The rows handed out mutably in this draft.
    fn changed(&self) -> impl Iterator<Item = &V> {
        self.stale
            .keys()
            .filter_map(|id| self.rows.get(id.as_str()).map(|row| row.as_ref()))
    }

    /// The rows whose search text contains `needle`, in the order they were added.
    pub(crate) fn search(&self, needle: &str) -> impl Iterator<Item = &V> {
        let changed: Vec<&V> = self
            .changed()
            .filter(|row| row.search_text().is_some_and(|text| text.contains(needle)))
            .collect();
        self.settled(self.search.matching(needle).into_iter()).chain(changed)
    }

    /// The rows whose index key is `key`.
    pub(crate) fn find_indexed(&self, key: &str) -> impl Iterator<Item = &V> {
        let indexed = self.settled(self.index.get(key).into_iter().flatten());
        let changed = self
            .changed()
            .filter(move |row| row.index_keys().iter().any(|k| k == key));
        indexed.chain(changed)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut V> {
        let row = self.rows.get(id)?;
        self.touched.insert(id.to_owned());
        if !self.stale.contains_key(id) {
            let keys = RowKeys::of(row.as_ref());
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
        fn search_text(&self) -> Option<String> {
            Some(self.0.to_lowercase())
        }
    }

    fn found(table: &Table<Named>, needle: &str) -> Vec<String> {
        let mut names: Vec<String> = table.search(needle).map(|row| row.0.clone()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_partial_match_finds_each_row_whose_text_holds_it_and_no_other() {
        let mut table: Table<Named> = ["acme", "acme west", "beta", "ab", "cd"]
            .into_iter()
            .enumerate()
            .map(|(index, name)| (format!("id{index}"), Named(name.to_owned())))
            .collect();
        assert_eq!(found(&table, "acme"), ["acme", "acme west"]);
        assert_eq!(found(&table, "a"), ["ab", "acme", "acme west", "beta"]);
        assert_eq!(found(&table, ""), ["ab", "acme", "acme west", "beta", "cd"]);
        // The texts lie one after the other: "ab" then "cd" holds "bc" across the two, which is no match.
        assert!(found(&table, "bc").is_empty());
        assert!(found(&table, "zzz").is_empty());

        // A rename in a draft is seen at once, and after the draft settles.
        table.get_mut("id2").expect("beta").0 = "Gamma".into();
        assert_eq!(found(&table, "gam"), ["Gamma"]);
        assert!(found(&table, "beta").is_empty());
        table.settle();
        assert_eq!(found(&table, "gam"), ["Gamma"]);
        assert!(found(&table, "beta").is_empty());

        table.remove("id0");
        assert_eq!(found(&table, "acme"), ["acme west"]);
    }

    #[test]
    fn a_search_spans_many_blocks_and_a_draft_copies_only_the_last() {
        let mut table: Table<Named> = (0..1000)
            .map(|n| (format!("id{n}"), Named(format!("Customer {n:04}"))))
            .collect();
        assert_eq!(table.search.blocks.len(), 1000_usize.div_ceil(SEARCH_BLOCK));
        assert_eq!(
            found(&table, "customer 09"),
            (900..1000).map(|n| format!("Customer {n:04}")).collect::<Vec<_>>()
        );
        let committed = table.clone();
        table.insert("new".into(), Named("Customer new".into()));
        let shared = table
            .search
            .blocks
            .iter()
            .zip(&committed.search.blocks)
            .filter(|(draft, kept)| Arc::ptr_eq(draft, kept))
            .count();
        assert_eq!(shared, committed.search.blocks.len() - 1);
        assert_eq!(found(&table, "new"), ["Customer new"]);
        assert!(found(&committed, "new").is_empty());
        assert_eq!(table.search("customer").count(), 1001);
    }
}
