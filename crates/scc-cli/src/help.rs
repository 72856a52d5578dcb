//! The help that is not in the flag definitions: an EXAMPLES section for every command, the
//! environment variables, and the man pages, all made from the one command tree.

use clap::{Command, CommandFactory};

use crate::cli::Cli;

/// Examples by command path (`org list`, `xdr org update`, …): `help/examples.txt`, one section a
/// command, its lines joined as the help shows them.
static EXAMPLES: std::sync::LazyLock<Vec<(String, String)>> = std::sync::LazyLock::new(|| {
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in include_str!("help/examples.txt").lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        match line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
            Some(path) => sections.push((path.to_owned(), String::new())),
            None => {
                if let Some((_, text)) = sections.last_mut() {
                    if !text.is_empty() {
                        text.push_str("\n  ");
                    }
                    text.push_str(line);
                }
            }
        }
    }
    sections
});

/// The variables scc reads, for the top-level help.
pub(crate) const ENVIRONMENT: &str = "\
ENVIRONMENT:
  SCC_PROFILE             profile (as --profile)
  SCC_BASE_URL            service address (as --base-url)
  SCC_BASE_PATH           version path (default v1)
  SCC_ORG_ID              organization (as --org)
  SCC_OUTPUT              output format (as -o)
  SCC_ACCESS_TOKEN        access token (then the profile's credentials file is not read, nor written)
  SCC_API_KEY_ID          with SCC_REFRESH_TOKEN: refresh the access token automatically
  SCC_REFRESH_TOKEN       refresh token (single use; a rotation is said on stderr and not saved)
  SCC_MAX_RESPONSE_BYTES  largest answer read (as --max-response-bytes)
  SCC_XDR_CLIENT_ID       XDR client id (with SCC_XDR_CLIENT_SECRET), or SCC_XDR_TOKEN
  SCC_XDR_REGION          XDR region (as scc xdr --region)
  SCC_XDR_BASE_URL        XDR address (as scc xdr --xdr-base-url)
  SCC_CONFIG_DIR          folder of config.toml and credentials/ (default $XDG_CONFIG_HOME/scc)
  SCC_CA_BUNDLE           PEM file of certificate authorities to trust too (as --ca-bundle)
  SCC_JOURNAL             scc apply's change journal (as --journal)
  SCC_PAGER, PAGER        pager of long output on a terminal (default less -FRX; --no-pager)
  COLUMNS, LINES          the terminal's size, when given
  NO_COLOR                no colour

See `scc exit-codes` for the exit codes.";

fn examples_for(path: &str) -> Option<&'static str> {
    EXAMPLES
        .iter()
        .find(|(name, _)| name == path)
        .map(|(_, text)| text.as_str())
}

fn attach(command: Command, path: &str) -> Command {
    let mut command = command;
    if let Some(text) = examples_for(path) {
        let examples = format!("EXAMPLES:\n  {text}");
        // `--help` shows the long text: the examples go first in it too.
        if let Some(long) = command.get_after_long_help().map(ToString::to_string) {
            command = command.after_long_help(format!("{examples}\n\n{long}"));
        }
        command = command.after_help(examples);
    }
    let names: Vec<String> = command.get_subcommands().map(|sub| sub.get_name().to_owned()).collect();
    for name in names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        command = command.mut_subcommand(&name, |sub| attach(sub, &sub_path));
    }
    command
}

/// The command tree with its examples and environment section.
pub(crate) fn command() -> Command {
    attach(Cli::command().after_long_help(ENVIRONMENT), "")
}

/// Writes one man page per command (`scc.1`, `scc-org.1`, `scc-org-list.1`, …) into `dir`.
pub(crate) fn write_man_pages(dir: &std::path::Path) -> std::io::Result<usize> {
    fn walk(command: &Command, prefix: &str, dir: &std::path::Path, count: &mut usize) -> std::io::Result<()> {
        let name = if prefix.is_empty() {
            command.get_name().to_owned()
        } else {
            format!("{prefix}-{}", command.get_name())
        };
        let mut bytes = Vec::new();
        clap_mangen::Man::new(command.clone())
            .title(name.clone())
            .render(&mut bytes)?;
        // Documentation for everyone (0644), written as every file is: a new name, then a rename.
        scc_sdk::files::write_atomically(&dir.join(format!("{name}.1")), &bytes, 0o644)?;
        *count += 1;
        for sub in command.get_subcommands().filter(|sub| sub.get_name() != "help") {
            walk(sub, &name, dir, count)?;
        }
        Ok(())
    }
    let mut count = 0;
    let mut root = command();
    root.build();
    walk(&root, "", dir, &mut count)?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(command: &Command, path: &str, out: &mut Vec<(String, Command)>) {
        let subs: Vec<&Command> = command.get_subcommands().filter(|s| s.get_name() != "help").collect();
        out.push((path.to_owned(), command.clone()));
        for sub in subs {
            let sub_path = if path.is_empty() {
                sub.get_name().to_owned()
            } else {
                format!("{path} {}", sub.get_name())
            };
            leaves(sub, &sub_path, out);
        }
    }

    #[test]
    fn every_command_has_examples_and_every_argument_help() {
        let mut root = command();
        root.build();
        let mut commands = Vec::new();
        leaves(&root, "", &mut commands);
        let mut missing = Vec::new();
        for (path, command) in &commands {
            if !command
                .get_after_help()
                .is_some_and(|help| help.to_string().starts_with("EXAMPLES:"))
            {
                missing.push(format!("{path}: no EXAMPLES"));
            }
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path}: argument {id} has no help"));
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
        for (name, _) in EXAMPLES.iter() {
            assert!(
                commands.iter().any(|(path, _)| path == name),
                "examples for no command: {name}"
            );
        }
    }

    #[test]
    fn man_pages_for_every_command() {
        let dir = tempfile::tempdir().expect("dir");
        let count = write_man_pages(dir.path()).expect("written");
        assert!(count > 50, "{count}");
        let page = std::fs::read_to_string(dir.path().join("scc-org-list.1")).expect("page");
        assert!(
            page.contains("EXAMPLES") && page.contains(r"scc org list \-\-name acme"),
            "{page}"
        );
    }

    /// The README's command table names every command there is, and only those, with each verb.
    #[test]
    fn the_readme_command_table_is_the_command_tree() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README");
        let table = readme
            .split("| command | verbs |")
            .nth(1)
            .expect("the README's command table")
            .split("\n\n")
            .next()
            .unwrap_or_default();
        let mut root = command();
        root.build();
        let find = |path: &[&str]| {
            let mut at = &root;
            for word in path {
                at = at.find_subcommand(word)?;
            }
            Some(at.clone())
        };
        // The words of a `scc …` cell that name commands (not placeholders or flags).
        let words = |cell: &str| -> Vec<String> {
            cell.split_whitespace()
                .take_while(|word| word.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !word.starts_with('-'))
                .map(str::to_owned)
                .collect()
        };
        let mut named_top = std::collections::BTreeSet::new();
        for row in table.lines().skip(2) {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let (commands, verbs) = (
                cells.get(1).copied().unwrap_or_default(),
                cells.get(2).copied().unwrap_or_default(),
            );
            let quoted =
                |text: &str| -> Vec<String> { text.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
            let named: Vec<Vec<String>> = quoted(commands)
                .iter()
                .map(|cell| words(cell.trim_start_matches("scc ")))
                .collect();
            for path in &named {
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                assert!(
                    find(&path).is_some(),
                    "README names `scc {}`, which is no command",
                    path.join(" ")
                );
                named_top.insert(path[0].to_owned());
            }
            // A single noun's verbs: each is a command under it.
            if let [noun] = named.as_slice() {
                for verb in quoted(verbs) {
                    let mut path: Vec<&str> = noun.iter().map(String::as_str).collect();
                    let verb_words = words(&verb);
                    if verb_words.is_empty() {
                        continue;
                    }
                    path.extend(verb_words.iter().map(String::as_str));
                    assert!(
                        find(&path).is_some(),
                        "README lists `scc {}`, which is no command",
                        path.join(" ")
                    );
                }
                let listed: Vec<String> = quoted(verbs)
                    .iter()
                    .filter_map(|verb| words(verb).first().cloned())
                    .collect();
                if !listed.is_empty() {
                    let noun_path: Vec<&str> = noun.iter().map(String::as_str).collect();
                    let command = find(&noun_path).expect("the noun");
                    for sub in command.get_subcommands().filter(|sub| sub.get_name() != "help") {
                        assert!(
                            listed.iter().any(|verb| verb == sub.get_name()),
                            "README's row of `scc {}` does not list `{}`",
                            noun_path.join(" "),
                            sub.get_name()
                        );
                    }
                }
            }
        }
        for sub in root.get_subcommands().filter(|sub| sub.get_name() != "help") {
            assert!(
                named_top.contains(sub.get_name()),
                "README's command table lacks `scc {}`",
                sub.get_name()
            );
        }
    }
}
