//! Users from a CSV file, as an HR system exports them: a header row, then a user a row. Read for a
//! plan file's `users_csv` and for `scc user invite --csv`.
//!
//! Columns, found by their header in any case, with spaces, `-` and `_` ignored: `email` (or `e-mail`,
//! `mail`, `email address`), `first_name` (or `first name`, `given name`), `last_name` (or `last name`,
//! `surname`, `family name`), and optionally `admin` (`true`/`false`, `yes`/`no`, `1`/`0`, empty for
//! neither). Other columns (department, manager, …) are left out. Comma- or semicolon-separated,
//! UTF-8 (a byte-order mark is fine).

use std::collections::HashMap;
use std::path::Path;

use crate::Error;
use crate::spec::{UserPlan, name_key};

/// The header spellings of each column, as [`header_key`] writes them.
const EMAIL: &[&str] = &["email", "mail", "emailaddress", "workemail"];
const FIRST_NAME: &[&str] = &["firstname", "givenname", "forename"];
const LAST_NAME: &[&str] = &["lastname", "surname", "familyname"];
const ADMIN: &[&str] = &["admin", "isadmin"];

/// A header as it is matched: lower case, letters and digits only (`First Name` → `firstname`).
fn header_key(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The users of the CSV file at `path` (`-`: standard input); every problem of every row at once,
/// each at `file:line`.
pub fn users_from_csv(path: &Path) -> Result<Vec<UserPlan>, Error> {
    let label = crate::input::label(path);
    let bytes = crate::input::read_bytes(path)?;
    users_from_csv_bytes(&label, &bytes).map_err(|problems| {
        Error::input(
            format!(
                "{label} has {} problem(s); nothing was sent:\n  {}",
                problems.len(),
                problems.join("\n  ")
            ),
            "fix every row listed (columns: email, first_name, last_name, optionally admin)",
        )
    })
}

/// The users of a CSV text named `label` in messages; `Err` holds every problem, each `label:line: …`.
pub(crate) fn users_from_csv_bytes(label: &str, bytes: &[u8]) -> Result<Vec<UserPlan>, Vec<String>> {
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    // A semicolon-separated export (spreadsheets in many locales) says so in its header.
    let delimiter = if !first_line.contains(&b',') && first_line.contains(&b';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(bytes);
    let headers = match reader.byte_headers() {
        Ok(headers) => headers.clone(),
        Err(error) => return Err(vec![format!("{label}:1: {error}")]),
    };
    let keys: Vec<String> = headers
        .iter()
        .map(|header| header_key(&String::from_utf8_lossy(header)))
        .collect();
    let column = |names: &[&str]| keys.iter().position(|key| names.contains(&key.as_str()));
    let (email, first, last, admin) = (column(EMAIL), column(FIRST_NAME), column(LAST_NAME), column(ADMIN));
    let missing: Vec<&str> = [(email, "email"), (first, "first_name"), (last, "last_name")]
        .into_iter()
        .filter(|(found, _)| found.is_none())
        .map(|(_, name)| name)
        .collect();
    if !missing.is_empty() {
        let shown: Vec<String> = headers
            .iter()
            .map(|header| format!("{:?}", scc_sdk::text::one_line(&String::from_utf8_lossy(header))))
            .collect();
        return Err(vec![format!(
            "{label}:1: the header names no {} column (it has {})",
            missing.join(", no "),
            shown.join(", ")
        )]);
    }
    let (email, first, last) = (email.unwrap_or(0), first.unwrap_or(0), last.unwrap_or(0));
    let mut users = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.byte_records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                problems.push(format!("{label}:{line}: {error}"));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(|field| field.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let field = |index: usize, name: &str, problems: &mut Vec<String>| -> String {
            match std::str::from_utf8(record.get(index).unwrap_or_default()) {
                Ok(text) => text.trim().to_owned(),
                Err(_) => {
                    problems.push(format!("{label}:{line}: {name} is not UTF-8 (save the file as UTF-8)"));
                    String::new()
                }
            }
        };
        let user = UserPlan {
            email: field(email, "email", &mut problems),
            first_name: field(first, "first_name", &mut problems),
            last_name: field(last, "last_name", &mut problems),
            admin: match admin.map(|index| field(index, "admin", &mut problems)) {
                None => None,
                Some(text) => match text.to_ascii_lowercase().as_str() {
                    "" => None,
                    "true" | "yes" | "y" | "1" => Some(true),
                    "false" | "no" | "n" | "0" => Some(false),
                    _ => {
                        problems.push(format!(
                            "{label}:{line}: admin {:?} is not true or false (nor yes, no, 1, 0)",
                            scc_sdk::text::one_line(&text)
                        ));
                        None
                    }
                },
            },
            enabled: None,
        };
        if !scc_sdk::validate::is_email(&user.email) {
            problems.push(format!(
                "{label}:{line}: email {:?} is not an e-mail address",
                scc_sdk::text::one_line(&user.email)
            ));
        } else if let Some(first_line) = seen.insert(name_key(&user.email), line) {
            problems.push(format!("{label}:{line}: {} is also on line {first_line}", user.email));
        }
        for (name, value) in [("first_name", &user.first_name), ("last_name", &user.last_name)] {
            if value.is_empty() {
                problems.push(format!("{label}:{line}: {name} is empty"));
            }
        }
        users.push(user);
    }
    if problems.is_empty() { Ok(users) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hr_export_reads_by_its_headers_and_every_bad_row_is_named_by_its_line() {
        let export = "\u{feff}Employee ID,E-mail,First Name,Last Name,Department,Admin\n7,ana@acme.example,Ana,Silva,SOC,yes\n8,\"ben@acme.example\",\"Ben, Jr.\",Okafor,IT,\n\n";
        let users = users_from_csv_bytes("hr.csv", export.as_bytes()).expect("users");
        assert_eq!(users.len(), 2);
        assert_eq!(users[0].email, "ana@acme.example");
        assert_eq!(users[0].admin, Some(true));
        assert_eq!(users[1].first_name, "Ben, Jr.");
        assert_eq!(users[1].admin, None);
        let semicolons = "email;first_name;last_name\ncy@acme.example;Cy;Oh\n";
        assert_eq!(
            users_from_csv_bytes("eu.csv", semicolons.as_bytes()).expect("users")[0].last_name,
            "Oh"
        );
        let bad = "email,first_name,last_name,admin\nnobody,N,B,\nana@acme.example,,Silva,maybe\nANA@acme.example,Ana,Silva,no\n";
        let problems = users_from_csv_bytes("hr.csv", bad.as_bytes()).expect_err("problems");
        assert_eq!(
            problems,
            [
                "hr.csv:2: email \"nobody\" is not an e-mail address",
                "hr.csv:3: admin \"maybe\" is not true or false (nor yes, no, 1, 0)",
                "hr.csv:3: first_name is empty",
                "hr.csv:4: ANA@acme.example is also on line 3",
            ]
        );
        let headless = users_from_csv_bytes("x.csv", b"mail,Given Name\n").expect_err("no last name");
        assert_eq!(
            headless,
            ["x.csv:1: the header names no last_name column (it has \"mail\", \"Given Name\")"]
        );
    }
}
