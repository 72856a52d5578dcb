"""How the native core carries a call: answers decoded exactly as ``json.loads`` decodes them, and a
connection the server closed while it sat idle never carries the next request."""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, List

import pytest

from scc_sdk import Client, InvalidResponseError
from scc_sdk.testing import Stub

from helpers import in_forked_child

BODIES = [
    b'{"id": "org-1", "name": "Acme", "nested": {"list": [1, -2, true, false, null, "x"]}}',
    b"[]",
    b"{}",
    b"  \n",
    b"",
    b'"just a string"',
    b"12345",
    b"-0",
    b"18446744073709551615",
    b"-9223372036854775808",
    b"123456789012345678901234567890",
    b"1.5",
    b"1e400",
    b"-1.0e-400",
    b"0.1",
    b"[NaN, Infinity, -Infinity]",
    b'{"a": 1, "b": 2, "a": 3}',
    '{"name": "Zoë \u00e9 \u2028 \U0001f600"}'.encode(),
    b'{"escaped": "\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\"}',
    b'{"lone": "\\ud800"}',
    b'\xef\xbb\xbf{"bom": true}',
    b'{"deep": ' + b"[" * 200 + b"]" * 200 + b"}",
    b'{"trailing": 1} ',
    b"not json",
    b'{"cut": ',
    b'{"control": "a\x01b"}',
]


def test_an_answer_is_what_json_loads_gives_or_its_error() -> None:
    with Stub() as stub:
        client = stub.client()
        for index, body in enumerate(BODIES):
            stub.add("GET", f"body/{index}", body=body)
            try:
                expected: Any = json.loads(body) if body.strip() else {}
            except ValueError as error:
                # Not JSON: the SDK's error, a ValueError as json's own was, saying what json said.
                with pytest.raises(InvalidResponseError) as caught:
                    client.get(f"body/{index}")
                assert isinstance(caught.value, ValueError) and str(error) in str(caught.value), body
                continue
            got = client.get(f"body/{index}")
            # repr tells 1 from 1.0 and True from 1, and shows the order of keys and NaN.
            assert (type(got), repr(got)) == (type(expected), repr(expected)), body


def _keep_alive_server(answers: List[bytes], close_after: float) -> socket.socket:
    """A server that answers each request on a keep-alive connection, then closes that connection
    once it has sat idle for ``close_after`` seconds (as a load balancer's idle timeout does), without
    having said so in the answer. ``answers`` collects the request lines."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def serve(connection: socket.socket) -> None:
        with connection:
            connection.settimeout(close_after)
            while True:
                try:
                    head = connection.recv(65536)
                except socket.timeout:
                    return  # idle: close
                if not head:
                    return
                answers.append(head.split(b"\r\n", 1)[0])
                body = b'{"id": "org-1", "name": "Kept"}'
                connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                                   + str(len(body)).encode() + b"\r\n\r\n" + body)

    def accept() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return server


def test_a_connection_the_server_closed_while_idle_does_not_carry_the_next_write() -> None:
    requests: List[bytes] = []
    server = _keep_alive_server(requests, close_after=0.1)
    try:
        client = Client(access_token="token", base_url=f"http://127.0.0.1:{server.getsockname()[1]}", retries=0)
        # A loop of calls gets this thread a lane of its own (its own connections, not watched by
        # the shared runtime between calls).
        deadline = time.monotonic() + 10
        while client._native.lanes_ready == 0 and time.monotonic() < deadline:
            assert client.organizations.get(org_id="org-1")["name"] == "Kept"
        assert client._native.lanes_ready == 1
        assert client.organizations.get(org_id="org-1")["name"] == "Kept"
        time.sleep(0.4)  # the server has closed the idle connections by now
        # A write on the closed connection would lose its answer (an unknown outcome, not retried):
        # it must go on a new one and succeed.
        assert client.organizations.update(org_id="org-1", name="Kept")["name"] == "Kept"
        assert [line.split(b" ")[0] for line in requests][-2:] == [b"GET", b"PUT"]
    finally:
        server.close()


def test_threads_alone_or_together_get_their_own_answers(client: Client, emu: Any) -> None:
    # One thread alone drives its calls itself; many at once share the runtime's worker; both ways
    # each call gets its own answer, here the organization it asked for.
    orgs = [emu.org_id, *emu.managed_org_ids]
    assert [client.organizations.get(org_id=org)["id"] for org in orgs] == orgs
    with ThreadPoolExecutor(8) as pool:
        asked = [orgs[index % len(orgs)] for index in range(96)]
        got = list(pool.map(lambda org: client.organizations.get(org_id=org)["id"], asked))
    assert got == asked
    assert [client.organizations.get(org_id=org)["id"] for org in orgs] == orgs


def test_a_threads_lane_refreshes_the_clients_credentials(tmp_path: Any) -> None:
    from scc_sdk.testing import Emulator

    with Emulator(token_ttl=3) as emu:
        store = tmp_path / "credentials.json"
        client = Client.from_credentials(emu.org_id, emu.admin["api_key_id"], emu.admin["access_token"],
                                         emu.admin["refresh_token"], token_store=store, base_url=emu.base_url)
        started = time.monotonic()
        while client._native.lanes_ready == 0 and time.monotonic() - started < 1.5:
            client.organizations.get(org_id=emu.org_id)
        assert client._native.lanes_ready == 1 and client.refresh_count == 0
        time.sleep(max(0.0, 3.2 - (time.monotonic() - started)))
        # On the lane: the expired token is refreshed for the whole client, and stored. (A token that
        # lives 3 s is refreshed again before each later call: the SDK refreshes 60 s ahead.)
        assert client.organizations.get(org_id=emu.org_id)["id"] == emu.org_id
        assert client.refresh_count >= 1
        assert json.loads(store.read_text())["access_token"] == client.access_token != emu.admin["access_token"]
        with ThreadPoolExecutor(4) as pool:
            assert set(pool.map(lambda _: client.organizations.get(org_id=emu.org_id)["id"], range(8))) == {emu.org_id}
        assert json.loads(store.read_text())["access_token"] == client.access_token


def test_a_pages_keys_are_made_once_as_json_loads_makes_them() -> None:
    body = json.dumps({"users": [{"email": f"u{i}@example.com", "firstName": "U"} for i in range(3)]}).encode()
    with Stub() as stub:
        stub.add("GET", "page", body=body)
        got = stub.client().get("page")
    expected = json.loads(body)
    assert got == expected
    first, *others = [next(iter(user)) for user in got["users"]]
    assert all(key is first for key in others)


def test_keys_are_shared_by_answers_as_they_are_within_one() -> None:
    with Stub() as stub:
        stub.add("GET", "one", body=b'{"regionCode": "NAM", "name": "One"}')
        stub.add("GET", "two", body=b'{"regionCode": "EMEA", "name": "Two"}')
        client = stub.client()
        one, two = client.get("one"), client.get("two")
    assert (one, two) == ({"regionCode": "NAM", "name": "One"}, {"regionCode": "EMEA", "name": "Two"})
    assert next(iter(one)) is next(iter(two))


def test_an_answer_with_more_keys_than_are_shared_is_still_what_json_loads_gives() -> None:
    # More distinct keys than the shared ones may hold, some longer than a shared key may be, and
    # each repeated in every row: past the bounds a body makes its own keys, once each.
    names = [f"key-{index}" for index in range(1500)] + ["long-" + "x" * 100 + str(index) for index in range(5)]
    body = json.dumps({"rows": [{name: index for index, name in enumerate(names)} for _ in range(3)]}).encode()
    with Stub() as stub:
        stub.add("GET", "wide", body=body)
        stub.add("GET", "small", body=b'{"after": [1, 2]}')
        client = stub.client()
        got = client.get("wide")
        after = client.get("small")
    assert (type(got), repr(got)) == (type(json.loads(body)), repr(json.loads(body)))
    assert after == {"after": [1, 2]}
    rows = [list(row) for row in got["rows"]]
    assert all(all(key is rows[0][column] for column, key in enumerate(row)) for row in rows[1:])


def test_the_shared_keys_stay_bounded_whatever_keys_a_server_sends() -> None:
    import gc
    import tracemalloc

    def new_keys(answer: int) -> bytes:
        return json.dumps({f"k{answer}-{index:05d}-" + "x" * 40: 0 for index in range(3000)}).encode()

    with Stub() as stub:
        for answer in range(3):
            stub.add("GET", f"keys/{answer}", body=new_keys(answer))
        client = stub.client()
        client.get("keys/0")  # more new keys than may be shared: the shared ones are now full
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for answer in (1, 2):
                assert len(client.get(f"keys/{answer}")) == 3000
            gc.collect()
            kept = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    # 6,000 keys kept would be ≈ 600 kB; the answers themselves are gone.
    assert kept < 100_000, kept


def test_a_child_that_drops_the_client_leaves_the_parents_lane_working(emu: Any) -> None:
    import gc

    client = Client(access_token=emu.admin_token, base_url=emu.base_url, timeout=5)
    deadline = time.monotonic() + 10
    while client._native.lanes_ready == 0 and time.monotonic() < deadline:
        client.organizations.get(org_id=emu.org_id)
    assert client._native.lanes_ready == 1
    def in_child() -> bool:
        # Dropping the inherited client must not touch the parent's sockets or epoll.
        nonlocal client
        del client
        gc.collect()
        return True

    assert in_forked_child(in_child) == 0
    for _ in range(3):
        assert client.organizations.get(org_id=emu.org_id)["id"] == emu.org_id


def test_the_lane_of_a_thread_that_ended_is_dropped(client: Client, emu: Any) -> None:
    def until_a_lane() -> None:
        deadline = time.monotonic() + 10
        while client._native.lanes_ready == 0 and time.monotonic() < deadline:
            client.organizations.get(org_id=emu.org_id)

    first = threading.Thread(target=until_a_lane)
    first.start()
    first.join()
    assert client._native.lanes_ready == 1
    # Another thread's first call finds the first thread gone: its lane (runtime, connections) goes.
    second = threading.Thread(target=lambda: client.organizations.get(org_id=emu.org_id))
    second.start()
    second.join()
    assert client._native.lanes_ready == 0
