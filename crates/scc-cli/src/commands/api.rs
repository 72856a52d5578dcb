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
    let encoded: String = cursor
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let mut pairs = kept.join("&");
    if !pairs.is_empty() {
        pairs.push('&');
    }
    format!("{base}?{pairs}cursor={encoded}")
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

pub(crate) async fn run(ctx: &Ctx, args: ApiArgs) -> Result<Code, CliError> {
    let method = Method::from_bytes(args.method.to_uppercase().as_bytes()).map_err(|_| {
        CliError::usage(
            format!("{:?} is not an HTTP method", args.method),
            "use GET, POST, PUT, PATCH or DELETE",
        )
    })?;
    let body = body(args.data)?;
    let client = ctx.client()?;
    let mut answer = client.request_raw(method.clone(), &args.path, body.clone()).await?;
    let mut result = answer.body.clone();
    if args.paginate {
        let mut seen = std::collections::HashSet::new();
        while let Some(cursor) = answer.next_cursor.clone() {
            if !seen.insert(cursor.clone()) {
                ctx.ui.note("the service repeated a cursor; stopping");
                break;
            }
            answer = client
                .request_raw(method.clone(), &with_cursor(&args.path, &cursor), body.clone())
                .await?;
            merge(&mut result, answer.body.clone());
        }
        if let Some(object) = result.as_object_mut() {
            object.remove("cursor");
            object.remove("nextCursor");
        }
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
