"""pytest plugin of scc_sdk: the ``scc_emulator`` fixture (a fresh local emulator per test) and the
``scc_stub`` fixture (canned answers and a record of the requests, routing default clients to itself)."""

from __future__ import annotations

from typing import Iterator

import pytest

from .testing import Emulator, Stub


@pytest.fixture
def scc_emulator() -> Iterator[Emulator]:
    """A running :class:`scc_sdk.testing.Emulator`, stopped after the test."""
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def scc_stub() -> Iterator[Stub]:
    """A running :class:`scc_sdk.testing.Stub`: clients made with the default base URL go to it
    during the test; stopped after the test."""
    with Stub() as stub:
        yield stub
