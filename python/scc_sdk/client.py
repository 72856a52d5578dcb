"""``scc_sdk.client``: where cisco-scc-sdk keeps ``Client`` (``from scc_sdk.client import Client``)."""

from ._client import DEFAULT_BASE_PATH, DEFAULT_BASE_URL, AsyncClient, Client

__all__ = ["Client", "AsyncClient", "DEFAULT_BASE_URL", "DEFAULT_BASE_PATH"]
