//! The one rule for text a person reads that came from elsewhere (the service, a plan file): nothing
//! in it may drive a terminal (escape sequences, carriage returns that rewrite a line), reorder what
//! is shown (bidirectional controls: U+202E makes `exe.txt` read `txt.exe`), or forge a line of its
//! own (a newline inside a name). Such characters are shown escaped (`\x1b`, `\n`, `\u{202e}`); JSON
//! and YAML output keep every character as it is.

use std::borrow::Cow;

/// Characters that reorder text around them (Unicode's bidirectional controls).
fn bidirectional(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Line and paragraph separators that some terminals and viewers break lines at.
fn separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

fn escaped(text: &str, hostile: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&hostile) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            _ if !hostile(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            _ if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            _ => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// A value (a name, an e-mail, a message of the service) as it may appear inside a line a person
/// reads: every control character, line break and bidirectional control escaped.
///
/// ```
/// assert_eq!(scc_sdk::text::one_line("Temp\n  + create group Harmless"), "Temp\\n  + create group Harmless");
/// assert_eq!(scc_sdk::text::one_line("a\u{202e}txt.exe"), "a\\u{202e}txt.exe");
/// assert_eq!(scc_sdk::text::one_line("Acme Überall"), "Acme Überall");
/// ```
pub fn one_line(value: &str) -> Cow<'_, str> {
    escaped(value, |c| c.is_control() || bidirectional(c) || separator(c))
}

/// Text of several lines that this project wrote, with values in it: line breaks and tabs kept,
/// every other control character and the bidirectional controls escaped.
///
/// ```
/// assert_eq!(scc_sdk::text::lines("two\nlines\x1b]0;title\x07"), "two\nlines\\x1b]0;title\\x07");
/// ```
pub fn lines(text: &str) -> Cow<'_, str> {
    escaped(text, |c| {
        (c.is_control() && c != '\n' && c != '\t') || bidirectional(c) || separator(c)
    })
}
