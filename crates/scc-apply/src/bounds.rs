//! What a plan file may cost before it is decoded: its size, and what YAML's anchors and aliases
//! expand to. An alias repeats the node its anchor names, and nested aliases multiply (a "billion
//! laughs" file of a few kilobytes expands to gigabytes), so the expansion is counted on the parser's
//! events, which hold each alias once, and a file that expands past the bounds is refused before a
//! single node is built (as Go's YAML decoders refuse "excessive aliasing" since CVE-2019-11253).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser};

/// The largest plan file read: a plan of 5,000 organizations is about 6 MiB.
pub(crate) const MAX_PLAN_BYTES: u64 = 64 * 1024 * 1024;

/// Nodes aliases may add beyond the file's own: a shared baseline repeated for many customers fits.
const ALIAS_NODES_FREE: u64 = 100_000;
/// Or, for a larger file, this many times its own nodes.
const ALIAS_NODES_RATIO: u64 = 10;
/// Text aliases may repeat, in bytes, beyond the file's own.
const ALIAS_BYTES_FREE: u64 = 4 * 1024 * 1024;
/// Or, for a larger file, this many times its size.
const ALIAS_BYTES_RATIO: u64 = 10;

/// What the file expands to, against its own size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Expansion {
    /// Nodes (scalars, sequences, mappings) written in the file.
    pub(crate) own_nodes: u64,
    /// Nodes once every alias is replaced by what it names.
    pub(crate) nodes: u64,
    /// Bytes of scalar text once every alias is replaced.
    pub(crate) bytes: u64,
    /// Aliases in the file.
    pub(crate) aliases: u64,
}

impl Expansion {
    /// Why the expansion is refused, if it is.
    pub(crate) fn excessive(&self, file_bytes: u64) -> Option<String> {
        let node_bound = ALIAS_NODES_FREE.max(ALIAS_NODES_RATIO * self.own_nodes) + self.own_nodes;
        let byte_bound = ALIAS_BYTES_FREE.max(ALIAS_BYTES_RATIO * file_bytes) + file_bytes;
        if self.nodes > node_bound {
            return Some(format!(
                "its {} alias(es) expand it to more than {node_bound} nodes (it has {} of its own)",
                self.aliases, self.own_nodes
            ));
        }
        if self.bytes > byte_bound {
            return Some(format!(
                "its {} alias(es) expand it to more than {byte_bound} bytes of text (the file has {file_bytes})",
                self.aliases
            ));
        }
        None
    }
}

/// A collection being read: its anchor (0 for none) and what it holds so far.
struct Open {
    anchor: usize,
    nodes: u64,
    bytes: u64,
}

/// Why counting stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Past the bounds: why.
    Excessive(String),
    /// Not YAML this parser reads: the decoder says what is wrong, with its location.
    Unreadable,
}

/// Counts what `text` expands to, stopping as soon as it is past the bounds.
pub(crate) fn expansion(text: &str) -> Result<Expansion, Stop> {
    let file_bytes = text.len() as u64;
    let mut anchored: HashMap<usize, (u64, u64)> = HashMap::new();
    let mut open: Vec<Open> = Vec::new();
    let mut total = Expansion {
        own_nodes: 0,
        nodes: 0,
        bytes: 0,
        aliases: 0,
    };
    // Adds a finished node (its expanded nodes and bytes) to the collection around it, or to the
    // document's total.
    let add = |open: &mut Vec<Open>, total: &mut Expansion, nodes: u64, bytes: u64| match open.last_mut() {
        Some(parent) => {
            parent.nodes = parent.nodes.saturating_add(nodes);
            parent.bytes = parent.bytes.saturating_add(bytes);
        }
        None => {
            total.nodes = total.nodes.saturating_add(nodes);
            total.bytes = total.bytes.saturating_add(bytes);
        }
    };
    for event in Parser::new_from_str(text) {
        let (event, _) = event.map_err(|_| Stop::Unreadable)?;
        match event {
            Event::Scalar(value, _, anchor, _) => {
                total.own_nodes += 1;
                let bytes = value.len() as u64;
                if anchor != 0 {
                    anchored.insert(anchor, (1, bytes));
                }
                add(&mut open, &mut total, 1, bytes);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                total.own_nodes += 1;
                open.push(Open {
                    anchor,
                    nodes: 1,
                    bytes: 0,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(done) = open.pop() {
                    if done.anchor != 0 {
                        anchored.insert(done.anchor, (done.nodes, done.bytes));
                    }
                    add(&mut open, &mut total, done.nodes, done.bytes);
                }
            }
            Event::Alias(anchor) => {
                total.aliases += 1;
                let (nodes, bytes) = anchored.get(&anchor).copied().unwrap_or((1, 0));
                add(&mut open, &mut total, nodes, bytes);
            }
            _ => {}
        }
        // What is open counts too: a collection that never closes cannot hide its expansion.
        let pending_nodes: u64 = open
            .iter()
            .map(|frame| frame.nodes)
            .fold(total.nodes, u64::saturating_add);
        let pending_bytes: u64 = open
            .iter()
            .map(|frame| frame.bytes)
            .fold(total.bytes, u64::saturating_add);
        let so_far = Expansion {
            nodes: pending_nodes,
            bytes: pending_bytes,
            ..total
        };
        if let Some(why) = so_far.excessive(file_bytes) {
            return Err(Stop::Excessive(why));
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nine levels of ten aliases each: 10^9 leaves from a few hundred bytes.
    fn laughs(levels: usize) -> String {
        let mut text = String::from("a0: &a0 [\"lol lol lol lol lol lol lol lol\"]\n");
        for level in 1..=levels {
            let previous = format!("*a{}", level - 1);
            let items = vec![previous; 10].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        text
    }

    #[test]
    fn nested_aliases_are_refused_at_once_and_a_shared_baseline_is_not() {
        let started = std::time::Instant::now();
        let Err(Stop::Excessive(why)) = expansion(&laughs(9)) else {
            panic!("a bomb is refused")
        };
        assert!(why.contains("alias(es) expand it to more than"), "{why}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "refused before expanding"
        );
        // One baseline for forty customers: well within the bounds.
        let mut text = String::from("baseline: &baseline\n  users:\n");
        for u in 0..20 {
            text.push_str(&format!(
                "    - {{email: u{u}@msp.example, first_name: U, last_name: N}}\n"
            ));
        }
        text.push_str("customers:\n");
        for c in 0..40 {
            text.push_str(&format!("  - {{name: Customer {c}, plan: *baseline}}\n"));
        }
        let counted = expansion(&text).expect("within the bounds");
        assert_eq!(counted.aliases, 40);
        assert!(counted.nodes > counted.own_nodes * 5, "{counted:?}");
    }

    #[test]
    fn a_long_string_repeated_by_aliases_is_refused_by_its_bytes() {
        let long = "x".repeat(64 * 1024);
        let mut text = format!("a: &a \"{long}\"\nb: [");
        text.push_str(&vec!["*a"; 1000].join(", "));
        text.push_str("]\n");
        let Err(Stop::Excessive(why)) = expansion(&text) else {
            panic!("64 MiB of text from 66 KiB is refused")
        };
        assert!(why.contains("bytes of text"), "{why}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 128, failure_persistence: None, ..Default::default() })]

        /// Any shape of nested aliases: refused, or decoded within the bounds (the decoder never
        /// builds more than was counted).
        #[test]
        fn nested_aliases_are_refused_or_bounded(levels in 1usize..10, fanout in 1usize..14, width in 0usize..200) {
            let mut text = format!("x0: &x0 [\"{}\"]\n", "w".repeat(width));
            for level in 1..=levels {
                let items = vec![format!("*x{}", level - 1); fanout].join(", ");
                text.push_str(&format!("x{level}: &x{level} [{items}]\n"));
            }
            text.push_str("organizations: []\n");
            let started = std::time::Instant::now();
            let parsed = crate::spec::parse(std::path::Path::new("fuzz.yaml"), &text);
            proptest::prop_assert!(started.elapsed() < std::time::Duration::from_secs(5));
            if let Ok(counted) = expansion(&text) {
                proptest::prop_assert!(counted.excessive(text.len() as u64).is_none());
            } else {
                proptest::prop_assert!(parsed.is_err());
            }
        }
    }

    #[test]
    fn a_file_without_aliases_is_its_own_size() {
        let counted = expansion("organizations:\n  - name: Acme\n    users: []\n").expect("plain");
        assert_eq!(counted.aliases, 0);
        assert_eq!(counted.nodes, counted.own_nodes);
    }
}
