"""Every code block of the seed README's "Quick Start", "Usage Examples", "Error Handling" and
"Detailed Error Information" sections, run unchanged against the emulator (only the placeholder ids
and the token are replaced by the emulator's) and asserted."""

from __future__ import annotations

import warnings

import pytest

from scc_sdk import (
    AuthenticationError,
    Client,
    ForbiddenError,
    NotFoundError,
    SCCError,
    ServerError,
    ValidationError,
)
from scc_sdk.testing import Emulator

from helpers import clear_journal, journal


def test_quick_start(emu: Emulator) -> None:
    client = Client(access_token=emu.admin_token, base_url=emu.base_url)
    organizations = client.organizations.list()
    org = client.organizations.get(org_id=emu.org_id)
    new_org = client.organizations.create(name="New Org", region_code="NAM")
    subscriptions = client.subscriptions.list(org_id=emu.org_id)
    subscription = client.subscriptions.get(org_id=emu.org_id, subscription_id=subscriptions[0]["id"])
    groups = client.groups.list(org_id=emu.org_id)
    group = client.groups.get(org_id=emu.org_id, group_id=groups["groups"][0]["id"])

    assert org["id"] == emu.org_id
    assert any(item["id"] == emu.org_id for item in organizations["organizations"])
    assert new_org["name"] == "New Org" and new_org["regionCode"] == "NAM" and new_org["type"] == "STANDALONE"
    assert subscription == subscriptions[0]
    assert group["id"] == groups["groups"][0]["id"]


def test_configuration_and_context_manager(emu: Emulator) -> None:
    client = Client(access_token="your_token", base_url="https://api.security.cisco.com", base_path="v1")
    assert client.base_url == "https://api.security.cisco.com/v1"
    assert client.timeout == 30
    assert Client(access_token="t").base_url == "https://api.security.cisco.com/v1"
    with Client(access_token=emu.admin_token, base_url=emu.base_url) as client:
        orgs = client.organizations.list()
        assert orgs["organizations"]
    # Closed at the end of the block; a later call opens new connections, as requests.Session does.
    assert client.organizations.list()["organizations"]
    with pytest.raises(ValueError, match="access_token"):
        Client(access_token="")


def test_usage_organizations(client: Client, emu: Emulator) -> None:
    orgs = client.organizations.list(name="Acme", type="MANAGER", region_code="NAM", max=50, sort_by="name",
                                     order="ASC")
    assert [org["id"] for org in orgs["organizations"]] == [emu.org_id]
    org = client.organizations.get(org_id=emu.org_id)
    new_org = client.organizations.create(name="New Organization", region_code="NAM", type="STANDALONE")
    updated_org = client.organizations.update(org_id=emu.org_id, name="Updated Name")
    assert org["id"] == emu.org_id and new_org["type"] == "STANDALONE"
    assert updated_org["name"] == "Updated Name"
    assert client.organizations.get(org_id=emu.org_id)["name"] == "Updated Name"


def test_usage_subscriptions(client: Client, emu: Emulator) -> None:
    org_id = emu.org_id
    subscriptions = client.subscriptions.list(org_id=org_id)
    subscription = client.subscriptions.get(org_id=org_id, subscription_id=subscriptions[0]["id"])
    assert subscription["id"] == subscriptions[0]["id"]

    # The seed passes type="STANDALONE" (an organization type): it is not sent, with a warning.
    with pytest.warns(DeprecationWarning, match="organization type"):
        new_subscription = client.subscriptions.create(org_id=org_id, claim_code=emu.claim_codes[0],
                                                       type="STANDALONE")
    assert new_subscription["id"]

    # Reading a claim code that is already used answers 409 (a ConflictError, still an SCCError).
    with pytest.raises(SCCError) as caught:
        client.subscriptions.read_claim_code(org_id=org_id, claim_code=emu.claim_codes[0])
    assert caught.value.status_code == 409

    product = next(p for p in new_subscription["products"] if p.get("regionCode") == "NAM")
    updated_sub = client.subscriptions.update(org_id=org_id, subscription_id=new_subscription["id"],
                                              product_id=product["id"], status=True, region_code="NAM",
                                              initial_admin="admin@example.com")
    assert updated_sub["id"] == new_subscription["id"]


def test_usage_subscription_patch_with_skus_is_translated(client: Client, emu: Emulator) -> None:
    managed = emu.managed_org_ids[0]
    client.subscriptions.create(org_id=managed, claim_code=emu.claim_codes[0])
    sub = client.subscriptions.list(org_id=managed)[0]
    sku = sub["products"][0]["entitlements"][0]["id"]
    clear_journal(emu)
    with pytest.warns(DeprecationWarning, match="entitlements"):
        patched_sub = client.subscriptions.patch(org_id=managed, subscription_id=sub["id"],
                                                 skus=[{"name": sku, "quantity": 10}])
    assert patched_sub["id"] == sub["id"]
    # Sent in the service's form: entitlements with the SKU as id.
    [request] = journal(emu)
    assert request["method"] == "PATCH"
    assert request["body"] == {"entitlements": [{"id": sku, "quantity": 10}]}


def test_usage_groups(client: Client, emu: Emulator) -> None:
    org_id = emu.org_id
    groups = client.groups.list(org_id=org_id)
    group = client.groups.get(org_id=org_id, group_id=groups["groups"][0]["id"])
    new_group = client.groups.create(org_id=org_id, name="Engineering Team",
                                     description="Engineering department group", applies_to="SOME_MANAGED")
    assert new_group["appliesTo"] == "selected_managed"
    updated_group = client.groups.update(org_id=org_id, group_id=new_group["id"], name="Updated Team Name",
                                         description="Updated description")
    assert updated_group["name"] == "Updated Team Name"
    assert client.groups.delete(org_id=org_id, group_id=new_group["id"]) is True
    with pytest.raises(NotFoundError):
        client.groups.get(org_id=org_id, group_id=new_group["id"])
    assert group["id"] == groups["groups"][0]["id"]


def test_usage_remove_shared_group(emu: Emulator, client: Client) -> None:
    shared = client.groups.create(org_id=emu.org_id, name="Shared", applies_to="selected_managed")
    managed = emu.managed_org_ids[0]
    client.groups.patch(org_id=emu.org_id, group_id=shared["id"], managed_orgs=[{"operation": "add", "id": managed}])
    assert client.groups.get(org_id=managed, group_id=shared["id"])["id"] == shared["id"]
    assert client.groups.remove_shared_group(org_id=managed, group_id=shared["id"]) is True
    # The manager's group stays.
    assert client.groups.get(org_id=emu.org_id, group_id=shared["id"])["id"] == shared["id"]


def test_token_refresh(emu: Emulator, client: Client) -> None:
    new_tokens = client.tokens.refresh(org_id=emu.org_id, api_key_id=emu.admin["api_key_id"],
                                       refresh_token=emu.admin["refresh_token"])
    access_token = new_tokens["access_token"]
    refresh_token = new_tokens["refresh_token"]
    expires_in = new_tokens["expires_in"]
    assert access_token and refresh_token != emu.admin["refresh_token"] and expires_in > 0
    client = Client(access_token=access_token, base_url=emu.base_url)
    assert client.organizations.get(org_id=emu.org_id)["id"] == emu.org_id
    with pytest.raises(AuthenticationError):
        client.tokens.refresh(org_id=emu.org_id, api_key_id=emu.admin["api_key_id"],
                              refresh_token=emu.admin["refresh_token"])


@pytest.mark.parametrize("case", ["auth", "notfound", "validation", "forbidden"])
def test_error_handling(emu: Emulator, case: str) -> None:
    caught = ""
    token = {"auth": "invalid-token", "forbidden": emu.member_token}.get(case, emu.admin_token)
    try:
        client = Client(access_token=token, base_url=emu.base_url)
        if case == "forbidden":
            client.organizations.create(name="x", region_code="NAM")
        elif case == "validation":
            client.subscriptions.read_claim_code(org_id=emu.org_id, claim_code="INVALID-CODE")
        else:
            org = client.organizations.get(org_id="invalid-uuid")
            assert org is None
    except AuthenticationError:
        caught = "auth"
    except NotFoundError:
        caught = "notfound"
    except ValidationError:
        caught = "validation"
    except ForbiddenError:
        caught = "forbidden"
    except ServerError:
        caught = "server"
    except SCCError as e:
        caught = f"API error occurred: {e}"
    assert caught == case


def test_detailed_error_information(client: Client, emu: Emulator) -> None:
    try:
        client.subscriptions.read_claim_code(org_id=emu.org_id, claim_code="INVALID-CODE")
    except SCCError as e:
        assert e.message == "invalid claim code provided"
        assert e.status_code == 400
        assert e.tracking_id and len(e.tracking_id) == 36
        assert e.timestamp and e.timestamp.endswith("Z")
        assert e.path == f"/v1/organizations/{emu.org_id}/subscriptions/claimInfo"
        assert e.response == {"trackingId": e.tracking_id, "message": "invalid claim code provided",
                              "timestamp": e.timestamp, "statusCode": 400, "path": e.path}
        error_dict = e.to_dict()
        assert error_dict == {"message": e.message, "status_code": 400, "tracking_id": e.tracking_id,
                              "timestamp": e.timestamp, "path": e.path, "response": e.response}
        assert e.tracking_id in str(e)
    else:
        pytest.fail("no error raised")


def test_users_and_roles_usage(client: Client, emu: Emulator) -> None:
    org_id = emu.org_id
    result = client.users.patch(org_id=org_id, users=[
        {"email": "user1@example.com", "operation": "invite", "firstName": "John", "lastName": "Doe"},
        {"email": "user2@example.com", "operation": "invite", "firstName": "Jane", "lastName": "Smith"},
    ])
    assert [item["status"] for item in result["results"]] == ["success", "success"]
    users = client.users.list(org_id=org_id)
    user = next(u for u in users["users"] if u["email"] == "user1@example.com")
    assert client.users.get(org_id=org_id, user_id=user["id"])["email"] == "user1@example.com"
    updated_user = client.users.update(org_id=org_id, user_id=user["id"], first_name="Jane", last_name="Smith")
    assert updated_user["firstName"] == "Jane"
    client.users.disable(org_id=org_id, email="user1@example.com")
    client.users.enable(org_id=org_id, email="user1@example.com")
    client.users.resend_email_invite(org_id=org_id, email="user2@example.com")
    client.users.reset_password(org_id=org_id, email="user2@example.com")

    group = client.groups.create(org_id=org_id, name="Admins")
    client.groups.patch(org_id=org_id, group_id=group["id"], users=[{"operation": "add", "id": "user1@example.com"}])
    members = client.groups.get_users(org_id=org_id, group_id=group["id"])
    assert [u["email"] for u in members["users"]] == ["user1@example.com"]
    # users.list(group_id=) is translated to the group's members (the list has no group filter).
    assert client.users.list(org_id=org_id, group_id=group["id"]) == members
    groups_of_user = client.users.get_groups(org_id=org_id, user_id=user["id"])
    assert [g["id"] for g in groups_of_user.get("groups", [])] == [group["id"]]

    role_id = client.roles.find_role_id(org_id=org_id, product_name="Security Cloud Control",
                                        role_display_name="Organization Administrator")
    assert role_id is not None
    assert client.roles.find_role_id(org_id=org_id, product_name="Nope", role_display_name="Nope") is None
    result = client.roles.patch(org_id=org_id, role_id=role_id, users=[{"operation": "add", "id": user["id"]}],
                                groups=[{"operation": "add", "id": group["id"]}])
    assert result["summary"]["all_successful"]
    assert result["summary"] == {"total": 2, "succeeded": 2, "failed": 0, "all_successful": True}
    roles = client.groups.get_assigned_roles(org_id=org_id, group_id=group["id"])
    assert [r["id"] for r in roles["roles"]] == [role_id]
    static_roles = client.roles.list(org_id=org_id, type="STATIC")
    assert all(r["type"] == "STATIC" for r in static_roles["roles"])
    role = client.roles.get(org_id=org_id, role_id=role_id)
    assert role["displayName"] == "Organization Administrator"
    client.users.remove(org_id=org_id, email="user2@example.com")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert client.users.list(org_id=org_id, status="ACTIVE")["users"] is not None
