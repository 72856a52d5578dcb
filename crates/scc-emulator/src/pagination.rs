//! Opaque cursors bound to the filters of the first request.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{ApiError, ApiResult};

pub(crate) const DEFAULT_PAGE_SIZE: usize = 100;
pub(crate) const MAX_PAGE_SIZE: usize = 500;

/// `max` from the query: 1..=500, default 100.
pub(crate) fn page_size(raw: Option<&String>) -> ApiResult<usize> {
    match raw {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|max| (1..=MAX_PAGE_SIZE).contains(max))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "max must be an integer between 1 and {MAX_PAGE_SIZE}, got {text:?}"
                ))
            }),
    }
}

fn fingerprint(filters: &str) -> String {
    format!("{:016x}", crate::store::fnv1a(filters.as_bytes()))
}

/// One page of `items` from the cursor's offset, and the cursor of the next page when there is one.
pub(crate) fn paginate<T>(
    items: Vec<T>,
    max: usize,
    cursor: Option<&String>,
    filters: &str,
) -> ApiResult<(Vec<T>, Option<String>)> {
    let expected = fingerprint(filters);
    let offset = match cursor.filter(|cursor| !cursor.is_empty()) {
        None => 0,
        Some(cursor) => {
            let decoded = URL_SAFE_NO_PAD
                .decode(cursor.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| ApiError::bad_request("invalid cursor"))?;
            let (offset, bound) = decoded
                .split_once(':')
                .and_then(|(offset, bound)| Some((offset.parse::<usize>().ok()?, bound.to_owned())))
                .ok_or_else(|| ApiError::bad_request("invalid cursor"))?;
            if bound != expected {
                return Err(ApiError::bad_request(
                    "the cursor does not match the filters of this request; repeat the first request's filters",
                ));
            }
            offset
        }
    };
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(offset).take(max).collect();
    // Saturating: a forged offset near the end of `usize` has no next page, never one that wraps back.
    let end = offset.saturating_add(max);
    let next = (end < total).then(|| URL_SAFE_NO_PAD.encode(format!("{end}:{expected}")));
    Ok((page, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_binding() {
        let items: Vec<u32> = (0..5).collect();
        let (first, next) = paginate(items.clone(), 2, None, "f").expect("first");
        assert_eq!(first, [0, 1]);
        let next = next.expect("more");
        let (second, next) = paginate(items.clone(), 2, Some(&next), "f").expect("second");
        assert_eq!(second, [2, 3]);
        let (third, last) = paginate(items.clone(), 2, next.as_ref(), "f").expect("third");
        assert_eq!((third, last), (vec![4], None));
        let cursor = paginate(items.clone(), 2, None, "f").expect("first").1.expect("more");
        assert!(paginate(items.clone(), 2, Some(&cursor), "other").is_err());
        assert!(paginate(items, 2, Some(&"@@@".to_owned()), "f").is_err());
    }

    #[test]
    fn a_cursor_at_the_end_of_the_integers_has_no_next_page() {
        let items: Vec<u32> = (0..5).collect();
        for offset in [u64::MAX as usize, usize::MAX - 1, 6] {
            let forged = URL_SAFE_NO_PAD.encode(format!("{offset}:{}", fingerprint("f")));
            let (page, next) = paginate(items.clone(), 500, Some(&forged), "f").expect("a page");
            assert!(page.is_empty() && next.is_none(), "{offset}: {next:?}");
        }
    }

    #[test]
    fn max_bounds() {
        assert_eq!(page_size(None).ok(), Some(100));
        assert_eq!(page_size(Some(&"500".into())).ok(), Some(500));
        for bad in ["0", "501", "-1", "ten", ""] {
            assert!(page_size(Some(&bad.to_owned())).is_err(), "{bad}");
        }
    }
}
