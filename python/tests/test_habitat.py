"""A team's tests and services written for cisco-scc-sdk 1.0.6, switched to this package unchanged:
mocks of ``requests`` answer (never the network), pytest-socket refuses, errors read the 1.0.6 way,
settings changed after construction take effect, the caller's timeout bounds the call, closed clients
reopen, clients pickle, and a real organization's users fit in one answer."""

from __future__ import annotations

import json
import pickle
import socket
import threading
import time
from typing import Any, Iterator, List
from unittest.mock import MagicMock, patch

import pytest
import requests

from scc_sdk import Client, InvalidResponseError, NotFoundError, SCCError
from scc_sdk.testing import Emulator, Stub

# A port nothing listens on: a call that reached the network would fail to connect, not answer.
NOWHERE = "http://127.0.0.1:9"


def answer(status: int, body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    return response


def test_a_patched_session_request_answers_as_it_did_for_1_0_6_and_nothing_leaves() -> None:
    client = Client(access_token="t0ken", base_url=NOWHERE)
    with patch("requests.Session.request", return_value=answer(200, {"id": "o1", "name": "Acme"})) as sent:
        assert client.organizations.get(org_id="o1") == {"id": "o1", "name": "Acme"}
        client.users.invite(org_id="o1", email="a@acme.example", first_name="A", last_name="B")
    method, url = sent.call_args_list[0].args
    assert (method, url) == ("GET", f"{NOWHERE}/v1/organizations/o1")
    headers = sent.call_args_list[0].kwargs["headers"]
    assert headers["Authorization"] == "Bearer t0ken" and headers["Accept"] == "application/json"
    assert sent.call_args_list[0].kwargs["timeout"] == 30
    method, url = sent.call_args_list[1].args
    assert (method, url) == ("PATCH", f"{NOWHERE}/v1/organizations/o1/users")
    assert sent.call_args_list[1].kwargs["json"]["users"][0]["email"] == "a@acme.example"


def test_an_error_answered_by_the_mock_is_the_sdks_error_chained_from_requests() -> None:
    client = Client(access_token="t", base_url=NOWHERE)
    envelope = {"message": "Organization not found", "trackingId": "trk-1", "statusCode": 404}
    with patch("requests.Session.request", return_value=answer(404, envelope)):
        with pytest.raises(NotFoundError) as raised:
            client.organizations.get(org_id="missing")
    error = raised.value
    assert "(404)" in str(error) and error.tracking_id == "trk-1"
    assert isinstance(error.__cause__, requests.HTTPError)
    assert error.__cause__.response.status_code == 404


def test_a_session_set_on_the_client_receives_every_call() -> None:
    client = Client(access_token="t", base_url=NOWHERE)
    client._session = MagicMock()
    client._session.request.return_value.status_code = 200
    client._session.request.return_value.json.return_value = {"organizations": [{"id": "o1"}]}
    assert client.organizations.list()["organizations"] == [{"id": "o1"}]
    method, url = client._session.request.call_args.args
    assert method == "GET" and url == f"{NOWHERE}/v1/organizations"
    assert client._session.request.call_args.kwargs["params"]["max"] == 100
    assert client.get("organizations/o1") == {"organizations": [{"id": "o1"}]}


def test_a_resource_whose_client_is_replaced_hands_the_request_to_the_stand_in() -> None:
    client = Client(access_token="t", base_url=NOWHERE)
    with patch.object(client.organizations, "client") as stand_in:
        stand_in.get.return_value = {"id": "o1"}
        assert client.organizations.get(org_id="o1") == {"id": "o1"}
    stand_in.get.assert_called_once_with("organizations/o1")


def test_responses_and_requests_mock_answer_the_calls() -> None:
    import requests_mock
    import responses

    client = Client(access_token="t", base_url=NOWHERE)
    with responses.RequestsMock() as mocked:
        mocked.add(responses.GET, f"{NOWHERE}/v1/organizations/o1", json={"id": "o1"})
        assert client.organizations.get(org_id="o1") == {"id": "o1"}
        assert mocked.calls[0].request.headers["Authorization"] == "Bearer t"
    with requests_mock.Mocker() as mocked:
        mocked.get(f"{NOWHERE}/v1/organizations/o2", json={"id": "o2"})
        assert client.organizations.get(org_id="o2") == {"id": "o2"}
    with responses.RequestsMock() as mocked:
        mocked.add(responses.GET, f"{NOWHERE}/v1/organizations/o3", status=404, json={"message": "nope"})
        with pytest.raises(NotFoundError):
            client.organizations.get(org_id="o3")


def test_blocked_sockets_refuse_the_call_as_they_refused_1_0_6() -> None:
    import pytest_socket

    with Emulator() as emulator:
        client = emulator.client()
        pytest_socket.disable_socket()
        try:
            with pytest.raises(pytest_socket.SocketBlockedError):
                client.organizations.get(org_id=emulator.org_id)
        finally:
            pytest_socket.enable_socket()
        pytest_socket.socket_allow_hosts(["127.0.0.1"])
        try:
            assert client.organizations.get(org_id=emulator.org_id)["id"] == emulator.org_id
            elsewhere = Client(access_token="t", base_url="http://127.0.0.2:9", insecure_http=True)
            with pytest.raises(pytest_socket.SocketConnectBlockedError):
                elsewhere.organizations.get(org_id="o1")
        finally:
            pytest_socket.enable_socket()
            socket.socket.connect = pytest_socket._true_connect  # type: ignore[attr-defined]


def test_errors_read_the_1_0_6_way_on_the_wire() -> None:
    with Emulator() as emulator:
        client = emulator.client()
        with pytest.raises(NotFoundError) as raised:
            client.groups.get(org_id=emulator.org_id, group_id="00000000-0000-0000-0000-000000000000")
    error = raised.value
    assert str(error).startswith("API request failed (404): ")
    assert error.response.status_code == 404 and error.response["statusCode"] == 404
    assert error.response.json()["trackingId"] == error.tracking_id
    assert error.response.headers["content-type"].startswith("application/json")
    assert json.loads(error.response.text) == dict(error.response)
    cause = error.__cause__
    assert isinstance(cause, requests.HTTPError) and cause.response.status_code == 404
    assert cause.response.json()["trackingId"] == error.tracking_id
    copy = pickle.loads(pickle.dumps(error))
    assert copy.response.status_code == 404 and copy.tracking_id == error.tracking_id


def test_an_answer_that_is_not_json_is_an_sdk_error_and_a_value_error() -> None:
    with Stub() as stub:
        stub.add("GET", "organizations/o1", body=b"<html>Sign in to the hotel wifi</html>")
        with pytest.raises(InvalidResponseError) as raised:
            stub.client().organizations.get(org_id="o1")
    assert isinstance(raised.value, SCCError) and isinstance(raised.value, ValueError)
    assert "hotel wifi" in raised.value.response.text


@pytest.fixture
def hung_server() -> Iterator[str]:
    """A server that takes connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: List[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_the_callers_timeout_bounds_the_whole_call_and_a_changed_one_takes_effect(hung_server: str) -> None:
    client = Client(access_token="t", base_url=hung_server, timeout=1.0, retries=2)
    started = time.monotonic()
    with pytest.raises(SCCError):
        client.organizations.list()
    assert time.monotonic() - started < 2.0, "the retries went past the timeout"
    client.timeout = 0.3
    started = time.monotonic()
    with pytest.raises(SCCError):
        client.organizations.list()
    assert time.monotonic() - started < 0.9
    assert client.timeout == 0.3


def test_base_url_and_max_retries_changed_after_construction_take_effect() -> None:
    with Stub() as first, Stub() as second:
        first.add("GET", "organizations/o1", json={"id": "first"})
        second.add("GET", "organizations/o1", json={"id": "second"})
        client = first.client(access_token="t")
        assert client.organizations.get(org_id="o1")["id"] == "first"
        client.base_url = second.base_url + "/v1"
        assert client.base_url == second.base_url + "/v1"
        assert client.organizations.get(org_id="o1")["id"] == "second"
        assert len(first.requests) == 1 and len(second.requests) == 1
    client.max_retries = 0
    assert client.max_retries == 0
    with pytest.raises(ValueError):
        client.max_retries = -1
    assert client.max_retries == 0, "a refused setting changes nothing"
    with pytest.raises(SCCError):
        client.base_url = "not a url"


def test_a_closed_client_reopens_and_a_client_pickles() -> None:
    with Emulator() as emulator:
        client = emulator.client()
        client.close()
        assert client.organizations.get(org_id=emulator.org_id)["id"] == emulator.org_id
        with client:
            client.organizations.get(org_id=emulator.org_id)
        assert client.organizations.get(org_id=emulator.org_id)["id"] == emulator.org_id
        copy = pickle.loads(pickle.dumps(client))
        assert copy.organizations.get(org_id=emulator.org_id)["id"] == emulator.org_id
        assert copy.base_url == client.base_url and copy.access_token == client.access_token
        assert client.access_token not in repr(copy)


def test_sixty_thousand_users_decode_in_one_answer() -> None:
    users = [{"id": f"00u{index:017d}", "email": f"user{index}@big.example", "firstName": "Big",
              "lastName": f"User {index}", "status": "ACTIVE", "created": "2024-05-01T09:30:00.000Z",
              "lastLogin": "2026-11-30T17:05:12.000Z"} for index in range(60_000)]
    body = json.dumps({"users": users}).encode()
    assert len(body) > 8 * 1024 * 1024
    with Stub() as stub:
        stub.add("GET", "organizations/o1/users", body=body)
        listed = stub.client().users.list(org_id="o1")
    assert len(listed["users"]) == 60_000 and listed["users"][-1]["email"] == "user59999@big.example"


GEVENT_WORKER = """
from gevent import monkey
monkey.patch_all()
import json, time
import gevent
from scc_sdk.testing import Emulator

with Emulator(latency_ms=1000) as emulator:
    client = emulator.client()
    client.organizations.get(org_id=emulator.org_id)
    started = time.monotonic()
    calls = [gevent.spawn(client.organizations.get, org_id=emulator.org_id) for _ in range(5)]
    gevent.joinall(calls, raise_error=True)
    seconds = time.monotonic() - started
    timed_out = False
    try:
        with gevent.Timeout(0.2):
            client.organizations.get(org_id=emulator.org_id)
    except gevent.Timeout:
        timed_out = True
    after = client.organizations.get(org_id=emulator.org_id)["id"]
    print(json.dumps({"seconds": seconds, "ids": [call.value["id"] for call in calls],
                      "timed_out": timed_out, "after": after, "org": emulator.org_id}))
"""


def test_under_gevent_five_greenlets_calls_overlap_and_a_killed_one_drops_its_request() -> None:
    import subprocess
    import sys

    # A process of its own: monkey-patching is for the whole process.
    done = subprocess.run([sys.executable, "-c", GEVENT_WORKER], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ids"] == [result["org"]] * 5
    # Five 1 s calls at once take about 1 s (one after another: 5 s).
    assert result["seconds"] < 2.5, result
    assert result["timed_out"] and result["after"] == result["org"]


def test_hooks_see_each_call_and_a_debug_line_gives_path_status_and_size(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    with Emulator() as emulator:
        client = emulator.client()
        seen: List[dict] = []
        client.hooks["request"].append(lambda event: seen.append({"before": event}))
        client.hooks["response"].append(lambda event: seen.append(event))
        with caplog.at_level(logging.DEBUG, logger="scc_sdk"):
            client.organizations.get(org_id=emulator.org_id)
        with pytest.raises(NotFoundError):
            client.groups.get(org_id=emulator.org_id, group_id="00000000-0000-0000-0000-000000000000")
    before, after, _, failed = seen
    assert before["before"]["method"] == "GET"
    assert before["before"]["url"].endswith(f"/v1/organizations/{emulator.org_id}")
    assert after["status"] == 200 and after["size"] > 50 and after["elapsed"] > 0 and after["error"] is None
    assert failed["status"] == 404 and failed["tracking_id"] and isinstance(failed["error"], NotFoundError)
    assert emulator.admin_token not in repr(seen)
    lines = [record.getMessage() for record in caplog.records]
    assert any(f'"GET /v1/organizations/{emulator.org_id}" 200 ' in line for line in lines), lines
    assert not any(emulator.admin_token in line for line in lines)


def test_a_refused_connection_fails_within_the_first_retrys_delay() -> None:
    from scc_sdk import APIConnectionError

    client = Client(access_token="t", base_url=NOWHERE, retries=5, retry_backoff=0.2, retry_max_backoff=5.0)
    started = time.monotonic()
    with pytest.raises(APIConnectionError) as raised:
        client.organizations.get(org_id="o1")
    # One retry after at most 0.2 s, not five with growing waits.
    assert time.monotonic() - started < 0.6 and raised.value.attempts == 2


def test_a_new_access_token_set_on_the_client_is_the_one_sent() -> None:
    from scc_sdk import AuthenticationError

    with Emulator() as emulator:
        client = emulator.client()
        client.organizations.get(org_id=emulator.org_id)
        client.access_token = "not-a-token-of-this-service"
        with pytest.raises(AuthenticationError):
            client.organizations.get(org_id=emulator.org_id)
        client.access_token = emulator.admin_token
        assert client.organizations.get(org_id=emulator.org_id)["id"] == emulator.org_id
    refreshing = Client.from_credentials("org", "key", "a-token", "r-token", base_url=NOWHERE)
    with pytest.raises(AttributeError, match="from_credentials"):
        refreshing.access_token = "other"


def _organization_id(client: Client, org_id: str) -> str:
    return str(client.organizations.get(org_id=org_id)["id"])


def test_clients_cross_a_process_pool() -> None:
    from concurrent.futures import ProcessPoolExecutor

    with Emulator() as emulator:
        client = emulator.client()
        with ProcessPoolExecutor(2) as pool:
            ids = list(pool.map(_organization_id, [client] * 4, [emulator.org_id] * 4))
    assert ids == [emulator.org_id] * 4


EVENTLET_WORKER = """
import eventlet
eventlet.monkey_patch()
import json, time
from scc_sdk.testing import Emulator

with Emulator(latency_ms=1000) as emulator:
    client = emulator.client()
    client.organizations.get(org_id=emulator.org_id)
    started = time.monotonic()
    pool = eventlet.GreenPool()
    ids = list(pool.imap(lambda _: client.organizations.get(org_id=emulator.org_id)["id"], range(5)))
    print(json.dumps({"seconds": time.monotonic() - started, "ids": ids, "org": emulator.org_id}))
"""


def test_under_eventlet_green_threads_calls_overlap() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", EVENTLET_WORKER], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ids"] == [result["org"]] * 5 and result["seconds"] < 2.5, result
