//! A 2xx answer: decoded into the SDK's models (naming the field a body breaks), as a page with its
//! next cursor, or as it came ([`RawBody`], [`RawResponse`]).

use bytes::Bytes;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::pagination::{Listed, Page};
use crate::{Error, Result};

/// The answer of a raw request: status, body (JSON, `null` when empty, a string when not JSON) and the
/// next cursor when the answer is a page.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: serde_json::Value,
    /// The next cursor (body `cursor`, `nextCursor`, or `Link`).
    pub next_cursor: Option<String>,
    /// The answer's headers, in the order received (a value that is not text is shown lossily).
    pub headers: Vec<(String, String)>,
}

/// A 2xx answer as it came: status, body bytes, and the next cursor when it is a page.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RawBody {
    /// HTTP status.
    pub status: u16,
    /// The body exactly as received (empty for a 204).
    pub body: Bytes,
    /// The next page's cursor (body `cursor`, `nextCursor`, then the `Link` header), if any.
    pub next_cursor: Option<String>,
    /// The answer's headers, in the order received (a value that is not text is shown lossily).
    pub headers: Vec<(String, String)>,
}

impl RawBody {
    /// The answer with its body read as JSON (`null` when empty, a string when not JSON).
    pub fn into_response(self) -> RawResponse {
        let body = if self.body.iter().all(u8::is_ascii_whitespace) {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&self.body)
                .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&self.body).into_owned()))
        };
        RawResponse {
            status: self.status,
            body,
            next_cursor: self.next_cursor,
            headers: self.headers,
        }
    }
}

impl std::fmt::Debug for RawBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body may hold tokens (a token refresh): only its size is shown.
        f.debug_struct("RawBody")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("next_cursor", &self.next_cursor)
            .finish()
    }
}

/// A 2xx answer.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: StatusCode,
    /// The `Link` header, for the next cursor.
    pub(crate) link: Option<String>,
    pub(crate) headers: Box<reqwest::header::HeaderMap>,
    pub(crate) body: Bytes,
    pub(crate) path: String,
}

impl Response {
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        // An empty body (204, or a 200 with nothing) reads as `{}`, as in the Python SDK.
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &self.body
        };
        // The plain decoder first; only a body it refuses is decoded again to name the field.
        if let Ok(value) = serde_json::from_slice(body) {
            return Ok(value);
        }
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let value = serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|error| Error::decode(self.status.as_u16(), &self.path, body, error))?;
        deserializer
            .end()
            .map_err(|error| Error::decode_at(self.status.as_u16(), &self.path, ".", error.to_string(), body))?;
        Ok(value)
    }

    pub(crate) fn decode_page<T: Listed>(&self) -> Result<Page<T>> {
        let mut page: Page<T> = self.decode()?;
        page.resolve_cursor(self.link.as_deref());
        Ok(page)
    }

    /// The answer as received; the next cursor is read when the body is a JSON object.
    pub(crate) fn into_raw(self) -> RawBody {
        let fields = if self.body.first() == Some(&b'{') {
            serde_json::from_slice::<CursorFields>(&self.body).unwrap_or_default()
        } else {
            CursorFields::default()
        };
        let next_cursor = crate::pagination::next_cursor(
            fields.cursor.as_ref(),
            fields.next_cursor.as_ref(),
            self.link.as_deref(),
        );
        let headers = self
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        RawBody {
            status: self.status.as_u16(),
            body: self.body,
            next_cursor,
            headers,
        }
    }
}

/// The only fields of a body that say where the next page is; the rest is skipped unread.
#[derive(Default, serde::Deserialize)]
struct CursorFields {
    cursor: Option<serde_json::Value>,
    #[serde(rename = "nextCursor")]
    next_cursor: Option<serde_json::Value>,
}

#[cfg(test)]
mod answers_never_panic {
    use base64::Engine;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use crate::ApiError;

    use super::*;
    use crate::types::*;

    fn response(status: u16, body: Vec<u8>, link: Option<String>) -> Response {
        Response {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            link,
            headers: Box::default(),
            body: Bytes::from(body),
            path: "/v1/organizations".to_owned(),
        }
    }

    fn number() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(json!(u64::MAX)),
            Just(json!(i64::MIN)),
            Just(json!(i64::MAX)),
            Just(json!(f64::MAX)),
            Just(json!(-1)),
            Just(json!(0)),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
        ]
    }

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            number(),
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            ".{0,12}".prop_map(Value::String),
            Just(json!("\u{1b}]0;x\u{7}")),
        ]
    }

    /// An object with the API's field names, each holding an arbitrary scalar, list or object.
    fn shaped() -> impl Strategy<Value = Value> {
        let names = prop::sample::select(vec![
            "id",
            "name",
            "type",
            "regionCode",
            "created",
            "organizations",
            "groups",
            "users",
            "roles",
            "results",
            "cursor",
            "nextCursor",
            "pagination",
            "next",
            "access_token",
            "refresh_token",
            "expires_in",
            "refresh_token_expires_in",
            "token_type",
            "products",
            "allowedRegions",
            "entitlements",
            "status",
            "errorDescription",
            "message",
            "statusCode",
            "trackingId",
            "timestamp",
            "path",
            "email",
            "isTrial",
            "quantity",
            "exp",
        ]);
        let leaf = scalar();
        leaf.prop_recursive(3, 24, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(names.clone().prop_map(str::to_owned), inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            shaped().prop_map(|value| serde_json::to_vec(&value).unwrap_or_default()),
        ]
    }

    fn every_decode(answer: &Response) {
        let _ = answer.decode::<Organization>();
        let _ = answer.decode_page::<Organization>();
        let _ = answer.decode_page::<AdminGroup>();
        let _ = answer.decode_page::<User>();
        let _ = answer.decode_page::<Role>();
        let _ = answer.decode::<Role>();
        let _ = answer.decode::<Subscription>();
        let _ = answer.decode::<ClaimInfo>();
        let _ = answer.decode::<crate::BulkResult>().map(|result| result.summary());
        if let Ok(pair) = answer.decode::<TokenPair>() {
            for now in [std::time::UNIX_EPOCH, std::time::SystemTime::now()] {
                let rotated = crate::Credentials::new("o", "k", "a", "r").rotated(&pair, now);
                let _ = rotated.expiring(now);
            }
        }
        let _ = ApiError::from_response(answer.status.as_u16(), &answer.path, &answer.body, None).to_string();
        let _ = crate::auth::jwt_expiry(&String::from_utf8_lossy(&answer.body));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_answer_is_decoded_or_refused(status in 100u16..600, body in body(), link in proptest::option::of(".{0,40}")) {
            every_decode(&response(status, body, link));
        }

        #[test]
        fn any_jwt_expiry_is_a_time(exp in number()) {
            let encode = |text: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
            let token = format!("{}.{}.sig", encode("{}".into()), encode(json!({"exp": exp}).to_string()));
            let credentials = crate::Credentials::new("o", "k", token, "r");
            let _ = credentials.expiring(std::time::SystemTime::now());
        }
    }
}
