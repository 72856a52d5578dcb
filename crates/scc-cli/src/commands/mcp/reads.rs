//! The read tools: names resolved to ids, one SDK call, the answer in the API's shape. A list is
//! read once into a snapshot and answered a page at a time; its cursor names the snapshot and the
//! place in it, so following it never reads the service again and never skips or repeats an item.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};

use super::tools::{self, DEFAULT_PAGE, MAX_PAGE};
use super::{Server, ToolError};
use crate::resolve;

/// Lists read for a cursor to follow: the newest few, each under the question it answers.
#[derive(Default)]
pub(crate) struct Snapshots {
    kept: Mutex<(u64, VecDeque<Snapshot>)>,
}

struct Snapshot {
    id: u64,
    /// The tool and its arguments (without page and cursor).
    question: String,
    items: Arc<Vec<Value>>,
}

/// How many lists a session keeps for their cursors.
const KEPT: usize = 8;

impl Snapshots {
    fn keep(&self, question: String, items: Vec<Value>) -> (u64, Arc<Vec<Value>>) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.0 += 1;
        let id = kept.0;
        let items = Arc::new(items);
        kept.1.push_back(Snapshot {
            id,
            question,
            items: items.clone(),
        });
        while kept.1.len() > KEPT {
            kept.1.pop_front();
        }
        (id, items)
    }

    fn find(&self, id: u64, question: &str) -> Option<Arc<Vec<Value>>> {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.1
            .iter()
            .find(|snapshot| snapshot.id == id && snapshot.question == question)
            .map(|snapshot| snapshot.items.clone())
    }
}

/// The arguments of one call, checked against the tool's input.
pub(crate) struct Arguments<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Arguments<'a> {
    pub(crate) fn new(map: &'a Map<String, Value>, allowed: &[&str]) -> Result<Self, ToolError> {
        if let Some(unknown) = map.keys().find(|key| !allowed.contains(&key.as_str())) {
            return Err(ToolError::usage(
                format!("unknown argument {unknown:?}"),
                format!("this tool takes: {}", allowed.join(", ")),
            ));
        }
        Ok(Self { map })
    }

    pub(crate) fn text(&self, name: &str) -> Result<Option<String>, ToolError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) if text.trim().is_empty() => Err(ToolError::usage(
                format!("{name} is empty"),
                format!("give {name}, or leave it out"),
            )),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(ToolError::usage(
                format!("{name} must be a string"),
                format!("give {name} as text"),
            )),
        }
    }

    pub(crate) fn required(&self, name: &str) -> Result<String, ToolError> {
        self.text(name)?
            .ok_or_else(|| ToolError::usage(format!("{name} is required"), format!("give {name}")))
    }

    pub(crate) fn boolean(&self, name: &str) -> Result<Option<bool>, ToolError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(value)) => Ok(Some(*value)),
            Some(_) => Err(ToolError::usage(
                format!("{name} must be true or false"),
                format!("give {name} as a boolean"),
            )),
        }
    }

    fn page_size(&self) -> Result<usize, ToolError> {
        match self.map.get("page_size") {
            None | Some(Value::Null) => Ok(DEFAULT_PAGE as usize),
            Some(value) => match value.as_u64() {
                Some(size @ 1..=MAX_PAGE) => Ok(size as usize),
                _ => Err(ToolError::usage(
                    format!("page_size must be a whole number from 1 to {MAX_PAGE}"),
                    "follow next_cursor for more",
                )),
            },
        }
    }

    /// The call without its page and cursor: what a cursor's list answers.
    fn question(&self, tool: &str) -> String {
        let rest: Map<String, Value> = self
            .map
            .iter()
            .filter(|(key, _)| !matches!(key.as_str(), "page_size" | "cursor"))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        format!("{tool} {}", Value::Object(rest))
    }
}

fn values<T: serde::Serialize>(items: Vec<T>) -> Vec<Value> {
    items
        .into_iter()
        .map(|item| serde_json::to_value(item).unwrap_or(Value::Null))
        .collect()
}

fn value<T: serde::Serialize>(item: T) -> Value {
    serde_json::to_value(item).unwrap_or(Value::Null)
}

/// Runs the read tool `name`.
pub(crate) async fn call(server: &Server, name: &str, arguments: &Map<String, Value>) -> Result<Value, ToolError> {
    if name == tools::WHOAMI {
        Arguments::new(arguments, &[])?;
        return whoami(server).await;
    }
    let operation = tools::read_operations()
        .find(|operation| tools::tool_name(operation) == name)
        .ok_or_else(|| ToolError::usage(format!("no tool is named {name:?}"), "list the tools"))?;
    let listed = tools::is_list(operation);
    let mut allowed: Vec<&str> = tools::placeholders(operation.path)
        .into_iter()
        .filter_map(|placeholder| tools::argument_of(placeholder).map(|(argument, _)| argument))
        .collect();
    allowed.extend(match operation.name {
        "organizations.list" => &["name", "type", "region_code"][..],
        "users.list" => &["status"],
        "roles.list" => &["type"],
        "subscriptions.read_claim_code" => &["claim_code"],
        "roles.find_role_id" => &["product", "display_name"],
        _ => &[],
    });
    if listed {
        allowed.extend(["page_size", "cursor"]);
    }
    let args = Arguments::new(arguments, &allowed)?;
    if !listed {
        return one(server, operation.name, &args).await;
    }
    let page_size = args.page_size()?;
    let question = args.question(name);
    let (id, items, start) = match args.text("cursor")? {
        Some(cursor) => {
            let (id, start) = cursor
                .split_once(':')
                .and_then(|(id, start)| Some((id.parse::<u64>().ok()?, start.parse::<usize>().ok()?)))
                .ok_or_else(|| {
                    ToolError::usage(
                        "the cursor is not one this server gave",
                        "give next_cursor as it was answered",
                    )
                })?;
            let items = server.lists.find(id, &question).ok_or_else(|| {
                ToolError::usage(
                    "the cursor is not of this list, or its list is no longer kept",
                    "call the tool again without a cursor (with the same other arguments) to read the list anew",
                )
            })?;
            (id, items, start)
        }
        None => {
            let items = list(server, operation.name, &args).await?;
            let (id, items) = server.lists.keep(question, items);
            (id, items, 0)
        }
    };
    let start = start.min(items.len());
    let end = (start + page_size).min(items.len());
    let next = (end < items.len()).then(|| format!("{id}:{end}"));
    Ok(json!({"items": items[start..end], "total": items.len(), "next_cursor": next}))
}

async fn org(server: &Server, args: &Arguments<'_>) -> Result<String, ToolError> {
    Ok(resolve::org(&server.client, &args.required("organization")?).await?)
}

/// The whole list an operation answers.
async fn list(server: &Server, operation: &str, args: &Arguments<'_>) -> Result<Vec<Value>, ToolError> {
    let client = &server.client;
    Ok(match operation {
        "organizations.list" => {
            let mut request = client.organizations().list();
            if let Some(name) = args.text("name")? {
                request = request.name(name);
            }
            if let Some(kind) = args.text("type")? {
                request = request.organization_type(kind.as_str());
            }
            if let Some(region) = args.text("region_code")? {
                request = request.region_code(region.as_str());
            }
            values(request.items().try_collect::<Vec<_>>().await?)
        }
        "subscriptions.list" => values(
            client
                .subscriptions()
                .list(org(server, args).await?)
                .send()
                .await?
                .items,
        ),
        "users.list" => {
            let mut request = client.users().list(org(server, args).await?);
            if let Some(status) = args.text("status")? {
                request = request.status(status.as_str());
            }
            values(request.send().await?.items)
        }
        "users.get_groups" => {
            let org = org(server, args).await?;
            let user = resolve::user(client, &org, &args.required("user")?).await?;
            values(client.users().get_groups(org, user).await?.items)
        }
        "groups.list" => values(
            client
                .groups()
                .list(org(server, args).await?)
                .items()
                .try_collect::<Vec<_>>()
                .await?,
        ),
        "groups.get_users" | "groups.get_assigned_roles" | "groups.get_managed_organizations" => {
            let org = org(server, args).await?;
            let group = resolve::group(client, &org, &args.required("group")?).await?;
            match operation {
                "groups.get_users" => values(client.groups().get_users(org, group).await?.items),
                "groups.get_assigned_roles" => values(client.groups().get_assigned_roles(org, group).await?.items),
                _ => values(client.groups().get_managed_organizations(org, group).await?.items),
            }
        }
        "roles.list" => {
            let mut request = client.roles().list(org(server, args).await?);
            if let Some(kind) = args.text("type")? {
                request = request.role_type(kind.as_str());
            }
            values(request.send().await?.items)
        }
        other => return Err(ToolError::usage(format!("{other} is not a list"), "list the tools")),
    })
}

/// The one object an operation answers.
async fn one(server: &Server, operation: &str, args: &Arguments<'_>) -> Result<Value, ToolError> {
    let client = &server.client;
    if let Some(what) = operation.strip_prefix("xdr.") {
        let xdr = server.xdr.as_ref().map_err(|why| {
            ToolError::usage(
                format!("XDR is not set up: {why}"),
                "set the XDR credentials in the server's environment",
            )
        })?;
        return Ok(match what {
            "whoami" => value(xdr.profile().whoami().await?),
            _ => value(xdr.profile().org().await?),
        });
    }
    let org = org(server, args).await?;
    Ok(match operation {
        "organizations.get" => value(client.organizations().get(org).await?),
        "subscriptions.get" => {
            let subscription = resolve::subscription(client, &org, &args.required("subscription")?).await?;
            value(client.subscriptions().get(org, subscription).await?)
        }
        "subscriptions.read_claim_code" => value(
            client
                .subscriptions()
                .read_claim_code(org, args.required("claim_code")?)
                .await?,
        ),
        "users.get" => {
            let user = resolve::user(client, &org, &args.required("user")?).await?;
            value(client.users().get(org, user).await?)
        }
        "groups.get" => {
            let group = resolve::group(client, &org, &args.required("group")?).await?;
            value(client.groups().get(org, group).await?)
        }
        "roles.get" => {
            let role = resolve::role(client, &org, &args.required("role")?).await?;
            value(client.roles().get(org, role).await?)
        }
        "roles.find_role_id" => {
            let id = client
                .roles()
                .find_role_id(org, &args.required("product")?, &args.required("display_name")?)
                .await?;
            json!({"role_id": id})
        }
        other => return Err(ToolError::usage(format!("{other} is not a tool"), "list the tools")),
    })
}

/// Who the token is: its organization confirmed by the service, its scope and key id.
async fn whoami(server: &Server) -> Result<Value, ToolError> {
    let client = &server.client;
    let org_id = client.key_org().await;
    let org = match &org_id {
        Some(id) => Some(client.organizations().get(id.as_str()).await?),
        None => None,
    };
    let scope = match client.key_scope().await {
        Some(scc_sdk::auth::KeyScope::Admin(scope)) => format!("admin (read and write): {scope}"),
        Some(scc_sdk::auth::KeyScope::Member(scope)) => format!("member (read only): {scope}"),
        Some(other) => other.as_str().to_owned(),
        None => "not stated by the token".to_owned(),
    };
    Ok(json!({
        "org_id": org_id,
        "org_name": org.as_ref().and_then(|org| org.name.clone()),
        "org_type": org.as_ref().and_then(|org| org.organization_type.as_ref().map(|kind| kind.as_str().to_owned())),
        "scope": scope,
        "api_key_id": server.api_key_id,
        "service": scc_sdk::config::redacted(&server.service),
    }))
}
