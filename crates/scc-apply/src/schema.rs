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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(count, 9 + 5 + 2 + 5 + 5 + 4 + 5, "{names:?}");
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
