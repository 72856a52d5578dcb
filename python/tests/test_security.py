"""What an attacker tries against the Python package: tokens sent in clear."""

from __future__ import annotations

import pytest

from scc_sdk import AsyncClient, Client, InvalidInputError


@pytest.mark.parametrize("url", ["http://192.0.2.10:8080", "http://scc.example.net"])
def test_the_token_never_goes_in_clear_to_another_host_unless_allowed(url: str) -> None:
    with pytest.raises(InvalidInputError, match="in clear") as refused:
        Client(access_token="a-token", base_url=url)
    assert refused.value.field == "base_url"
    assert "a-token" not in str(refused.value)
    with pytest.raises(InvalidInputError, match="in clear"):
        Client.from_credentials("org", "key", "a-token", "r-token", base_url=url)
    with pytest.raises(InvalidInputError, match="in clear"):
        AsyncClient(access_token="a-token", base_url=url)
    # Allowed knowingly (nothing is sent by building a client).
    Client(access_token="a-token", base_url=url, insecure_http=True).close()


def test_plain_http_to_this_machine_and_https_anywhere_need_no_flag() -> None:
    for url in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9", "https://scc.example.net"]:
        Client(access_token="a-token", base_url=url).close()


def test_a_stub_catches_only_its_own_threads_clients_records_no_token_and_closes_its_connections() -> None:
    import threading

    from scc_sdk import APIConnectionError
    from scc_sdk.testing import Stub

    with Stub() as stub:
        stub.add("GET", "organizations/o", json={"id": "o"})
        # Made on this thread with the default URL, left out or written out: the stub.
        assert Client(access_token="a-token").base_url == f"{stub.base_url}/v1"
        assert Client(access_token="a-token", base_url="https://api.security.cisco.com").base_url == (
            f"{stub.base_url}/v1"
        )
        # Another thread's client is not caught (nor its token recorded).
        elsewhere: list = []
        thread = threading.Thread(target=lambda: elsewhere.append(Client(access_token="real").base_url))
        thread.start()
        thread.join()
        assert elsewhere == ["https://api.security.cisco.com/v1"]
        client = stub.client(access_token="a-secret-token", retries=0, timeout=2)
        assert client.organizations.get(org_id="o") == {"id": "o"}
        assert stub.requests[0].headers["authorization"] == "Bearer [redacted]"
        assert "a-secret-token" not in repr(stub.requests)
    # Stopped from another thread: the opening thread's clients go to the service again.
    other = Stub()
    other.__enter__()
    stopper = threading.Thread(target=other.stop)
    stopper.start()
    stopper.join()
    assert Client(access_token="a-token").base_url == "https://api.security.cisco.com/v1"
    # Stopped: the kept-alive connection is closed, no answer comes from the stub any more.
    with pytest.raises(APIConnectionError):
        client.organizations.get(org_id="o")
    assert len(stub.requests) == 1
