"""Talking to the emulator's control plane (faults, request journal) with the standard library, and
running a check in a forked child."""

from __future__ import annotations

import json
import os
import urllib.request
import warnings
from typing import Any, Callable, Dict, List

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


def in_forked_child(check: Callable[[], bool]) -> int:
    """Runs ``check`` in a child made by ``os.fork()``: the child's exit code, 0 when it returned true."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork of a multi-threaded process
        pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = 0 if check() else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)
