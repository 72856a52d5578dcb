//! Data to stdout in the chosen format; messages, progress and errors to stderr. Tables on a terminal,
//! stable tab-separated lines when piped; JSON is the server's JSON, so no field is lost.

use std::io::{IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;

/// A column of a table: header and the JSON path of its value (`a.b`; arrays are joined).
pub(crate) type Column = (&'static str, &'static str);

/// The column sets of the tables, one per SDK type (and per report).
pub(crate) mod columns {
    use super::Column;

    /// An organization.
    pub(crate) const ORG: &[Column] = &[
        ("ID", "id"),
        ("NAME", "name"),
        ("TYPE", "type"),
        ("REGION", "regionCode"),
        ("COUNTRY", "countryCode"),
        ("CREATED", "created"),
    ];

    /// A user.
    pub(crate) const USER: &[Column] = &[
        ("ID", "id"),
        ("EMAIL", "email"),
        ("FIRST NAME", "firstName"),
        ("LAST NAME", "lastName"),
        ("STATUS", "status"),
    ];

    /// An admin group.
    pub(crate) const GROUP: &[Column] = &[
        ("ID", "id"),
        ("NAME", "name"),
        ("DESCRIPTION", "description"),
        ("TYPE", "type"),
        ("APPLIES TO", "appliesTo"),
    ];

    /// A role.
    pub(crate) const ROLE: &[Column] = &[
        ("ID", "id"),
        ("DISPLAY NAME", "displayName"),
        ("TYPE", "type"),
        ("PRODUCTS", "products.name"),
    ];

    /// A subscription: its products by name and status.
    pub(crate) const SUBSCRIPTION: &[Column] = &[
        ("ID", "id"),
        ("NAME", "name"),
        ("CREATED", "created"),
        ("TRIAL", "isTrial"),
        ("PRODUCTS", "products.name"),
        ("STATUS", "products.status"),
    ];

    /// A product of a claim code.
    pub(crate) const PRODUCT: &[Column] = &[
        ("PRODUCT ID", "id"),
        ("NAME", "name"),
        ("ENTITLEMENTS", "entitlements.id"),
        ("QUANTITY", "entitlements.quantity"),
        ("REGIONS", "allowedRegions.regionCode"),
    ];

    /// The XDR organization.
    pub(crate) const XDR_ORG: &[Column] = &[
        ("ID", "id"),
        ("NAME", "name"),
        ("SCIM STATUS", "scim-status"),
        ("ENABLED", "enabled?"),
        ("ALLOW ALL ROLE TO LOGIN", "allow-all-role-to-login"),
        (
            "SETTINGS: ALLOW ALL ROLES TO LOGIN",
            "settings.allow-all-roles-to-login",
        ),
        ("ADDITIONAL SCOPES", "additional-scopes"),
    ];

    /// One result of a bulk PATCH.
    pub(crate) const BULK_RESULT: &[Column] = &[
        ("ID", "id"),
        ("TYPE", "type"),
        ("OPERATION", "operation"),
        ("STATUS", "status"),
        ("ERROR", "errorDescription"),
    ];

    /// One item of a bulk user operation.
    pub(crate) const BULK_REPORT: &[Column] = &[
        ("EMAIL", "email"),
        ("OPERATION", "operation"),
        ("RESULT", "result"),
        ("ERROR", "error"),
        ("TRACKING ID", "trackingId"),
    ];

    /// One change of `scc apply`.
    pub(crate) const APPLY_REPORT: &[Column] = &[
        ("ORG", "org"),
        ("OBJECT", "object"),
        ("ACTION", "action"),
        ("RESULT", "result"),
        ("TRACKING ID", "tracking_id"),
        ("ERROR", "error"),
    ];
}

/// The first failure to write the output (other than a closed pipe), for the exit code.
static WRITE_FAILURE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Why the output could not be written, when it could not.
pub(crate) fn write_failure() -> Option<&'static str> {
    WRITE_FAILURE.get().map(String::as_str)
}

pub(crate) struct Ui {
    pub(crate) format: Format,
    stdout_tty: bool,
    stderr_tty: bool,
    color: bool,
    /// Plans on a terminal: `+` green, `~` yellow, `-` red (NO_COLOR and --no-color turn it off).
    stdout_color: bool,
    /// Long output on a terminal goes through a pager (not with --no-pager).
    pager: bool,
    jq: Option<crate::jq::Jq>,
}

impl Ui {
    pub(crate) fn new(format: Format, no_color: bool) -> Self {
        let stderr_tty = std::io::stderr().is_terminal();
        Self {
            format,
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty,
            color: stderr_tty && !no_color && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()),
            stdout_color: std::io::stdout().is_terminal()
                && !no_color
                && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()),
            pager: false,
            jq: None,
        }
    }

    /// Pages output longer than the terminal, as gh and git do (`--no-pager` turns it off).
    pub(crate) fn with_pager(mut self, pager: bool) -> Self {
        self.pager = pager;
        self
    }

    /// Writes `text` through the pager when it is longer than the terminal: SCC_PAGER, else PAGER,
    /// else `less -FRX` (empty or `cat` means none). Without a terminal, or when the pager cannot
    /// start, straight to stdout.
    fn write_paged(&self, text: &str) {
        let height = std::env::var("LINES")
            .ok()
            .and_then(|lines| lines.trim().parse::<usize>().ok())
            .filter(|&lines| lines >= 2)
            .or_else(|| terminal_size::terminal_size().map(|(_, height)| usize::from(height.0)));
        let long = height.is_some_and(|height| text.lines().count() >= height);
        let pager = std::env::var("SCC_PAGER")
            .or_else(|_| std::env::var("PAGER"))
            .unwrap_or_else(|_| "less -FRX".into());
        let pager = pager.trim();
        if !(self.pager && self.stdout_tty && long) || pager.is_empty() || pager == "cat" {
            return self.write_stdout(text);
        }
        let child = std::process::Command::new("sh")
            .args(["-c", pager])
            .stdin(std::process::Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            return self.write_stdout(text);
        };
        if let Some(mut stdin) = child.stdin.take() {
            // Quitting the pager early closes its input: the rest is not wanted.
            let _ = stdin.write_all(text.as_bytes());
        }
        let _ = child.wait();
    }

    /// Every document printed goes through this jq filter first.
    pub(crate) fn with_jq(mut self, jq: Option<crate::jq::Jq>) -> Self {
        self.jq = jq;
        self
    }

    /// `--jq`: the filter's outputs, strings bare and other values as compact JSON, one a line.
    fn print_jq(&self, jq: &crate::jq::Jq, value: &Value) {
        match jq.run(value) {
            Ok(outputs) => {
                let text: String = outputs
                    .iter()
                    .map(|output| match output {
                        // On a terminal a string is shown as the one rule says; piped, exact.
                        // Tabs stay (a `@tsv` line); every other control character is escaped.
                        Value::String(text) if self.stdout_tty => {
                            let cells: Vec<String> = text.split('\t').map(|cell| one_line(cell).into_owned()).collect();
                            format!("{}\n", cells.join("\t"))
                        }
                        Value::String(text) => format!("{text}\n"),
                        other => format!("{other}\n"),
                    })
                    .collect();
                self.write_stdout(&text);
            }
            Err(error) => self.error(&error.message, error.hint.as_deref()),
        }
    }

    /// A line of a plan for stdout, coloured by what it does on a terminal; what came from the
    /// service or the plan file is escaped.
    pub(crate) fn plan_line(&self, sign: char, text: &str) -> String {
        let text = one_line(text).into_owned();
        let colour = match sign {
            '+' => "32",
            '~' => "33",
            '-' | '!' => "31",
            _ => return text,
        };
        if self.stdout_color {
            format!("\x1b[{colour}m{text}\x1b[0m")
        } else {
            text
        }
    }

    /// Writes to stdout. A closed pipe (`| head`) ends the output quietly; any other failure (a full
    /// disk, a closed descriptor) is kept for [`write_failure`], which makes the exit code 1: output
    /// that could not be written is never reported as done.
    pub(crate) fn write_stdout(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let written = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
        if let Err(error) = written
            && error.kind() != std::io::ErrorKind::BrokenPipe
        {
            let _ = WRITE_FAILURE.set(error.to_string());
        }
    }

    /// One object.
    pub(crate) fn item(&self, value: &Value, columns: &[Column]) {
        if let Some(jq) = &self.jq {
            return self.print_jq(jq, value);
        }
        match self.format {
            Format::Wide => {
                let rows = match value.as_object() {
                    Some(object) => object
                        .iter()
                        .map(|(key, value)| vec![key.clone(), cell(value)])
                        .collect(),
                    None => vec![vec![cell(value)]],
                };
                self.table(None, rows, false);
            }
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
                self.table(None, rows, true);
            }
            _ => self.documents(std::slice::from_ref(value), false),
        }
    }

    /// One document as JSON, whatever the format (through --jq when given).
    pub(crate) fn json_item(&self, value: &Value) {
        match &self.jq {
            Some(jq) => self.print_jq(jq, value),
            None => self.write_stdout(&format!(
                "{}\n",
                serde_json::to_string_pretty(value).unwrap_or_default()
            )),
        }
    }

    /// A list of objects.
    pub(crate) fn list(&self, items: &[Value], columns: &[Column]) {
        if let Some(jq) = &self.jq {
            return self.print_jq(jq, &Value::Array(items.to_vec()));
        }
        match self.format {
            Format::Table => {
                let headers: Vec<String> = columns.iter().map(|(header, _)| (*header).to_owned()).collect();
                let rows = items
                    .iter()
                    .map(|item| columns.iter().map(|(_, path)| cell(&lookup(item, path))).collect())
                    .collect();
                self.table(Some(headers), rows, true);
            }
            Format::Wide => {
                // Every field any item has, in the order they first appear.
                let mut keys: Vec<String> = Vec::new();
                for item in items {
                    for key in item.as_object().into_iter().flat_map(|object| object.keys()) {
                        if !keys.contains(key) {
                            keys.push(key.clone());
                        }
                    }
                }
                let rows = items
                    .iter()
                    .map(|item| {
                        keys.iter()
                            .map(|key| cell(item.get(key).unwrap_or(&Value::Null)))
                            .collect()
                    })
                    .collect();
                let headers = keys.iter().map(|key| header_of(key)).collect();
                self.table(Some(headers), rows, false);
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
        self.write_paged(&text);
    }

    /// A table on a terminal (fitted to its width when `fit`: ids whole, other text cut with `…`,
    /// never wrapped); tab-separated lines without a header when piped.
    fn table(&self, mut headers: Option<Vec<String>>, mut rows: Vec<Vec<String>>, fit: bool) {
        if !self.stdout_tty {
            let text: String = rows.iter().map(|row| format!("{}\n", row.join("\t"))).collect();
            self.write_stdout(&text);
            return;
        }
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_BORDERS_ONLY)
            .set_content_arrangement(ContentArrangement::Disabled);
        if fit {
            // COLUMNS, as shells set it and as a user may, before what the terminal says.
            let width = std::env::var("COLUMNS")
                .ok()
                .and_then(|columns| columns.trim().parse::<u16>().ok())
                .filter(|&columns| columns >= 20)
                .or_else(|| table.width().filter(|&columns| columns >= 20))
                .unwrap_or(80);
            fit_to_width(&mut headers, &mut rows, usize::from(width));
        }
        if let Some(headers) = headers {
            table.set_header(headers);
        }
        for row in rows {
            table.add_row(row);
        }
        self.write_paged(&format!("{table}\n"));
    }

    /// A message on stderr.
    pub(crate) fn note(&self, message: &str) {
        let message = shown(message);
        eprintln!("{message}");
    }

    /// A success mark and a message on stderr.
    pub(crate) fn success(&self, message: &str) {
        let message = shown(message);
        if self.color {
            eprintln!("\x1b[32m✓\x1b[0m {message}");
        } else {
            eprintln!("✓ {message}");
        }
    }

    /// An error line and its hint on stderr.
    pub(crate) fn error(&self, message: &str, hint: Option<&str>) {
        // Messages and hints quote the server (names, its error text, tracking ids).
        let message = shown(message);
        let hint = hint.map(shown);
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
        // Cleared when dropped too: an interrupted command leaves no bar behind.
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
            .with_finish(indicatif::ProgressFinish::AndClear);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(message);
        bar
    }

    /// A spinner on a terminal, for work of unknown size; hidden when stderr is piped, and cleared
    /// when dropped (Ctrl-C included).
    pub(crate) fn spinner(&self, message: &'static str) -> ProgressBar {
        if !self.stderr_tty {
            return ProgressBar::hidden();
        }
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_finish(indicatif::ProgressFinish::AndClear);
        spinner.set_style(ProgressStyle::default_spinner());
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
        eprint!("{} [y/N] ", one_line(question));
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).is_ok() && matches!(answer.trim(), "y" | "Y" | "yes" | "YES")
    }
}

/// `createdAt` → `CREATED AT`, `region_code` → `REGION CODE`.
fn header_of(key: &str) -> String {
    let mut header = String::new();
    for (index, c) in key.chars().enumerate() {
        if c == '_' || c == '-' {
            header.push(' ');
        } else if c.is_uppercase() && index > 0 {
            header.push(' ');
            header.push(c);
        } else {
            header.push(c.to_ascii_uppercase());
        }
    }
    header
}

/// The columns that name a row (kept whole at any width): an e-mail, a name, what a report line is about.
const KEY_HEADERS: &[&str] = &["EMAIL", "NAME", "DISPLAY NAME", "OBJECT"];

/// The shortest an id gets: `…` and its last 8 characters (the random part of the service's ids;
/// their first characters are a timestamp, shared by ids made together). `-o wide` shows them whole.
const SHORT_ID: usize = 9;

/// Keeps the columns `keep` says yes to, in rows and headers alike.
fn keep_columns(rows: &mut [Vec<String>], headers: &mut Option<Vec<String>>, keep: impl Fn(usize) -> bool) {
    for row in rows.iter_mut() {
        *row = std::mem::take(row)
            .into_iter()
            .enumerate()
            .filter_map(|(c, cell)| keep(c).then_some(cell))
            .collect();
    }
    if let Some(headers) = headers.as_mut() {
        *headers = std::mem::take(headers)
            .into_iter()
            .enumerate()
            .filter_map(|(c, header)| keep(c).then_some(header))
            .collect();
    }
}

/// Fits a table to `width` columns, giving way in this order: columns empty in every row are
/// dropped; ids are shortened (`…1f3a9c2e`); other text is cut with `…` (down to 8 characters);
/// id columns are dropped; other text is cut further (down to 4); the key column (an e-mail, a
/// name) is cut last.
pub(crate) fn fit_to_width(headers: &mut Option<Vec<String>>, rows: &mut Vec<Vec<String>>, width: usize) {
    let columns = rows.first().map_or(0, Vec::len);
    if columns == 0 {
        return;
    }
    let empty: Vec<bool> = (0..columns).map(|c| rows.iter().all(|row| row[c].is_empty())).collect();
    if empty.iter().any(|&e| e) && empty.iter().any(|&e| !e) {
        keep_columns(rows, headers, |c| !empty[c]);
    }
    let columns = rows[0].len();
    let length = |text: &str| text.chars().count();
    let header =
        |headers: &Option<Vec<String>>, c: usize| headers.as_ref().and_then(|h| h.get(c)).cloned().unwrap_or_default();
    // A column is as wide as its widest cell or its header.
    let natural = |rows: &[Vec<String>], headers: &Option<Vec<String>>, c: usize| {
        rows.iter()
            .map(|row| length(&row[c]))
            .max()
            .unwrap_or(0)
            .max(length(&header(headers, c)))
    };
    // Borders and padding: 3 a column and 1.
    let budget = |columns: usize| width.saturating_sub(3 * columns + 1);
    let total = |rows: &[Vec<String>], headers: &Option<Vec<String>>| {
        (0..rows[0].len()).map(|c| natural(rows, headers, c)).sum::<usize>()
    };
    if total(rows, headers) <= budget(columns) {
        return;
    }
    // A column of ids: headed so (`ID`, `TRACKING ID`), or every cell shaped as one.
    let is_ids = |rows: &[Vec<String>], c: usize| {
        let head = header(headers, c);
        head == "ID"
            || head.ends_with(" ID")
            || rows
                .iter()
                .all(|row| row[c].is_empty() || crate::resolve::is_id(&row[c]))
    };
    let key = (0..columns).find(|&c| KEY_HEADERS.contains(&header(headers, c).as_str()));
    // Ids first: shortened to their last characters.
    let ids: Vec<usize> = (0..columns).filter(|&c| is_ids(rows, c) && Some(c) != key).collect();
    for row in rows.iter_mut() {
        for &c in &ids {
            let id = &row[c];
            if length(id) > SHORT_ID {
                let tail: String = id.chars().skip(length(id) - (SHORT_ID - 1)).collect();
                row[c] = format!("…{tail}");
            }
        }
    }
    if total(rows, headers) <= budget(columns) {
        return;
    }
    // Then the other text, down to 8 characters a column; the key column stays whole.
    let cut = |rows: &mut Vec<Vec<String>>,
               headers: &mut Option<Vec<String>>,
               budget: usize,
               keep_whole: &[usize],
               least: usize| {
        let columns = rows[0].len();
        let fixed: usize = keep_whole.iter().map(|&c| natural(rows, headers, c)).sum();
        let mut free: Vec<usize> = (0..columns).filter(|c| !keep_whole.contains(c)).collect();
        let mut left = budget.saturating_sub(fixed);
        let mut caps: Vec<usize> = (0..columns).map(|c| natural(rows, headers, c)).collect();
        loop {
            if free.is_empty() {
                break;
            }
            let share = (left / free.len()).max(least);
            let (narrow, wide): (Vec<usize>, Vec<usize>) = free.iter().partition(|&&c| caps[c] <= share);
            if narrow.is_empty() {
                for &c in &wide {
                    caps[c] = share;
                }
                break;
            }
            left = left.saturating_sub(narrow.iter().map(|&c| caps[c]).sum());
            free = wide;
        }
        // Headers too: a header never holds a column wider than its cells may be.
        for row in rows.iter_mut().chain(headers.as_mut()) {
            for (c, text) in row.iter_mut().enumerate() {
                if length(text) > caps[c] {
                    let kept: String = text.chars().take(caps[c].saturating_sub(1)).collect();
                    *text = format!("{kept}…");
                }
            }
        }
    };
    let whole: Vec<usize> = ids.iter().copied().chain(key).collect();
    cut(rows, &mut *headers, budget(columns), &whole, 8);
    if total(rows, headers) <= budget(columns) || ids.is_empty() {
        if total(rows, headers) > budget(columns) {
            cut(
                rows,
                &mut *headers,
                budget(columns),
                &key.into_iter().collect::<Vec<_>>(),
                4,
            );
        }
        if total(rows, headers) > budget(columns) {
            cut(rows, &mut *headers, budget(columns), &[], 4);
        }
        return;
    }
    // Then the id columns go (`-o wide` has them), and at last the key column is cut too.
    keep_columns(rows, headers, |c| !ids.contains(&c));
    let columns = rows[0].len();
    let key = (0..columns).find(|&c| KEY_HEADERS.contains(&header(headers, c).as_str()));
    let whole: Vec<usize> = key.into_iter().collect();
    for least in [8, 4] {
        if total(rows, headers) > budget(columns) {
            cut(rows, &mut *headers, budget(columns), &whole, least);
        }
    }
    if total(rows, headers) > budget(columns) {
        cut(rows, &mut *headers, budget(columns), &[], 4);
    }
}

/// The value at a dotted path; through arrays, the values of every element.
/// Text of ours as it may reach a terminal, with values in it: the SDK's one rule
/// ([`scc_sdk::text::lines`]): line breaks and tabs kept, every other control character and the
/// bidirectional controls escaped, so nothing from the server sets a window title, clears the screen
/// or reorders a line.
pub(crate) fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    scc_sdk::text::lines(text)
}

/// A value inside one line (a table cell, a line of a plan, a name in a prompt): line breaks
/// escaped too ([`scc_sdk::text::one_line`]), so a name cannot forge a line of its own.
pub(crate) fn one_line(value: &str) -> std::borrow::Cow<'_, str> {
    scc_sdk::text::one_line(value)
}

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
        Value::String(text) => one_line(text).into_owned(),
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
        // A tab or a line break inside a value would split a column or forge a row.
        assert_eq!(cell(&json!("a\tb\nc")), "a\\tb\\nc");
    }

    #[test]
    fn text_from_the_server_never_drives_the_terminal() {
        let hostile = "Evil\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{1b}[31mRED\rFAKE\u{9b}\u{202e}";
        assert_eq!(
            cell(&json!(hostile)),
            "Evil\\x1b]0;PWNED\\x07\\x1b[2J\\x1b[31mRED\\x0dFAKE\\u{9b}\\u{202e}"
        );
        assert_eq!(shown("plain, with a\nline break"), "plain, with a\nline break");
        assert!(matches!(shown("Acme Zürich"), std::borrow::Cow::Borrowed(_)));
    }

    fn width_of(rows: &[Vec<String>]) -> usize {
        let columns = rows[0].len();
        (0..columns)
            .map(|c| rows.iter().map(|row| row[c].chars().count()).max().unwrap_or(0))
            .sum::<usize>()
            + 3 * columns
            + 1
    }

    #[test]
    fn at_80_columns_the_key_stays_whole_ids_give_way_first_and_empty_columns_go() {
        let user = |id: &str, email: &str| {
            vec![
                id.to_owned(),
                email.to_owned(),
                "Alexandra-Maria".to_owned(),
                "Vandenberghe-Okonkwo".to_owned(),
                "ACTIVE".to_owned(),
                String::new(),
            ]
        };
        let mut rows = vec![
            user(
                "0194a1b2-8f00-7c3d-9e41-5a2f1f3a9c2e",
                "alexandra-maria.vandenberghe@customer-east.example",
            ),
            user("0194a1b2-8f00-7c3d-9e41-5a2f77777777", "bo@customer-east.example"),
        ];
        let mut headers = Some(
            ["ID", "EMAIL", "FIRST NAME", "LAST NAME", "STATUS", "TRACKING ID"]
                .map(str::to_owned)
                .to_vec(),
        );
        fit_to_width(&mut headers, &mut rows, 80);
        assert_eq!(
            headers.as_deref().map(|h| h.join(",")),
            Some("EMAIL,FIRS…,LAST…,STAT…".to_owned()),
            "the empty column is dropped, then the ids give way to the e-mail, then the other columns (headers too)"
        );
        assert_eq!(
            rows[0][0], "alexandra-maria.vandenberghe@customer-east.example",
            "the e-mail whole"
        );
        assert!(width_of(&rows) <= 80, "{rows:?}");
        // Wide enough for short ids: they stay, as their distinct ends.
        let mut rows = vec![
            user("0194a1b2-8f00-7c3d-9e41-5a2f1f3a9c2e", "ana@acme.example"),
            user("0194a1b2-8f00-7c3d-9e41-5a2f77777777", "bo@acme.example"),
        ];
        let mut headers = Some(
            ["ID", "EMAIL", "FIRST NAME", "LAST NAME", "STATUS", "TRACKING ID"]
                .map(str::to_owned)
                .to_vec(),
        );
        fit_to_width(&mut headers, &mut rows, 80);
        assert_eq!(rows[0][0], "…1f3a9c2e");
        assert_eq!(rows[1][0], "…77777777");
        assert_eq!(rows[0][2], "Alexandra-Maria", "{rows:?}");
        assert!(width_of(&rows) <= 80, "{rows:?}");
        // Roles: the display names, which start alike, are never cut to the same text.
        let mut rows = vec![
            vec![
                "0194a1b2-8f00-7c3d-9e41-5a2f1f3a9c2e".to_owned(),
                "Organization Administrator".to_owned(),
                "STATIC".to_owned(),
                "Security Cloud Control, Secure Endpoint, Secure Malware Analytics".to_owned(),
            ],
            vec![
                "0194a1b2-8f00-7c3d-9e41-5a2f77777777".to_owned(),
                "Organization Member".to_owned(),
                "STATIC".to_owned(),
                "Security Cloud Control, Secure Endpoint, Secure Malware Analytics".to_owned(),
            ],
        ];
        let mut headers = Some(["ID", "DISPLAY NAME", "TYPE", "PRODUCTS"].map(str::to_owned).to_vec());
        fit_to_width(&mut headers, &mut rows, 80);
        assert_eq!(rows[0][1], "Organization Administrator");
        assert_eq!(rows[1][1], "Organization Member");
        assert!(width_of(&rows) <= 80, "{rows:?}");
        assert_eq!(header_of("createdAt"), "CREATED AT");
        assert_eq!(header_of("region_code"), "REGION CODE");
    }
}

/// How data is printed (`--output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Format {
    /// A table on a terminal; tab-separated lines without header when piped.
    Table,
    /// The server's JSON (a list is one array).
    Json,
    /// One JSON document per line.
    Ndjson,
    /// YAML.
    Yaml,
    /// A table of every field, nothing cut.
    Wide,
}
