"""Run the SDK without a Cisco account: the Rust emulator, started in this process.

    from scc_sdk.testing import Emulator

    with Emulator() as emu:
        client = emu.client()
        print(client.organizations.get(emu.org_id)["name"])

With pytest, the fixture ``scc_emulator`` (from this package's pytest plugin) gives a fresh emulator
to each test.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from . import _native
from ._client import AsyncClient, Client

__all__ = ["Emulator"]


class Emulator:
    """A local SCC + XDR server on a free loopback port, with the fixtures' organization, API keys
    and claim codes. Its credentials are made up for the emulator and are not secret."""

    def __init__(self, *, seed: int = 42, token_ttl: Optional[int] = None, fault_rate: float = 0.0,
                 latency_ms: int = 0, rate_limit: Optional[int] = None, claim_codes: Optional[int] = None) -> None:
        self._native: Optional[Any] = _native.NativeEmulator(
            seed=seed, token_ttl=token_ttl, fault_rate=fault_rate, latency_ms=latency_ms, rate_limit=rate_limit,
            claim_codes=claim_codes)
        ready: Dict[str, Any] = json.loads(self._native.ready())
        #: ``http://127.0.0.1:PORT`` (the client adds ``/v1``).
        self.base_url: str = ready["base_url"]
        #: The caller's organization (a MANAGER).
        self.org_id: str = ready["org_id"]
        #: The credential of the control plane (``/_emulator/*``): ``Authorization: Bearer <control_token>``.
        self.control_token: str = ready["control_token"]
        #: ``{"api_key_id", "access_token", "refresh_token"}`` of an admin (read and write) key.
        self.admin: Dict[str, str] = ready["admin"]
        #: The same for a member (read-only) key.
        self.member: Dict[str, str] = ready["member"]
        self.admin_token: str = self.admin["access_token"]
        self.member_token: str = self.member["access_token"]
        #: Organizations managed by ``org_id``.
        self.managed_org_ids: List[str] = ready["managed_org_ids"]
        #: Claim codes that can be claimed.
        self.claim_codes: List[str] = ready["claim_codes"]["valid"]
        #: Claim codes already claimed (claiming again answers 409).
        self.claimed_claim_codes: List[str] = ready["claim_codes"]["claimed"]
        #: ``{"base_url", "client_id", "client_secret"}`` of the XDR side.
        self.xdr: Dict[str, str] = ready["xdr"]

    def client(self, member: bool = False, **options: Any) -> Client:
        """A ``Client`` for this emulator with the admin (or member) token."""
        token = self.member_token if member else self.admin_token
        return Client(access_token=token, base_url=self.base_url, **options)

    def async_client(self, member: bool = False, **options: Any) -> AsyncClient:
        """An ``AsyncClient`` for this emulator."""
        token = self.member_token if member else self.admin_token
        return AsyncClient(access_token=token, base_url=self.base_url, **options)

    def state(self) -> Dict[str, Any]:
        """The emulator's whole state (for assertions in tests)."""
        if self._native is None:
            raise RuntimeError("the emulator is stopped")
        state: Dict[str, Any] = json.loads(self._native.state())
        return state

    def environment(self) -> Dict[str, str]:
        """``SCC_BASE_URL``, ``SCC_ACCESS_TOKEN`` and ``SCC_ORG_ID`` (and the rest the examples read)
        pointing at this emulator."""
        return {
            "SCC_BASE_URL": self.base_url,
            "SCC_ACCESS_TOKEN": self.admin_token,
            "SCC_ORG_ID": self.org_id,
            "SCC_API_KEY_ID": self.admin["api_key_id"],
            "SCC_REFRESH_TOKEN": self.admin["refresh_token"],
            "SCC_CLAIM_CODE": self.claim_codes[0],
        }

    def stop(self) -> None:
        """Stop the server (waits until it has stopped); calling it again does nothing."""
        if self._native is not None:
            self._native.stop()
            self._native = None

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Emulator(base_url={self.base_url!r}, org_id={self.org_id!r})"
