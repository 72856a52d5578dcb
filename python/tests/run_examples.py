"""Runs the Python examples, unedited, against a fresh emulator (pointed at it by environment only)
and checks what they print and what they leave behind. Used by scripts/test.

    python python/tests/run_examples.py [PYTHON]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

from scc_sdk import Client
from scc_sdk.testing import Emulator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(python: str, script: str, env: Dict[str, str]) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([python, str(EXAMPLES / script)], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120)


def check(condition: bool, message: str, output: str) -> None:
    if not condition:
        print(f"FAILED: {message}\n{output}", file=sys.stderr)
        sys.exit(1)


def group_members(client: Client, org_id: str, name: str) -> List[str]:
    group = next(g for g in client.iter_groups(org_id) if g["name"] == name)
    users = client.groups.get_users(org_id=org_id, group_id=group["id"])["users"]
    roles = client.groups.get_assigned_roles(org_id=org_id, group_id=group["id"])["roles"]
    assert [role["displayName"] for role in roles] == ["Organization Administrator"], roles
    return sorted(user["email"] for user in users)


def main() -> None:
    python = sys.argv[1] if len(sys.argv) > 1 else sys.executable
    passed = 0
    with Emulator() as emu:
        env = emu.environment()
        flow = run(python, "setup_org_flow.py", env)
        check(flow.returncode == 0 and "Onboarding complete." in flow.stdout, "setup_org_flow.py",
              flow.stdout + flow.stderr)
        client = emu.client()
        members = group_members(client, emu.org_id, "Onboarding Administrators")
        check(members == ["alice@example.com", "bob@example.com"], "the flow's group holds the invited users",
              flow.stdout)
        subscriptions = client.subscriptions.list(org_id=emu.org_id)
        again = run(python, "setup_org_flow.py", env)
        check(again.returncode == 0 and "already claimed" in again.stdout, "a second run is safe", again.stdout)
        check(len(client.subscriptions.list(org_id=emu.org_id)) == len(subscriptions), "no second subscription",
              again.stdout)
        passed += 2

    with Emulator() as emu:
        solved = run(python, "workshop_solution.py", emu.environment())
        check(solved.returncode == 0 and "6 of 6 exercises completed." in solved.stdout, "workshop_solution.py",
              solved.stdout + solved.stderr)
        check(group_members(emu.client(), emu.org_id, "Workshop Administrators") == ["workshop.user@example.com"],
              "the workshop's group", solved.stdout)
        template = run(python, "workshop_template.py", emu.environment())
        check(template.returncode == 1 and template.stdout.count("TODO: Exercise") == 4
              and "0 of 6 exercises completed." in template.stdout, "workshop_template.py reports its TODOs",
              template.stdout + template.stderr)
        passed += 2

    with Emulator() as emu:
        overview = run(python, "async_overview.py", emu.environment())
        check(overview.returncode == 0 and "invited 20 of 20 users concurrently" in overview.stdout
              and f"manages {len(emu.managed_org_ids)} organizations" in overview.stdout,
              f"async_overview.py (exit {overview.returncode})", overview.stdout + overview.stderr)
        invited = [u for u in emu.client().users.list(org_id=emu.org_id)["users"]
                   if u["email"].startswith("async.user")]
        check(len(invited) == 20, "the 20 invitations are in the state", overview.stdout)
        passed += 1
    print(f"examples: {passed} passed, 0 failed")


if __name__ == "__main__":
    main()
