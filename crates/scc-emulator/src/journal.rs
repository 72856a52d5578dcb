//! The request journal: what arrived (tokens and secrets redacted, bodies cut), bounded in entries
//! and bytes. The request path only hands it a request's head, body and answer.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use axum::http::header::AUTHORIZATION;
use bytes::Bytes;

/// Most bytes of a request body the journal keeps; the rest is cut and said so.
pub(crate) const JOURNAL_BODY_BYTES: usize = 8 * 1024;
/// Most bytes the journal holds in all (its entries as JSON); the oldest go first.
const JOURNAL_BYTES: usize = 32 * 1024 * 1024;

/// The request journal: what arrived, tokens redacted, bodies cut at [`JOURNAL_BODY_BYTES`], the
/// newest `limit` entries and at most [`JOURNAL_BYTES`] in all, whatever the traffic.
pub(crate) struct Journal {
    entries: Mutex<(VecDeque<(usize, serde_json::Value)>, usize)>,
    limit: usize,
}

impl Journal {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            entries: Mutex::new((VecDeque::new(), 0)),
            limit,
        }
    }

    /// Whether entries are kept at all (`--journal-limit 0` turns the journal off).
    pub(crate) fn enabled(&self) -> bool {
        self.limit > 0
    }

    pub(crate) fn record(&self, entry: serde_json::Value) {
        if self.limit == 0 {
            return;
        }
        let size = entry.to_string().len();
        let mut guard = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let (entries, total) = &mut *guard;
        while !entries.is_empty() && (entries.len() >= self.limit || *total + size > JOURNAL_BYTES) {
            if let Some((gone, _)) = entries.pop_front() {
                *total -= gone;
            }
        }
        *total += size;
        entries.push_back((size, entry));
    }

    pub(crate) fn list(&self) -> Vec<serde_json::Value> {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .0
            .iter()
            .map(|(_, entry)| entry.clone())
            .collect()
    }

    pub(crate) fn clear(&self) {
        let mut guard = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        guard.0.clear();
        guard.1 = 0;
    }
}

/// The journal's entry of one request: its head with credentials redacted, its body (secrets
/// redacted, cut at [`JOURNAL_BODY_BYTES`]), its status (`None`: the connection was dropped) and
/// whether a fault struck after its change was kept.
pub(crate) fn entry(
    parts: &axum::http::request::Parts,
    body: &Bytes,
    path: &str,
    status: Option<u16>,
    after_commit: bool,
) -> serde_json::Value {
    // A header sent twice is one entry of both values, joined as HTTP joins them: the journal shows
    // what was sent, not the last of it.
    let mut headers = serde_json::Map::new();
    for (name, value) in &parts.headers {
        let text = if name == AUTHORIZATION || name == axum::http::header::PROXY_AUTHORIZATION {
            let scheme = value.to_str().ok().and_then(|v| v.split(' ').next()).unwrap_or("");
            format!("{scheme} [redacted]")
        } else if name == axum::http::header::COOKIE {
            "[redacted]".to_owned()
        } else {
            value.to_str().unwrap_or("<binary>").to_owned()
        };
        match headers.get_mut(name.as_str()) {
            Some(serde_json::Value::String(first)) => {
                first.push_str(", ");
                first.push_str(&text);
            }
            _ => {
                headers.insert(name.as_str().to_owned(), text.into());
            }
        }
    }
    let body_value = if body.is_empty() {
        serde_json::Value::Null
    } else if body.len() > JOURNAL_BODY_BYTES {
        // Cut, and said so; a form's secrets are still redacted in what is kept.
        let kept = String::from_utf8_lossy(&body[..JOURNAL_BODY_BYTES]).into_owned();
        serde_json::json!({
            "truncated": true,
            "kept": redact_json_text(&redact_form(&kept)),
            "cut_bytes": body.len() - JOURNAL_BODY_BYTES,
        })
    } else {
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(mut value) => {
                redact_json(&mut value);
                value
            }
            Err(_) => redact_form(&String::from_utf8_lossy(body)).into(),
        }
    };
    let mut entry = serde_json::json!({
        "method": parts.method.as_str(),
        "path": path,
        "query": parts.uri.query(),
        "headers": headers,
        "body": body_value,
        "status": status,
    });
    if status.is_none() {
        entry["dropped"] = true.into();
    }
    if after_commit {
        entry["after_commit"] = true.into();
    }
    entry
}

/// Keys whose values the journal never keeps, in JSON and form bodies.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "token", "password", "assertion", "code_verifier"]
        .iter()
        .any(|word| key.contains(word))
}

fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_secret_key(key) && !inner.is_null() {
                    *inner = "[redacted]".into();
                } else {
                    redact_json(inner);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// JSON text that may not parse (a cut body): the string values of secret keys replaced.
fn redact_json_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let Some(close) = rest.find('"') else { break };
        let key = &rest[..close];
        out.push_str(&rest[..=close]);
        rest = &rest[close + 1..];
        let after = rest.trim_start();
        if is_secret_key(key) && after.starts_with(':') && after[1..].trim_start().starts_with('"') {
            let value_start = rest.len() - after[1..].trim_start().len();
            out.push_str(&rest[..=value_start]);
            let value = &rest[value_start + 1..];
            // The value ends at the first quote not escaped (or the end of a cut body).
            let mut end = value.len();
            let mut escaped = false;
            for (index, c) in value.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = index;
                        break;
                    }
                    _ => escaped = false,
                }
            }
            out.push_str("[redacted]");
            rest = &value[end..];
            if let Some(after_quote) = rest.strip_prefix('"') {
                out.push('"');
                rest = after_quote;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A form body with the values of secret keys replaced.
fn redact_form(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_secret_key(key) => format!("{key}=[redacted]"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_cut_json_text_are_redacted() {
        let text = r#"{"name": "x", "client_secret": "s3cr\"et", "nested": {"refresh_token":"abc"}, "token": "cut-mid"#;
        let redacted = redact_json_text(text);
        assert!(
            !redacted.contains("s3cr") && !redacted.contains("abc") && !redacted.contains("cut-mid"),
            "{redacted}"
        );
        assert!(redacted.contains(r#""name": "x""#), "{redacted}");
    }
}
