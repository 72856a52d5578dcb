"""Talking to the emulator's control plane (faults, request journal) with the standard library."""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Dict, List

from scc_sdk.testing import Emulator


def control(emu: Emulator, method: str, path: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{emu.base_url}/_emulator/{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {emu.control_token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        raw = answer.read()
    return json.loads(raw) if raw.strip() else None


def fault(emu: Emulator, **spec: Any) -> None:
    control(emu, "POST", "faults", spec)


def journal(emu: Emulator) -> List[Dict[str, Any]]:
    requests: List[Dict[str, Any]] = control(emu, "GET", "requests")["requests"]
    return requests


def clear_journal(emu: Emulator) -> None:
    control(emu, "DELETE", "requests")
