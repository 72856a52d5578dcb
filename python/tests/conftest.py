"""Shared fixtures: a fresh emulator per test (the package's own ``scc_emulator`` fixture) and a
client for it."""

from __future__ import annotations

from typing import Iterator

import pytest

from scc_sdk import Client
from scc_sdk.testing import Emulator


@pytest.fixture
def emu(scc_emulator: Emulator) -> Emulator:
    return scc_emulator


@pytest.fixture
def client(emu: Emulator) -> Iterator[Client]:
    with emu.client() as client:
        yield client
