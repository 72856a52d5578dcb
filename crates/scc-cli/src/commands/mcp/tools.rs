//! The tools, from the SDK's catalog: each read operation is a tool whose input names what its path
//! needs (names accepted wherever ids are) and whose output is the API's own shape (from the API
//! description the emulator serves), with annotations true to what it does. The writes are the
//! change-set tools, offered only with `--allow-writes`.

use std::sync::{Arc, OnceLock};

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use scc_sdk::catalog::{self, OperationInfo};
use serde_json::{Value, json};

/// The API description (OpenAPI 3.1) whose response schemas are the read tools' output schemas.
const API_DESCRIPTION: &str = include_str!("../../../../../openapi/scc.json");

/// At most this many items in one answer; a list longer than a page is followed by its cursor.
pub(crate) const MAX_PAGE: u64 = 500;
pub(crate) const DEFAULT_PAGE: u64 = 100;

/// The read operations that are tools: every read of the catalog that asks the service (the one
/// computed from a document, `build_products_from_claim_info`, is the SDK's helper, not a question).
pub(crate) fn read_operations() -> impl Iterator<Item = &'static OperationInfo> {
    catalog::OPERATIONS
        .iter()
        .copied()
        .filter(|operation| operation.is_read() && operation.method.is_some())
}

/// A tool's name for an operation: `users.get_groups` → `users_get_groups` (names with dots are
/// refused by some assistants).
pub(crate) fn tool_name(operation: &OperationInfo) -> String {
    operation.name.replace('.', "_")
}

/// The tool that answers who the token is (not an operation of the API: read from the token, with the
/// organization confirmed by a GET).
pub(crate) const WHOAMI: &str = "whoami";
/// The change-set tools.
pub(crate) const PLAN: &str = "plan";
pub(crate) const APPLY: &str = "apply";
pub(crate) const INVITE_USER: &str = "invite_user";
pub(crate) const UPDATE_USER: &str = "update_user";
pub(crate) const DISABLE_USER: &str = "disable_user";
pub(crate) const ENABLE_USER: &str = "enable_user";
pub(crate) const WRITE_TOOLS: [&str; 6] = [PLAN, APPLY, INVITE_USER, UPDATE_USER, DISABLE_USER, ENABLE_USER];

/// What a path placeholder is called in a tool's input, and what it takes.
pub(crate) fn argument_of(placeholder: &str) -> Option<(&'static str, &'static str)> {
    Some(match placeholder {
        "org_id" => ("organization", "The organization: its name or id."),
        "subscription_id" => ("subscription", "The subscription: its name or id."),
        "user_id" => ("user", "The user: e-mail or id."),
        "group_id" => ("group", "The admin group: its name or id."),
        "role_id" => ("role", "The role: its display name or id."),
        _ => return None,
    })
}

/// The `{placeholders}` of a path template, in order.
pub(crate) fn placeholders(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')))
        .collect()
}

/// True when the operation's answer is a list (its tool pages).
pub(crate) fn is_list(operation: &OperationInfo) -> bool {
    list_property(operation).is_some()
}

/// The array property of the operation's answer (`users` of `{"users": [...]}`).
pub(crate) fn list_property(operation: &OperationInfo) -> Option<String> {
    let schema = resolved(&response_schema(operation.name)?)?;
    schema["properties"]
        .as_object()?
        .iter()
        .find_map(|(name, property)| (property["type"] == "array").then(|| name.clone()))
}

fn description() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| serde_json::from_str(API_DESCRIPTION).unwrap_or(Value::Null))
}

/// The `200` answer's schema of the operation, as the API description has it.
fn response_schema(operation: &str) -> Option<Value> {
    description()["paths"].as_object()?.values().find_map(|item| {
        item.as_object()?.values().find_map(|method| {
            (method["operationId"] == operation)
                .then(|| method["responses"]["200"]["content"]["application/json"]["schema"].clone())
        })
    })
}

/// A `$ref` followed to its schema.
fn resolved(schema: &Value) -> Option<Value> {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.strip_prefix("#/components/schemas/")?;
            Some(description()["components"]["schemas"][name].clone())
        }
        None => Some(schema.clone()),
    }
}

/// `schema` as a standalone JSON Schema: its references point into `$defs`, which holds every
/// schema it reaches.
fn standalone(mut schema: Value) -> Value {
    let mut defs = serde_json::Map::new();
    let mut pending = Vec::new();
    collect_references(&schema, &mut pending);
    while let Some(name) = pending.pop() {
        if defs.contains_key(&name) {
            continue;
        }
        let mut definition = description()["components"]["schemas"][&name].clone();
        collect_references(&definition, &mut pending);
        rewrite_references(&mut definition);
        defs.insert(name, definition);
    }
    rewrite_references(&mut schema);
    if !defs.is_empty() {
        schema["$defs"] = Value::Object(defs);
    }
    schema
}

fn collect_references(schema: &Value, names: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|reference| reference.strip_prefix("#/components/schemas/"))
            {
                names.push(name.to_owned());
            }
            map.values().for_each(|value| collect_references(value, names));
        }
        Value::Array(values) => values.iter().for_each(|value| collect_references(value, names)),
        _ => {}
    }
}

fn rewrite_references(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref") {
                *reference = reference.replace("#/components/schemas/", "#/$defs/");
            }
            map.values_mut().for_each(rewrite_references);
        }
        Value::Array(values) => values.iter_mut().for_each(rewrite_references),
        _ => {}
    }
}

fn object(properties: Value, required: &[&str]) -> JsonObject {
    let mut schema = json!({"type": "object", "properties": properties, "additionalProperties": false});
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    match schema {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    }
}

fn as_object(schema: Value) -> Arc<JsonObject> {
    Arc::new(match schema {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    })
}

/// The input a read tool takes: the objects its path names, the filters of its operation, and the
/// page and cursor of a list.
fn read_input(operation: &OperationInfo) -> JsonObject {
    let mut properties = serde_json::Map::new();
    let mut required = Vec::new();
    for placeholder in placeholders(operation.path) {
        if let Some((name, about)) = argument_of(placeholder) {
            properties.insert(
                name.into(),
                json!({"type": "string", "minLength": 1, "description": about}),
            );
            required.push(name);
        }
    }
    let closed = |values: &[&str]| json!(values);
    match operation.name {
        "organizations.list" => {
            properties.insert(
                "name".into(),
                json!({"type": "string", "description": "Only the organization with this exact name."}),
            );
            properties.insert(
                "type".into(),
                json!({"type": "string", "enum": closed(scc_sdk::types::OrganizationType::KNOWN)}),
            );
            properties.insert(
                "region_code".into(),
                json!({"type": "string", "enum": closed(scc_sdk::types::RegionCode::KNOWN)}),
            );
        }
        "users.list" => {
            properties.insert("status".into(), json!({"type": "string", "enum": closed(scc_sdk::types::UserStatus::KNOWN), "description": "Only users in this status."}));
        }
        "roles.list" => {
            properties.insert(
                "type".into(),
                json!({"type": "string", "enum": closed(scc_sdk::types::RoleType::KNOWN)}),
            );
        }
        "subscriptions.read_claim_code" => {
            properties.insert("claim_code".into(), json!({"type": "string", "minLength": 1, "description": "The claim code (XXXX-XXXX-XXXX-XXXX); nothing is claimed."}));
            required.push("claim_code");
        }
        "roles.find_role_id" => {
            properties.insert(
                "product".into(),
                json!({"type": "string", "minLength": 1, "description": "Product name, e.g. Security Cloud Control."}),
            );
            properties.insert("display_name".into(), json!({"type": "string", "minLength": 1, "description": "Role display name, e.g. Organization Administrator."}));
            required.extend(["product", "display_name"]);
        }
        _ => {}
    }
    if is_list(operation) {
        properties.insert(
            "page_size".into(),
            json!({"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": DEFAULT_PAGE,
                   "description": "Items in this answer."}),
        );
        properties.insert(
            "cursor".into(),
            json!({"type": "string", "description": "The next_cursor of the previous answer: the next page of the same list."}),
        );
    }
    object(Value::Object(properties), &required)
}

/// The output of a read tool: the API's answer, or for a list one page of its items.
fn read_output(operation: &OperationInfo) -> Value {
    if operation.name.starts_with("xdr.") {
        // The XDR profile's documents (seeds/ XDR data model): open objects.
        return json!({"type": "object", "additionalProperties": true,
                      "description": "The XDR profile document, as the XDR API answers it."});
    }
    if operation.name == "roles.find_role_id" {
        return json!({"type": "object", "properties": {"role_id": {"type": ["string", "null"],
                      "description": "The role's id; null when no role has that product and name."}},
                      "required": ["role_id"]});
    }
    let answer = response_schema(operation.name).unwrap_or_else(|| json!({"type": "object"}));
    match list_property(operation) {
        Some(property) => {
            let list = resolved(&answer).unwrap_or_default();
            let item = list["properties"][&property]["items"].clone();
            standalone(json!({
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": item},
                    "total": {"type": "integer", "description": "Items in the whole list."},
                    "next_cursor": {"type": ["string", "null"], "description": "Give it as `cursor` for the next page; null on the last."},
                },
                "required": ["items", "total", "next_cursor"],
            }))
        }
        None => standalone(resolved(&answer).unwrap_or_else(|| json!({"type": "object"}))),
    }
}

fn annotations(read_only: bool, destructive: bool, idempotent: bool) -> ToolAnnotations {
    ToolAnnotations::new()
        .read_only(read_only)
        .destructive(destructive)
        .idempotent(idempotent)
        // Every tool talks to the profile's service only.
        .open_world(false)
}

fn tool(name: String, about: String, input: JsonObject, output: Value, hints: ToolAnnotations) -> Tool {
    Tool::new(name, about, Arc::new(input))
        .with_raw_output_schema(as_object(output))
        .with_annotations(hints)
}

/// The read tools.
pub(crate) fn reads() -> Vec<Tool> {
    let mut tools: Vec<Tool> = read_operations()
        .map(|operation| {
            let mut about = operation.summary.to_owned();
            if is_list(operation) {
                about.push_str(" One page at a time: follow next_cursor.");
            }
            tool(
                tool_name(operation),
                about,
                read_input(operation),
                read_output(operation),
                annotations(true, false, true),
            )
        })
        .collect();
    tools.push(tool(
        WHOAMI.into(),
        "Who the SCC token is: its organization (id, name, type), its scope and API key id.".into(),
        object(json!({}), &[]),
        json!({"type": "object", "properties": {
            "org_id": {"type": ["string", "null"]}, "org_name": {"type": ["string", "null"]},
            "org_type": {"type": ["string", "null"]}, "scope": {"type": "string"},
            "api_key_id": {"type": ["string", "null"]}, "service": {"type": "string"}},
            "required": ["org_id", "scope", "service"]}),
        annotations(true, false, true),
    ));
    tools
}

/// The schema of a change set, as `plan`, `invite_user` and `update_user` answer.
fn change_set_output() -> Value {
    json!({"type": "object", "properties": {
        "change_set": {"type": "string", "description": "Its id: give it to `apply`."},
        "text": {"type": "string", "description": "The change set as `scc plan` shows it."},
        "changes": {"type": "integer"},
        "problems": {"type": "integer"},
        "organizations": {"type": "array", "items": {"type": "object", "properties": {
            "org": {"type": "string"}, "org_id": {"type": ["string", "null"]},
            "changes": {"type": "array", "items": {"type": "object"}}}}}},
        "required": ["change_set", "text", "changes", "problems", "organizations"]})
}

/// The change-set tools (with `--allow-writes`).
pub(crate) fn writes() -> Vec<Tool> {
    // A user named by organization and e-mail, nothing else.
    let one_user = || {
        object(
            json!({
                "organization": {"type": "string", "minLength": 1, "description": "The organization: its name or id."},
                "email": {"type": "string", "minLength": 3, "description": "The user's e-mail."},
            }),
            &["organization", "email"],
        )
    };
    let user = |required: &[&str]| {
        object(
            json!({
                "organization": {"type": "string", "minLength": 1, "description": "The organization: its name or id."},
                "email": {"type": "string", "minLength": 3, "description": "The user's e-mail."},
                "first_name": {"type": "string", "minLength": 1},
                "last_name": {"type": "string", "minLength": 1},
                "admin": {"type": "boolean", "description": "Holds the Organization Administrator role (directly): true gives it, false takes a direct one away."},
            }),
            required,
        )
    };
    vec![
        tool(
            PLAN.into(),
            "Plans a change set from a plan document (the plan file's shape: resource scc://schema/plan-file) or a plan \
             file's path, as `scc plan` does: reads only. Answers the changes and the change set's id for `apply`."
                .into(),
            object(
                json!({
                    "document": {"type": "object", "description": "A plan document: {\"organizations\": [...]}."},
                    "path": {"type": "string", "description": "A plan file (YAML, TOML or JSON) on this machine."},
                    "organizations": {"type": "array", "items": {"type": "string"}, "description": "Only these organizations of the plan (names or ids)."},
                }),
                &[],
            ),
            change_set_output(),
            annotations(true, false, true),
        ),
        tool(
            APPLY.into(),
            "Makes exactly the changes of a change set of this session, after the person confirms them: each \
             organization is read again under its lock, and nothing is made where the changes now differ."
                .into(),
            object(json!({"change_set": {"type": "string", "minLength": 1}}), &["change_set"]),
            json!({"type": "object", "properties": {
                "organizations": {"type": "array", "items": {"type": "object"}},
                "applied": {"type": "boolean"}, "confirmed_by": {"type": "string"}},
                "required": ["organizations", "applied", "confirmed_by"]}),
            annotations(false, true, false),
        ),
        tool(
            INVITE_USER.into(),
            "Plans inviting one user (a change set of one change, applied with `apply`).".into(),
            user(&["organization", "email", "first_name", "last_name"]),
            change_set_output(),
            annotations(true, false, true),
        ),
        tool(
            DISABLE_USER.into(),
            "Plans disabling one user: they can no longer sign in (a change set, applied with `apply`).".into(),
            one_user(),
            change_set_output(),
            annotations(true, false, true),
        ),
        tool(
            ENABLE_USER.into(),
            "Plans enabling one disabled user (a change set, applied with `apply`).".into(),
            one_user(),
            change_set_output(),
            annotations(true, false, true),
        ),
        tool(
            UPDATE_USER.into(),
            "Plans changing one user's names or admin role (a change set, applied with `apply`).".into(),
            user(&["organization", "email", "first_name", "last_name"]),
            change_set_output(),
            annotations(true, false, true),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_read_tool_has_an_object_input_an_object_output_and_all_three_hints() {
        for tool in reads().into_iter().chain(writes()) {
            assert_eq!(tool.input_schema["type"], "object", "{}", tool.name);
            let output = tool
                .output_schema
                .as_ref()
                .unwrap_or_else(|| panic!("{} has no output", tool.name));
            assert_eq!(output["type"], "object", "{}", tool.name);
            let hints = tool.annotations.as_ref().expect("annotations");
            assert!(
                hints.read_only_hint.is_some() && hints.destructive_hint.is_some(),
                "{}",
                tool.name
            );
            assert!(hints.idempotent_hint.is_some(), "{}", tool.name);
            let text = serde_json::to_string(&**output).expect("json");
            assert!(
                !text.contains("#/components/"),
                "{}: a reference outside the schema",
                tool.name
            );
        }
    }

    #[test]
    fn lists_page_and_take_names_for_ids() {
        let users = catalog::find("users.list").expect("users.list");
        assert_eq!(list_property(users).as_deref(), Some("users"));
        let input = read_input(users);
        assert_eq!(input["required"], json!(["organization"]));
        assert!(input["properties"]["cursor"].is_object());
        let output = read_output(users);
        assert_eq!(output["properties"]["items"]["items"]["$ref"], "#/$defs/User");
        assert!(output["$defs"]["User"].is_object());
        assert!(!is_list(catalog::find("users.get").expect("users.get")));
        assert_eq!(reads().len(), read_operations().count() + 1);
    }
}
