//! Checks on input made before anything is sent, each naming the field at fault.

use crate::{Error, Result};

/// The largest page the service serves (`max`).
pub const MAX_PAGE_SIZE: u32 = 500;
/// The most items one bulk request may carry.
pub const MAX_BULK_ITEMS: usize = 500;

/// The longest name (organization, admin group) the SDK sends, in characters. The service's own limit
/// is not published; names past it only ever fail later (a lookup by name in a URL, a table), so a
/// conservative bound refuses them before they are created.
pub const MAX_NAME_CHARS: usize = 255;

/// The one rule by which two names (of organizations, groups, and e-mail addresses) are the same
/// name: Unicode NFC, invisible characters removed (zero-width spaces and joiners, the byte-order mark,
/// soft hyphens, bidirectional marks: Unicode's default-ignorable code points), surrounding whitespace
/// trimmed, then Unicode lower case. The CLI and the plan checks compare with it; the emulator holds to
/// the same rule with its own implementation (`fixtures/names.json` is the corpus both are tested on).
///
/// ```
/// use scc_sdk::validate::name_key;
/// assert_eq!(name_key("Café Zürich"), name_key("Cafe\u{301} Zu\u{308}rich"));
/// assert_eq!(name_key("ÉQUIPE"), name_key(" équipe "));
/// assert_eq!(name_key("Ac\u{200b}me"), "acme");
/// assert_eq!(name_key("\u{200b}"), "");
/// ```
pub fn name_key(text: &str) -> String {
    let composed = icu_normalizer::ComposingNormalizerBorrowed::new_nfc().normalize(text);
    let visible: String = composed.chars().filter(|c| !invisible(*c)).collect();
    visible.trim().to_lowercase()
}

/// Unicode's default-ignorable code points: shown as nothing, so they never tell two names apart.
fn invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0xAD | 0x34F
            | 0x61C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// A name: not empty under [`name_key`] (spaces or invisible characters alone are refused), at most
/// [`MAX_NAME_CHARS`] characters.
///
/// ```
/// assert!(scc_sdk::validate::name("name", "Acme").is_ok());
/// assert!(scc_sdk::validate::name("name", &"x".repeat(256)).is_err());
/// assert!(scc_sdk::validate::name("name", "\u{200b}").is_err());
/// ```
pub fn name(field: &str, value: &str) -> Result<()> {
    if name_key(value).is_empty() {
        return Err(Error::invalid(
            field,
            "must not be empty (spaces and invisible characters alone are no name)",
        ));
    }
    let count = value.chars().count();
    if count > MAX_NAME_CHARS {
        return Err(Error::invalid(
            field,
            format!("is {count} characters long; a name has at most {MAX_NAME_CHARS}"),
        ));
    }
    Ok(())
}

/// A claim code in the form the service gives them (`XXXX-XXXX-XXXX-XXXX`, upper case): surrounding
/// spaces trimmed, and one written in lower case upper-cased, as people copy them from mails and
/// portals. Anything else goes as given (the service decides), only trimmed.
///
/// ```
/// assert_eq!(scc_sdk::validate::claim_code(" phjz-dwmf-zbyh-fymb "), "PHJZ-DWMF-ZBYH-FYMB");
/// assert_eq!(scc_sdk::validate::claim_code("not a code"), "not a code");
/// ```
pub fn claim_code(code: &str) -> String {
    let code = code.trim();
    let groups: Vec<&str> = code.split('-').collect();
    let shaped = groups.len() == 4
        && groups
            .iter()
            .all(|group| group.len() == 4 && group.chars().all(|c| c.is_ascii_alphanumeric()));
    if shaped {
        code.to_ascii_uppercase()
    } else {
        code.to_owned()
    }
}

pub(crate) fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    Ok(())
}

/// A plain shape check: one `@`, a non-empty local part, a dotted domain, no spaces. The service has
/// the last word; this catches the typos that would otherwise cost a round trip.
pub(crate) fn email(field: &str, value: &str) -> Result<()> {
    non_empty(field, value)?;
    if !is_email(value) {
        return Err(Error::invalid(
            field,
            format!("is not a valid e-mail address: {value:?}"),
        ));
    }
    Ok(())
}

/// The SDK's e-mail shape check, for tools that validate input of their own (the CLI's plan files).
///
/// ```
/// assert!(scc_sdk::validate::is_email("ana@example.com"));
/// assert!(!scc_sdk::validate::is_email("ana@example"));
/// ```
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub(crate) fn page_size(field: &str, max: u32) -> Result<()> {
    if !(1..=MAX_PAGE_SIZE).contains(&max) {
        return Err(Error::invalid(
            field,
            format!("must be between 1 and {MAX_PAGE_SIZE}, got {max}"),
        ));
    }
    Ok(())
}

pub(crate) fn bulk_len(field: &str, len: usize) -> Result<()> {
    if len == 0 {
        return Err(Error::invalid(field, "must hold at least one item"));
    }
    if len > MAX_BULK_ITEMS {
        return Err(Error::invalid(
            field,
            format!("holds {len} items; one request takes at most {MAX_BULK_ITEMS}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for good in ["a@b.co", "john.doe+x@example.com", "x@sub.example.org"] {
            assert!(email("email", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            " ",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@.com",
            "a@b.com.",
            "a@b..com",
        ] {
            let error = email("users[0].email", bad).err();
            assert!(
                matches!(&error, Some(Error::InvalidInput { field, .. }) if field == "users[0].email"),
                "{bad}: {error:?}"
            );
        }
    }

    #[test]
    fn bounds() {
        assert!(page_size("max", 1).is_ok());
        assert!(page_size("max", 500).is_ok());
        assert!(page_size("max", 0).is_err());
        assert!(page_size("max", 501).is_err());
        assert!(bulk_len("users", 0).is_err());
        assert!(bulk_len("users", 500).is_ok());
        let message = bulk_len("users", 501).err().map(|e| e.to_string());
        assert_eq!(
            message.as_deref(),
            Some("invalid input: `users` holds 501 items; one request takes at most 500")
        );
    }
}
