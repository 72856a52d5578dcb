//! Random bodies, parameters and tokens to every endpoint: never a 5xx, never a panic.

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::Emu;

const TEMPLATES: &[(&str, &str)] = &[
    ("GET", "/v1/organizations"),
    ("POST", "/v1/organizations"),
    ("GET", "/v1/organizations/{org}"),
    ("PUT", "/v1/organizations/{org}"),
    ("GET", "/v1/organizations/{org}/subscriptions"),
    ("POST", "/v1/organizations/{org}/subscriptions"),
    ("POST", "/v1/organizations/{org}/subscriptions/claimInfo"),
    ("GET", "/v1/organizations/{org}/subscriptions/{id}"),
    ("PUT", "/v1/organizations/{org}/subscriptions/{id}"),
    ("PATCH", "/v1/organizations/{org}/subscriptions/{id}"),
    ("GET", "/v1/organizations/{org}/users"),
    ("PATCH", "/v1/organizations/{org}/users"),
    ("GET", "/v1/organizations/{org}/users/{id}"),
    ("PUT", "/v1/organizations/{org}/users/{id}"),
    ("GET", "/v1/organizations/{org}/users/{id}/groups"),
    ("GET", "/v1/organizations/{org}/adminGroups"),
    ("POST", "/v1/organizations/{org}/adminGroups"),
    ("GET", "/v1/organizations/{org}/adminGroups/{id}"),
    ("PUT", "/v1/organizations/{org}/adminGroups/{id}"),
    ("PATCH", "/v1/organizations/{org}/adminGroups/{id}"),
    ("DELETE", "/v1/organizations/{org}/adminGroups/{id}"),
    ("GET", "/v1/organizations/{org}/adminGroups/{id}/managedOrgs"),
    ("GET", "/v1/organizations/{org}/adminGroups/{id}/roles"),
    ("GET", "/v1/organizations/{org}/adminGroups/{id}/users"),
    ("GET", "/v1/organizations/{org}/roles"),
    ("GET", "/v1/organizations/{org}/roles/{id}"),
    ("PATCH", "/v1/organizations/{org}/roles/{id}"),
    ("POST", "/v1/organizations/{org}/apiKeys/{id}/token"),
    ("POST", "/iroh/oauth2/token"),
    ("GET", "/iroh/profile/whoami"),
    ("GET", "/iroh/profile/org"),
    ("POST", "/iroh/profile/org"),
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9@._ -]{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "invite",
            "reset_mfa",
            "add",
            "remove",
            "NAM",
            "MANAGED",
            "all",
            "users",
            "name"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "name",
                    "regionCode",
                    "type",
                    "users",
                    "groups",
                    "managedOrg",
                    "operation",
                    "id",
                    "email",
                    "claimCode",
                    "products",
                    "entitlements",
                    "quantity",
                    "status",
                    "productId",
                    "factorId",
                    "firstName",
                    "settings",
                    "enabled?",
                    "description",
                    "appliesTo",
                ])
                .prop_map(str::to_owned),
                inner,
                0..5
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        json_value().prop_map(|value| Some(value.to_string())),
        "[ -~]{0,40}".prop_map(Some),
        Just(Some(
            json!({"users": [{"email": "p@example.com", "operation": "invite", "firstName": "P", "lastName": "Q"}]})
                .to_string()
        )),
    ]
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![Just("known".to_owned()), "[a-zA-Z0-9%-]{1,12}"]
}

fn query() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(vec![
                "max",
                "cursor",
                "name",
                "type",
                "status",
                "regionCode",
                "sortBy",
                "order",
                "user",
            ]),
            "[a-zA-Z0-9%=_-]{0,8}",
        ),
        0..4,
    )
    .prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    })
}

#[test]
fn no_input_yields_a_server_error() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let emu = runtime.block_on(Emu::start());
    let org = emu.org();
    let known_ids = runtime.block_on(crate::endpoints::ids(&emu));
    let tokens = [Some(emu.admin()), Some(emu.member()), None, Some("garbage".to_owned())];
    let config = ProptestConfig {
        cases: 192,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(
        endpoint in 0..TEMPLATES.len(),
        id in segment(),
        org_choice in prop::bool::ANY,
        query in query(),
        body in body(),
        token in 0..4usize,
    )| {
        let (method, template) = TEMPLATES[endpoint];
        let id = if id == "known" { known_ids.group.clone() } else { id };
        let org_segment = if org_choice { org.clone() } else { "not-an-org".to_owned() };
        let path = template.replace("{org}", &org_segment).replace("{id}", &id);
        let path = if query.is_empty() { path } else { format!("{path}?{query}") };
        let answer = runtime.block_on(emu.raw(method, &path, tokens[token].as_deref(), body.as_deref(), "application/json"));
        prop_assert!(answer.status < 500, "{method} {path} answered {}: {}", answer.status, answer.body);
    });
}
