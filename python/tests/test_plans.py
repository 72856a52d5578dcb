"""scc_sdk.plan: the engine of `scc plan` / `scc apply` from Python, against the emulator, with the
CLI's checks, refusals and meanings."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any, Dict, List

import pytest

import scc_sdk
from scc_sdk import Client, ForbiddenError, InvalidInputError, Plan
from scc_sdk.testing import Emulator

EAST: Dict[str, Any] = {
    "organizations": [
        {
            "name": "Acme Customer East",
            "users": [
                {"email": "nia@east.example", "first_name": "Nia", "last_name": "Okafor", "admin": True},
            ],
        }
    ]
}


def emails(emu: Emulator, org_name: str) -> List[str]:
    state = emu.state()
    org_id = next(org["id"] for org in state["organizations"].values() if org["name"] == org_name)
    return sorted(user["email"] for user in state["users"].values() if user["org_id"] == org_id)


def test_a_plan_holds_typed_changes_with_their_attributes_and_applies_exactly_them(
    emu: Emulator, client: Client, tmp_path: Path
) -> None:
    plan = scc_sdk.plan(client, EAST)
    assert [(c.organization, c.sign, c.action, c.subject) for c in plan.changes] == [
        ("Acme Customer East", "+", "invite", "user nia@east.example")
    ]
    assert plan.changes[0].attributes == {"first_name": "Nia", "last_name": "Okafor", "admin": True}
    assert plan.problems == []
    assert "nia@east.example" not in emails(emu, "Acme Customer East"), "a plan reads only"
    journal = tmp_path / "changes.jsonl"
    result = plan.apply(journal=journal)
    assert result.ok, result
    assert [(o.action, o.subject, o.status) for o in result.outcomes] == [
        ("invite", "user nia@east.example", "ok")
    ]
    assert "nia@east.example" in emails(emu, "Acme Customer East")
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [line["object"] for line in lines] == ["user nia@east.example"]
    assert emu.admin_token not in journal.read_text(), "never a token in the journal"
    assert scc_sdk.plan(client, EAST).changes == [], "applied: nothing left to do"


def test_a_saved_plan_loads_and_an_edited_one_applies_nothing_and_says_what_differs(
    emu: Emulator, client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "east.yaml"
    path.write_text(
        "organizations:\n  - name: Acme Customer East\n    users:\n"
        "      - {email: nia@east.example, first_name: Nia, last_name: Okafor}\n"
    )
    saved = tmp_path / "east.plan.json"
    scc_sdk.plan(client, path).save(saved)
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600, "a saved plan names users: the owner's only"
    document = json.loads(saved.read_text())
    assert document["format"] == "scc-saved-plan/1"
    # Someone adds a user to the saved file's plan section, leaving the reviewed changes alone.
    document["organizations"][0]["plan"]["users"].append(
        {"email": "mallory@evil.example", "first_name": "Mal", "last_name": "Lory"}
    )
    edited = tmp_path / "edited.plan.json"
    edited.write_text(json.dumps(document))
    loaded = Plan.load(edited, client)
    assert [c.subject for c in loaded.changes] == ["user nia@east.example"], "the saved changes are shown"
    result = loaded.apply()
    assert not result.ok
    assert result.outcomes == []
    assert [(n.organization, n.difference) for n in result.not_applied] == [
        ("Acme Customer East", ["now also: + invite user mallory@evil.example"])
    ]
    assert "mallory@evil.example" not in emails(emu, "Acme Customer East")
    assert "nia@east.example" not in emails(emu, "Acme Customer East")
    # The saved plan as written applies: exactly its change.
    assert Plan.load(saved, client).apply().ok
    assert emails(emu, "Acme Customer East") == [
        "erin.east@customer-east.example",
        "frank.east@customer-east.example",
        "nia@east.example",
    ]


def test_orgs_scope_the_plan_and_a_name_the_file_lacks_is_refused(client: Client) -> None:
    both: Dict[str, Any] = {
        "organizations": [
            EAST["organizations"][0],
            {"name": "Acme Customer West",
             "users": [{"email": "w@west.example", "first_name": "W", "last_name": "West"}]},
        ]
    }
    plan = scc_sdk.plan(client, both, orgs=["acme customer west"])
    assert plan.organizations == ["Acme Customer West"]
    assert [c.subject for c in plan.changes] == ["user w@west.example"]
    with pytest.raises(InvalidInputError, match='--org "Nowhere": no organization'):
        scc_sdk.plan(client, both, orgs=["Nowhere"])
    with pytest.raises(TypeError, match="not one string"):
        scc_sdk.plan(client, both, orgs="Acme Customer West")  # type: ignore[arg-type]


def test_a_folder_or_a_list_of_plan_files_is_one_plan_and_a_typo_is_named_at_its_line(
    client: Client, tmp_path: Path
) -> None:
    folder = tmp_path / "customers"
    folder.mkdir()
    (folder / "east.json").write_text(json.dumps(EAST))
    (folder / "west.yaml").write_text(
        "organizations:\n  - name: Acme Customer West\n    users:\n"
        "      - {email: w@west.example, first_name: W, last_name: West}\n"
    )
    by_folder = scc_sdk.plan(client, folder)
    assert by_folder.organizations == ["Acme Customer East", "Acme Customer West"]
    by_list = scc_sdk.plan(client, [folder / "west.yaml", str(folder / "east.json")])
    assert by_list.organizations == ["Acme Customer West", "Acme Customer East"]
    assert [c.subject for c in by_list.changes] == ["user w@west.example", "user nia@east.example"]
    typo = tmp_path / "typo.yaml"
    typo.write_text("organizations:\n  - name: Acme Customer West\n    userz: []\n")
    with pytest.raises(InvalidInputError) as refused:
        scc_sdk.plan(client, typo)
    assert "typo.yaml:3: organizations[0].userz: unknown key `userz` (did you mean `users`?)" in str(refused.value)
    with pytest.raises(TypeError, match="a list of paths"):
        scc_sdk.plan(client, [])


def test_a_plan_file_with_problems_is_refused_with_every_one_and_nothing_is_sent(emu: Emulator, client: Client) -> None:
    broken: Dict[str, Any] = {
        "organizations": [
            {"name": "New", "create": True,
             "users": [{"email": "not-an-email", "first_name": "", "last_name": "B"}]}
        ]
    }
    with pytest.raises(InvalidInputError) as refused:
        scc_sdk.plan(client, broken)
    message = str(refused.value)
    assert "3 problem(s); nothing was sent" in message, message
    assert "organizations[0].region" in message and "organizations[0].users[0].email" in message
    assert isinstance(refused.value, ValueError)


def test_a_new_organization_is_checked_before_it_exists_and_problems_are_not_saved(
    client: Client, tmp_path: Path
) -> None:
    plan = scc_sdk.plan(client, {
        "organizations": [{
            "name": "Initech", "create": True, "region": "NAM",
            "groups": [{"name": "TPS", "members": ["milton@initech.example"]}],
        }]
    })
    assert [(p.action, p.subject) for p in plan.problems] == [("find", "user milton@initech.example")]
    assert "is not a user of the organization" in plan.problems[0].reason
    with pytest.raises(InvalidInputError, match="problem"):
        plan.save(tmp_path / "p.json")
    assert not (tmp_path / "p.json").exists()


def test_a_read_only_key_is_refused_before_anything_is_sent(emu: Emulator) -> None:
    with emu.client(member=True) as member:
        plan = scc_sdk.plan(member, EAST)
        assert len(plan.changes) == 1, "a read-only key plans"
        with pytest.raises(ForbiddenError, match="read-only"):
            plan.apply()
    assert "nia@east.example" not in emails(emu, "Acme Customer East")


def test_the_repr_of_a_plan_holds_no_secret(emu: Emulator, client: Client) -> None:
    plan = scc_sdk.plan(client, EAST)
    assert emu.admin_token not in repr(plan)
    assert repr(plan).startswith("<Plan 1 organization(s), 1 change(s), 0 problem(s) against http://127.0.0.1:")
