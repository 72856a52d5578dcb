"""pytest plugin of scc_sdk: the ``scc_emulator`` fixture (a fresh local emulator per test)."""

from __future__ import annotations

from typing import Iterator

import pytest

from .testing import Emulator


@pytest.fixture
def scc_emulator() -> Iterator[Emulator]:
    """A running :class:`scc_sdk.testing.Emulator`, stopped after the test."""
    with Emulator() as emulator:
        yield emulator
