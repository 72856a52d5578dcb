//! `scc api METHOD PATH`: the raw escape hatch, through the SDK's one request path.

use std::io::Read;

use reqwest::Method;
use serde_json::Value;

use super::Ctx;
use crate::cli::ApiArgs;
use crate::failure::{CliError, Code};

fn body(data: Option<String>) -> Result<Option<Value>, CliError> {
    let Some(data) = data else {
        return Ok(None);
    };
    let text = if data == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|error| CliError::failure(format!("cannot read stdin: {error}"), None))?;
        text
    } else if let Some(path) = data.strip_prefix('@') {
        std::fs::read_to_string(path)
            .map_err(|error| CliError::usage(format!("cannot read {path}: {error}"), "check the path after @"))?
    } else {
        data
    };
    serde_json::from_str(&text).map(Some).map_err(|error| {
        CliError::usage(
            format!("--data is not JSON: {error}"),
            "give JSON text, @FILE or - for stdin",
        )
    })
}

/// Adds the cursor to a path's query.
fn with_cursor(path: &str, cursor: &str) -> String {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("cursor="))
        .collect();
    let mut pairs = kept.join("&");
    if !pairs.is_empty() {
        pairs.push('&');
    }
    format!("{base}?{pairs}cursor={}", encoded(cursor))
}

/// Appends the arrays of `next` to those of `first` under the same keys.
fn merge(first: &mut Value, next: Value) {
    if let (Some(first), Value::Object(next)) = (first.as_object_mut(), next) {
        for (key, value) in next {
            match (first.get_mut(&key), value) {
                (Some(Value::Array(items)), Value::Array(more)) => items.extend(more),
                (_, value) if key != "cursor" && key != "nextCursor" => {
                    first.insert(key, value);
                }
                _ => {}
            }
        }
    }
}

/// `Name: value` of a `-H`, the name checked (the SDK checks both before sending).
fn split_header(header: &str) -> Result<(&str, &str), CliError> {
    match header.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim(), value.trim())),
        _ => Err(CliError::usage(
            format!("header {:?} is not NAME:VALUE", crate::output::one_line(header)),
            "write -H 'Accept: application/json'",
        )),
    }
}

/// `HTTP 200` and the answer's headers, a line each, then a blank line: what `-i` prints.
fn status_and_headers(answer: &scc_sdk::RawResponse) -> String {
    let reason = reqwest::StatusCode::from_u16(answer.status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or_default();
    let mut text = format!("HTTP {} {reason}\n", answer.status);
    for (name, value) in &answer.headers {
        text.push_str(&format!(
            "{}: {}\n",
            crate::output::one_line(name),
            crate::output::one_line(value)
        ));
    }
    text.push('\n');
    text
}

/// The methods the API has.
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// `key=value` of a field, the key checked.
fn split_field(field: &str) -> Result<(&str, &str), CliError> {
    match field.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok((key.trim(), value)),
        _ => Err(CliError::usage(
            format!("field {field:?} is not KEY=VALUE"),
            "write -f name=Acme, or -F max=10",
        )),
    }
}

/// A `-F` value: JSON's literals and numbers typed, `@FILE` the file's text, else the string.
fn typed(value: &str, org: &dyn Fn() -> Result<String, CliError>) -> Result<Value, CliError> {
    if value == "{org}" {
        return Ok(Value::String(org()?));
    }
    if let Some(path) = value.strip_prefix('@') {
        return std::fs::read_to_string(path)
            .map(|text| Value::String(text.trim_end_matches('\n').to_owned()))
            .map_err(|error| CliError::usage(format!("cannot read {path}: {error}"), "check the path after @"));
    }
    Ok(match value {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        number if number.parse::<i64>().is_ok() || number.parse::<f64>().is_ok_and(f64::is_finite) => {
            serde_json::from_str(number).unwrap_or_else(|_| Value::String(number.to_owned()))
        }
        other => Value::String(other.to_owned()),
    })
}

/// The path below the base path: a leading `/`, and the base path itself (`/v1/…`), are dropped.
fn below_base(path: &str, base_path: &str) -> String {
    let trimmed = path.trim().trim_start_matches('/');
    let base = base_path.trim_matches('/');
    match trimmed.strip_prefix(base) {
        Some(rest) if !base.is_empty() && (rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')) => {
            rest.trim_start_matches('/').to_owned()
        }
        _ => trimmed.to_owned(),
    }
}

/// Percent-encodes a query value.
fn encoded(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) async fn run(ctx: &Ctx, args: ApiArgs) -> Result<Code, CliError> {
    let (given_method, path) = match args.words.as_slice() {
        [path] => (None, path.clone()),
        [method, path] => (Some(method.clone()), path.clone()),
        _ => unreachable!("clap takes one or two words"),
    };
    if given_method.is_some() && args.method.is_some() {
        return Err(CliError::usage(
            "the method is given twice (before the path and with -X)".into(),
            "give one: scc api -X PATCH PATH, or scc api PATCH PATH",
        ));
    }
    let client = ctx.client()?;
    // `{org}` (in the path or a -F value): the organization in use, by id (a name is looked up once).
    let uses_org = path.contains("{org}") || args.fields.iter().any(|field| field.ends_with("={org}"));
    let org_id = if uses_org {
        ctx.org(&client).await?
    } else if !ctx.global.org.is_empty() {
        return Err(CliError::usage(
            "--org does nothing here: the request names no {org}".into(),
            "write the organization into the path as {org}: scc api organizations/{org}/users --org NAME",
        ));
    } else {
        String::new()
    };
    let org = || Ok::<_, CliError>(org_id.clone());
    let mut path = below_base(&path, &ctx.settings.base_path.value).replace("{org}", &org_id);
    let mut fields = serde_json::Map::new();
    for field in &args.raw_fields {
        let (key, value) = split_field(field)?;
        fields.insert(key.to_owned(), Value::String(value.to_owned()));
    }
    for field in &args.fields {
        let (key, value) = split_field(field)?;
        fields.insert(key.to_owned(), typed(value, &org)?);
    }
    let data = match (&args.data, &args.input) {
        (Some(data), _) => Some(data.clone()),
        (None, Some(input)) if input.as_os_str() == "-" => Some("-".to_owned()),
        (None, Some(input)) => Some(format!("@{}", input.display())),
        (None, None) => None,
    };
    let has_body = data.is_some();
    let word = given_method
        .or(args.method.clone())
        .unwrap_or_else(|| if has_body || !fields.is_empty() { "POST" } else { "GET" }.to_owned());
    let method_name = word.to_uppercase();
    if !METHODS.contains(&method_name.as_str()) {
        return Err(CliError::usage(
            format!("{word:?} is not an HTTP method of the API"),
            "use GET, POST, PUT, PATCH or DELETE",
        ));
    }
    let method = Method::from_bytes(method_name.as_bytes()).unwrap_or(Method::GET);
    let mut body = body(data)?;
    if !fields.is_empty() {
        if method == Method::GET || method == Method::DELETE {
            // As gh api: a GET's fields are its query.
            let query: Vec<String> = fields
                .iter()
                .map(|(key, value)| {
                    let text = match value {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    format!("{}={}", encoded(key), encoded(&text))
                })
                .collect();
            path = format!(
                "{path}{}{}",
                if path.contains('?') { "&" } else { "?" },
                query.join("&")
            );
        } else if let Some(Value::Object(object)) = &mut body {
            object.extend(fields);
        } else if body.is_none() {
            body = Some(Value::Object(fields));
        } else {
            return Err(CliError::usage(
                "fields go into a JSON object body, and the body given is not one".into(),
                "give the fields inside --data/--input, or drop the body",
            ));
        }
    }
    let headers: Vec<(&str, &str)> = args
        .headers
        .iter()
        .map(|header| split_header(header))
        .collect::<Result<_, _>>()?;
    let send = |path: String| {
        let mut operation = client.raw_request(method.clone(), &path, body.as_ref());
        for (name, value) in &headers {
            operation = operation.header(name, value);
        }
        async move { Ok::<_, CliError>(operation.send_raw().await?.into_response()) }
    };
    let mut head = String::new();
    let mut answer = send(path.clone()).await?;
    if args.include {
        head.push_str(&status_and_headers(&answer));
    }
    let mut result = answer.body.clone();
    if args.paginate {
        let mut seen = std::collections::HashSet::new();
        while let Some(cursor) = answer.next_cursor.clone() {
            if !seen.insert(cursor.clone()) {
                ctx.ui.note("the service repeated a cursor; stopping");
                break;
            }
            answer = send(with_cursor(&path, &cursor)).await?;
            if args.include {
                head.push_str(&status_and_headers(&answer));
            }
            merge(&mut result, answer.body.clone());
        }
        if let Some(object) = result.as_object_mut() {
            object.remove("cursor");
            object.remove("nextCursor");
        }
    }
    // `-i`: as curl and gh print them, before the body; the service's text escaped.
    if args.include {
        ctx.ui.write_stdout(&head);
    }
    // Raw answers are JSON whatever the table format; --jq applies as everywhere.
    if matches!(ctx.ui.format, crate::cli::Format::Table | crate::cli::Format::Wide) {
        ctx.ui.json_item(&result);
    } else {
        ctx.ui.item(&result, &[]);
    }
    Ok(Code::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_below_the_base_path_whatever_its_prefix() {
        for given in [
            "organizations",
            "/organizations",
            "v1/organizations",
            "/v1/organizations",
        ] {
            assert_eq!(below_base(given, "v1"), "organizations", "{given}");
        }
        assert_eq!(below_base("/v1?x=1", "v1"), "?x=1");
        assert_eq!(below_base("v10/things", "v1"), "v10/things");
    }

    #[test]
    fn typed_fields_are_json_where_they_read_as_json() {
        let org = || Ok::<_, CliError>("org-1".to_owned());
        assert_eq!(typed("10", &org).expect("typed"), serde_json::json!(10));
        assert_eq!(typed("true", &org).expect("typed"), serde_json::json!(true));
        assert_eq!(typed("null", &org).expect("typed"), Value::Null);
        assert_eq!(typed("{org}", &org).expect("typed"), serde_json::json!("org-1"));
        assert_eq!(typed("Acme", &org).expect("typed"), serde_json::json!("Acme"));
        assert_eq!(typed("nan", &org).expect("typed"), serde_json::json!("nan"));
        assert!(split_field("novalue").is_err());
    }

    #[test]
    fn cursor_goes_into_the_query() {
        assert_eq!(with_cursor("organizations", "a b"), "organizations?cursor=a%20b");
        assert_eq!(
            with_cursor("organizations?max=2&cursor=old", "new"),
            "organizations?max=2&cursor=new"
        );
    }

    #[test]
    fn pages_merge_their_lists() {
        let mut first = serde_json::json!({"organizations": [1, 2], "cursor": "c"});
        merge(&mut first, serde_json::json!({"organizations": [3], "cursor": "d"}));
        assert_eq!(first["organizations"], serde_json::json!([1, 2, 3]));
    }
}
