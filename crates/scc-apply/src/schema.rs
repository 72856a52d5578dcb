//! The plan file's JSON Schema (draft 2020-12), for editors, assistants (`scc mcp`'s resource) and
//! checks before a plan is run. It says what the model in `spec.rs` takes; the tests below hold the
//! two together both ways.

use scc_sdk::types::{AppliesTo, RegionCode};
use serde_json::{Value, json};

/// A closed set of the SDK, spelled as the plan file takes it.
fn closed(values: &[&str]) -> Value {
    json!(values)
}

/// The schema of a plan file.
pub fn plan_file_schema() -> Value {
    let emails = json!({"type": "array", "items": {"type": "string", "minLength": 3}});
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "scc://schema/plan-file",
        "title": "scc plan file",
        "description": "What organizations should hold; `scc plan` shows the changes, `scc apply` makes them. Nothing is removed unless a prune section says so.",
        "type": "object",
        "required": ["organizations"],
        "additionalProperties": false,
        "properties": {
            "tenant": {"type": "string", "minLength": 1, "description": "The organization of the API key this plan is for (the MSP's manager organization): refused with a key of another."},
            "defaults": {"$ref": "#/$defs/defaults"},
            "organizations": {"type": "array", "items": {"$ref": "#/$defs/organization"}}
        },
        "$defs": {
            "organization": {
                "type": "object",
                "description": "One organization, found by id or by exact name.",
                "additionalProperties": false,
                "anyOf": [{"required": ["id"]}, {"required": ["name"]}],
                "properties": {
                    "id": {"type": "string", "description": "An existing organization by id."},
                    "name": {"type": "string", "minLength": 1, "description": "An organization by exact name (created when `create` is true and none exists)."},
                    "create": {"type": "boolean", "description": "Create it as a MANAGED organization of the token's organization when it does not exist."},
                    "region": {"enum": closed(RegionCode::ORGANIZATION), "description": "Region of a created organization."},
                    "subscriptions": {"type": "array", "items": {"$ref": "#/$defs/subscription"}},
                    "users": {"type": "array", "items": {"$ref": "#/$defs/user"}},
                    "users_csv": {"type": "string", "pattern": "\\.[cC][sS][vV]\\s*$", "description": "A CSV file of more users (relative to the plan file): columns email, first_name, last_name, optionally admin; a user `users` lists itself wins."},
                    "groups": {"type": "array", "items": {"$ref": "#/$defs/group"}},
                    "roles": {"type": "array", "items": {"$ref": "#/$defs/role"}},
                    "prune": {"$ref": "#/$defs/prune"}
                }
            },
            "defaults": {
                "type": "object",
                "description": "A baseline every organization holds besides its own: its own item of the same claim code, e-mail, group name or product and role wins, and its own prune replaces this one.",
                "additionalProperties": false,
                "properties": {
                    "subscriptions": {"type": "array", "items": {"$ref": "#/$defs/subscription"}},
                    "users": {"type": "array", "items": {"$ref": "#/$defs/user"}},
                    "groups": {"type": "array", "items": {"$ref": "#/$defs/group"}},
                    "roles": {"type": "array", "items": {"$ref": "#/$defs/role"}},
                    "prune": {"$ref": "#/$defs/prune"}
                }
            },
            "subscription": {
                "type": "object",
                "additionalProperties": false,
                "required": ["claim_code"],
                "properties": {
                    "claim_code": {"type": "string", "minLength": 1, "description": "The claim code (XXXX-XXXX-XXXX-XXXX); claimed once."},
                    "region": {"enum": closed(RegionCode::KNOWN), "description": "Preferred region of the products."}
                }
            },
            "user": {
                "type": "object",
                "additionalProperties": false,
                "required": ["email", "first_name", "last_name"],
                "properties": {
                    "email": {"type": "string", "minLength": 3, "description": "E-mail (how users are matched)."},
                    "first_name": {"type": "string", "minLength": 1},
                    "last_name": {"type": "string", "minLength": 1},
                    "admin": {"type": "boolean", "description": "Holds the Organization Administrator role directly: true gives it, false takes a direct one away; absent leaves it."},
                    "enabled": {"type": "boolean", "description": "May sign in: false disables the user, true enables a disabled one; absent leaves it."}
                }
            },
            "group": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "description": "Its name (matched in any case)."},
                    "description": {"type": "string"},
                    "applies_to": {"enum": closed(AppliesTo::KNOWN), "description": "Used when the group is created."},
                    "members": emails,
                    "managed_orgs": {"type": "array", "items": {"type": "string", "minLength": 1}, "description": "Organizations this (manager) organization manages that the group is shared into, by name or id."}
                }
            },
            "role": {
                "type": "object",
                "additionalProperties": false,
                "required": ["product", "role"],
                "properties": {
                    "product": {"type": "string", "minLength": 1, "description": "Product name, e.g. Security Cloud Control."},
                    "role": {"type": "string", "minLength": 1, "description": "Role display name, e.g. Organization Administrator."},
                    "groups": {"type": "array", "items": {"type": "string"}, "description": "Groups of this organization's plan that hold the role."},
                    "users": emails
                }
            },
            "prune": {
                "type": "object",
                "description": "What may be removed that the plan does not list (each removal is shown and confirmed).",
                "additionalProperties": false,
                "properties": {
                    "users": {"type": "boolean"},
                    "groups": {"type": "boolean"},
                    "members": {"type": "boolean"},
                    "roles": {"type": "boolean"},
                    "managed_orgs": {"type": "boolean", "description": "Stop sharing the plan's groups into managed organizations it does not list for them."}
                }
            }
        }
    })
}

/// Every place of `document` the schema refuses — a key it does not know (with the key meant, when
/// one is near), a key it requires that is missing, a value of the wrong kind or outside its closed
/// set — as (path, message), in the document's order: a file's typos all in one run.
pub(crate) fn refusals(document: &Value) -> Vec<(String, String)> {
    let schema = plan_file_schema();
    let mut found = Vec::new();
    walk(&schema, &schema, document, "", &mut found);
    found
}

fn walk(schema: &Value, node: &Value, value: &Value, path: &str, found: &mut Vec<(String, String)>) {
    let node = match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => match reference.strip_prefix("#/$defs/") {
            Some(name) => &schema["$defs"][name],
            None => return,
        },
        None => node,
    };
    let at = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    let here = if path.is_empty() { "the file" } else { path };
    let kind = node.get("type").and_then(Value::as_str);
    let fits = match kind {
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("boolean") => value.is_boolean(),
        _ => true,
    };
    if !fits {
        let wanted = match kind {
            Some("object") => "a mapping of keys",
            Some("array") => "a list",
            Some("string") => "text",
            _ => "true or false",
        };
        found.push((here.to_owned(), format!("is {}; it must be {wanted}", describe(value))));
        return;
    }
    if let Some(closed) = node.get("enum").and_then(Value::as_array)
        && !closed
            .iter()
            .any(|allowed| allowed.as_str() == value.as_str().map(str::trim))
    {
        let names: Vec<&str> = closed.iter().filter_map(Value::as_str).collect();
        found.push((
            here.to_owned(),
            format!("{} is not one of {}", describe(value), names.join(", ")),
        ));
        return;
    }
    if let (Some(object), Some(properties)) = (value.as_object(), node.get("properties").and_then(Value::as_object)) {
        for (key, item) in object {
            match properties.get(key) {
                Some(child) => walk(schema, child, item, &at(key), found),
                None => {
                    let meant = nearest(key, properties.keys().map(String::as_str))
                        .map(|meant| format!(" (did you mean `{meant}`?)"))
                        .unwrap_or_default();
                    let known: Vec<&str> = properties.keys().map(String::as_str).collect();
                    found.push((
                        at(key),
                        format!("unknown key `{key}`{meant}; known here: {}", known.join(", ")),
                    ));
                }
            }
        }
        for required in node.get("required").and_then(Value::as_array).into_iter().flatten() {
            if let Some(required) = required.as_str()
                && !object.contains_key(required)
            {
                found.push((here.to_owned(), format!("`{required}` is missing")));
            }
        }
    }
    if let (Some(items), Some(item_schema)) = (value.as_array(), node.get("items")) {
        for (index, item) in items.iter().enumerate() {
            walk(schema, item_schema, item, &format!("{path}[{index}]"), found);
        }
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "empty".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
        Value::Array(_) => "a list".to_owned(),
        other => {
            let text = other.to_string();
            if text.chars().count() > 40 {
                format!("{}…", text.chars().take(40).collect::<String>())
            } else {
                text
            }
        }
    }
}

/// The known key `key` was most likely meant as: its snake_case spelling (`firstName`), or one a
/// letter or two away.
fn nearest<'k>(key: &str, known: impl Iterator<Item = &'k str> + Clone) -> Option<&'k str> {
    let snake: String = key
        .chars()
        .flat_map(|c| {
            if c.is_ascii_uppercase() {
                vec!['_', c.to_ascii_lowercase()]
            } else if c == '-' || c == ' ' {
                vec!['_']
            } else {
                vec![c]
            }
        })
        .collect();
    if let Some(same) = known
        .clone()
        .find(|candidate| *candidate == snake.trim_start_matches('_'))
    {
        return Some(same);
    }
    known
        .map(|candidate| (distance(&key.to_ascii_lowercase(), candidate), candidate))
        .filter(|(distance, candidate)| *distance <= 2.min(candidate.len() / 2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// The edit distance of two short keys.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refused_place_at_once_with_the_key_meant() {
        let document = json!({"organisations": [], "organizations": [
            {"name": "Acme", "create": "yes", "region": "MARS",
             "users": [{"email": "a@acme.example", "firstName": "A", "lastname": "B"}],
             "prune": {"user": true}}]});
        let found = refusals(&document);
        let text: Vec<String> = found
            .iter()
            .map(|(path, message)| format!("{path}: {message}"))
            .collect();
        assert_eq!(
            text,
            [
                "organisations: unknown key `organisations` (did you mean `organizations`?); known here: defaults, organizations, tenant",
                "organizations[0].create: is \"yes\"; it must be true or false",
                "organizations[0].prune.user: unknown key `user` (did you mean `users`?); known here: groups, managed_orgs, members, roles, users",
                "organizations[0].region: \"MARS\" is not one of NAM, EMEA, APJC",
                "organizations[0].users[0].firstName: unknown key `firstName` (did you mean `first_name`?); known here: admin, email, enabled, first_name, last_name",
                "organizations[0].users[0].lastname: unknown key `lastname` (did you mean `last_name`?); known here: admin, email, enabled, first_name, last_name",
                "organizations[0].users[0]: `first_name` is missing",
                "organizations[0].users[0]: `last_name` is missing",
            ]
        );
        assert!(refusals(&json!({"organizations": [{"name": "Acme"}]})).is_empty());
    }

    /// Every property the schema names, by definition (`organization.users`, …).
    fn named(schema: &Value) -> Vec<String> {
        let mut names = Vec::new();
        for (definition, body) in schema["$defs"].as_object().into_iter().flatten() {
            for property in body["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, _)| name)
            {
                names.push(format!("{definition}.{property}"));
            }
        }
        names
    }

    #[test]
    fn a_document_with_every_property_of_the_schema_is_a_plan_file_and_back() {
        let document = json!({"tenant": "11111111-2222-3333-4444-555555555555",
            "defaults": {"subscriptions": [], "users": [], "groups": [{"name": "Base"}], "roles": [], "prune": {}},
            "organizations": [{
            "name": "Acme", "create": true, "region": "EMEA",
            "subscriptions": [{"claim_code": "AAAA-BBBB-CCCC-DDDD", "region": "NAM"}],
            "users": [{"email": "a@acme.example", "first_name": "A", "last_name": "B", "admin": true, "enabled": true}],
            "groups": [{"name": "SOC", "description": "d", "applies_to": "all", "members": ["a@acme.example"]}],
            "roles": [{"product": "Security Cloud Control", "role": "Organization Member", "groups": ["SOC"], "users": []}],
            "prune": {"users": true, "groups": true, "members": true, "roles": true, "managed_orgs": true}
        }, {"id": "11111111-2222-3333-4444-555555555555",
            "groups": [{"name": "SOC", "managed_orgs": ["Initech"]}]}]});
        let path = std::path::Path::new("every.json");
        let source = crate::parse(path, &document.to_string()).expect("the schema's properties are the model's");
        // Every key the model writes back is one the schema names.
        let written = serde_json::to_value(source.plan_file()).expect("json");
        let names = named(&plan_file_schema());
        let sections = [("organization", &written["organizations"][0])];
        for (definition, object) in sections {
            for key in object.as_object().expect("object").keys() {
                assert!(
                    names.contains(&format!("{definition}.{key}")),
                    "{definition}.{key} is not in the schema"
                );
            }
        }
        for (definition, list) in [
            ("subscription", "subscriptions"),
            ("user", "users"),
            ("group", "groups"),
            ("role", "roles"),
        ] {
            for key in written["organizations"][0][list][0].as_object().expect("object").keys() {
                assert!(
                    names.contains(&format!("{definition}.{key}")),
                    "{definition}.{key} is not in the schema"
                );
            }
        }
        for key in written["organizations"][1]["groups"][0]
            .as_object()
            .expect("object")
            .keys()
        {
            assert!(
                names.contains(&format!("group.{key}")),
                "group.{key} is not in the schema"
            );
        }
        // And the schema names nothing the model refuses.
        let count = names.len();
        assert_eq!(count, 10 + 5 + 2 + 5 + 5 + 4 + 5, "{names:?}");
    }
}

#[cfg(test)]
mod published {
    /// `schema/plan-file.json` is this schema (regenerate it with `scc schema > schema/plan-file.json`).
    #[test]
    fn the_published_schema_is_the_engines() {
        let published: serde_json::Value =
            serde_json::from_str(include_str!("../../../schema/plan-file.json")).expect("JSON");
        assert_eq!(published, super::plan_file_schema());
    }
}

#[cfg(test)]
mod spelling {
    #[test]
    fn the_closed_values_of_the_schema_are_those_the_plan_file_takes() {
        let schema = super::plan_file_schema();
        let defs = &schema["$defs"];
        let first = |value: &serde_json::Value| value["enum"][0].as_str().expect("enum").to_owned();
        let document = serde_json::json!({"organizations": [{"name": "A", "create": true,
            "region": first(&defs["organization"]["properties"]["region"]),
            "groups": [{"name": "G", "applies_to": first(&defs["group"]["properties"]["applies_to"])}],
            "subscriptions": [{"claim_code": "AAAA-BBBB-CCCC-DDDD",
                               "region": first(&defs["subscription"]["properties"]["region"])}]}]});
        crate::parse(std::path::Path::new("closed.json"), &document.to_string()).expect("taken");
        let refused = r#"{"organizations": [{"name": "A", "create": true, "region": "MARS"}]}"#;
        assert!(crate::parse(std::path::Path::new("mars.json"), refused).is_err());
    }
}
