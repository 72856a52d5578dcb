"""A property-based run of the emulator driven by its API description (schemathesis): generated
requests for every operation (examples, edge cases, fuzzing, and chains that follow the document's
links), checked for no 5xx and no answer, status or content type the document does not allow.
Bounded: a fixed seed and a few examples per operation (seconds, not minutes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scc_sdk.testing import Emulator


def main() -> int:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    with Emulator() as emu:
        command = [
            str(schemathesis), "run", f"{emu.base_url}/openapi.json",
            "--header", f"Authorization: Bearer {emu.admin_token}",
            "--max-examples", "10", "--seed", "1", "--generation-database", "none",
            "--checks",
            "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
        ]
        return subprocess.run(command, timeout=600).returncode


if __name__ == "__main__":
    sys.exit(main())
