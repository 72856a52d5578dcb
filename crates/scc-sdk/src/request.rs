//! One API call described before it is sent: its operation, method, path template and parameters
//! (every id percent-encoded; dot segments and climbing raw paths refused), query, body and how it
//! is authorized.

use std::borrow::Cow;
use std::fmt::Display;

use bytes::Bytes;
use reqwest::Method;
use secrecy::SecretString;
use serde::Serialize;
use url::Url;

use crate::catalog::OperationInfo;
use crate::planned::PlannedRequest;
use crate::{Error, Result, validate};

pub(crate) const JSON: &str = "application/json";
pub(crate) const FORM: &str = "application/x-www-form-urlencoded";

/// One API call, described before it is sent.
#[derive(Debug)]
pub(crate) struct Request {
    /// The Python SDK's name of the operation, e.g. `organizations.get`.
    pub(crate) operation: &'static str,
    pub(crate) method: Method,
    /// Path below the base path with `{name}` placeholders, e.g. `organizations/{org_id}`.
    pub(crate) template: &'static str,
    /// A path given as it is (the raw escape hatch), instead of the template.
    pub(crate) raw_path: Option<String>,
    pub(crate) params: Vec<(&'static str, String)>,
    pub(crate) query: Vec<(Cow<'static, str>, String)>,
    pub(crate) body: Body,
    pub(crate) auth: Auth,
    /// A POST that changes nothing (claim info, the XDR token exchange): retried like a GET and sent
    /// even in dry-run mode.
    pub(crate) read_only: bool,
    /// The answer holds secrets (tokens): never traced.
    pub(crate) sensitive: bool,
    /// Headers a caller added to a raw request (`scc api -H`), sent after the SDK's own.
    pub(crate) headers: Option<Box<reqwest::header::HeaderMap>>,
}

#[derive(Debug)]
pub(crate) enum Body {
    Empty,
    Json(Bytes),
    Form(String),
}

#[derive(Debug)]
pub(crate) enum Auth {
    /// The client's access token.
    AccessToken,
    /// A token given for this call (the refresh token of a token refresh).
    Bearer(SecretString),
    /// HTTP Basic client credentials (the XDR token endpoint).
    Basic(String, SecretString),
}

impl Request {
    pub(crate) fn new(operation: &'static str, method: Method, template: &'static str) -> Self {
        Self {
            operation,
            method,
            template,
            raw_path: None,
            params: Vec::new(),
            query: Vec::new(),
            body: Body::Empty,
            auth: Auth::AccessToken,
            read_only: false,
            sensitive: false,
            headers: None,
        }
    }

    /// The request of a catalogued operation: its name, method and path from the one table; a POST
    /// the table calls a read (claim-code information) is retried like a GET.
    pub(crate) fn of(operation: &'static OperationInfo) -> Self {
        let method = operation.method.clone().unwrap_or(Method::GET);
        let request = Self::new(operation.name, method, operation.path);
        if operation.is_read() {
            request.read_only()
        } else {
            request
        }
    }

    /// The Python SDK's name of the operation.
    pub(crate) fn operation(&self) -> &'static str {
        self.operation
    }

    /// True when the request may change something on the server.
    pub(crate) fn is_write(&self) -> bool {
        self.method != Method::GET && !self.read_only
    }

    /// Marks a request whose answer holds secrets, so its body is never traced.
    pub(crate) fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Marks a POST that changes nothing, so the retry policy may repeat it like a GET.
    pub(crate) fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// Fills the `{name}` placeholder of the path.
    pub(crate) fn param(mut self, name: &'static str, value: impl AsRef<str>) -> Self {
        self.params.push((name, value.as_ref().to_owned()));
        self
    }

    /// Adds a query parameter.
    pub(crate) fn query(mut self, name: &'static str, value: impl Display) -> Self {
        self.query.push((Cow::Borrowed(name), value.to_string()));
        self
    }

    /// Adds a query parameter when it is set and not empty (the Python SDK sends only truthy values).
    pub(crate) fn query_opt(self, name: &'static str, value: Option<impl Display>) -> Self {
        match value.map(|value| value.to_string()).filter(|value| !value.is_empty()) {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|error| Error::invalid("body", error.to_string()))?;
        self.body = Body::Json(Bytes::from(bytes));
        Ok(self)
    }

    pub(crate) fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.body = Body::Form(encoded);
        self
    }

    pub(crate) fn bearer(mut self, token: SecretString) -> Self {
        self.auth = Auth::Bearer(token);
        self
    }

    pub(crate) fn basic(mut self, user: &str, password: SecretString) -> Self {
        self.auth = Auth::Basic(user.to_owned(), password);
        self
    }

    /// A request to a path given as it is, below the base path (`scc api`).
    pub(crate) fn raw(method: Method, path: &str, query: &str) -> Self {
        let mut request = Self::new("api", method, "{raw}");
        request.raw_path = Some(path.trim_start_matches('/').to_owned());
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            request.query.push((Cow::Owned(key.into_owned()), value.into_owned()));
        }
        request
    }

    /// The full URL. A missing or empty path id fails here, naming the parameter, before anything is sent.
    /// The request's URL, written as text onto the root's own serialization (already encoded) and
    /// parsed once: cheaper than cloning a `Url` and pushing segments into it on every request.
    pub(crate) fn url(&self, root: &Url) -> Result<Url> {
        let mut text = String::with_capacity(root.as_str().len() + 96);
        text.push_str(root.as_str().trim_end_matches('/'));
        let mut push = |segment: &str| {
            text.push('/');
            text.extend(percent_encoding::utf8_percent_encode(segment, PATH_SEGMENT));
        };
        if let Some(raw) = &self.raw_path {
            for piece in raw.split('/').filter(|piece| !piece.is_empty()) {
                let piece = percent_decode(piece);
                // A URL reads `.` and `..` as folders: a raw path stays below the base path.
                if matches!(piece.as_str(), "." | "..") {
                    return Err(Error::invalid(
                        "path",
                        format!("{raw:?} climbs out of the base path ({piece:?} is not a path segment here)"),
                    ));
                }
                push(&piece);
            }
        } else {
            for piece in self.template.split('/') {
                match piece.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) {
                    Some(name) => {
                        let value = self
                            .params
                            .iter()
                            .find(|(param, _)| *param == name)
                            .map(|(_, value)| value.as_str())
                            .unwrap_or_default();
                        validate::non_empty(name, value)?;
                        // A URL reads `.` and `..` (encoded or not) as folders: no id can be one.
                        if matches!(value, "." | "..") {
                            return Err(Error::invalid(name, format!("{value:?} is not an id")));
                        }
                        push(value);
                    }
                    None => push(piece),
                }
            }
        }
        if !self.query.is_empty() {
            text.push('?');
            let start = text.len();
            let mut query = url::form_urlencoded::Serializer::for_suffix(text, start);
            query.extend_pairs(self.query.iter().map(|(key, value)| (key.as_ref(), value.as_str())));
            text = query.finish();
        }
        Url::parse(&text).map_err(|error| Error::Configuration(format!("cannot build the request URL: {error}")))
    }
}

impl Request {
    /// What this request sends, as a value (its URL already built).
    pub(crate) fn planned(&self, url: &Url) -> PlannedRequest {
        let body = match &self.body {
            Body::Empty => None,
            Body::Json(bytes) => serde_json::from_slice(bytes).ok(),
            Body::Form(text) => Some(serde_json::Value::String(text.clone())),
        };
        PlannedRequest {
            operation: self.operation.to_owned(),
            method: self.method.to_string(),
            url: url.to_string(),
            body,
        }
    }

    /// What this request would send below `root`, checked as sending checks it.
    pub(crate) fn plan(&self, root: &Url) -> Result<PlannedRequest> {
        Ok(self.planned(&self.url(root)?))
    }
}

/// What a path segment must encode (the URL standard's path-segment set, with `\\` for http).
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Url {
        Url::parse("https://h.example/v1").expect("valid")
    }

    #[test]
    fn ids_are_percent_encoded_and_query_kept() {
        let request = Request::new(
            "groups.get",
            Method::GET,
            "organizations/{org_id}/adminGroups/{group_id}",
        )
        .param("org_id", "a/b c")
        .param("group_id", "x?y#z%")
        .query("max", 10)
        .query_opt("name", Some("A&B"))
        .query_opt("cursor", None::<&str>)
        .query_opt("sortBy", Some(""));
        let url = request.url(&root()).expect("valid");
        assert_eq!(
            url.as_str(),
            "https://h.example/v1/organizations/a%2Fb%20c/adminGroups/x%3Fy%23z%25?max=10&name=A%26B"
        );
    }

    #[test]
    fn dot_segments_are_refused_never_resolved() {
        let request = Request::new(
            "groups.get",
            Method::GET,
            "organizations/{org_id}/adminGroups/{group_id}",
        )
        .param("org_id", "o")
        .param("group_id", "..");
        assert!(matches!(request.url(&root()), Err(Error::InvalidInput { ref field, .. }) if field == "group_id"));
        let root = Url::parse("http://127.0.0.1:8080/").expect("root");
        let request = Request::new("organizations.list", Method::GET, "organizations").query("max", 5);
        assert_eq!(
            request.url(&root).expect("valid").as_str(),
            "http://127.0.0.1:8080/organizations?max=5"
        );
    }

    #[test]
    fn a_raw_path_never_climbs_out_of_the_base_path() {
        let root = Url::parse("http://127.0.0.1:8080/v1").expect("root");
        for path in [
            "../../_emulator/state",
            "organizations/../../x",
            "./x",
            "%2e%2e/x",
            "a/%2E%2E/b",
        ] {
            let request = Request::raw(Method::GET, path, "");
            assert!(
                matches!(request.url(&root), Err(Error::InvalidInput { ref field, .. }) if field == "path"),
                "{path}"
            );
        }
        let request = Request::raw(Method::GET, "organizations/a..b/x.y", "");
        assert_eq!(
            request.url(&root).expect("dots inside a segment are fine").as_str(),
            "http://127.0.0.1:8080/v1/organizations/a..b/x.y"
        );
    }

    #[test]
    fn empty_or_missing_ids_are_refused() {
        let empty = Request::new("organizations.get", Method::GET, "organizations/{org_id}").param("org_id", " ");
        assert!(matches!(empty.url(&root()), Err(Error::InvalidInput { ref field, .. }) if field == "org_id"));
        let missing = Request::new("organizations.get", Method::GET, "organizations/{org_id}");
        assert!(missing.url(&root()).is_err());
    }
}
