"""What the package adds to the seed, through its public surface: error kinds and attributes, input
refused before sending, retries, pagination, bulk reports, refreshing credentials, threads, asyncio,
Ctrl-C, fork, logging and secrets."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List

import pytest

import scc_sdk
from helpers import clear_journal, fault, in_forked_child, journal
from scc_sdk import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    AuthenticationError,
    Client,
    ConflictError,
    NotFoundError,
    RateLimitError,
    SCCError,
    ServerError,
    ValidationError,
)
from scc_sdk.testing import Emulator


def test_exceptions_are_importable_from_both_modules() -> None:
    import scc_sdk.exceptions as exceptions

    for name in ["SCCError", "AuthenticationError", "ForbiddenError", "NotFoundError", "ValidationError",
                 "ServerError", "ConflictError", "RateLimitError", "APIConnectionError", "APITimeoutError"]:
        assert getattr(scc_sdk, name) is getattr(exceptions, name)
        assert issubclass(getattr(exceptions, name), exceptions.SCCError)
    assert issubclass(APITimeoutError, APIConnectionError)


def test_conflict_and_its_envelope(client: Client, emu: Emulator) -> None:
    with pytest.raises(ConflictError) as caught:
        client.subscriptions.create(org_id=emu.org_id, claim_code=emu.claimed_claim_codes[0])
    error = caught.value
    assert error.status_code == 409 and error.response["statusCode"] == 409
    assert error.tracking_id == error.response["trackingId"]
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is ConflictError and restored.to_dict() == error.to_dict()


def test_rate_limit_after_retries_carries_retry_after(emu: Emulator) -> None:
    client = emu.client(retries=0)
    fault(emu, method="GET", path=f"/v1/organizations/{emu.org_id}", status=429, retry_after=7)
    with pytest.raises(RateLimitError) as caught:
        client.organizations.get(org_id=emu.org_id)
    assert caught.value.status_code == 429 and caught.value.retry_after == 7.0


def test_a_get_is_retried_after_503_and_a_post_is_not(emu: Emulator) -> None:
    client = emu.client(retries=2, retry_backoff=0.01, retry_max_backoff=0.02)
    fault(emu, method="GET", path=f"/v1/organizations/{emu.org_id}", status=503)
    assert client.organizations.get(org_id=emu.org_id)["id"] == emu.org_id

    fault(emu, method="POST", path="/v1/organizations", status=503)
    clear_journal(emu)
    with pytest.raises(ServerError) as caught:
        client.organizations.create(name="Once", region_code="NAM")
    assert caught.value.attempts == 1 and caught.value.may_have_reached_server
    posts = [r for r in journal(emu) if r["method"] == "POST"]
    assert len(posts) == 1, posts


@pytest.mark.parametrize("status,kind", [(400, ValidationError), (422, ValidationError), (403, scc_sdk.ForbiddenError),
                                         (404, NotFoundError), (409, ConflictError), (500, ServerError),
                                         (502, ServerError), (418, SCCError)])
def test_each_status_raises_its_class(emu: Emulator, status: int, kind: type) -> None:
    fault(emu, method="GET", path=f"/v1/organizations/{emu.org_id}", status=status, message=f"scripted {status}")
    with pytest.raises(SCCError) as caught:
        emu.client(retries=0).organizations.get(org_id=emu.org_id)
    assert type(caught.value) is kind
    assert caught.value.status_code == status and caught.value.message == f"scripted {status}"
    assert caught.value.response["statusCode"] == status and caught.value.tracking_id


def test_the_rate_limit_spaces_requests(emu: Emulator) -> None:
    client = emu.client(rate_limit=20)
    started = time.monotonic()
    for _ in range(11):
        client.organizations.get(org_id=emu.org_id)
    # The first request is free, the next ten wait 50 ms each at least.
    assert time.monotonic() - started >= 0.45


def test_retries_off_with_one_argument(emu: Emulator) -> None:
    fault(emu, method="GET", path=f"/v1/organizations/{emu.org_id}", status=503)
    with pytest.raises(ServerError) as caught:
        emu.client(retries=0).organizations.get(org_id=emu.org_id)
    assert caught.value.attempts == 1


def test_input_refused_before_sending(client: Client, emu: Emulator) -> None:
    clear_journal(emu)
    cases = [
        (lambda: client.organizations.list(max=0), "max"),
        (lambda: client.organizations.get(org_id=""), "org_id"),
        (lambda: client.users.patch(org_id=emu.org_id, users=[{"email": "a@example.com", "operation": "reset_mfa"}]),
         "users[0].factorId"),
        (lambda: client.users.patch(org_id=emu.org_id, users=[{"email": "a@example.com", "operation": "invite",
                                                                "firstname": "typo"}]), "users[0].firstname"),
        (lambda: client.groups.patch(org_id=emu.org_id, group_id="g", users=[{"operation": "add", "id": "x"}]),
         "users[0].id"),
        (lambda: client.subscriptions.create(org_id=emu.org_id, claim_code="X", type="gold"), "type"),
        (lambda: client.subscriptions.patch(org_id=emu.org_id, subscription_id="s"), "entitlements"),
        (lambda: client.post("organizations", data={"a": 1}), "data"),
        (lambda: client.organizations.get(org_id=123), "org_id"),  # type: ignore[arg-type]
    ]
    for call, field in cases:
        with pytest.raises(ValidationError) as caught:
            call()
        # Refused before sending: also a ValueError, as cisco-scc-sdk 1.0.6 raised.
        assert isinstance(caught.value, ValueError) and isinstance(caught.value, scc_sdk.InvalidInputError)
        assert caught.value.field == field, (field, caught.value)
        assert caught.value.status_code is None
        assert field.split(".")[0].split("[")[0] in str(caught.value)
    assert journal(emu) == []


def test_connection_errors_are_typed() -> None:
    client = Client(access_token="t", base_url="http://127.0.0.1:9", retries=0)
    with pytest.raises(APIConnectionError) as caught:
        client.organizations.list()
    assert caught.value.status_code is None and not caught.value.may_have_reached_server


def test_timeout_is_typed_and_the_outcome_unknown(emu: Emulator) -> None:
    client = emu.client(timeout=0.2, retries=0)
    fault(emu, method="POST", path="/v1/organizations", delay_ms=1500)
    with pytest.raises(APITimeoutError) as caught:
        client.organizations.create(name="Slow", region_code="NAM")
    assert caught.value.may_have_reached_server


def test_pagination_iterators_are_lazy_and_complete(client: Client, emu: Emulator) -> None:
    for index in range(5):
        client.groups.create(org_id=emu.org_id, name=f"Group {index}")
    every = client.groups.list(org_id=emu.org_id, max=500)["groups"]
    clear_journal(emu)
    iterator = client.iter_groups(emu.org_id, max=2)
    first = next(iterator)
    assert len(journal(emu)) == 1
    rest = list(iterator)
    assert [g["id"] for g in [first, *rest]] == [g["id"] for g in every]
    assert len(journal(emu)) == -(-len(every) // 2)
    orgs = list(client.iter_organizations(max=1))
    assert len(orgs) == len(client.organizations.list(max=500)["organizations"])


def test_patch_all_reports_every_item_in_order(client: Client, emu: Emulator) -> None:
    users: List[Dict[str, Any]] = [
        {"email": f"bulk{i}@example.com", "operation": "invite", "firstName": "B", "lastName": str(i)}
        for i in range(1200)
    ]
    users[5] = {"email": "broken", "operation": "invite"}
    clear_journal(emu)
    report = client.users.patch_all(org_id=emu.org_id, users=users)
    assert [item["index"] for item in report["items"]] == list(range(1200))
    assert report["succeeded"] == 1199 and report["failed"] == 1 and report["unknown"] == 0
    assert report["items"][5]["outcome"] == "failed" and "email" in report["items"][5]["error"]
    patches = [r for r in journal(emu) if r["method"] == "PATCH"]
    assert len(patches) == 3


def test_refreshing_credentials_refresh_once_for_16_threads_and_persist(tmp_path: Path) -> None:
    # The emulator's clock counts whole seconds: a token of a 1 s lifetime may expire at once, so the
    # refreshed tokens live 3 s (2 s at least), more than a busy machine needs for the 64 calls.
    with Emulator(token_ttl=3) as emu:
        store = tmp_path / "credentials.json"
        client = Client.from_credentials(emu.org_id, emu.admin["api_key_id"], emu.admin["access_token"],
                                         emu.admin["refresh_token"], token_store=store, base_url=emu.base_url)
        time.sleep(3.2)
        with ThreadPoolExecutor(16) as pool:
            names = list(pool.map(lambda _: client.organizations.get(org_id=emu.org_id)["name"], range(64)))
        assert set(names) == {"Acme MSP"}
        assert client.refresh_count >= 1
        saved = json.loads(store.read_text())
        assert saved["refresh_token"] != emu.admin["refresh_token"]
        assert saved["access_token"] == client.access_token
        assert oct(store.stat().st_mode & 0o777) == "0o600"
        # The old refresh token is spent; the saved one works.
        fresh = Client(access_token="x", base_url=emu.base_url)
        with pytest.raises(AuthenticationError):
            fresh.tokens.refresh(emu.org_id, emu.admin["api_key_id"], emu.admin["refresh_token"])
        assert fresh.tokens.refresh(emu.org_id, emu.admin["api_key_id"], saved["refresh_token"])["access_token"]


def test_a_callable_token_store_gets_each_rotation(emu: Emulator) -> None:
    seen: List[Dict[str, Any]] = []
    client = Client.from_credentials(emu.org_id, emu.admin["api_key_id"], "expired-or-wrong",
                                     emu.admin["refresh_token"], token_store=seen.append, base_url=emu.base_url)
    assert client.organizations.get(org_id=emu.org_id)["id"] == emu.org_id
    assert len(seen) == 1 and seen[0]["org_id"] == emu.org_id and seen[0]["refresh_token"]


def test_sixteen_threads_share_one_client(client: Client, emu: Emulator) -> None:
    errors: List[BaseException] = []

    def work() -> None:
        try:
            for _ in range(25):
                assert client.organizations.get(org_id=emu.org_id)["id"] == emu.org_id
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_the_gil_is_released_while_waiting(emu: Emulator) -> None:
    client = emu.client()
    for _ in range(8):
        fault(emu, method="GET", path=f"/v1/organizations/{emu.org_id}", delay_ms=400)
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: client.organizations.get(org_id=emu.org_id), range(8)))
    assert time.monotonic() - started < 8 * 0.4  # serialised calls would take 3.2 s


async def test_a_hundred_coroutines_with_gather(emu: Emulator) -> None:
    async with emu.async_client() as client:
        results = await asyncio.gather(*[client.organizations.get(org_id=emu.org_id) for _ in range(100)])
        assert {r["id"] for r in results} == {emu.org_id}
        with pytest.raises(NotFoundError) as caught:
            await client.groups.get(org_id=emu.org_id, group_id="missing")
        assert caught.value.tracking_id
        with pytest.raises(ValidationError):
            await client.organizations.list(max=0)
        assert await client.groups.delete(org_id=emu.org_id,
                                          group_id=(await client.groups.create(org_id=emu.org_id, name="G"))["id"])
        seen = [org async for org in client.iter_organizations(max=1)]
        assert len(seen) == 3


def test_asyncio_run_twice_and_in_threads(emu: Emulator) -> None:
    client = emu.async_client()

    async def one() -> str:
        org: Dict[str, Any] = await client.organizations.get(org_id=emu.org_id)
        return str(org["id"])

    assert asyncio.run(one()) == emu.org_id
    assert asyncio.run(one()) == emu.org_id
    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(lambda _: asyncio.run(one()), range(4))) == {emu.org_id}


CHILD = textwrap.dedent("""
    import signal, sys, time
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from scc_sdk import Client
    client = Client(access_token=sys.argv[2], base_url=sys.argv[1], timeout=30)
    print("ready", flush=True)
    started = time.monotonic()
    try:
        client.organizations.get(org_id=sys.argv[3])
        print("finished", flush=True)
    except KeyboardInterrupt:
        print(f"interrupted {time.monotonic() - started:.2f}", flush=True)
""")


def test_ctrl_c_interrupts_a_blocked_call(emu: Emulator) -> None:
    fault(emu, method="GET", path=f"/v1/organizations/{emu.org_id}", delay_ms=10000)
    child = subprocess.Popen([sys.executable, "-c", CHILD, emu.base_url, emu.admin_token, emu.org_id],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    child.send_signal(signal.SIGINT)
    output, _ = child.communicate(timeout=10)
    assert output.startswith("interrupted"), output
    assert float(output.split()[1]) < 2.5


ASYNC_CHILD = textwrap.dedent("""
    import asyncio, sys
    from scc_sdk import AsyncClient

    async def main():
        async with AsyncClient(access_token=sys.argv[2], base_url=sys.argv[1]) as client:
            await asyncio.gather(*[client.organizations.get(org_id=sys.argv[3]) for _ in range(20)])

    asyncio.run(main())
""")


def test_async_programs_exit_cleanly(emu: Emulator) -> None:
    # A runtime thread handing over an answer while the interpreter was being torn down crashed about
    # one exit in six (SIGSEGV, or "PyGILState_Release ... finalizing"); the runtime now stops at exit.
    for _ in range(20):
        child = subprocess.run([sys.executable, "-c", ASYNC_CHILD, emu.base_url, emu.admin_token, emu.org_id],
                               capture_output=True, text=True, timeout=30)
        assert child.returncode == 0, child.stderr[-2000:]
        assert "Fatal Python error" not in child.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_client_keeps_working_after_fork(client: Client, emu: Emulator) -> None:
    assert client.organizations.get(org_id=emu.org_id)["id"] == emu.org_id

    def in_child() -> bool:
        ok = client.organizations.get(org_id=emu.org_id)["id"] == emu.org_id

        async def again() -> bool:
            async_client = AsyncClient(access_token=emu.admin_token, base_url=emu.base_url)
            org = await async_client.organizations.get(org_id=emu.org_id)
            return bool(org["id"] == emu.org_id)

        return ok and asyncio.run(again())

    assert in_forked_child(in_child) == 0
    assert client.organizations.get(org_id=emu.org_id)["id"] == emu.org_id


def test_no_token_in_repr_str_errors_or_logs(emu: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="scc_sdk")
    secret_tokens = [emu.admin_token, emu.admin["refresh_token"]]
    client = Client.from_credentials(emu.org_id, emu.admin["api_key_id"], "wrong-token-abc",
                                     emu.admin["refresh_token"], base_url=emu.base_url)
    client.organizations.get(org_id=emu.org_id)
    rotated = client.access_token
    texts = [repr(client), str(client), repr(client.organizations)]
    try:
        Client(access_token="bad-secret-token-xyz", base_url=emu.base_url).organizations.list()
    except AuthenticationError as error:
        texts += [str(error), repr(error), json.dumps(error.to_dict())]
    texts += [record.getMessage() for record in caplog.records]
    assert any(record.name.startswith("scc_sdk") for record in caplog.records)
    for text in texts:
        for secret in [*secret_tokens, rotated, "bad-secret-token-xyz", "wrong-token-abc"]:
            assert secret not in text, text


def test_log_records_use_the_scc_sdk_logger(client: Client, emu: Emulator,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="scc_sdk")
    client.organizations.get(org_id=emu.org_id)
    names = {record.name for record in caplog.records}
    assert names and all(name.startswith("scc_sdk") for name in names), names


def test_raw_helpers_go_through_the_same_path(client: Client, emu: Emulator) -> None:
    page = client.get("organizations", params={"max": 1})
    assert len(page["organizations"]) == 1 and page["cursor"]
    created = client.post(f"organizations/{emu.org_id}/adminGroups", json={"name": "Raw"})
    assert client.put(f"organizations/{emu.org_id}/adminGroups/{created['id']}", json={"name": "Raw 2"})["name"] == \
        "Raw 2"
    assert client.delete(f"organizations/{emu.org_id}/adminGroups/{created['id']}") == {}
    with pytest.raises(NotFoundError):
        client.get(f"organizations/{emu.org_id}/adminGroups/{created['id']}")


def test_numbers_and_key_order_are_kept(client: Client, emu: Emulator) -> None:
    raw = client.get(f"organizations/{emu.org_id}")
    typed = client.organizations.get(org_id=emu.org_id)
    assert list(raw) == list(typed) and raw == typed


def test_xdr_whoami_and_rules(emu: Emulator) -> None:
    from scc_sdk.xdr import XdrClient

    xdr = XdrClient(emu.xdr["client_id"], emu.xdr["client_secret"], base_url=emu.xdr["base_url"])
    me = xdr.profile.whoami()
    rules = XdrClient.rules(me)
    assert rules["display_name"] and rules["is_activated"] is True
    assert isinstance(rules["non_admins_may_log_in"], bool) and rules["login_rule"]
    assert xdr.profile.org()["id"] == me["org"]["id"]
    with pytest.raises(AuthenticationError):
        XdrClient("client-unknown", "nope", base_url=emu.xdr["base_url"]).profile.whoami()
    with pytest.raises(ValueError, match="region"):
        XdrClient(token="t", region="mars")


def test_the_seeds_argument_order_and_the_old_forms(emu: Emulator) -> None:
    # Client(access_token, base_url, base_path, timeout), positionally, in the seed's order.
    client = Client(emu.admin_token, emu.base_url, "v1", 7)
    assert client.base_url == f"{emu.base_url}/v1" and client.timeout == 7
    assert client.organizations.get(emu.org_id)["id"] == emu.org_id

    # subscriptions.create: `type` is sent only when it is a subscription type; 1.0.6 put it third.
    clear_journal(emu)
    with pytest.raises(ConflictError):
        client.subscriptions.create(emu.org_id, emu.claimed_claim_codes[0], "trial")
    with pytest.raises(ConflictError):
        client.subscriptions.create(emu.org_id, emu.claimed_claim_codes[0], type="PAID")
    bodies = [r["body"] for r in journal(emu) if r["method"] == "POST"]
    assert bodies == [{"claimCode": emu.claimed_claim_codes[0], "type": "trial"},
                      {"claimCode": emu.claimed_claim_codes[0], "type": "paid"}]

    # users.list(group_id=, status=): the group's members with that status.
    group = client.groups.create(org_id=emu.org_id, name="Filtered")
    client.users.patch(org_id=emu.org_id, users=[
        {"email": f"f{i}@example.com", "operation": "invite", "firstName": "F", "lastName": str(i)} for i in range(2)])
    client.groups.patch(org_id=emu.org_id, group_id=group["id"],
                        users=[{"operation": "add", "id": f"f{i}@example.com"} for i in range(2)])
    members = client.users.list(org_id=emu.org_id, group_id=group["id"])["users"]
    status = members[0]["status"]
    filtered = client.users.list(org_id=emu.org_id, group_id=group["id"], status=status)["users"]
    assert filtered == [m for m in members if m["status"] == status] and filtered
    assert client.users.list(org_id=emu.org_id, group_id=group["id"], status="NOT-A-STATUS")["users"] == []


async def test_async_client_from_credentials_refreshes(emu: Emulator) -> None:
    seen: List[Dict[str, Any]] = []
    client = AsyncClient.from_credentials(emu.org_id, emu.admin["api_key_id"], "expired-or-wrong",
                                          emu.admin["refresh_token"], token_store=seen.append,
                                          base_url=emu.base_url)
    assert isinstance(client, AsyncClient)
    assert (await client.organizations.get(org_id=emu.org_id))["id"] == emu.org_id
    assert client.refresh_count == 1 and len(seen) == 1
    assert client.access_token == seen[0]["access_token"]


def test_an_answer_over_the_limit_raises_instead_of_filling_memory(emu: Emulator) -> None:
    client = emu.client(max_response_bytes=64)
    with pytest.raises(SCCError) as caught:
        client.organizations.list()
    assert "larger than 64 bytes" in str(caught.value)
    with pytest.raises(ValueError):
        emu.client(max_response_bytes=0)


def test_the_control_plane_refuses_a_caller_without_the_control_token(emu: Emulator) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{emu.base_url}/_emulator/state")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 401
    assert emu.control_token.startswith("ctl-")


def test_a_write_answered_with_a_redirect_is_an_unknown_outcome_never_done() -> None:
    from scc_sdk.testing import Stub

    with Stub() as stub:
        stub.add("POST", "organizations/o/adminGroups", status=302,
                 headers={"Location": "/v1/organizations/o/adminGroups/g"})
        stub.add("GET", "organizations/o/adminGroups/g", json={"id": "g", "name": "SOC"})
        client = stub.client()
        with pytest.raises(SCCError) as caught:
            client.groups.create(org_id="o", name="SOC")
        assert caught.value.status_code == 302 and caught.value.may_have_reached_server
        assert "may have been applied" in str(caught.value)
        assert [request.method for request in stub.requests] == ["POST"]


def test_a_raw_path_never_leaves_the_base_path(client: Client, emu: Emulator) -> None:
    clear_journal(emu)
    for endpoint in ["../../_emulator/state", "organizations/../../x", "%2e%2e/_emulator/state"]:
        with pytest.raises(scc_sdk.InvalidInputError) as caught:
            client.get(endpoint)
        assert caught.value.field == "path" and "climbs out" in str(caught.value)
    assert journal(emu) == []
