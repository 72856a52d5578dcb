"""cisco-scc-sdk 1.0.5/1.0.6 code, unit tests and networks, unchanged: every request shape 1.0.6's own
resource tests assert, on the wire and through a test double; the call forms where the two versions
differ; exceptions as tests build and catch them; arguments nothing reads; import paths; the
``AsyncClient`` as a coroutine API; timeouts; the recording stub; TLS with a private CA."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import pickle
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from unittest import mock
from urllib.parse import parse_qs

import pytest

import scc_sdk
from helpers import clear_journal, journal
from scc_sdk import AsyncClient, Client, SCCError
from scc_sdk.testing import Emulator, Stub

ORG = "org-123"

# (call on a client, the request 1.0.6's tests assert: method, path below /v1, query, JSON body), written
# from cisco-scc-sdk 1.0.6's tests/test_resources*.py. The one difference: `type="MANAGED"` (an
# organization type) is not sent as a subscription type but warned of, as
# docs/decisions.md, "Subscription type and patch" says.
Shape = Tuple[str, Callable[[Any], Any], str, str, Dict[str, Any], Any]
SHAPES: List[Shape] = [
    ("groups.list paginates", lambda c: c.groups.list(org_id=ORG, max=50, cursor="cursor-1"),
     "GET", f"organizations/{ORG}/adminGroups", {"max": 50, "cursor": "cursor-1"}, None),
    ("roles.list by user", lambda c: c.roles.list(org_id=ORG, type="STATIC", user="00u2k67hy1xf3mRxG0h8"),
     "GET", f"organizations/{ORG}/roles", {"type": "STATIC", "user": "00u2k67hy1xf3mRxG0h8"}, None),
    ("subscriptions.patch", lambda c: c.subscriptions.patch(
        org_id=ORG, subscription_id="sub-456", entitlements=[{"id": "E3S-AIDEF-ADV", "quantity": 10}],
        use_existing_tenants_for_products=["8a9f43fa-f8f5-4aac-8d0b-380cf6656255"]),
     "PATCH", f"organizations/{ORG}/subscriptions/sub-456", {},
     {"entitlements": [{"id": "E3S-AIDEF-ADV", "quantity": 10}],
      "useExistingTenantsForProducts": ["8a9f43fa-f8f5-4aac-8d0b-380cf6656255"]}),
    ("users.invite is_admin", lambda c: c.users.invite(org_id=ORG, email="john.doe@example.com", first_name="John",
                                                      last_name="Doe", is_admin=True),
     "PATCH", f"organizations/{ORG}/users", {},
     {"users": [{"email": "john.doe@example.com", "operation": "invite", "firstName": "John", "lastName": "Doe",
                 "isAdmin": True}]}),
    ("users.reset_password", lambda c: c.users.reset_password(org_id=ORG, email="john.doe@example.com"),
     "PATCH", f"organizations/{ORG}/users", {},
     {"users": [{"email": "john.doe@example.com", "operation": "reset_password"}]}),
    ("users.reset_mfa", lambda c: c.users.reset_mfa(org_id=ORG, email="john.doe@example.com",
                                                   factor_id="uft2odnt5ez9xSslf0h8"),
     "PATCH", f"organizations/{ORG}/users", {},
     {"users": [{"email": "john.doe@example.com", "factorId": "uft2odnt5ez9xSslf0h8", "operation": "reset_mfa"}]}),
    ("organizations.list filters", lambda c: c.organizations.list(
        name="Acme", type="MANAGED", region_code="NAM", country_code="US", manager_org_id="mgr-123", max=50,
        cursor="cursor-1", sort_by="name", order="ASC"),
     "GET", "organizations", {"name": "Acme", "type": "MANAGED", "regionCode": "NAM", "countryCode": "US",
                              "managerOrgId": "mgr-123", "max": 50, "cursor": "cursor-1", "sortBy": "name",
                              "order": "ASC"}, None),
    ("organizations.get", lambda c: c.organizations.get(org_id=ORG), "GET", f"organizations/{ORG}", {}, None),
    ("organizations.create", lambda c: c.organizations.create(name="New Org", region_code="EMEA", type="MANAGED"),
     "POST", "organizations", {}, {"name": "New Org", "regionCode": "EMEA", "type": "MANAGED"}),
    ("organizations.update", lambda c: c.organizations.update(org_id=ORG, name="Updated Org"),
     "PUT", f"organizations/{ORG}", {}, {"name": "Updated Org"}),
    ("groups.get", lambda c: c.groups.get(org_id=ORG, group_id="grp-456"),
     "GET", f"organizations/{ORG}/adminGroups/grp-456", {}, None),
    ("groups.create", lambda c: c.groups.create(org_id=ORG, name="Admins", description="Admin group",
                                               applies_to="all"),
     "POST", f"organizations/{ORG}/adminGroups", {}, {"name": "Admins", "description": "Admin group",
                                                    "appliesTo": "all"}),
    ("groups.update", lambda c: c.groups.update(org_id=ORG, group_id="grp-456", name="Super Admins",
                                               description="Super admin group"),
     "PUT", f"organizations/{ORG}/adminGroups/grp-456", {}, {"name": "Super Admins",
                                                            "description": "Super admin group"}),
    ("groups.delete", lambda c: c.groups.delete(org_id=ORG, group_id="grp-456"),
     "DELETE", f"organizations/{ORG}/adminGroups/grp-456", {}, None),
    ("groups.patch users", lambda c: c.groups.patch(org_id=ORG, group_id="grp-456",
                                                   users=[{"operation": "add", "id": "user@example.com"}]),
     "PATCH", f"organizations/{ORG}/adminGroups/grp-456", {},
     {"users": [{"operation": "add", "id": "user@example.com"}]}),
    ("groups.patch managed orgs", lambda c: c.groups.patch(org_id=ORG, group_id="grp-456",
                                                          managed_orgs=[{"operation": "remove", "id": "org-789"}]),
     "PATCH", f"organizations/{ORG}/adminGroups/grp-456", {},
     {"managedOrg": [{"operation": "remove", "id": "org-789"}]}),
    ("groups.get_managed_organizations", lambda c: c.groups.get_managed_organizations(org_id=ORG,
                                                                                      group_id="grp-456"),
     "GET", f"organizations/{ORG}/adminGroups/grp-456/managedOrgs", {}, None),
    ("groups.get_assigned_roles", lambda c: c.groups.get_assigned_roles(org_id=ORG, group_id="grp-456"),
     "GET", f"organizations/{ORG}/adminGroups/grp-456/roles", {}, None),
    ("roles.get", lambda c: c.roles.get(org_id=ORG, role_id="role-456"),
     "GET", f"organizations/{ORG}/roles/role-456", {}, None),
    ("roles.list no filters", lambda c: c.roles.list(org_id=ORG), "GET", f"organizations/{ORG}/roles", {}, None),
    ("subscriptions.list by name", lambda c: c.subscriptions.list(org_id=ORG, name="Premium"),
     "GET", f"organizations/{ORG}/subscriptions", {"name": "Premium"}, None),
    ("subscriptions.get", lambda c: c.subscriptions.get(org_id=ORG, subscription_id="sub-456"),
     "GET", f"organizations/{ORG}/subscriptions/sub-456", {}, None),
    ("subscriptions.create products", lambda c: c.subscriptions.create(
        org_id=ORG, claim_code="ABCD-EFGH-IJKL-MNOP", type="paid", products=[{"id": "prod-123",
                                                                              "regionCode": "NAM"}]),
     "POST", f"organizations/{ORG}/subscriptions", {},
     {"claimCode": "ABCD-EFGH-IJKL-MNOP", "type": "paid", "products": [{"id": "prod-123", "regionCode": "NAM"}]}),
    ("subscriptions.update", lambda c: c.subscriptions.update(
        org_id=ORG, subscription_id="sub-456", product_id="prod-789", status=True, region_code="NAM",
        source_instance_id="instance-123", initial_admin="admin@example.com"),
     "PUT", f"organizations/{ORG}/subscriptions/sub-456", {},
     {"productId": "prod-789", "status": True, "regionCode": "NAM", "sourceInstanceId": "instance-123",
      "initialAdmin": "admin@example.com"}),
    ("users.disable", lambda c: c.users.disable(org_id=ORG, email="user@example.com"),
     "PATCH", f"organizations/{ORG}/users", {}, {"users": [{"email": "user@example.com", "operation": "disable"}]}),
    ("users.enable", lambda c: c.users.enable(org_id=ORG, email="user@example.com"),
     "PATCH", f"organizations/{ORG}/users", {}, {"users": [{"email": "user@example.com", "operation": "enable"}]}),
    ("users.remove", lambda c: c.users.remove(org_id=ORG, email="user@example.com"),
     "PATCH", f"organizations/{ORG}/users", {}, {"users": [{"email": "user@example.com", "operation": "remove"}]}),
    ("users.resend_email_invite", lambda c: c.users.resend_email_invite(org_id=ORG, email="user@example.com"),
     "PATCH", f"organizations/{ORG}/users", {},
     {"users": [{"email": "user@example.com", "operation": "resend_email_invite"}]}),
    ("users.update partial", lambda c: c.users.update(org_id=ORG, user_id="user-456", first_name="John"),
     "PUT", f"organizations/{ORG}/users/user-456", {}, {"firstName": "John"}),
    ("users.get", lambda c: c.users.get(org_id=ORG, user_id="user-456"),
     "GET", f"organizations/{ORG}/users/user-456", {}, None),
    ("users.list by status", lambda c: c.users.list(org_id=ORG, status="ACTIVE"),
     "GET", f"organizations/{ORG}/users", {"status": "ACTIVE"}, None),
    ("users.get_groups", lambda c: c.users.get_groups(org_id=ORG, user_id="user-456"),
     "GET", f"organizations/{ORG}/users/user-456/groups", {}, None),
    ("subscriptions.read_claim_code", lambda c: c.subscriptions.read_claim_code(org_id=ORG, claim_code="ABCD"),
     "POST", f"organizations/{ORG}/subscriptions/claimInfo", {}, {"claimCode": "ABCD"}),
]


def wire_query(raw: Optional[str]) -> Dict[str, Any]:
    """The journal's query string as 1.0.6's tests write params (`max` a number)."""
    return {key: int(values[-1]) if key == "max" else values[-1]
            for key, values in parse_qs(raw or "", keep_blank_values=True).items()}


@pytest.mark.parametrize("shape", SHAPES, ids=[shape[0] for shape in SHAPES])
def test_each_request_shape_of_the_original_tests_on_the_wire(shape: Shape, client: Client, emu: Emulator) -> None:
    _, call, method, path, query, body = shape
    clear_journal(emu)
    try:
        call(client)
    except SCCError:
        pass  # org-123 does not exist on the emulator; the request is what is checked.
    [request] = journal(emu)
    assert (request["method"], request["path"], wire_query(request["query"]), request["body"]) == \
        (method, f"/v1/{path}", query, body)


class DummyClient:
    """The stand-in client of cisco-scc-sdk 1.0.6's own tests: records each call, answers {}."""

    def __init__(self) -> None:
        self.calls: List[Tuple[Any, ...]] = []

    def get(self, endpoint: str, params: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        self.calls.append(("GET", endpoint, params))
        return {}

    def post(self, endpoint: str, json: Any = None) -> Dict[str, Any]:
        self.calls.append(("POST", endpoint, json))
        return {}

    def put(self, endpoint: str, json: Any = None) -> Dict[str, Any]:
        self.calls.append(("PUT", endpoint, json))
        return {}

    def patch(self, endpoint: str, json: Any = None) -> Dict[str, Any]:
        self.calls.append(("PATCH", endpoint, json))
        return {}

    def delete(self, endpoint: str) -> Dict[str, Any]:
        self.calls.append(("DELETE", endpoint))
        return {}


class DummyHolder:
    """Resources built on a stand-in client, as 1.0.6's tests build them."""

    def __init__(self, client: Any) -> None:
        from scc_sdk.resources.groups import GroupsResource
        from scc_sdk.resources.organizations import OrganizationsResource
        from scc_sdk.resources.roles import RolesResource
        from scc_sdk.resources.subscriptions import SubscriptionsResource
        from scc_sdk.resources.users import UsersResource

        self.organizations = OrganizationsResource(client)
        self.groups = GroupsResource(client)
        self.roles = RolesResource(client)
        self.subscriptions = SubscriptionsResource(client)
        self.users = UsersResource(client)


def original_call(method: str, path: str, query: Dict[str, Any], body: Any, operation: str) -> Tuple[Any, ...]:
    """What 1.0.6's stand-in records: GETs of a list pass params (perhaps empty), other GETs none."""
    if method == "GET":
        return (method, path, query if query or ".list" in operation else None)
    if method == "DELETE":
        return (method, path)
    return (method, path, body)


@pytest.mark.parametrize("shape", SHAPES, ids=[shape[0] for shape in SHAPES])
def test_each_request_shape_of_the_original_tests_through_their_test_double(shape: Shape) -> None:
    name, call, method, path, query, body = shape
    dummy = DummyClient()
    call(DummyHolder(dummy))
    operation = name.split(" ")[0]
    assert dummy.calls == [original_call(method, path, query, body, operation)]


def test_calls_of_several_requests_say_a_test_double_cannot_take_them() -> None:
    from scc_sdk.resources.groups import GroupsResource
    from scc_sdk.resources.roles import RolesResource
    from scc_sdk.resources.users import UsersResource

    dummy = DummyClient()
    for call in [lambda: UsersResource(dummy).patch_all(ORG, [{"email": "a@example.com", "operation": "enable"}]),
                 lambda: RolesResource(dummy).find_role_id(ORG, "Platform", "Organization Administrator"),
                 lambda: GroupsResource(dummy).remove_shared_group(ORG, "grp-456")]:
        with pytest.raises(scc_sdk.InvalidInputError, match="needs an scc_sdk Client"):
            call()
    assert dummy.calls == []


def test_the_original_reset_mfa_check_is_a_value_error_on_a_test_double() -> None:
    from scc_sdk.resources.users import UsersResource

    dummy = DummyClient()
    with pytest.raises(ValueError, match="factorId"):
        UsersResource(dummy).patch(org_id=ORG, users=[{"email": "john.doe@example.com", "operation": "reset_mfa"}])
    assert dummy.calls == []


def test_a_test_that_patches_a_clients_verbs_sees_the_resources_requests(emu: Emulator) -> None:
    client = emu.client()
    clear_journal(emu)
    with mock.patch.object(client, "get", return_value={"users": []}) as get:
        assert client.users.list(org_id=ORG, status="ACTIVE") == {"users": []}
    get.assert_called_once_with(f"organizations/{ORG}/users", params={"status": "ACTIVE"})
    with mock.patch.object(Client, "post", return_value={"id": "new"}) as post:
        assert client.organizations.create(name="New Org", region_code="NAM") == {"id": "new"}
    post.assert_called_once_with("organizations", json={"name": "New Org", "regionCode": "NAM",
                                                        "type": "STANDALONE"})
    assert journal(emu) == []
    # Unpatched, the same client sends again.
    assert client.organizations.get(org_id=emu.org_id)["id"] == emu.org_id


def test_the_1_0_6_positional_status_of_users_list(client: Client, emu: Emulator) -> None:
    clear_journal(emu)
    active = client.users.list(emu.org_id, "ACTIVE")
    [request] = journal(emu)
    assert request["path"] == f"/v1/organizations/{emu.org_id}/users" and request["query"] == "status=ACTIVE"
    assert active["users"] and all(user["status"] == "ACTIVE" for user in active["users"])
    with pytest.raises(TypeError, match="status=") as caught:
        client.users.list(emu.org_id, "ACTIVE", "PENDING")
    assert "group_id=" in str(caught.value)


def test_subscriptions_create_in_either_order(client: Client, emu: Emulator) -> None:
    codes = emu.claim_codes[:3]
    products = [client.subscriptions.build_products_from_claim_info(
        client.subscriptions.read_claim_code(org_id=emu.org_id, claim_code=code)) for code in codes]
    # 1.0.6's own product form: no useExistingTenant, no regionDescription.
    minimal = [[{"id": product["id"], "regionCode": product["regionCode"]} for product in chosen]
               for chosen in products]
    clear_journal(emu)
    # 1.0.6's order (type before products), with None and with a type; then the seed's order.
    client.subscriptions.create(emu.org_id, codes[0], None, products[0])
    client.subscriptions.create(emu.org_id, codes[1], "paid", minimal[1])
    client.subscriptions.create(emu.org_id, codes[2], minimal[2], "trial")
    bodies = [request["body"] for request in journal(emu)]
    assert bodies == [
        {"claimCode": codes[0], "products": products[0]},
        {"claimCode": codes[1], "type": "paid", "products": minimal[1]},
        {"claimCode": codes[2], "type": "trial", "products": minimal[2]},
    ]
    for wrong in [("paid", "trial"), (minimal[0], minimal[0]), (42, None)]:
        with pytest.raises(TypeError, match="either order"):
            client.subscriptions.create(emu.org_id, "X", *wrong)


def test_client_takes_either_positional_order_of_base_url_and_base_path() -> None:
    assert Client("t", "https://api.example.com", "v2").base_url == "https://api.example.com/v2"
    assert Client("t", "v2", "https://api.example.com").base_url == "https://api.example.com/v2"
    with pytest.raises(scc_sdk.InvalidInputError, match="1.0.6's order") as caught:
        Client("t", "v2", "v3")
    assert caught.value.field == "base_url" and isinstance(caught.value, ValueError)


@pytest.mark.parametrize("name", scc_sdk.exceptions.__all__)
def test_every_exception_is_built_as_the_original_built_them(name: str) -> None:
    cls = getattr(scc_sdk.exceptions, name)
    bare = cls()
    assert str(bare) == "" and bare.message == "" and isinstance(bare, SCCError)
    with_text = cls("Organization not found")
    assert str(with_text) == "Organization not found" and with_text.args == ("Organization not found",)
    side_effect = mock.Mock(side_effect=cls())
    with pytest.raises(cls):
        side_effect()
    assert type(pickle.loads(pickle.dumps(with_text))) is cls


def test_arguments_nothing_reads_are_type_errors(client: Client, emu: Emulator) -> None:
    clear_journal(emu)
    with pytest.raises(TypeError, match="region"):
        list(client.iter_organizations(region="NAM"))  # type: ignore[call-arg]
    # Across the native boundary too: a misspelt key between the Python layer and the core.
    with pytest.raises(TypeError, match="regin_code"):
        client._native.call("organizations.list", {"regin_code": "NAM"})
    assert journal(emu) == []
    assert [org["regionCode"] for org in client.iter_organizations(region_code="EMEA")] and all(
        org["regionCode"] == "EMEA" for org in client.iter_organizations(region_code="EMEA"))


def test_remove_shared_group_never_deletes_a_group(client: Client, emu: Emulator) -> None:
    managed = emu.managed_org_ids[0]
    shared = client.groups.create(org_id=emu.org_id, name="MSP Analysts", applies_to="selected_managed")
    client.groups.patch(org_id=emu.org_id, group_id=shared["id"], managed_orgs=[{"operation": "add", "id": managed}])
    own = client.groups.create(org_id=managed, name="Customer Admins")
    # The manager's own group named with the manager (no manager above it), and a managed
    # organization's own group: refused, nothing deleted.
    for org_id, group_id in [(emu.org_id, shared["id"]), (managed, own["id"])]:
        clear_journal(emu)
        with pytest.raises(scc_sdk.InvalidInputError, match="groups.delete") as caught:
            client.groups.remove_shared_group(org_id=org_id, group_id=group_id)
        assert caught.value.field == "group_id" and isinstance(caught.value, ValueError)
        assert [r["method"] for r in journal(emu)] == ["GET"] * len(journal(emu)) and journal(emu)
    assert client.groups.get(org_id=emu.org_id, group_id=shared["id"])["id"] == shared["id"]
    assert client.groups.get(org_id=managed, group_id=own["id"])["id"] == own["id"]
    # The share itself is removed, and the manager's group stays.
    assert client.groups.remove_shared_group(org_id=managed, group_id=shared["id"]) is True
    with pytest.raises(scc_sdk.NotFoundError):
        client.groups.get(org_id=managed, group_id=shared["id"])
    assert client.groups.get(org_id=emu.org_id, group_id=shared["id"])["id"] == shared["id"]


def test_a_bulk_user_patch_sends_the_good_items_and_reports_each_bad_one(client: Client, emu: Emulator) -> None:
    clear_journal(emu)
    items = [
        {"email": "good.one@example.com", "operation": "invite", "firstName": "Good", "lastName": "One"},
        {"email": "mike@contoso,com", "operation": "invite", "firstName": "Mike", "lastName": "Typo"},
        {"email": "good.two@example.com", "operation": "invite", "firstName": "Good", "lastName": "Two"},
    ]
    answer = client.users.patch(org_id=emu.org_id, users=items)
    [request] = journal(emu)
    assert [user["email"] for user in request["body"]["users"]] == ["good.one@example.com", "good.two@example.com"]
    results = answer["results"]
    assert [result["id"] for result in results] == [item["email"] for item in items]
    assert [result["status"] for result in results] == ["success", "failed", "success"]
    assert results[1]["sent"] is False and "users[1].email" in results[1]["errorDescription"]
    emails = {user["email"] for user in client.users.list(org_id=emu.org_id)["users"]}
    assert {"good.one@example.com", "good.two@example.com"} <= emails and "mike@contoso,com" not in emails
    # Nothing good to send: nothing is sent, and the answer says why.
    clear_journal(emu)
    only_bad = client.users.invite(org_id=emu.org_id, email="not-an-email", first_name="A", last_name="B")
    assert journal(emu) == [] and only_bad["results"][0]["sent"] is False


@pytest.mark.parametrize("timeout", [None, (3, 10), 5, 2.5])
def test_timeouts_in_the_forms_requests_takes(emu: Emulator, timeout: Any) -> None:
    client = Client(access_token=emu.admin_token, base_url=emu.base_url, timeout=timeout)
    assert client.organizations.get(org_id=emu.org_id)["id"] == emu.org_id
    assert client.timeout == timeout


@pytest.mark.parametrize("timeout,error", [("30", TypeError), ((1, 2, 3), TypeError), (0, ValueError),
                                           (-1, ValueError), (True, TypeError)])
def test_timeouts_that_cannot_be_right(timeout: Any, error: type) -> None:
    with pytest.raises(error, match="timeout"):
        Client(access_token="t", timeout=timeout)


def test_a_deadline_bounds_the_whole_call() -> None:
    with Emulator(latency_ms=400) as slow:
        client = Client(access_token=slow.admin_token, base_url=slow.base_url, deadline=0.15)
        started = time.monotonic()
        with pytest.raises(scc_sdk.APITimeoutError, match="deadline"):
            client.organizations.get(org_id=slow.org_id)
        assert time.monotonic() - started < 0.4
        with pytest.raises(scc_sdk.APITimeoutError) as caught:
            client.organizations.create(name="Late", region_code="NAM")
        assert caught.value.may_have_reached_server


def test_import_paths_of_the_original() -> None:
    from scc_sdk.client import Client as ClientFromModule
    from scc_sdk.resources import UsersResource as FromPackage
    from scc_sdk.resources.base import BaseResource
    from scc_sdk.resources.groups import GroupsResource
    from scc_sdk.resources.organizations import OrganizationsResource
    from scc_sdk.resources.roles import RolesResource
    from scc_sdk.resources.subscriptions import SubscriptionsResource
    from scc_sdk.resources.tokens import TokensResource
    from scc_sdk.resources.users import UsersResource

    assert ClientFromModule is Client and FromPackage is UsersResource
    client = Client(access_token="t")
    for attribute, cls in [("organizations", OrganizationsResource), ("subscriptions", SubscriptionsResource),
                           ("users", UsersResource), ("groups", GroupsResource), ("roles", RolesResource),
                           ("tokens", TokensResource)]:
        resource = getattr(client, attribute)
        assert isinstance(resource, cls) and isinstance(resource, BaseResource) and resource.client is client
    assert isinstance(AsyncClient(access_token="t").users, UsersResource)


ASYNC_RESOURCES = ["organizations", "subscriptions", "users", "groups", "roles", "tokens"]


def public_methods(resource: Any) -> Iterator[Tuple[str, Any]]:
    for name in dir(resource):
        if not name.startswith("_") and callable(getattr(resource, name)) and name != "client":
            yield name, getattr(resource, name)


def test_every_async_method_is_a_coroutine_function() -> None:
    client = AsyncClient(access_token="t")
    for attribute in ASYNC_RESOURCES:
        for name, method in public_methods(getattr(client, attribute)):
            if name == "build_products_from_claim_info":
                assert not inspect.iscoroutinefunction(method)  # sends nothing: a plain method
                continue
            assert inspect.iscoroutinefunction(method), f"{attribute}.{name}"
            sync = getattr(getattr(Client(access_token="t"), attribute), name)
            assert inspect.signature(method) == inspect.signature(sync), f"{attribute}.{name}"
    for name in ["get", "post", "put", "patch", "delete", "aclose"]:
        assert inspect.iscoroutinefunction(getattr(client, name)), name


async def test_every_async_failure_arrives_at_the_await(emu: Emulator) -> None:
    async with emu.async_client() as client:
        # Checked in Python, in the core, and by the service: none raises at the call.
        calls = [
            client.subscriptions.create(emu.org_id, "X", type="gold"),
            client.subscriptions.patch(emu.org_id, "s", [{"id": "x", "quantity": 1}], skus=[{"name": "x"}]),
            client.users.list(emu.org_id, "ACTIVE", "PENDING"),
            client.organizations.list(max=0),
            client.organizations.get(org_id="missing"),
        ]
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
    kinds = [type(outcome) for outcome in outcomes]
    assert kinds == [scc_sdk.InvalidInputError, scc_sdk.InvalidInputError, TypeError, scc_sdk.InvalidInputError,
                     scc_sdk.NotFoundError]


def test_every_public_method_documents_its_arguments_return_and_errors() -> None:
    undocumented = []
    for attribute in ASYNC_RESOURCES:
        for client in [Client(access_token="t"), AsyncClient(access_token="t")]:
            resource = getattr(client, attribute)
            assert inspect.getdoc(type(resource)), type(resource)
            for name, method in public_methods(resource):
                doc = inspect.getdoc(method) or ""
                parameters = [p for p in inspect.signature(method).parameters]
                missing = [p for p in parameters if f"{p}:" not in doc and f"{p}," not in doc]
                sections = [s for s in ["Returns:", "Raises:"] if s not in doc]
                if missing or sections or (parameters and "Args:" not in doc):
                    undocumented.append(f"{type(resource).__name__}.{name}: {missing} {sections}")
    assert undocumented == []
    for name in ["get", "post", "put", "patch", "delete", "iter_organizations", "iter_groups", "from_credentials"]:
        assert inspect.getdoc(getattr(Client, name)), name


def test_the_stub_answers_and_records_and_takes_default_clients(scc_stub: Stub) -> None:
    scc_stub.add("GET", "organizations/org-1", json={"id": "org-1", "name": "Acme"})
    scc_stub.add("POST", "organizations", json={"id": "org-2"}, status=201)
    scc_stub.add("GET", "organizations?name=Acme&max=100", json={"organizations": [{"id": "org-1"}]})
    client = Client(access_token="secret-token")  # the default base URL: the stub, while it runs
    assert client.base_url == f"{scc_stub.base_url}/v1"
    assert client.organizations.get(org_id="org-1")["name"] == "Acme"
    assert client.organizations.create(name="Two", region_code="NAM") == {"id": "org-2"}
    assert client.organizations.list(name="Acme")["organizations"] == [{"id": "org-1"}]
    first, second, third = scc_stub.requests
    assert (first.method, first.path, first.query) == ("GET", "/v1/organizations/org-1", {})
    assert second.json == {"name": "Two", "regionCode": "NAM", "type": "STANDALONE"}
    assert third.params == {"name": "Acme", "max": "100"}
    assert first.headers["authorization"] == "Bearer [redacted]" and "secret-token" not in repr(first)
    # What nothing was added for: the service's 404 envelope naming it, and kept apart.
    with pytest.raises(scc_sdk.NotFoundError, match="no answer was added for DELETE"):
        client.groups.delete(org_id="org-1", group_id="g")
    assert [request.path for request in scc_stub.unmatched] == ["/v1/organizations/org-1/adminGroups/g"]
    with pytest.raises(AssertionError, match="adminGroups/g"):
        scc_stub.assert_all_requested()


def test_the_stub_gives_queued_answers_in_order_then_repeats_the_last() -> None:
    with Stub() as stub:
        stub.add("GET", "organizations/o", status=503, json={"message": "busy"})
        stub.add("GET", "organizations/o", json={"id": "o"})
        client = stub.client(retries=2, retry_backoff=0.01, retry_max_backoff=0.01)
        assert client.organizations.get(org_id="o") == {"id": "o"}
        assert client.organizations.get(org_id="o") == {"id": "o"}
        assert len(stub.requests) == 3
        stub.assert_all_requested()
    assert Client(access_token="t").base_url == "https://api.security.cisco.com/v1"


def test_the_workshop_template_imports_every_exception_its_hints_name() -> None:
    import ast
    import builtins
    import re

    source = (Path(__file__).resolve().parents[2] / "examples" / "workshop_template.py").read_text()
    imported = {alias.asname or alias.name for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.ImportFrom) for alias in node.names}
    named = set(re.findall(r"\b([A-Z][A-Za-z]*Error)\b", source)) - set(dir(builtins))
    assert named and named <= imported, named - imported


def json_handler(answer: Dict[str, Any], paths: Optional[List[str]] = None) -> type:
    """A request handler answering every GET with `answer`, recording the request target in `paths`."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if paths is not None:
                paths.append(self.path)
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# TLS with a private CA, as a company network has it: a CA and a certificate for 127.0.0.1, made by openssl.

@pytest.fixture(scope="module")
def private_ca(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    folder = tmp_path_factory.mktemp("ca")
    ca_key, ca_cert = folder / "ca.key", folder / "ca.pem"
    key, request, cert, ext = folder / "server.key", folder / "server.csr", folder / "server.pem", folder / "ext"

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca_cert),
            "-days", "2", "-subj", "/CN=scc-sdk test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(request), "-subj",
            "/CN=127.0.0.1")
    ext.write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", str(request), "-CA", str(ca_cert), "-CAkey", str(ca_key), "-CAcreateserial",
            "-out", str(cert), "-days", "2", "-extfile", str(ext))
    return {"ca": ca_cert, "cert": cert, "key": key}


@pytest.fixture
def tls_server(private_ca: Dict[str, Path]) -> Iterator[Dict[str, Any]]:
    """An HTTPS server on 127.0.0.1 answering every request with an organization; counts connections."""
    seen: Dict[str, Any] = {"handshakes": 0}

    Handler = json_handler({"id": "org-1", "name": "Behind the proxy"})

    class Server(ThreadingHTTPServer):
        def get_request(self) -> Any:
            sock, address = super().get_request()
            seen["handshakes"] += 1
            return context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(private_ca["cert"]), str(private_ca["key"]))
    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    seen["url"] = f"https://127.0.0.1:{server.server_address[1]}"
    seen["ca"] = private_ca["ca"]
    yield seen
    server.shutdown()
    server.server_close()


def test_a_private_ca_given_as_ca_bundle_or_verify(tls_server: Dict[str, Any]) -> None:
    for options in [{"ca_bundle": tls_server["ca"]}, {"verify": str(tls_server["ca"])}]:
        client = Client(access_token="t", base_url=tls_server["url"], **options)
        assert client.organizations.get(org_id="org-1")["name"] == "Behind the proxy"


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SCC_CA_BUNDLE"])
def test_a_private_ca_named_the_way_requests_users_name_it(tls_server: Dict[str, Any], variable: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    for name in scc_sdk._client.CA_BUNDLE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, str(tls_server["ca"]))
    client = Client(access_token="t", base_url=tls_server["url"])
    assert client.organizations.get(org_id="org-1")["id"] == "org-1"


def test_an_unknown_issuer_fails_once_without_retries_and_logs_under_scc_sdk(
        tls_server: Dict[str, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    for name in scc_sdk._client.CA_BUNDLE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    client = Client(access_token="t", base_url=tls_server["url"], retries=3, retry_backoff=0.5)
    before = tls_server["handshakes"]
    started = time.monotonic()
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(scc_sdk.APIConnectionError) as caught:
            client.organizations.get(org_id="org-1")
    assert caught.value.attempts == 1 and not caught.value.may_have_reached_server
    assert "certificate" in str(caught.value)
    assert tls_server["handshakes"] - before == 1 and time.monotonic() - started < 0.5
    names = {record.name for record in caplog.records}
    # The TLS layer's own record of the refusal, under the package's logger like every native record.
    assert any(name.startswith("scc_sdk.rustls_platform_verifier") for name in names), names
    assert [name for name in names if not name.startswith(("scc_sdk", "asyncio"))] == []


def test_the_ca_bundle_must_be_a_readable_pem_file(tmp_path: Path) -> None:
    with pytest.raises(scc_sdk.InvalidInputError, match="ca_bundle"):
        Client(access_token="t", ca_bundle=tmp_path / "missing.pem")
    (tmp_path / "empty.pem").write_text("not a certificate\n")
    with pytest.raises(scc_sdk.InvalidInputError, match="ca_bundle"):
        Client(access_token="t", ca_bundle=tmp_path / "empty.pem")
    with pytest.raises(ValueError, match="ca_bundle"):
        Client(access_token="t", verify=False)


def test_the_token_stays_out_of_repr_with_the_new_settings(emu: Emulator) -> None:
    client = Client(access_token="very-secret-token", base_url=emu.base_url, timeout=(2, 5), deadline=30)
    assert "very-secret-token" not in repr(client) and "very-secret-token" not in repr(client.users)


def test_the_resource_stubs_are_generated_from_the_resources() -> None:
    import runpy

    generator = runpy.run_path(str(Path(__file__).resolve().parents[2] / "scripts" / "resource_stubs.py"))
    assert generator["STUB"].read_text() == generator["render"](), \
        "python/scc_sdk/_resources.pyi is out of date: run python scripts/resource_stubs.py"


def test_proxies_from_the_environment_as_requests_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP(S)_PROXY routes the client through a proxy and NO_PROXY exempts hosts, as with requests."""
    seen: List[str] = []

    # A proxy receives the absolute URL.
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), json_handler({"id": "via-proxy"}, seen))
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
                     "no_proxy"]:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
        with Stub() as stub:
            stub.add("GET", "organizations/o", json={"id": "direct"})
            assert stub.client().organizations.get(org_id="o") == {"id": "via-proxy"}
            assert seen == [f"{stub.base_url}/v1/organizations/o"] and stub.requests == []
            monkeypatch.setenv("NO_PROXY", "127.0.0.1")
            assert stub.client().organizations.get(org_id="o") == {"id": "direct"}
            assert len(seen) == 1 and len(stub.requests) == 1
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_every_decision_the_code_cites_is_written_down() -> None:
    import re

    root = Path(__file__).resolve().parents[2]
    headings = set(re.findall(r"^## (.+)$", (root / "docs" / "decisions.md").read_text(), re.M))
    cited = set()
    for folder in ["crates", "python", "examples"]:
        for path in (root / folder).rglob("*"):
            if path.suffix in {".rs", ".py", ".pyi"} and "target" not in path.parts:
                cited |= set(re.findall(r'docs/decisions\.md[,(]? \(?"([^"]+)"', path.read_text(errors="replace")))
    assert cited, "the code cites its decisions by name"
    assert cited <= headings, cited - headings
