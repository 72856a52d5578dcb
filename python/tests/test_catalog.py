"""The SDK's one table of operations (``scc_sdk::catalog``) against the Python face: every operation is a
method of its resource on both clients and in the stubs, the native dispatch knows every one that sends a
request, and no public resource method is missing from the table."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Dict, List

import pytest

from scc_sdk import AsyncClient, Client, _native
from scc_sdk.xdr import XdrClient
from scc_sdk.exceptions import SCCError

OPERATIONS: List[Dict[str, Any]] = _native.operations()
STUBS = (Path(__file__).resolve().parents[1] / "scc_sdk" / "_resources.pyi").read_text()
# 1.0.6 kept a group's members under users and its roles under roles too; they send the groups' operations.
ALIASES = {"users.get_users": "groups.get_users", "roles.get_assigned_roles": "groups.get_assigned_roles"}


def resource_of(client: Any, name: str) -> Any:
    resource, _ = name.split(".", 1)
    return client.profile if resource == "xdr" else getattr(client, resource)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation["name"])
def test_every_operation_is_a_method_of_its_resource(operation: Dict[str, Any]) -> None:
    name = operation["name"]
    verb = name.split(".", 1)[1]
    clients = [XdrClient(token="t")] if name.startswith("xdr.") else \
        [Client(access_token="t", base_url="http://127.0.0.1:9"),
         AsyncClient(access_token="t", base_url="http://127.0.0.1:9")]
    for client in clients:
        assert callable(getattr(resource_of(client, name), verb, None)), f"{type(client).__name__}: {name}"
    if not name.startswith(("xdr.", "tokens.")):
        assert f"def {verb}(" in STUBS, f"{name} has no stub"


@pytest.mark.parametrize("operation", [operation for operation in OPERATIONS
                                       if operation["method"] and not operation["name"].startswith("xdr.")],
                         ids=lambda operation: operation["name"])
def test_the_native_dispatch_knows_every_operation_that_sends_a_request(operation: Dict[str, Any]) -> None:
    # Without arguments most are refused for a missing field; some plan (every argument optional, or
    # the bulk items answered as not sent): neither is "unknown operation".
    try:
        _native.plan(operation["name"], {})
    except SCCError as refused:
        assert "is not an operation" not in str(refused)


def test_the_native_dispatch_refuses_a_name_outside_the_table() -> None:
    with pytest.raises(SCCError, match="is not an operation"):
        _native.plan("users.nothing", {})


def test_no_public_resource_method_is_missing_from_the_table() -> None:
    names = {operation["name"] for operation in OPERATIONS}
    client = Client(access_token="t", base_url="http://127.0.0.1:9")
    for resource in ("organizations", "subscriptions", "users", "groups", "roles", "tokens"):
        for verb, _ in inspect.getmembers(getattr(client, resource), inspect.ismethod):
            if not verb.startswith("_"):
                name = f"{resource}.{verb}"
                assert ALIASES.get(name, name) in names, f"{name} is not in scc_sdk::catalog"
    for verb, _ in inspect.getmembers(XdrClient(token="t").profile, inspect.ismethod):
        if not verb.startswith("_"):
            assert f"xdr.{verb}" in names


def test_reads_and_writes_are_marked() -> None:
    by_name = {operation["name"]: operation for operation in OPERATIONS}
    assert by_name["users.list"]["reads"] and not by_name["users.list"]["destructive"]
    assert not by_name["users.remove"]["reads"] and by_name["users.remove"]["destructive"]
    assert by_name["subscriptions.read_claim_code"] == {**by_name["subscriptions.read_claim_code"],
                                                        "method": "POST", "reads": True}
    assert by_name["groups.delete"]["method"] == "DELETE"
