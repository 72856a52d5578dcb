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
