//! Where a place of a plan file is written: the line of each path (`organizations[2].users[0].email`)
//! of a YAML, JSON (read as the YAML it is) or TOML text, so that every problem says `file:line`.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use saphyr_parser::{Event, Parser};

/// The first line of each path of a text; a path not written there (an item a file's `defaults:`
/// gave) is found at the nearest place above it that is.
#[derive(Debug, Default)]
pub(crate) struct Lines(HashMap<String, usize>);

impl Lines {
    /// The lines of `text`, in the format its extension names; none when it does not parse.
    pub(crate) fn of(format: &str, text: &str) -> Self {
        let mut lines = HashMap::new();
        match format {
            "toml" => toml_lines(text, &mut lines),
            _ => yaml_lines(text, &mut lines),
        }
        Self(lines)
    }

    /// The line of `path`, or of the nearest place above it that the text writes.
    pub(crate) fn line(&self, path: &str) -> Option<usize> {
        let mut path = path;
        loop {
            if let Some(line) = self.0.get(path) {
                return Some(*line);
            }
            path = &path[..path.rfind(['.', '['])?];
        }
    }
}

/// A plan file's text as read, kept so that a problem found later (by the plan against the state)
/// can say its line.
#[derive(Debug)]
pub(crate) struct SourceText {
    /// How messages name it (`customers.yaml`, `<stdin>`).
    pub(crate) label: String,
    format: String,
    text: String,
    lines: OnceLock<Lines>,
}

impl SourceText {
    pub(crate) fn new(label: String, format: &str, text: String) -> Arc<Self> {
        Arc::new(Self {
            label,
            format: format.to_owned(),
            text,
            lines: OnceLock::new(),
        })
    }

    /// The line of `path`, the text's lines found on the first question.
    pub(crate) fn line(&self, path: &str) -> Option<usize> {
        self.lines
            .get_or_init(|| Lines::of(&self.format, &self.text))
            .line(path)
    }

    /// `customers.yaml:12`, or the file alone when the line cannot be told.
    pub(crate) fn place(&self, path: &str) -> String {
        match self.line(path) {
            Some(line) => format!("{}:{line}", self.label),
            None => self.label.clone(),
        }
    }
}

/// Where an organization of a plan comes from: its file and its place there.
#[derive(Debug, Clone)]
pub struct Origin {
    pub(crate) source: Arc<SourceText>,
    pub(crate) index: usize,
}

impl Origin {
    /// How messages name the file (`customers.yaml`, `<stdin>`).
    pub fn file(&self) -> &str {
        &self.source.label
    }

    /// The organization's place in its file (`organizations[index]`).
    pub fn index(&self) -> usize {
        self.index
    }

    /// `customers.yaml:12` for a path within the organization (`groups[0].members[2]`), or the
    /// organization's own line when the path is not written in the file.
    pub fn place(&self, path: &str) -> String {
        let full = if path.is_empty() {
            format!("organizations[{}]", self.index)
        } else {
            format!("organizations[{}].{path}", self.index)
        };
        self.source.place(&full)
    }
}

/// An open collection while the events are walked.
enum Frame {
    Mapping { path: String, key: Option<String> },
    Sequence { path: String, next: usize },
}

/// The line of each path of a YAML (or JSON) text, from the parser's events: a key's line for a
/// mapping's entry, an item's first line for a sequence's.
fn yaml_lines(text: &str, lines: &mut HashMap<String, usize>) {
    let mut stack: Vec<Frame> = Vec::new();
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else { return };
        let line = span.start.line();
        // The path of the node this event starts, if it is a value; `None` when it is a key.
        let mut value_path = |stack: &mut Vec<Frame>, key_text: Option<&str>| -> Option<String> {
            match stack.last_mut() {
                None => Some(String::new()),
                Some(Frame::Mapping { key: key @ None, path }) => {
                    let key_text = key_text.unwrap_or("?");
                    let full = if path.is_empty() {
                        key_text.to_owned()
                    } else {
                        format!("{path}.{key_text}")
                    };
                    lines.entry(full.clone()).or_insert(line);
                    *key = Some(full);
                    None
                }
                Some(Frame::Mapping { key: key @ Some(_), .. }) => key.take(),
                Some(Frame::Sequence { path, next }) => {
                    let full = format!("{path}[{next}]");
                    *next += 1;
                    lines.entry(full.clone()).or_insert(line);
                    Some(full)
                }
            }
        };
        match event {
            Event::Scalar(value, ..) => {
                let _ = value_path(&mut stack, Some(&value));
            }
            Event::Alias(_) => {
                let _ = value_path(&mut stack, None);
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_mapping = matches!(event, Event::MappingStart(..));
                // A collection as a key is no key a plan has: its entries are not kept.
                let path = value_path(&mut stack, None).unwrap_or_else(|| "?".to_owned());
                stack.push(if is_mapping {
                    Frame::Mapping { path, key: None }
                } else {
                    Frame::Sequence { path, next: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
}

/// The line of each path of a TOML text, from the spans of its keys and array items.
fn toml_lines(text: &str, lines: &mut HashMap<String, usize>) {
    let Ok(root) = toml::de::DeTable::parse(text) else {
        return;
    };
    let line_at = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    fn walk(
        value: &toml::de::DeValue<'_>,
        path: &str,
        lines: &mut HashMap<String, usize>,
        line_at: &dyn Fn(usize) -> usize,
    ) {
        match value {
            toml::de::DeValue::Table(table) => {
                for (key, value) in table.iter() {
                    let full = if path.is_empty() {
                        key.get_ref().to_string()
                    } else {
                        format!("{path}.{}", key.get_ref())
                    };
                    lines.entry(full.clone()).or_insert(line_at(key.span().start));
                    walk(value.get_ref(), &full, lines, line_at);
                }
            }
            toml::de::DeValue::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    let full = format!("{path}[{index}]");
                    // An array of tables' item starts at its first key (its header is not kept).
                    let first_key = match item.get_ref() {
                        toml::de::DeValue::Table(table) => table.iter().map(|(key, _)| key.span().start).min(),
                        _ => None,
                    };
                    lines
                        .entry(full.clone())
                        .or_insert(line_at(first_key.unwrap_or(item.span().start)));
                    walk(item.get_ref(), &full, lines, line_at);
                }
            }
            _ => {}
        }
    }
    walk(&toml::de::DeValue::Table(root.into_inner()), "", lines, &line_at);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_has_its_line_in_yaml_json_and_toml() {
        let yaml = "organizations:\n  - name: Acme\n    users:\n      - email: a@acme.example\n        first_name: A\n      - {email: b@acme.example}\n";
        let lines = Lines::of("yaml", yaml);
        assert_eq!(lines.line("organizations"), Some(1));
        assert_eq!(lines.line("organizations[0]"), Some(2));
        assert_eq!(lines.line("organizations[0].users[0].first_name"), Some(5));
        assert_eq!(lines.line("organizations[0].users[1].email"), Some(6));
        // A place the file does not write is found at the nearest one above it.
        assert_eq!(lines.line("organizations[0].users[7].email"), Some(3));
        let json = "{\"organizations\": [\n  {\"name\": \"Acme\",\n   \"users\": [\n     {\"email\": \"a@acme.example\"}]}]}\n";
        let lines = Lines::of("json", json);
        assert_eq!(lines.line("organizations[0].name"), Some(2));
        assert_eq!(lines.line("organizations[0].users[0].email"), Some(4));
        let toml = "tenant = \"t\"\n\n[[organizations]]\nname = \"Acme\"\n\n[[organizations.users]]\nemail = \"a@acme.example\"\nfirst_name = \"A\"\n\n[[organizations]]\nid = \"x\"\n";
        let lines = Lines::of("toml", toml);
        assert_eq!(lines.line("tenant"), Some(1));
        assert_eq!(lines.line("organizations[0].name"), Some(4));
        assert_eq!(lines.line("organizations[0].users[0].first_name"), Some(8));
        assert_eq!(lines.line("organizations[1]"), Some(11));
    }
}
