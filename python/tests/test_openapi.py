"""The API description (``openapi/scc.json``) against every face of the toolkit: it is a valid
OpenAPI 3.1 document, the emulator serves it, every request the SDK plans is one of its operations
with a body its schema accepts, and every answer the emulator gives to those requests validates
against the documented response."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource

from scc_sdk import _native
from scc_sdk.testing import Emulator

DOCUMENT: Dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "openapi" / "scc.json").read_text())
REGISTRY: Registry = Registry().with_resource("urn:scc", Resource.from_contents(
    {"components": DOCUMENT["components"], "$schema": "https://json-schema.org/draft/2020-12/schema"}))


def schema_valid(schema: Dict[str, Any], value: Any) -> List[str]:
    """Why ``value`` breaks ``schema`` (a ``$ref`` into the document's components), each error once."""
    rooted = json.loads(json.dumps(schema).replace('"#/components/', '"urn:scc#/components/'))
    validator = Draft202012Validator(rooted, registry=REGISTRY)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(value)]


def operation_of(method: str, path: str) -> Tuple[str, Dict[str, Any]]:
    """The documented operation of ``method`` on ``path`` (below ``/v1``)."""
    for template, operations in DOCUMENT["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return template, operations[method.lower()]
    raise AssertionError(f"{method} {path} is no documented operation")


def test_the_document_is_valid_openapi_31_with_every_operation_of_the_reference() -> None:
    validate_spec(DOCUMENT)
    assert DOCUMENT["openapi"].startswith("3.1")
    operations = [op["operationId"] for ops in DOCUMENT["paths"].values() for op in ops.values()]
    assert len(operations) == len(set(operations)) == 28


def test_the_emulator_serves_the_document_with_itself_as_server(emu: Emulator) -> None:
    with urllib.request.urlopen(f"{emu.base_url}/openapi.json") as answer:
        served = json.loads(answer.read())
    assert served["servers"] == [{"url": f"{emu.base_url}/v1", "description": "this emulator"}]
    assert {**served, "servers": DOCUMENT["servers"]} == DOCUMENT


def calls(emu: Emulator) -> List[Tuple[str, Dict[str, Any]]]:
    """One call of every operation, with ids the emulator holds, in an order where each finds what it needs."""
    org = emu.org_id
    code = emu.claim_codes[0]
    return [
        ("organizations.list", {"max": 2}),
        ("organizations.get", {"org_id": org}),
        ("organizations.create", {"name": "Described Co", "region_code": "EMEA", "type": "MANAGED"}),
        ("organizations.update", {"org_id": org, "name": "Acme MSP"}),
        ("subscriptions.read_claim_code", {"org_id": org, "claim_code": code}),
        ("subscriptions.list", {"org_id": org}),
        ("users.list", {"org_id": org}),
        ("users.patch", {"org_id": org, "users": [
            {"email": "described@acme.example", "operation": "invite", "firstName": "De", "lastName": "Scribed"}]}),
        ("groups.list", {"org_id": org}),
        ("groups.create", {"org_id": org, "name": "Described", "description": "d", "applies_to": "all"}),
        ("roles.list", {"org_id": org}),
    ]


def send(emu: Emulator, planned: Dict[str, Any]) -> Tuple[int, Any]:
    """The planned request, sent to the emulator as the SDK would send it."""
    path = "/" + planned["url"].split("/", 3)[3]
    body = planned["body"]
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(emu.base_url + path, data=data, method=planned["method"], headers={
        "Authorization": f"Bearer {emu.admin_token}", "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request) as answer:
            text = answer.read()
            return answer.status, json.loads(text) if text else None
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"null")


def check(emu: Emulator, operation: str, args: Dict[str, Any]) -> Tuple[int, Any]:
    planned: Dict[str, Any] = json.loads(_native.plan(operation, args))
    planned = planned.get("request", planned) if operation == "users.patch" else planned
    path = "/" + planned["url"].split("/", 4)[4].split("?")[0]
    template, documented = operation_of(planned["method"], path)
    assert documented["operationId"] == operation, (operation, template)
    if planned["body"] is not None:
        schema = documented["requestBody"]["content"]["application/json"]["schema"]
        assert schema_valid(schema, planned["body"]) == [], (operation, planned["body"])
    status, answer = send(emu, planned)
    responses = documented["responses"]
    described: Optional[Dict[str, Any]] = responses.get(str(status)) or responses.get("default")
    assert described is not None, (operation, status)
    if "content" in described:
        schema = described["content"]["application/json"]["schema"]
        assert schema_valid(schema, answer) == [], (operation, status, answer)
    return status, answer


def test_every_request_the_sdk_plans_and_every_answer_the_emulator_gives_match_the_document(emu: Emulator) -> None:
    answers = {operation: check(emu, operation, args) for operation, args in calls(emu)}
    assert all(status < 300 for status, _ in answers.values()), answers
    org = emu.org_id
    group = answers["groups.create"][1]["id"]
    user = answers["users.list"][1]["users"][0]["id"]
    role = answers["roles.list"][1]["roles"][0]["id"]
    code = emu.claim_codes[1]
    # Quantities change in a MANAGED organization only: the subscription is claimed into one.
    managed = emu.managed_org_ids[0]
    info = check(emu, "subscriptions.read_claim_code", {"org_id": managed, "claim_code": code})[1]
    product = info["products"][0]
    region = product["allowedRegions"][0]["regionCode"]
    created = check(emu, "subscriptions.create", {"org_id": managed, "claim_code": code, "products": [
        {"id": product["id"], "regionCode": region, "useExistingTenant": False}]})
    subscription = created[1]["id"]
    product_id = created[1]["products"][0]["id"]
    entitlement = created[1]["products"][0]["entitlements"][0]["id"]
    rest: List[Tuple[str, Dict[str, Any]]] = [
        ("subscriptions.get", {"org_id": managed, "subscription_id": subscription}),
        ("subscriptions.patch", {"org_id": managed, "subscription_id": subscription,
                                 "entitlements": [{"id": entitlement, "quantity": 3}]}),
        ("subscriptions.update", {"org_id": managed, "subscription_id": subscription, "product_id": product_id,
                                  "status": False}),
        ("users.get", {"org_id": org, "user_id": user}),
        ("users.update", {"org_id": org, "user_id": user, "last_name": "Admin"}),
        ("users.get_groups", {"org_id": org, "user_id": user}),
        ("groups.get", {"org_id": org, "group_id": group}),
        ("groups.update", {"org_id": org, "group_id": group, "description": "described"}),
        ("groups.patch", {"org_id": org, "group_id": group,
                          "users": [{"operation": "add", "id": "bob.analyst@acme.example"}]}),
        ("groups.get_users", {"org_id": org, "group_id": group}),
        ("groups.get_assigned_roles", {"org_id": org, "group_id": group}),
        ("groups.get_managed_organizations", {"org_id": org, "group_id": group}),
        ("roles.get", {"org_id": org, "role_id": role}),
        ("roles.patch", {"org_id": org, "role_id": role, "groups": [{"operation": "add", "id": group}]}),
        ("groups.delete", {"org_id": org, "group_id": group}),
    ]
    for operation, args in rest:
        status, answer = check(emu, operation, args)
        assert status < 300, (operation, status, answer)
    # An error answer is the documented envelope too.
    status, answer = check(emu, "organizations.get", {"org_id": "no-such-organization"})
    assert status == 404 and answer["statusCode"] == 404


@pytest.mark.parametrize("operation", ["tokens.refresh"])
def test_the_token_refresh_is_documented_as_the_sdk_sends_it(operation: str, emu: Emulator) -> None:
    planned = json.loads(_native.plan(operation, {
        "org_id": emu.org_id, "api_key_id": emu.admin["api_key_id"], "refresh_token": emu.admin["refresh_token"]}))
    path = "/" + planned["url"].split("/", 4)[4]
    _, documented = operation_of(planned["method"], path)
    assert documented["operationId"] == operation
    form = documented["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    fields = dict(pair.split("=", 1) for pair in planned["body"].split("&"))
    assert schema_valid(form, fields) == []
