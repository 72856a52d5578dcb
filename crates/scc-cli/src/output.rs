//! Data to stdout in the chosen format; messages, progress and errors to stderr. Tables on a terminal,
//! stable tab-separated lines when piped; JSON is the server's JSON, so no field is lost.

use std::io::{IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;

use crate::cli::Format;

/// A column of a table: header and the JSON path of its value (`a.b`; arrays are joined).
pub(crate) type Column = (&'static str, &'static str);

pub(crate) struct Ui {
    pub(crate) format: Format,
    stdout_tty: bool,
    stderr_tty: bool,
    color: bool,
}

impl Ui {
    pub(crate) fn new(format: Format, no_color: bool) -> Self {
        let stderr_tty = std::io::stderr().is_terminal();
        Self {
            format,
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty,
            color: stderr_tty && !no_color && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()),
        }
    }

    pub(crate) fn write_stdout(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth a message.
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }

    /// One object.
    pub(crate) fn item(&self, value: &Value, columns: &[Column]) {
        match self.format {
            Format::Table => {
                let rows: Vec<Vec<String>> = if columns.is_empty() {
                    match value.as_object() {
                        Some(object) => object
                            .iter()
                            .map(|(key, value)| vec![key.clone(), cell(value)])
                            .collect(),
                        None => vec![vec![cell(value)]],
                    }
                } else {
                    columns
                        .iter()
                        .map(|(header, path)| vec![(*header).to_owned(), cell(&lookup(value, path))])
                        .collect()
                };
                self.table(None, rows);
            }
            _ => self.documents(std::slice::from_ref(value), false),
        }
    }

    /// A list of objects.
    pub(crate) fn list(&self, items: &[Value], columns: &[Column]) {
        match self.format {
            Format::Table => {
                let headers: Vec<String> = columns.iter().map(|(header, _)| (*header).to_owned()).collect();
                let rows = items
                    .iter()
                    .map(|item| columns.iter().map(|(_, path)| cell(&lookup(item, path))).collect())
                    .collect();
                self.table(Some(headers), rows);
            }
            _ => self.documents(items, true),
        }
    }

    fn documents(&self, items: &[Value], as_list: bool) {
        let text = match self.format {
            Format::Ndjson => items.iter().map(|item| format!("{item}\n")).collect(),
            Format::Yaml => {
                let value = if as_list {
                    Value::Array(items.to_vec())
                } else {
                    items[0].clone()
                };
                serde_norway::to_string(&value).unwrap_or_default()
            }
            _ => {
                let value = if as_list {
                    Value::Array(items.to_vec())
                } else {
                    items[0].clone()
                };
                format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default())
            }
        };
        self.write_stdout(&text);
    }

    fn table(&self, headers: Option<Vec<String>>, rows: Vec<Vec<String>>) {
        if !self.stdout_tty {
            let text: String = rows.iter().map(|row| format!("{}\n", row.join("\t"))).collect();
            self.write_stdout(&text);
            return;
        }
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_BORDERS_ONLY)
            .set_content_arrangement(ContentArrangement::Dynamic);
        if let Some(headers) = headers {
            table.set_header(headers);
        }
        for row in rows {
            table.add_row(row);
        }
        self.write_stdout(&format!("{table}\n"));
    }

    /// A message on stderr.
    pub(crate) fn note(&self, message: &str) {
        eprintln!("{message}");
    }

    /// A success mark and a message on stderr.
    pub(crate) fn success(&self, message: &str) {
        if self.color {
            eprintln!("\x1b[32m✓\x1b[0m {message}");
        } else {
            eprintln!("✓ {message}");
        }
    }

    /// An error line and its hint on stderr.
    pub(crate) fn error(&self, message: &str, hint: Option<&str>) {
        if self.color {
            eprintln!("\x1b[31merror:\x1b[0m {message}");
        } else {
            eprintln!("error: {message}");
        }
        if let Some(hint) = hint {
            eprintln!("hint: {hint}");
        }
    }

    /// A progress bar on a terminal; hidden when stderr is piped.
    pub(crate) fn progress(&self, total: u64, message: &'static str) -> ProgressBar {
        if !self.stderr_tty {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(message);
        bar
    }

    /// A spinner on a terminal; hidden when stderr is piped.
    pub(crate) fn spinner(&self, message: &'static str) -> ProgressBar {
        if !self.stderr_tty {
            return ProgressBar::hidden();
        }
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        spinner.set_message(message);
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        spinner
    }

    /// Whether there is a terminal to ask a question on.
    pub(crate) fn can_ask(&self) -> bool {
        std::io::stdin().is_terminal() && self.stderr_tty
    }

    /// Asks a yes/no question on a terminal; without one, refuses (the caller says to use --yes).
    pub(crate) fn confirm(&self, question: &str) -> bool {
        if !self.can_ask() {
            return false;
        }
        eprint!("{question} [y/N] ");
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).is_ok() && matches!(answer.trim(), "y" | "Y" | "yes" | "YES")
    }
}

/// The value at a dotted path; through arrays, the values of every element.
pub(crate) fn lookup(value: &Value, path: &str) -> Value {
    let mut current = value.clone();
    for key in path.split('.') {
        current = match current {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| item.get(key).cloned().unwrap_or(Value::Null))
                    .collect(),
            ),
            Value::Object(map) => map.get(key).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        };
    }
    current
}

/// A value as table text: strings bare, arrays joined, objects as compact JSON.
pub(crate) fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.replace(['\t', '\n'], " "),
        Value::Array(items) => items
            .iter()
            .map(cell)
            .filter(|text| !text.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookup_and_cells() {
        let role = json!({"displayName": "Admin", "products": [{"name": "A"}, {"name": "B"}], "n": 3});
        assert_eq!(cell(&lookup(&role, "products.name")), "A, B");
        assert_eq!(cell(&lookup(&role, "displayName")), "Admin");
        assert_eq!(cell(&lookup(&role, "missing.deep")), "");
        assert_eq!(cell(&lookup(&role, "n")), "3");
        assert_eq!(cell(&json!("a\tb\nc")), "a b c");
    }
}
